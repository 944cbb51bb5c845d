import type { WorkflowHandle } from '@temporalio/client';
import type { ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import { floatingTagsWorkflowId, statusQuery } from '../../src/workflows/messages.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import { appendFileSync } from 'node:fs';
import type { Phase } from '../../src/workflows/status.ts';
import { uniqueProject } from '../support/release-bed.ts';
import { useChaosBed } from './chaos-bed.ts';
import { eventMs, pendingActivities, scheduledIds, scenarios, type KillPoint, type Scenario } from './kill-points.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Progress as it happens, to the file SHIPGATE_CHAOS_LOG names (vitest shows console output at the end). */
const progress = (line: string): void => {
  if (process.env.SHIPGATE_CHAOS_LOG)
    appendFileSync(process.env.SHIPGATE_CHAOS_LOG, `${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

/** Polls the status until one of the phases; a query that fails (a worker starting, a loaded machine) is retried. */
async function phase(handle: WorkflowHandle, phases: Phase[], timeoutMs: number): Promise<ReleaseStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ReleaseStatus | undefined;
  while (Date.now() < deadline) {
    last = await handle.query(statusQuery).catch(() => last);
    if (last && phases.includes(last.phase)) return last;
    await sleep(300);
  }
  throw new Error(`${handle.workflowId} did not reach ${phases.join('/')}: ${JSON.stringify(last?.attention)}`);
}

interface PointResult {
  scenario: string;
  point: string;
  stage: string;
  recoveryMs: number;
  killedAt: string;
}

// The kill -9 matrix (issue 16): real `shipgate worker` processes, SIGKILLed at 23 points across publish, the gate
// and promote (each step, mid-blob, between attestation and tag move, between tag moves, with a side effect done
// and its answer lost), a new worker started at once. Every run must complete with identical digests, one release,
// one merge, one pin of the digest and one promotion record; recovery = kill -> the killed step completes on the
// new worker (from the history's event times). Prints `kill matrix: N/N completed, worst recovery Xs`.
describe('kill -9 matrix', () => {
  const chaos = useChaosBed();
  const { bed, proxies } = chaos;

  const runScenario = async (
    scenario: Scenario,
    results: PointResult[],
  ): Promise<{ results: PointResult[]; outcome: unknown; ok: boolean }> => {
    const project = uniqueProject('kill');
    const version = '2.1.0';
    const prepared = await chaos.prepare(project, version, scenario.layerBytes);
    const remove = (scenario.faults?.(project) ?? []).map((f) => proxies[f.proxy].inject(f));
    let worker: ResultPromise = chaos.workers.start(prepared.taskQueue);
    let handle: WorkflowHandle | undefined;
    let approved = false;
    const tags = () =>
      bed.env.client.workflow.getHandle(floatingTagsWorkflowId(proxies.destination.host, `prod/${project}`));
    const approveNow = async () => {
      const waiting = await phase(handle as WorkflowHandle, ['awaiting-approval', 'needs-attention'], 300_000);
      if (waiting.phase !== 'awaiting-approval') throw new Error(`${project}: ${JSON.stringify(waiting.attention)}`);
      await chaos.approve(handle as WorkflowHandle, waiting);
      approved = true;
    };

    try {
      // A point's faults go in before the step before it ends, so its step cannot start without them.
      const faultsOf = (point: KillPoint | undefined) =>
        (point?.faults?.(project) ?? []).map((f) => proxies[f.proxy].inject(f));
      let pointFaults = faultsOf(scenario.points[0]);
      for (const [index, point] of scenario.points.entries()) {
        if (!handle) handle = await prepared.start();
        if (point.stage === 'promote' && !approved) await approveNow();
        progress(`${project}: waiting for "${point.name}"`);
        const step = await waitFor(point, project, handle, tags, approveNow);
        const killedAt = Date.now();
        progress(`${project}: kill -9 at "${point.name}"`);
        worker.kill('SIGKILL');
        await worker;
        worker = chaos.workers.start(prepared.taskQueue);
        for (const r of pointFaults) r();
        pointFaults = faultsOf(scenario.points[index + 1]);
        const doneAt = await recovered(step, killedAt, handle);
        progress(`${project}: "${point.name}" recovered in ${((doneAt - killedAt) / 1000).toFixed(1)} s`);
        results.push({
          scenario: scenario.name,
          point: point.name,
          stage: point.stage,
          recoveryMs: doneAt - killedAt,
          killedAt: new Date(killedAt).toISOString(),
        });
      }
      for (const r of remove) r();
      if (!approved) await approveNow();
      const done = await phase(handle as WorkflowHandle, ['promoted', 'needs-attention'], 300_000);
      const outcome = await chaos.outcome(project, version, prepared.image, handle as WorkflowHandle);
      progress(`${project}: ${done.phase} ${JSON.stringify(outcome)}`);
      const ok =
        done.phase === 'promoted' &&
        outcome.identicalDigests &&
        outcome.releases === 1 &&
        outcome.merges === 1 &&
        outcome.pins === 1 &&
        outcome.records === 1 &&
        outcome.slowToRecover.length === 0;
      return { results, outcome: { ...outcome, attention: done.attention }, ok };
    } finally {
      worker.kill('SIGKILL');
    }
  };

  type Step =
    | { kind: 'activity'; handle: WorkflowHandle; activityId: string }
    | { kind: 'next-activity'; handle: WorkflowHandle }
    | { kind: 'query'; handle: WorkflowHandle };

  /** Waits until the point's moment and says which step must complete for the run to count as recovered. */
  const waitFor = async (
    point: KillPoint,
    project: string,
    release: WorkflowHandle,
    tags: () => WorkflowHandle,
    approveNow: () => Promise<void>,
  ): Promise<Step> => {
    const t = point.trigger;
    const baseline =
      t.kind === 'proxy'
        ? proxies[t.proxy].log
            .filter((e) => e.path.includes(project) && t.path.test(e.path))
            .reduce((s, e) => s + e.bodyBytes, 0)
        : 0;
    for (let i = 0; i < 3000; i++) {
      if (t.kind === 'gate') {
        const status = await release.query(statusQuery).catch(() => undefined);
        if (status?.phase === 'awaiting-approval') return { kind: 'query', handle: release };
      } else if (t.kind === 'approved') {
        await approveNow();
        return { kind: 'next-activity', handle: release };
      } else if (t.kind === 'completed') {
        const events = (await release.fetchHistory()).events ?? [];
        const scheduled = new Set(
          events
            .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === t.activity)
            .map((e) => String(e.eventId)),
        );
        if (events.some((e) => scheduled.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))))
          return { kind: 'next-activity', handle: release };
      } else {
        const where = t.workflow === 'tags' ? tags() : release;
        if (t.kind === 'started') {
          const ids = await scheduledIds(where, t.activity);
          const id = ids[(t.nth ?? 1) - 1]?.id;
          const pending = id ? (await pendingActivities(where)).find((p) => p.activityId === id) : undefined;
          if (pending?.started) return { kind: 'activity', handle: where, activityId: pending.activityId };
        } else {
          const entries = proxies[t.proxy].log.filter(
            (e) => e.method === t.method && e.path.includes(project) && t.path.test(e.path),
          );
          const hit = t.answered
            ? entries.some((e) => e.status > 0)
            : entries.reduce((s, e) => s + e.bodyBytes, 0) - baseline >= (t.minBytes ?? 0);
          if (hit) {
            const pending = (await pendingActivities(where)).find((p) => p.type === t.activity);
            if (pending) return { kind: 'activity', handle: where, activityId: pending.activityId };
          }
        }
      }
      await sleep(t.kind === 'proxy' ? 20 : 100);
    }
    throw new Error(`${project}: "${point.name}" never came`);
  };

  /** When the killed step completed on the new worker (event time), polling up to 5 minutes. */
  const recovered = async (step: Step, killedAt: number, release: WorkflowHandle): Promise<number> => {
    for (let i = 0; i < 1500; i++) {
      if (step.kind === 'query') {
        const answered = await Promise.race([step.handle.query(statusQuery).then(() => true), sleep(10_000)]).catch(
          () => false,
        );
        if (answered) return Date.now();
      } else {
        const events = (await step.handle.fetchHistory()).events ?? [];
        const scheduledEventId =
          step.kind === 'activity'
            ? String(
                events.find((e) => e.activityTaskScheduledEventAttributes?.activityId === step.activityId)?.eventId,
              )
            : undefined;
        const done = events.find(
          (e) =>
            eventMs(e) >= killedAt - 5 &&
            (step.kind === 'activity'
              ? String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === scheduledEventId
              : e.activityTaskCompletedEventAttributes || e.workflowExecutionCompletedEventAttributes),
        );
        if (done) return eventMs(done);
        // Killed after the last step: the release had already completed, there is nothing left to recover.
        const finished = events.find((e) => e.workflowExecutionCompletedEventAttributes);
        if (finished && step.kind === 'next-activity') return Math.max(eventMs(finished), killedAt);
        const status: ReleaseStatus | undefined = await release.query(statusQuery).catch(() => undefined);
        if (status?.phase === 'needs-attention')
          throw new Error(`needs attention: ${JSON.stringify(status.attention)}`);
      }
      await sleep(200);
    }
    throw new Error('the killed step did not complete within 5 minutes');
  };

  it(
    'every run completes once, whatever point the worker dies at',
    async () => {
      const partial = scenarios.map((): PointResult[] => []);
      const runs = await Promise.all(
        scenarios.map((s, i) =>
          runScenario(s, partial[i] ?? []).catch((error: unknown) => {
            progress(`${s.name}: ${String(error)}`);
            return {
              results: partial[i] ?? [],
              outcome: { error: String(error) },
              ok: false,
            };
          }),
        ),
      );
      const points = runs.flatMap((r) => r.results);
      const planned = scenarios.reduce((n, s) => n + s.points.length, 0);
      const completed = runs.reduce((n, r, i) => n + (r.ok ? (scenarios[i]?.points.length ?? 0) : 0), 0);
      const worst = points.reduce((w, p) => (p.recoveryMs > w.recoveryMs ? p : w), points[0] as PointResult);
      console.log(
        [
          '',
          'kill matrix (recovery = SIGKILL -> the killed step completes on the new worker)',
          ...points.map(
            (p) => `  ${p.stage.padEnd(8)} ${p.point.padEnd(36)} ${(p.recoveryMs / 1000).toFixed(1).padStart(6)} s`,
          ),
          ...runs.map(
            (r, i) => `  run "${scenarios[i]?.name}": ${r.ok ? 'ok' : 'FAILED'} ${JSON.stringify(r.outcome)}`,
          ),
          `kill matrix: ${completed}/${planned} completed, worst recovery ${((worst?.recoveryMs ?? 0) / 1000).toFixed(1)}s (${worst?.point})`,
        ].join('\n'),
      );
      expect(planned).toBeGreaterThanOrEqual(20);
      expect(runs.map((r) => r.outcome)).toEqual(runs.map((r) => (r.ok ? r.outcome : 'a completed run')));
      expect(completed).toBe(planned);
    },
    30 * 60_000,
  );
});
