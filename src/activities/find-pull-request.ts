import { FailureTypes, permanent } from '../errors.ts';
import { forgeFor } from '../forge/index.ts';
import type { ForgeConfig } from '../config/spec.ts';
import type { PullRequestSummary } from '../forge/types.ts';

export interface FindPullRequestInput {
  forge: ForgeConfig;
  /** The release PR's head branch, or a label only it carries. */
  by: { head: string } | { label: string };
}

/**
 * Finds the release's PR at publish time (instead of a number written into the plan per release). One open
 * PR is the answer; with none open, a merged one is (already merged is success at promotion); only closed
 * ones, none, or several open ones need a person, who can also name it: shipgate start --pr N.
 */
export async function findPullRequest(input: FindPullRequestInput): Promise<PullRequestSummary> {
  const found = await forgeFor(input.forge).findPullRequests(input.by);
  const noun = input.forge.kind === 'github' ? 'pull request' : 'merge request';
  const rule = 'head' in input.by ? `with head branch ${input.by.head}` : `labelled ${input.by.label}`;
  const where = `${input.forge.project}: ${noun}`;
  const list = (items: PullRequestSummary[]) => items.map((p) => `#${p.number}`).join(', ');
  const open = found.filter((p) => p.state === 'open');
  if (open.length === 1 && open[0]) return open[0];
  if (open.length > 1)
    throw permanent(
      FailureTypes.pullRequestNotFound,
      `${where}s ${rule}: ${list(open)} are all open; close the extra ones, or start the release with --pr N`,
    );
  const merged = found.filter((p) => p.state === 'merged');
  if (merged[0]) return merged[0];
  if (found.length > 0)
    throw permanent(
      FailureTypes.pullRequestNotFound,
      `${where} ${rule} ${list(found)} is closed without being merged; reopen it (or open a new one), then retry`,
    );
  throw permanent(
    FailureTypes.pullRequestNotFound,
    `no ${noun} ${rule} in ${input.forge.project}; open it, or start the release with --pr N, then retry`,
  );
}
