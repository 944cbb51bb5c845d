import { condition } from '@temporalio/workflow';
import type { PinnableArtifact } from './pin-jobs.ts';
import type { ReleaseState } from './release-state.ts';

/** Remind once, `beforeMs` ahead of a gate's deadline (gate.remindBefore). */
export interface GateReminder {
  beforeMs: number;
  send: () => Promise<void>;
}

/**
 * Waits for a decision until the deadline; with a reminder, reminds once that long before the deadline. Returns
 * whether the decision came. Without a reminder this is the one timer it always was, so histories replay.
 */
export async function waitWithReminder(
  deadlineMs: number,
  decided: () => boolean,
  reminder?: GateReminder,
): Promise<boolean> {
  if (!reminder || reminder.beforeMs >= deadlineMs) return condition(decided, deadlineMs);
  if (await condition(decided, deadlineMs - reminder.beforeMs)) return true;
  await reminder.send();
  return condition(decided, reminder.beforeMs);
}

/** What pins can name: OCI artifacts by digest, one-file generic packages by their file's sha256. */
export function pinnable(state: ReleaseState): PinnableArtifact[] {
  return [
    ...state.resolvedOci().map((artifact) => ({ name: artifact.name, kind: artifact.kind, digest: artifact.digest })),
    ...state
      .resolvedPackages()
      .flatMap(([name, files]) =>
        files.length === 1 && files[0] ? [{ name, kind: 'generic-package', digest: `sha256:${files[0].sha256}` }] : [],
      ),
  ];
}
