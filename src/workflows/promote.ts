import { patched } from '@temporalio/workflow';
import { floatingTagsBySignal, handOffFloatingTagMove } from './floating-tag-handoff.ts';
import { pinnable } from './integrations.ts';
import { pinJobs } from './pin-jobs.ts';
import { releaseDraft } from './release-present.ts';
import type { ReleaseRun } from './release-run.ts';

// The promote phase's steps, one function each, after a person approved the exact digest set: move the floating
// tags forward, publish the release, merge the release PR, pin the digests in the control plane.

export async function moveFloatingTags({ step, eachOnce, activities: a, timeouts, spec, state }: ReleaseRun) {
  const kinds = spec.promotion.floatingTags;
  if (kinds.length === 0) return;
  await step('floating-tags', async () => {
    await eachOnce('floating-tags', state.resolvedImages(), async (image) => {
      const { name, destination, tag: versionTag, digest } = image;
      const input = { name, destination, versionTag, digest, kinds };
      const summary = `move ${kinds.join('/')} of ${name} to ${versionTag}`;
      // Releases recorded before the marker replay the old shape: one activity that waited for the tag owner.
      const result = patched(floatingTagsBySignal)
        ? await handOffFloatingTagMove(
            (request) => a.sendFloatingTagMove.executeWithOptions({ ...timeouts.short, summary }, [request]),
            input,
          )
        : await a.requestFloatingTagMove.executeWithOptions({ ...timeouts.tags, summary }, [input]);
      state.recordTagMoves(result.moves.map((move) => ({ ...move, artifact: name })));
    });
    return `${state.status.tagMoves.length} floating tags moved`;
  });
}

/** Publishes exactly the draft made at publish (seed 002); a deleted draft parks until a person decides. */
export async function publishRelease({ step, activities: a, timeouts, spec, state, decisions }: ReleaseRun) {
  const forge = spec.forge;
  if (!forge || !spec.promotion.publishRelease) return;
  await step('publish-release', async () => {
    const draftId = state.status.release?.id;
    const recreateDraft = decisions.recreateDraft;
    const published = await a.publishRelease.executeWithOptions(
      { ...timeouts.short, summary: `publish release ${spec.tag}` },
      [
        {
          forge,
          draft: releaseDraft(spec, state),
          ...(draftId ? { draftId } : {}),
          ...(recreateDraft ? { recreateDraft } : {}),
        },
      ],
    );
    state.recordRelease({ id: published.id, state: 'published', ...(published.url ? { url: published.url } : {}) });
    return `release ${published.tag} published`;
  });
}

/** Merges the release PR found or given at publish; already merged is success; optional GitHub auto-merge. */
export async function mergePullRequest({ step, activities: a, timeouts, spec, state }: ReleaseRun) {
  const forge = spec.forge;
  const rule = spec.promotion.pullRequest;
  const pr = state.status.pullRequest;
  if (!forge || !rule || !pr) return;
  await step('merge-pr', async () => {
    const merged = await a.mergePullRequest.executeWithOptions(
      { ...timeouts.short, summary: `${rule.autoMerge ? 'auto-merge' : 'merge'} release PR #${pr.number}` },
      [{ forge, number: pr.number, ...(rule.autoMerge ? { autoMerge: true } : {}) }],
    );
    state.recordPullRequest({
      ...pr,
      merged: merged.merged,
      ...(merged.sha ? { sha: merged.sha } : {}),
      ...(merged.autoMerge ? { autoMerge: true } : {}),
    });
    if (merged.autoMerge) return `#${pr.number}: auto-merge enabled`;
    return merged.alreadyMerged ? `#${pr.number} was already merged` : `#${pr.number} merged`;
  });
}

/** Pins each digest by the plan's request templates (seed 003), one after another, each read back. */
export async function pinDigests({ step, activities: a, timeouts, spec, state }: ReleaseRun) {
  if (spec.promotion.pins.length === 0) return;
  await step('pin', async () => {
    const approvedBy = state.status.decisions.filter((d) => d.kind === 'approve').map((d) => d.by);
    const notes = `${spec.project} ${spec.version} promoted by shipgate (approved by ${approvedBy.join(', ') || '?'})`;
    for (const job of pinJobs(spec, pinnable(state), notes)) {
      if (state.isDone(job.key)) continue;
      const pinned = await a.pinDigest.executeWithOptions(
        { ...timeouts.short, summary: `pin ${job.fields.name}@${job.fields.digest.slice(0, 19)}` },
        [{ target: job.target, fields: job.fields }],
      );
      state.recordPin({ name: pinned.name, digest: pinned.digest, confirmed: pinned.confirmed, url: pinned.url });
      state.markDone(job.key);
    }
    return `${state.status.pins.length} digests pinned`;
  });
}
