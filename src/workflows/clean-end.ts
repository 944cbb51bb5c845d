import { patched } from '@temporalio/workflow';
import type { CleanupResult } from '../activities/clean-end.ts';
import { refAtTag } from '../artifacts/types.ts';
import { rootCause } from '../errors.ts';
import type { ReleaseRun } from './release-run.ts';
import type { CleanupItem, CleanupStatus, ReleaseStatus, StepName } from './status.ts';
import { now } from './workflow-time.ts';

/** The patch marker of clean ends: releases that ended before it (replayed histories) end as they did. */
export const cleanEndPatch = 'clean-ends';

export type Unpromoted = CleanupStatus['outcome'];

/**
 * Ends a release that was not promoted (rejected, expired, aborted) cleanly: its draft release is deleted (only
 * while it is still this release's draft) and, with `onReject: delete-version-tags`, the version tags it pushed
 * (only while they still hold its digest; floating tags are never touched, since nothing floating moved before
 * promotion). What was removed and what was left, with the reason, goes to status and the "finished" notice.
 * A cleanup that fails is recorded, not retried by a person: the release has ended either way.
 */
export async function endUnpromoted(run: ReleaseRun, outcome: Unpromoted): Promise<ReleaseStatus> {
  if (!patched(cleanEndPatch)) return run.finish(outcome);
  run.state.recordCleanup({ at: now(), outcome, items: await cleanUp(run) });
  return run.finish(outcome, cleanupSummary(run.state.status.cleanup));
}

/** Steps after which something outside moved to this release: an abort there leaves everything to a person. */
const promotionSteps: StepName[] = ['floating-tags', 'publish-release', 'merge-pr', 'pin'];

async function cleanUp({ spec, state, activities: a, timeouts }: ReleaseRun): Promise<CleanupItem[]> {
  const items: CleanupItem[] = [];
  const began = state.status.steps.find((s) => promotionSteps.includes(s.step));
  if (began || state.status.tagMoves.length > 0) {
    const reason = `promotion had begun (${began?.step ?? 'floating-tags'}): floating tags may point here, so nothing is removed; roll back or finish by hand`;
    if (state.status.release) items.push({ what: 'draft-release', target: spec.tag, action: 'kept', reason });
    for (const artifact of state.resolvedOci())
      items.push({
        what: 'version-tag',
        target: refAtTag(artifact.destination, artifact.tag),
        artifact: artifact.name,
        action: 'kept',
        reason,
      });
    return items;
  }
  const settle = async (
    item: Pick<CleanupItem, 'what' | 'target' | 'artifact'>,
    work: () => Promise<CleanupResult>,
  ) => {
    try {
      items.push({ ...item, ...(await work()) });
    } catch (error) {
      items.push({ ...item, action: 'failed', reason: `${rootCause(error).message}; remove it by hand` });
    }
  };

  const forge = spec.forge;
  const release = state.status.release;
  if (forge && release?.state === 'draft') {
    const draftId = release.id;
    if (!draftId)
      items.push({ what: 'draft-release', target: spec.tag, action: 'none', reason: 'GitLab: no release was created' });
    else
      await settle({ what: 'draft-release', target: spec.tag }, () =>
        a.deleteDraftRelease.executeWithOptions(
          { ...timeouts.short, summary: `delete the draft release ${spec.tag}` },
          [{ forge, tag: spec.tag, draftId }],
        ),
      );
  }

  for (const artifact of state.resolvedOci()) {
    const copied = state.status.artifacts.find((x) => x.name === artifact.name)?.copied;
    if (!copied) continue; // never reached the destination
    const item = {
      what: 'version-tag',
      target: refAtTag(artifact.destination, artifact.tag),
      artifact: artifact.name,
    } as const;
    if (spec.onReject !== 'delete-version-tags') {
      items.push({
        ...item,
        action: 'kept',
        reason: 'the plan keeps version tags (onReject: keep-version-tags); onReject: delete-version-tags removes them',
      });
      continue;
    }
    await settle(item, () =>
      a.deleteVersionTag.executeWithOptions({ ...timeouts.tags, summary: `delete ${item.target} (not promoted)` }, [
        {
          name: artifact.name,
          destination: artifact.destination,
          tag: artifact.tag,
          digest: artifact.digest,
          pushedByThisRelease: !copied.alreadyPresent,
        },
      ]),
    );
  }
  return items;
}

/** One line for notices and the CLI: what was cleaned, what was left and why. */
export function cleanupSummary(cleanup: CleanupStatus | undefined): string | undefined {
  if (!cleanup) return undefined;
  const listed = (action: CleanupItem['action']) =>
    cleanup.items.filter((item) => item.action === action).map((item) => `${item.target} (${item.reason})`);
  const groups: [string, CleanupItem['action']][] = [
    ['deleted', 'deleted'],
    ['left', 'kept'],
    ['could not clean', 'failed'],
  ];
  const parts = groups.flatMap(([label, action]) => {
    const list = listed(action);
    return list.length ? [`${label}: ${list.join('; ')}`] : [];
  });
  return parts.length ? parts.join(' | ') : 'nothing to clean up';
}
