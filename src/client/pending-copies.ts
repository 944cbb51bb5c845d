import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { CopyProgress } from '../artifacts/copy-progress.ts';

/** One copy in flight as a reader sees it: the activity's heartbeat details and when the server got them. */
export interface CopySample {
  /** The activity id: a new attempt of the same copy keeps it. */
  key: string;
  /** The artifact's name when the copier said it, else what the activity is (e.g. "copyImage"). */
  label: string;
  progress: CopyProgress;
  /** When the counts were taken: the heartbeat's own `at`, else the server's time of the last heartbeat. */
  atMs: number;
}

/** A heartbeat's details have the CopyProgress shape (other activities heartbeat other things, e.g. { checked }). */
function isCopyProgress(value: unknown): value is CopyProgress {
  const v = value as Partial<CopyProgress> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.phase === 'string' &&
    [v.bytesDone, v.bytesTotal, v.blobsDone, v.blobsTotal].every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}

function millis(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!time?.seconds) return undefined;
  return Number(time.seconds) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

/**
 * The copies a release is running now, read from its pending activities' last heartbeat details (the server keeps
 * them; they are not history events). Only details with the CopyProgress shape count.
 */
export async function pendingCopies(handle: WorkflowHandle): Promise<CopySample[]> {
  const description = await handle.describe();
  const samples: CopySample[] = [];
  for (const activity of description.raw.pendingActivities ?? []) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    let details: unknown;
    try {
      details = defaultPayloadConverter.fromPayload(payload);
    } catch {
      continue;
    }
    if (!isCopyProgress(details)) continue;
    samples.push({
      key: activity.activityId ?? '',
      label: details.artifact ?? activity.activityType?.name ?? 'copy',
      progress: details,
      atMs: details.at ?? millis(activity.lastHeartbeatTime) ?? Date.now(),
    });
  }
  return samples.sort((a, b) => a.label.localeCompare(b.label));
}
