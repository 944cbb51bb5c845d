import {
  patched,
  proxyActivities,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { rootCause } from '../errors.ts';
import type { NotificationEvent, ReleaseSpec } from '../config/spec.ts';
import { listAttributes } from './list-attributes.ts';
import { projectKey, stepKey, versionKey, type GateKind } from './messages.ts';
import type { GateOutcome, ReleaseDecisions } from './release-decisions.ts';
import { describe } from './release-present.ts';
import type { ReleaseState } from './release-state.ts';
import type { Phase, ReleaseStatus, StepName } from './status.ts';
import { isoAfter, now } from './workflow-time.ts';

/** Thrown inside the workflow when a person aborts: ends the release as aborted, keeping its record. */
export class ReleaseAborted extends Error {}

/**
 * The step machinery of one release run: phases (with the ShipgatePhase search attribute and the UI's current
 * details), steps with attempts that park in needs-attention on a permanent failure, items done once across
 * attempts, gates with a deadline, notifications, and the end of the run.
 */
export class ReleaseRun {
  readonly activities: ReturnType<typeof activitiesFor>;
  readonly timeouts: ReturnType<typeof timeoutsFor>;

  readonly spec: ReleaseSpec;
  readonly state: ReleaseState;
  readonly decisions: ReleaseDecisions;

  constructor(spec: ReleaseSpec, state: ReleaseState, decisions: ReleaseDecisions) {
    this.spec = spec;
    this.state = state;
    this.decisions = decisions;
    this.activities = activitiesFor(spec);
    this.timeouts = timeoutsFor(spec);
  }

  /** Marks the run in the Temporal UI: project and version as search attributes, phase publishing. */
  open(): void {
    upsertSearchAttributes([
      { key: projectKey, value: this.spec.project },
      { key: versionKey, value: this.spec.version },
    ]);
    this.setPhase('publishing');
  }

  readonly setPhase = (phase: Phase): void => {
    this.state.setPhase(phase);
    upsertSearchAttributes(listAttributes(this.state.status, now()));
    setCurrentDetails(describe(this.state.status));
  };

  /**
   * Runs a step until it succeeds. A failure that survived its activity's retries parks the release in
   * needs-attention; a person retries the step (items already done are not done again) or aborts.
   */
  readonly step = async (name: StepName, body: () => Promise<string | undefined>): Promise<void> => {
    const phase = this.state.status.phase;
    for (let attempt = 1; ; attempt++) {
      this.state.startStep(name, now());
      // The step as a search attribute (shipgate list); releases begun before it existed replay without it.
      if (patched('list-step')) upsertSearchAttributes([{ key: stepKey, value: name }]);
      setCurrentDetails(describe(this.state.status));
      try {
        const summary = await body();
        this.state.finishStep(name, now(), summary);
        return;
      } catch (error) {
        const failure = rootCause(error);
        this.state.failStep(name, { step: name, type: failure.type, message: failure.message, at: now(), attempt });
        this.decisions.openAttention();
        this.setPhase('needs-attention');
        await this.notifyAll('needs-attention', `${name}: ${failure.message}`);
        if ((await this.decisions.attentionDecision()) === 'abort') throw new ReleaseAborted();
        this.state.clearAttention(phase);
        this.setPhase(phase);
      }
    }
  };

  /** Runs fn for every item at once, skipping items an earlier attempt of the same step finished. */
  readonly eachOnce = async <T extends { name: string }>(
    key: string,
    items: T[],
    fn: (item: T) => Promise<void>,
  ): Promise<void> => {
    await Promise.all(
      items.map(async (item) => {
        const done = `${key}:${item.name}`;
        if (this.state.isDone(done)) return;
        await fn(item);
        this.state.markDone(done);
      }),
    );
  };

  /**
   * Waits at a gate for a decision on the current digest set, or for the plan's deadline. `whileWaiting` runs
   * beside the wait (the sync gate's re-poll, sync-gate.ts) and may settle the gate itself.
   */
  async gate(kind: GateKind, whileWaiting?: () => Promise<void>): Promise<GateOutcome> {
    const step: StepName = kind === 'sync' ? 'sync-gate' : 'approval-gate';
    this.state.startStep(step, now());
    const deadline = isoAfter(this.spec.gate.deadlineMs);
    this.decisions.openGate();
    this.state.openGate(kind, this.spec, now(), deadline);
    this.setPhase(kind === 'sync' ? 'awaiting-sync' : 'awaiting-approval');
    const { project, version } = this.spec;
    const waitsFor = `${project} ${version} waits for ${kind === 'sync' ? 'a sync go' : 'approval'}`;
    const approvers = this.spec.gate.approvers;
    await this.notifyAll('waiting', waitsFor, approvers);
    const remindBeforeMs = this.spec.gate.remindBeforeMs;
    // Not awaited after the gate: a poll still in flight when a person decides must not hold the release up.
    void whileWaiting?.();
    const outcome = await this.decisions.gateDecision(
      this.spec.gate.deadlineMs,
      remindBeforeMs
        ? {
            beforeMs: remindBeforeMs,
            send: () => this.notifyAll('reminder', `${waitsFor} until ${deadline}`, approvers),
          }
        : undefined,
    );
    this.state.closeGate();
    if (outcome === undefined) {
      this.state.decide({ kind: 'expired', gate: kind, by: 'deadline', at: now(), via: 'timer' });
      return 'expired';
    }
    if (outcome === 'approved') {
      const last = this.state.status.decisions.at(-1);
      const synced = last?.kind === 'auto-sync' ? `commit public at ${last.at}: synced by itself` : 'sync approved';
      this.state.finishStep(
        step,
        now(),
        kind === 'sync' ? synced : `approved by ${this.state.lastApproval()?.by ?? '?'}`,
      );
      this.setPhase(kind === 'sync' ? 'publishing' : 'promoting');
    }
    return outcome;
  }

  /** Ends the run; `detail` (e.g. what a clean end removed) follows the phase in the "finished" notice. */
  async finish(phase: Phase, detail?: string): Promise<ReleaseStatus> {
    this.setPhase(phase);
    const message = `${this.spec.project} ${this.spec.version} ${phase}`;
    await this.notifyAll('finished', detail ? `${message}: ${detail}` : message);
    return this.state.status;
  }

  private async notifyAll(event: NotificationEvent, message: string, actors: string[] = []): Promise<void> {
    for (const hook of this.spec.notifications.filter((h) => h.events.includes(event))) {
      // A few quick attempts: a dead webhook must not hold the release up for minutes, nor go unnoticed.
      await this.activities.notify
        .executeWithOptions({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } }, [
          {
            ...(hook.url ? { url: hook.url } : { urlEnv: hook.urlEnv ?? '' }),
            format: hook.format,
            event,
            project: this.spec.project,
            version: this.spec.version,
            phase: this.state.status.phase,
            message,
            actors,
            workflowId: workflowInfo().workflowId,
          },
        ])
        .catch((error: unknown) => {
          // A URL from urlEnv is a secret: only the variable's name is recorded.
          const webhook = hook.urlEnv ? `$${hook.urlEnv}` : (/^https?:\/\/[^/?#]+/.exec(hook.url ?? '')?.[0] ?? '');
          this.state.recordUndeliveredNotification({ event, webhook, message: rootCause(error).message, at: now() });
          setCurrentDetails(describe(this.state.status));
        });
    }
  }
}

/**
 * Activity timeouts; heartbeat timeouts decide how fast a killed worker's activity is retried elsewhere. Every
 * activity either heartbeats or has a start-to-close of at most 45 s (the bound checked is 60 s), so a release
 * recovers from a dead worker within a minute (test/workflows/activity-timeouts.test.ts checks the scheduled events).
 */
function timeoutsFor(spec: ReleaseSpec) {
  const heartbeat = (ms: number): number => spec.timing?.heartbeatTimeoutMs ?? ms;
  return {
    short: { startToCloseTimeout: '45 seconds' },
    verify: { startToCloseTimeout: '10 minutes', heartbeatTimeout: heartbeat(60_000) },
    copy: { startToCloseTimeout: '2 hours', heartbeatTimeout: heartbeat(60_000) },
    tags: { startToCloseTimeout: '15 minutes', heartbeatTimeout: heartbeat(60_000) },
    smoke: (ms: number): ActivityOptions => ({ startToCloseTimeout: ms + 30_000, heartbeatTimeout: heartbeat(60_000) }),
  } satisfies Record<string, ActivityOptions | ((ms: number) => ActivityOptions)>;
}

function activitiesFor(spec: ReleaseSpec) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '45 seconds',
    retry: {
      initialInterval: spec.timing?.retryInitialMs ?? 1_000,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: spec.timing?.retryMaxAttempts ?? 8,
    },
  });
}
