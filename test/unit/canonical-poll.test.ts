import { describe, expect, it } from 'vitest';
import { canonicalPollSpec, canonicalSchema } from '../../src/config/canonical-plan.ts';
import { pollDelayMs } from '../../src/workflows/sync-gate.ts';

describe('canonical.poll: the sync gate re-poll schedule', () => {
  it('defaults to 5m, doubling, capped at 1h: about 340 calls over a 14-day gate, at most 12 an hour', () => {
    const poll = canonicalPollSpec(canonicalSchema.parse(undefined));
    if (!poll) throw new Error('polling is on by default');
    expect(poll).toEqual({ intervalMs: 300_000, backoff: 2, maxIntervalMs: 3_600_000 });
    const delays = Array.from({ length: 6 }, (_, n) => pollDelayMs(poll, n) / 60_000);
    expect(delays).toEqual([5, 10, 20, 40, 60, 60]);
    let elapsed = 0;
    let calls = 0;
    for (let n = 0; elapsed + pollDelayMs(poll, n) <= 14 * 86_400_000; n++) {
      elapsed += pollDelayMs(poll, n);
      calls++;
    }
    expect(calls).toBeLessThan(350);
    expect(60 / delays[0]!).toBe(12);
  });

  it('poll: false turns re-polling off; check: false too', () => {
    expect(canonicalPollSpec(canonicalSchema.parse({ poll: false }))).toBeUndefined();
    expect(canonicalPollSpec(canonicalSchema.parse({ check: false }))).toBeUndefined();
    // A plan from before polling existed gets the defaults.
    expect(canonicalPollSpec({ check: true })?.intervalMs).toBe(300_000);
  });

  it('refuses a cap shorter than the interval, a backoff below 1 and a bad duration, naming the field', () => {
    const issues = (value: unknown) =>
      canonicalSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ poll: { interval: '2h', maxInterval: '1h' } })).toEqual([
      'poll.maxInterval: maxInterval (1h) is shorter than interval (2h); make it at least as long',
    ]);
    expect(issues({ poll: { backoff: 0.5 } })[0]).toMatch(/^poll\.backoff: at least 1/);
    expect(issues({ poll: { interval: 'soon' } })[0]).toMatch(/poll/);
  });
});
