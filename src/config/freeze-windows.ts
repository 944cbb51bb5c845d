// Freeze windows: when promotion may not start. Pure functions of an instant (workflow time) and the plan's
// windows, so the workflow evaluates them deterministically. Wall-clock times are read in the window's IANA
// time zone through Intl, so "Friday 15:00 to Monday 08:00 Europe/Berlin" stays 15:00 and 08:00 local across
// daylight-saving changes. A local time that does not exist (spring gap) is shifted forward by the gap, and one
// that exists twice (autumn overlap) means the earlier instant: the 'compatible' rule of the JS Temporal API.

/** One freeze window as the release spec carries it (src/config/freeze-plan.ts parses the plan's form). */
export type FreezeWindow =
  | { kind: 'absolute'; from: string; to: string; timezone: string; reason: string; overrideBy: string[] }
  | {
      kind: 'weekly';
      /** Day and time as written in the plan, e.g. "Fri 15:00". */
      from: string;
      to: string;
      timezone: string;
      reason: string;
      overrideBy: string[];
    };

/** A window as the plan writes it (src/config/promotion-evidence-plan.ts validates it). */
export interface PlannedFreezeWindow {
  from?: string | undefined;
  to?: string | undefined;
  weekly?: { from: string; to: string } | undefined;
  timezone: string;
  reason: string;
  overrideBy: string[];
}

/** The workflow's form of the plan's windows. */
export function freezeWindowsOf(plan: PlannedFreezeWindow[]): FreezeWindow[] {
  return plan.map((window): FreezeWindow => {
    const common = { timezone: window.timezone, reason: window.reason, overrideBy: window.overrideBy };
    return window.weekly
      ? { kind: 'weekly', from: window.weekly.from, to: window.weekly.to, ...common }
      : { kind: 'absolute', from: window.from ?? '', to: window.to ?? '', ...common };
  });
}

export interface Freeze {
  /** Reasons of every window that holds promotion now (chained windows included). */
  reasons: string[];
  /** When promotion may go on by itself: ISO instant (UTC). */
  until: string;
  /** Who may lift it early (union over the windows hit). */
  overrideBy: string[];
}

export const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const dayMs = 86_400_000;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let found = formatters.get(timezone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, found);
  }
  return found;
}

/** Whether Intl knows the zone (plan validation). */
export function isTimeZone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in a zone at an instant, and the zone's offset from UTC there (ms). */
function wallAt(instant: number, timezone: string): Wall & { offset: number } {
  const parts = Object.fromEntries(
    formatter(timezone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const wall = {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
  };
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, Number(parts.second));
  return { ...wall, offset: asUtc - (instant - (instant % 1000)) };
}

/** The instant a wall-clock time in a zone means (gap: shifted forward; overlap: the earlier one). */
export function instantOf(wall: Wall, timezone: string): number {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = wallAt(guess - dayMs, timezone).offset;
  const after = wallAt(guess + dayMs, timezone).offset;
  const matches = [...new Set([guess - before, guess - after])]
    .filter((candidate) => sameWall(wallAt(candidate, timezone), wall))
    .sort((a, b) => a - b);
  return matches[0] ?? guess - before;
}

function sameWall(a: Wall, b: Wall): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

/** "2026-12-20T18:00" (wall time in the window's zone) or an ISO instant with Z or an offset. */
export function parseWindowTime(text: string, timezone: string): number | undefined {
  if (/(Z|[+-]\d\d:\d\d)$/.test(text)) {
    const at = Date.parse(text);
    return Number.isNaN(at) ? undefined : at;
  }
  const match = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d))?$/.exec(text);
  if (!match) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0] = match.slice(1).map((part) => Number(part ?? 0));
  return instantOf({ year, month, day, hour, minute }, timezone);
}

/** "Fri 15:00" -> minutes since Monday 00:00. */
export function parseWeekTime(text: string): number | undefined {
  const match = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  return weekdays.indexOf(match[1] as (typeof weekdays)[number]) * 1440 + Number(match[2]) * 60 + Number(match[3]);
}

/** If the window holds the instant: when it ends (ms); else undefined. */
export function windowEnd(window: FreezeWindow, instant: number): number | undefined {
  if (window.kind === 'absolute') {
    const from = parseWindowTime(window.from, window.timezone);
    const to = parseWindowTime(window.to, window.timezone);
    if (from === undefined || to === undefined) return undefined;
    return instant >= from && instant < to ? to : undefined;
  }
  const from = parseWeekTime(window.from);
  const to = parseWeekTime(window.to);
  if (from === undefined || to === undefined || from === to) return undefined;
  const wall = wallAt(instant, window.timezone);
  const weekday = (new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay() + 6) % 7;
  const now = weekday * 1440 + wall.hour * 60 + wall.minute;
  const inside = from < to ? now >= from && now < to : now >= from || now < to;
  if (!inside) return undefined;
  // The next local occurrence of the end time, counted in calendar days from today's local date.
  const ahead = (to - now + 7 * 1440) % (7 * 1440);
  const endDay = Math.floor((now + ahead) / 1440) - weekday;
  const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + endDay));
  const end = instantOf(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: Math.floor((to % 1440) / 60),
      minute: to % 60,
    },
    window.timezone,
  );
  return end > instant ? end : undefined;
}

/**
 * Whether promotion is frozen at an instant, and until when: windows that touch or overlap are followed to
 * the end of the last one, so a release never wakes up only to go back to sleep.
 */
export function evaluateFreeze(windows: FreezeWindow[], instant: number): Freeze | undefined {
  let until = instant;
  const hit = new Set<FreezeWindow>();
  for (let round = 0; round < 64; round++) {
    const ends = windows.flatMap((window) => {
      const end = windowEnd(window, until);
      return end === undefined ? [] : [{ window, end }];
    });
    if (ends.length === 0) break;
    for (const { window } of ends) hit.add(window);
    until = Math.max(...ends.map((e) => e.end));
  }
  if (hit.size === 0) return undefined;
  const windowsHit = [...hit];
  return {
    reasons: [...new Set(windowsHit.map((w) => w.reason))],
    until: new Date(until).toISOString(),
    overrideBy: [...new Set(windowsHit.flatMap((w) => w.overrideBy))],
  };
}
