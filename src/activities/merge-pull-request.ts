import { FailureTypes, permanent } from '../errors.ts';
import { forgeFor } from '../forge/index.ts';
import type { ForgeConfig } from '../config/spec.ts';
import { enableAutoMerge } from '../forge/github-auto-merge.ts';

export interface MergeResult {
  number: number;
  /** False only when auto-merge was enabled: GitHub merges once required checks pass. */
  merged: boolean;
  sha: string | undefined;
  alreadyMerged: boolean;
  autoMerge?: boolean;
}

/**
 * Merges the release PR (seed 002). Already merged is success; closed or not mergeable (conflicts, failing
 * required checks, missing reviews) needs a person, so it is permanent and names what to fix.
 */
export async function mergePullRequest(input: {
  forge: ForgeConfig;
  number: number;
  /** GitHub: enable auto-merge instead of merging now. */
  autoMerge?: boolean;
}): Promise<MergeResult> {
  const forge = forgeFor(input.forge);
  const where = `${input.forge.kind === 'github' ? 'pull request' : 'merge request'} ${input.forge.project}#${input.number}`;
  const state = await forge.pullRequest(input.number);
  if (!state)
    throw permanent(
      FailureTypes.notMergeable,
      `${where} does not exist; start the release with the right --pr N (or fix promotion.mergePullRequest)`,
    );
  if (state.merged) return { number: input.number, merged: true, sha: state.mergeSha, alreadyMerged: true };
  if (!state.open)
    throw permanent(FailureTypes.notMergeable, `${where} is closed; reopen it or remove it from the plan, then retry`);
  if (state.mergeable === false) {
    throw permanent(
      FailureTypes.notMergeable,
      `${where} is not mergeable (conflicts or required checks); fix it, then retry`,
    );
  }
  if (input.autoMerge && input.forge.kind === 'github') {
    const auto = await enableAutoMerge(input.forge, state);
    if (auto.kind === 'enabled')
      return { number: input.number, merged: false, sha: undefined, alreadyMerged: false, autoMerge: true };
    if (auto.kind === 'refused')
      throw permanent(
        FailureTypes.notMergeable,
        `${where}: GitHub refused auto-merge: ${auto.message}; fix it, then retry`,
      );
    // "clean status": nothing to wait for, so it merges now.
  }
  const outcome = await forge.mergePullRequest(input.number, state.headSha);
  if (outcome.kind === 'merged') return { number: input.number, merged: true, sha: outcome.sha, alreadyMerged: false };
  const after = await forge.pullRequest(input.number);
  if (after?.merged) return { number: input.number, merged: true, sha: after.mergeSha, alreadyMerged: true };
  throw permanent(
    FailureTypes.notMergeable,
    outcome.kind === 'head-moved'
      ? `${where}: the head branch moved while merging (${outcome.message}); review the new commits, then retry`
      : `${where} is not mergeable: ${outcome.message}; fix it, then retry`,
  );
}
