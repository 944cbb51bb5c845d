import { z } from 'zod';
import { boundedDuration, durationPattern, parseDuration } from './durations.ts';
import { durationUpTo } from './fields.ts';

// The canonical (smart sync) section of the plan: the commit check, and how often the sync gate asks again.

/**
 * While a release waits at the sync gate because its commit was not public, the workflow asks the forge again:
 * first after `interval`, then each wait `backoff` times the last, never longer than `maxInterval`. Defaults
 * (5m, x2, 1h) ask 4 times in the first 75 minutes and then once an hour: a 14-day gate costs about 340 calls,
 * at most 12 an hour, far below GitHub's 5,000 (1,000 for an Actions GITHUB_TOKEN) and GitLab.com's 2,000 a
 * minute per user.
 */
const pollSchema = z.strictObject({
  interval: durationUpTo('polling').default('5m'),
  backoff: z
    .number({ error: 'a number from 1 (no backoff) to 10, e.g. 2' })
    .min(1, { error: 'at least 1 (no backoff)' })
    .max(10, { error: 'at most 10' })
    .default(2),
  maxInterval: durationUpTo('polling').default('1h'),
});

export const defaultCanonicalPoll = { interval: '5m', backoff: 2, maxInterval: '1h' };

export const canonicalSchema = z
  .strictObject({
    check: z.boolean().default(true),
    /** Re-check the commit while waiting at the sync gate; false: only the first check, then a manual go. */
    poll: z
      .union([z.literal(false), pollSchema], {
        error: 'poll is false (check once) or { interval, backoff, maxInterval }, e.g. { interval: 5m }',
      })
      .default(defaultCanonicalPoll),
  })
  .superRefine((canonical, ctx) => {
    const poll = canonical.poll;
    // A bad duration is already reported on its own field.
    if (!poll || ![poll.interval, poll.maxInterval].every((d) => durationPattern.test(d))) return;
    if (parseDuration(poll.maxInterval) < parseDuration(poll.interval))
      ctx.addIssue({
        code: 'custom',
        path: ['poll', 'maxInterval'],
        message: `maxInterval (${poll.maxInterval}) is shorter than interval (${poll.interval}); make it at least as long`,
      });
  })
  .default({ check: true, poll: defaultCanonicalPoll });

export type CanonicalPlan = z.infer<typeof canonicalSchema>;

/** The poll schedule in milliseconds; undefined: no re-polling. Plans from before polling existed get the defaults. */
export function canonicalPollSpec(canonical: {
  check: boolean;
  poll?: CanonicalPlan['poll'];
}): { intervalMs: number; backoff: number; maxIntervalMs: number } | undefined {
  const poll = canonical.poll ?? defaultCanonicalPoll;
  if (!canonical.check || poll === false) return undefined;
  return {
    intervalMs: boundedDuration(poll.interval, 'polling'),
    backoff: poll.backoff,
    maxIntervalMs: boundedDuration(poll.maxInterval, 'polling'),
  };
}
