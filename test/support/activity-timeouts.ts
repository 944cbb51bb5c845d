import type { WorkflowHandle } from '@temporalio/client';

/** At most this long between a worker's death and another worker taking its activity over (issue 16 #9). */
export const recoveryBoundMs = 60_000;

export interface ScheduledActivity {
  workflowId: string;
  activity: string;
  startToCloseMs?: number;
  heartbeatMs?: number;
}

function durationMs(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return Math.round(parseFloat(value) * 1000); // JSON history form: "120s"
  const { seconds, nanos } = value as { seconds?: unknown; nanos?: number | null };
  if (seconds === undefined && nanos === undefined) return undefined;
  return Number(seconds ?? 0) * 1000 + Math.round((nanos ?? 0) / 1e6);
}

/** Every ActivityTaskScheduled of a workflow's history with the timeouts the server really applies. */
export async function scheduledActivityTimeouts(handle: WorkflowHandle): Promise<ScheduledActivity[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const a = event.activityTaskScheduledEventAttributes;
    if (!a?.activityType?.name) return [];
    const startToCloseMs = durationMs(a.startToCloseTimeout);
    const heartbeatMs = durationMs(a.heartbeatTimeout);
    return [
      {
        workflowId: handle.workflowId,
        activity: a.activityType.name,
        ...(startToCloseMs ? { startToCloseMs } : {}),
        ...(heartbeatMs ? { heartbeatMs } : {}),
      },
    ];
  });
}

/** The scheduled activities a dead worker would hold up for longer than the bound: no heartbeat and a long start-to-close. */
export function slowToRecover(scheduled: ScheduledActivity[]): ScheduledActivity[] {
  return scheduled.filter(
    (s) => !((s.heartbeatMs ?? Infinity) <= recoveryBoundMs || (s.startToCloseMs ?? Infinity) <= recoveryBoundMs),
  );
}
