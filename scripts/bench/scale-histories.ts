// What the scale benchmark reads from the release histories: phase times, retried activities and heartbeat
// timeouts, the floating-tag hand-off, orchestration overhead per activity, and time per activity type.
import type { Client } from '@temporalio/client';

type History = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

const timeOf = (event: HistoryEvent): number => {
  const t = event.eventTime;
  return Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
};
const idOf = (value: unknown): string => String(value);
/** TIMEOUT_TYPE_HEARTBEAT is 4 in temporal.api.enums.v1.TimeoutType (the proto package is not a direct dependency). */
const isHeartbeat = (timeoutType: unknown): boolean => Number(timeoutType) === 4;
const payloadText = (data: Uint8Array | null | undefined): string => (data ? Buffer.from(data).toString('utf8') : '');

export interface ScaleAnalysis {
  releases: number;
  publishMs: number[];
  promoteMs: number[];
  startToGatedMs: number[];
  handOffMs: number[];
  scheduleToStartMs: number[];
  completeToNextMs: number[];
  retried: { type: string; attempt: number; cause: string }[];
  heartbeatTimeouts: number;
  byType: Map<string, number[]>;
  /** In the tag owners: request signal -> move activity scheduled, and the move activity itself. */
  ownerQueueMs: number[];
  ownerMoveMs: number[];
}

export async function analyseHistories(
  client: Client,
  workflowIds: string[],
  ownerIds: string[] = [],
): Promise<ScaleAnalysis> {
  const analysis: ScaleAnalysis = {
    releases: workflowIds.length,
    publishMs: [],
    promoteMs: [],
    startToGatedMs: [],
    handOffMs: [],
    scheduleToStartMs: [],
    completeToNextMs: [],
    retried: [],
    heartbeatTimeouts: 0,
    byType: new Map(),
    ownerQueueMs: [],
    ownerMoveMs: [],
  };
  const histories = await Promise.all(workflowIds.map((id) => client.workflow.getHandle(id).fetchHistory()));
  const firstStart = Math.min(...histories.map((h) => timeOf(h.events?.[0] ?? {})));
  for (const history of histories) analyseOne(history.events ?? [], firstStart, analysis);
  const owners = await Promise.all(
    ownerIds.map((id) =>
      client.workflow
        .getHandle(id)
        .fetchHistory()
        .catch(() => undefined),
    ),
  );
  for (const owner of owners) analyseOwner(owner?.events ?? [], analysis);
  return analysis;
}

function analyseOwner(events: HistoryEvent[], a: ScaleAnalysis): void {
  const signals: number[] = [];
  const scheduled = new Map<string, number>();
  const started = new Map<string, number>();
  for (const event of events) {
    const at = timeOf(event);
    if (event.workflowExecutionSignaledEventAttributes?.signalName === 'request-floating-tag-move') signals.push(at);
    if (event.activityTaskScheduledEventAttributes) {
      scheduled.set(idOf(event.eventId), at);
      const signalled = signals.shift();
      if (signalled !== undefined) a.ownerQueueMs.push(at - signalled);
    }
    const st = event.activityTaskStartedEventAttributes;
    if (st) started.set(idOf(st.scheduledEventId), at);
    const done = event.activityTaskCompletedEventAttributes;
    const begun = done ? started.get(idOf(done.scheduledEventId)) : undefined;
    if (begun !== undefined) a.ownerMoveMs.push(at - begun);
  }
}

