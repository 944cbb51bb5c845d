import { describe, expect, it } from 'vitest';
import { deriveSpec } from '../../src/config/derive.ts';
import { parsePlan } from '../../src/config/load.ts';
import { evaluateFreeze, instantOf, windowEnd, type FreezeWindow } from '../../src/config/freeze-windows.ts';
import { minimalPlan } from '../support/minimal-plan.ts';
import { issuesOf } from '../support/plan-issues.ts';

const weekend: FreezeWindow = {
  kind: 'weekly',
  from: 'Fri 15:00',
  to: 'Mon 08:00',
  timezone: 'Europe/Berlin',
  reason: 'weekend',
  overrideBy: ['carol'],
};
const at = (iso: string): number => Date.parse(iso);

describe('freeze windows', () => {
  it('a weekly window holds from Friday 15:00 to Monday 08:00 Berlin time, in winter (UTC+1)', () => {
    expect(windowEnd(weekend, at('2026-01-09T13:59:00Z'))).toBeUndefined(); // Fri 14:59 CET
    expect(windowEnd(weekend, at('2026-01-09T14:00:00Z'))).toBe(at('2026-01-12T07:00:00Z')); // Fri 15:00 CET
    expect(windowEnd(weekend, at('2026-01-11T22:00:00Z'))).toBe(at('2026-01-12T07:00:00Z')); // Sun 23:00
    expect(windowEnd(weekend, at('2026-01-12T06:59:00Z'))).toBe(at('2026-01-12T07:00:00Z')); // Mon 07:59
    expect(windowEnd(weekend, at('2026-01-12T07:00:00Z'))).toBeUndefined(); // Mon 08:00: open again
    expect(windowEnd(weekend, at('2026-01-14T12:00:00Z'))).toBeUndefined(); // Wednesday
  });

  it('keeps local times across the spring change (Sunday 29 March 2026: 02:00 CET -> 03:00 CEST): 64 hours, not 65', () => {
    const start = at('2026-03-27T14:00:00Z'); // Fri 15:00 CET
    const end = windowEnd(weekend, start);
    expect(end).toBe(at('2026-03-30T06:00:00Z')); // Mon 08:00 CEST
    expect(((end ?? 0) - start) / 3_600_000).toBe(64);
    expect(windowEnd(weekend, at('2026-03-30T05:59:00Z'))).toBe(end); // Mon 07:59 CEST
    expect(windowEnd(weekend, at('2026-03-30T06:00:00Z'))).toBeUndefined();
    // A naive fixed offset (+1) would still see Monday 07:00 here and hold the release an hour too long.
  });

  it('keeps local times across the autumn change (Sunday 25 October 2026: 03:00 CEST -> 02:00 CET): 66 hours, not 65', () => {
    const start = at('2026-10-23T13:00:00Z'); // Fri 15:00 CEST
    expect(windowEnd(weekend, at('2026-10-23T12:59:00Z'))).toBeUndefined();
    const end = windowEnd(weekend, start);
    expect(end).toBe(at('2026-10-26T07:00:00Z')); // Mon 08:00 CET
    expect(((end ?? 0) - start) / 3_600_000).toBe(66);
  });

  it('New York changes on other dates (8 March 2026), and a window that starts Saturday 00:00 wraps the week', () => {
    const ny: FreezeWindow = { ...weekend, from: 'Sat 00:00', to: 'Mon 00:00', timezone: 'America/New_York' };
    expect(windowEnd(ny, at('2026-03-07T05:00:00Z'))).toBe(at('2026-03-09T04:00:00Z')); // EST -> EDT
    expect(windowEnd(ny, at('2026-03-07T04:59:00Z'))).toBeUndefined(); // Fri 23:59 EST
  });

  it('a local time that does not exist is shifted forward by the gap; one that exists twice is the earlier', () => {
    expect(instantOf({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin')).toBe(
      at('2026-03-29T01:30:00Z'), // 03:30 CEST
    );
    expect(instantOf({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin')).toBe(
      at('2026-10-25T00:30:00Z'), // 02:30 CEST, the first of the two
    );
  });

  it('absolute windows are wall times in their zone, or instants when written with an offset', () => {
    const holidays: FreezeWindow = {
      kind: 'absolute',
      from: '2026-12-23T18:00',
      to: '2027-01-04T08:00',
      timezone: 'Europe/Berlin',
      reason: 'year-end freeze',
      overrideBy: [],
    };
    expect(windowEnd(holidays, at('2026-12-23T16:59:00Z'))).toBeUndefined();
    expect(windowEnd(holidays, at('2026-12-23T17:00:00Z'))).toBe(at('2027-01-04T07:00:00Z'));
    const utc: FreezeWindow = { ...holidays, from: '2026-12-23T18:00Z', to: '2026-12-24T00:00+01:00' };
    expect(windowEnd(utc, at('2026-12-23T18:00:00Z'))).toBe(at('2026-12-23T23:00:00Z'));
  });

  it('follows windows that touch to the end of the last one and names every reason', () => {
    const maintenance: FreezeWindow = {
      kind: 'absolute',
      from: '2026-01-12T08:00',
      to: '2026-01-12T12:00',
      timezone: 'Europe/Berlin',
      reason: 'database maintenance',
      overrideBy: ['dave'],
    };
    const freeze = evaluateFreeze([weekend, maintenance], at('2026-01-10T12:00:00Z'));
    expect(freeze).toEqual({
      reasons: ['weekend', 'database maintenance'],
      until: '2026-01-12T11:00:00.000Z',
      overrideBy: ['carol', 'dave'],
    });
    expect(evaluateFreeze([weekend, maintenance], at('2026-01-14T12:00:00Z'))).toBeUndefined();
  });
});

describe('freeze windows in the plan', () => {
  const plan = (freeze: string) => `${minimalPlan()}freeze:\n${freeze}\n`;

  it('accepts absolute and weekly windows and derives them for the workflow', () => {
    const parsed = parsePlan(
      plan(`  - { from: '2026-12-23', to: '2027-01-04T08:00', timezone: Europe/Berlin, reason: year end }
  - { weekly: { from: 'Fri 15:00', to: 'Mon 08:00' }, timezone: Europe/Berlin, reason: weekend, overrideBy: [carol] }`),
    );
    const spec = deriveSpec({ plan: parsed, version: '1.0.0', commitSha: 'a'.repeat(40), startedBy: 'ci' });
    expect(spec.freeze).toEqual([
      {
        kind: 'absolute',
        from: '2026-12-23',
        to: '2027-01-04T08:00',
        timezone: 'Europe/Berlin',
        reason: 'year end',
        overrideBy: [],
      },
      {
        kind: 'weekly',
        from: 'Fri 15:00',
        to: 'Mon 08:00',
        timezone: 'Europe/Berlin',
        reason: 'weekend',
        overrideBy: ['carol'],
      },
    ]);
    expect(windowEnd(spec.freeze[0] as FreezeWindow, at('2026-12-22T23:00:00Z'))).toBe(at('2027-01-04T07:00:00Z'));
  });

  it('names the field of a bad window and says what to write', () => {
    expect(issuesOf(plan(`  - { weekly: { from: 'Friday 3pm', to: 'Mon 08:00' }, reason: weekend }`))).toEqual([
      'freeze[0].weekly.from: a weekday and a 24-hour time, e.g. "Fri 15:00" (Mon Tue Wed Thu Fri Sat Sun)',
    ]);
    expect(issuesOf(plan(`  - { from: '2026-12-23', to: '2026-12-20', timezone: Mars/Olympus, reason: x }`))).toEqual([
      'freeze[0].timezone: an IANA time zone such as Europe/Berlin, America/New_York or UTC',
    ]);
    expect(issuesOf(plan(`  - { from: '2026-12-23', to: '2026-12-20', reason: x }`))).toEqual([
      'freeze[0].to: the window must end after it starts',
    ]);
    expect(
      issuesOf(plan(`  - { from: '2026-12-23', reason: x, weekly: { from: 'Fri 15:00', to: 'Mon 08:00' } }`)),
    ).toEqual(['freeze[0].weekly: give either from and to (dates), or weekly: { from: "Fri 15:00", to: "Mon 08:00" }']);
  });
});
