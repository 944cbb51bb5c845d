const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const hour = 3_600_000;
const day = 24 * hour;

export const durationPattern = /^(\d+)(ms|s|m|h|d|w)$/;

/**
 * The longest value each kind of duration may have. Without a cap, a gate deadline of `20000000w` passed the plan
 * check and then threw `RangeError: Invalid time value` in the workflow when the gate opened, for good.
 * docs/configuration.md states these; the plan check refuses longer values, naming the field.
 */
export const durationCaps = {
  /** gate.deadline, gate.remindBefore: a release waiting longer than a quarter should be started again. */
  gateDeadline: { ms: 90 * day, text: '90d' },
  /** smoke.commands[].timeout: a command runs inside one activity attempt. */
  smokeTimeout: { ms: 6 * hour, text: '6h' },
  /** smoke.external[].timeout: how long the release waits for an external check's report. */
  externalCheckTimeout: { ms: 14 * day, text: '14d' },
  /** Heartbeat and stall (no byte moved) timeouts of long activities. */
  heartbeat: { ms: 30 * 60_000, text: '30m' },
  /** Polling intervals: canonical.poll (interval, maxInterval) and other waits for a remote service. */
  polling: { ms: day, text: '1d' },
} as const;
export type DurationKind = keyof typeof durationCaps;

/** "90s", "15m", "36h", "14d", "2w" -> milliseconds. */
export function parseDuration(text: string): number {
  const match = durationPattern.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration: write a number and a unit, e.g. 90s, 15m, 36h, 14d`);
  return Number(match[1]) * (units[match[2] ?? 's'] ?? 1000);
}

/** Why a duration is longer than its kind allows, or undefined. */
export function durationOverCap(text: string, kind: DurationKind): string | undefined {
  const cap = durationCaps[kind];
  if (!durationPattern.test(text.trim())) return undefined; // the pattern's own message says what to write
  return parseDuration(text) > cap.ms ? `at most ${cap.text}; ${text} is longer` : undefined;
}

/**
 * Milliseconds, never more than the kind's cap: the workflow's defence in depth for plans that did not pass the
 * plan check (a client starting the workflow itself), so no timer or Date arithmetic can overflow.
 */
export function boundedDuration(text: string, kind: DurationKind): number {
  return Math.min(parseDuration(text), durationCaps[kind].ms);
}
