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
      const result = await a.requestFloatingTagMove.executeWithOptions(
        { ...timeouts.tags, summary: `move ${kinds.join('/')} of ${name} to ${versionTag}` },
        [{ name, destination, versionTag, digest, kinds }],
      );
      state.recordTagMoves(result.moves.map((move) => ({ ...move, artifact: name })));
    });
    return `${state.status.tagMoves.length} floating tags moved`;
  });
}

export async function publishRelease({ step, activities: a, timeouts, spec, state }: ReleaseRun) {
  const forge = spec.forge;
  if (!forge || !spec.promotion.publishRelease) return;
  await step('publish-release', async () => {
    const published = await a.publishRelease.executeWithOptions(
      { ...timeouts.short, summary: `publish release ${spec.tag}` },
      [{ forge, draft: releaseDraft(spec, state) }],
    );
    state.recordRelease({ id: published.id, state: 'published', ...(published.url ? { url: published.url } : {}) });
    return `release ${published.tag} published`;
  });
}

export async function mergePullRequest({ step, activities: a, timeouts, spec, state }: ReleaseRun) {
  const forge = spec.forge;
  const pr = spec.promotion.mergePullRequest;
  if (!forge || pr === undefined) return;
  await step('merge-pr', async () => {
    const merged = await a.mergePullRequest.executeWithOptions(
      { ...timeouts.short, summary: `merge release PR #${pr}` },
      [{ forge, number: pr }],
    );
    state.recordPullRequest({ number: pr, merged: true, ...(merged.sha ? { sha: merged.sha } : {}) });
    return merged.alreadyMerged ? `#${pr} was already merged` : `#${pr} merged`;
  });
}

/** Pins each image digest in every control plane the plan names (seed 003), one after another. */
export async function pinDigests({ step, activities: a, timeouts, spec, state }: ReleaseRun) {
  if (spec.promotion.pins.length === 0) return;
  await step('pin', async () => {
    for (const image of state.resolvedImages()) {
      for (const target of spec.promotion.pins) {
        const key = `pin:${image.name}:${target.url}`;
        if (state.isDone(key)) continue;
        const pinned = await a.pinDigest.executeWithOptions(
          { ...timeouts.short, summary: `pin ${image.name}@${image.digest.slice(0, 19)}` },
          [{ target, name: image.name, digest: image.digest, version: spec.version, gitSha: spec.commitSha }],
        );
        state.recordPin({ name: pinned.name, digest: pinned.digest, confirmed: pinned.confirmed });
        state.markDone(key);
      }
    }
    return `${state.status.pins.length} digests pinned`;
  });
}