function analyseOne(events: HistoryEvent[], firstStart: number, a: ScaleAnalysis): void {
  const start = timeOf(events[0] ?? {});
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  const phaseAt = new Map<string, number>();
  let approvedAt: number | undefined;
  let handOffSentAt: number | undefined;
  for (const [index, event] of events.entries()) {
    const at = timeOf(event);
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.ShipgatePhase;
    if (upsert) phaseAt.set(JSON.parse(payloadText(upsert.data)) as string, at);
    if (event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'approve')
      approvedAt ??= at;
    const s = event.activityTaskScheduledEventAttributes;
    if (s) {
      const type = s.activityType?.name ?? '?';
      scheduled.set(idOf(event.eventId), { type, at });
      if (type === 'sendFloatingTagMove') handOffSentAt ??= at;
    }
    const st = event.activityTaskStartedEventAttributes;
    if (st) {
      const from = scheduled.get(idOf(st.scheduledEventId));
      started.set(idOf(st.scheduledEventId), at);
      if (from) a.scheduleToStartMs.push(at - from.at);
      if ((st.attempt ?? 1) > 1) {
        const failure = st.lastFailure;
        const heartbeat = isHeartbeat(failure?.timeoutFailureInfo?.timeoutType);
        if (heartbeat) a.heartbeatTimeouts++;
        a.retried.push({
          type: from?.type ?? '?',
          attempt: st.attempt ?? 0,
          cause: heartbeat ? 'heartbeat timeout' : (failure?.message ?? '?').slice(0, 80),
        });
      }
    }
    if (isHeartbeat(event.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType))
      a.heartbeatTimeouts++;
    const done = event.activityTaskCompletedEventAttributes;
    if (done) {
      const from = scheduled.get(idOf(done.scheduledEventId));
      const begun = started.get(idOf(done.scheduledEventId));
      if (from && begun !== undefined) {
        const list = a.byType.get(from.type) ?? [];
        list.push(at - begun);
        a.byType.set(from.type, list);
        if (from.type === 'requestFloatingTagMove') a.handOffMs.push(at - from.at);
      }
      const next = nextScheduled(events, index);
      if (next !== undefined) a.completeToNextMs.push(next - at);
    }
    if (
      handOffSentAt !== undefined &&
      event.workflowExecutionSignaledEventAttributes?.signalName === 'floating-tag-move-reply'
    ) {
      a.handOffMs.push(at - handOffSentAt);
      handOffSentAt = undefined;
    }
  }
  const gated = phaseAt.get('awaiting-approval');
  const promoted = phaseAt.get('promoted');
  if (gated !== undefined) {
    a.publishMs.push(gated - start);
    a.startToGatedMs.push(gated - firstStart);
  }
  if (promoted !== undefined && approvedAt !== undefined) a.promoteMs.push(promoted - approvedAt);
}

/**
 * The next activity scheduled because this one completed: the first scheduled event after it, as long as no other
 * activity completion, signal or update came in between (then the next step was not this completion's doing).
 */
function nextScheduled(events: HistoryEvent[], from: number): number | undefined {
  for (const event of events.slice(from + 1)) {
    if (event.activityTaskScheduledEventAttributes) return timeOf(event);
    if (
      event.activityTaskCompletedEventAttributes ||
      event.activityTaskFailedEventAttributes ||
      event.workflowExecutionSignaledEventAttributes ||
      event.workflowExecutionUpdateAcceptedEventAttributes ||
      event.timerFiredEventAttributes
    )
      return undefined;
  }
  return undefined;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const fmt = (values: number[]): string =>
  values.length
    ? `p50 ${percentile(values, 50).toFixed(0)} ms  p90 ${percentile(values, 90).toFixed(0)} ms  (n=${values.length})`
    : 'n=0';

export function printAnalysis(a: ScaleAnalysis): void {
  console.log(`publish (start -> awaiting approval):   ${fmt(a.publishMs)}`);
  console.log(`promote (approval -> promoted):         ${fmt(a.promoteMs)}`);
  console.log(
    `all gated (first start -> last gate):   ${(Math.max(...a.startToGatedMs) / 1000).toFixed(2)} s (from histories)`,
  );
  console.log(`floating-tag hand-off:                  ${fmt(a.handOffMs)}`);
  console.log(`  in the tag owner: request -> move scheduled ${fmt(a.ownerQueueMs)}; move ${fmt(a.ownerMoveMs)}`);
  console.log(`activity scheduled -> started:          ${fmt(a.scheduleToStartMs)}`);
  console.log(`activity completed -> next scheduled:   ${fmt(a.completeToNextMs)}`);
  const overhead = percentile(a.scheduleToStartMs, 50) + percentile(a.completeToNextMs, 50);
  console.log(
    `orchestration overhead per activity:    ${overhead.toFixed(0)} ms median (sum of the two medians above)`,
  );
  const causes = new Map<string, number>();
  for (const r of a.retried) causes.set(`${r.type}: ${r.cause}`, (causes.get(`${r.type}: ${r.cause}`) ?? 0) + 1);
  console.log(`retried activities: ${a.retried.length}; heartbeat timeouts: ${a.heartbeatTimeouts}`);
  for (const [cause, n] of causes) console.log(`  ${n}x ${cause}`);
  console.log('activity time (started -> completed) by type:');
  for (const [type, values] of [...a.byType].sort((x, y) => percentile(y[1], 50) - percentile(x[1], 50)))
    console.log(`  ${type.padEnd(22)} ${fmt(values)}`);
}
