import { condition, patched } from '@temporalio/workflow';
import type { ForgeConfig, ReleaseSpec } from '../config/spec.ts';
import { rootCause } from '../errors.ts';
import type { ReleaseRun } from './release-run.ts';
import { now } from './workflow-time.ts';

/** The patch marker of re-polling at the sync gate: releases that opened the gate before it never poll. */
export const syncGatePollPatch = 'sync-gate-polls';

type PollSchedule = NonNullable<ReleaseSpec['canonicalPoll']>;

/** The n-th wait of the schedule: interval, interval x backoff, ... never longer than the cap. */
export function pollDelayMs(poll: PollSchedule, n: number): number {
  return Math.min(poll.intervalMs * poll.backoff ** n, poll.maxIntervalMs);
}

/**
 * Smart sync that keeps asking (seed 000: "sync automatically if the commit is public"). While the sync gate
 * waits for a private commit, the commit is looked up again on durable timers (canonical.poll: interval,
 * backoff, cap); when it has turned public the gate settles by itself, recorded as an `auto-sync` decision by
 * "canonical-check" with the time and the poll count. A manual go, a rejection, an abort or the deadline end
 * the polling. A failed lookup is shown in status and polling goes on: a 403 today (job-token allowlist) may be
 * fixed tomorrow, and a person can always give the go.
 *
 * Returns the loop to run while the gate is open, or undefined when this gate does not poll (manual mode, no
 * forge or no schedule, or a release that opened its gate before this existed: patch marker).
 */
export function syncGatePoller(run: ReleaseRun): (() => Promise<void>) | undefined {
  const { spec, state } = run;
  const poll = spec.canonicalPoll;
  const forge = spec.forge;
  if (spec.gate.sync !== 'auto-when-public' || !spec.canonicalCheck || !poll || !forge) return undefined;
  if (!patched(syncGatePollPatch)) return undefined;
  return async () => {
    try {
      await pollUntilSettled(run, poll, forge);
    } finally {
      // Nothing is asked any more: no "next poll" time is left in status.
      const { nextPollAt: _none, ...canonical } = state.status.canonical ?? { public: false, detail: '' };
      state.recordCanonical(canonical);
    }
  };
}

async function pollUntilSettled(run: ReleaseRun, poll: PollSchedule, forge: ForgeConfig): Promise<void> {
  const { spec, state, decisions, activities: a } = run;
  const waiting = () => state.status.gate?.kind === 'sync' && decisions.gateOutcome === undefined;
  for (let polls = 0; ;) {
    const delay = pollDelayMs(poll, polls);
    state.recordCanonical({
      ...(state.status.canonical ?? { public: false, detail: 'not checked yet' }),
      nextPollAt: new Date(Date.now() + delay).toISOString(),
    });
    if (await condition(() => !waiting(), delay)) return;
    polls++;
    try {
      const found = await a.checkCommitIsPublic.executeWithOptions(
        {
          // Like every short step (release-run.ts): a dead worker's poll is retried within a minute.
          startToCloseTimeout: '45 seconds',
          // A few quick attempts: the next poll is the real retry.
          retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
          summary: `is ${spec.commitSha.slice(0, 12)} on ${forge.project} now? (poll ${polls})`,
        },
        [{ forge, commitSha: spec.commitSha }],
      );
      if (!waiting()) return;
      state.recordCanonical({ ...found, polls, lastPolledAt: now() });
      if (found.public) {
        state.decide({
          kind: 'auto-sync',
          gate: 'sync',
          by: 'canonical-check',
          at: now(),
          via: 'timer',
          comment: `${found.detail}: synced by itself on poll ${polls}`,
        });
        decisions.gateOutcome ??= 'approved'; // a decision that came first wins
        return;
      }
    } catch (error) {
      if (!waiting()) return;
      const detail = `poll ${polls} failed: ${rootCause(error).message}; asking again later (or give the sync go)`;
      state.recordCanonical({ public: false, detail, polls, lastPolledAt: now() });
    }
  }
}
