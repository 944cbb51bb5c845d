export interface ForgeRelease {
  id: string;
  tag: string;
  url?: string;
  state: 'draft' | 'published';
  body?: string;
}

export interface PullRequestState {
  number: number;
  merged: boolean;
  open: boolean;
  mergeable: boolean | undefined;
  headSha: string | undefined;
  mergeSha?: string;
  /** GitHub's GraphQL id of the pull request (node_id): what auto-merge is enabled by. */
  nodeId?: string;
}

/** A PR (GitHub) or MR (GitLab) as a list answers it, for finding the release's own. */
export interface PullRequestSummary {
  number: number;
  state: 'open' | 'merged' | 'closed';
  head: string;
  url?: string;
}

export type MergeOutcome =
  | { kind: 'merged'; sha: string | undefined }
  | { kind: 'not-mergeable'; message: string }
  | { kind: 'head-moved'; message: string };

export interface ReleaseDraft {
  tag: string;
  name: string;
  body: string;
  commitSha: string;
}

/** What shipgate needs from GitHub or GitLab; each call answers from the forge's current state. */
export interface Forge {
  readonly kind: 'github' | 'gitlab';
  commitIsPublic(sha: string): Promise<{ public: boolean; url?: string }>;
  findRelease(tag: string): Promise<ForgeRelease | undefined>;
  /** GitLab has no drafts: its draft lives in the workflow until publish creates the release. */
  supportsDrafts: boolean;
  createRelease(draft: ReleaseDraft, asDraft: boolean): Promise<ForgeRelease>;
  publishRelease(release: ForgeRelease): Promise<ForgeRelease>;
  /** Deletes a release (not its git tag); already gone is success. */
  deleteRelease(release: ForgeRelease): Promise<void>;
  pullRequest(number: number): Promise<PullRequestState | undefined>;
  mergePullRequest(number: number, headSha: string | undefined): Promise<MergeOutcome>;
  /** PRs whose head branch is `head`, or open PRs carrying `label`. */
  findPullRequests(by: { head: string } | { label: string }): Promise<PullRequestSummary[]>;
}
