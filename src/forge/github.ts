import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import { pathSegment, pathSegments } from '../http/url-path.ts';
import type { Forge, ForgeRelease, MergeOutcome, PullRequestState, PullRequestSummary, ReleaseDraft } from './types.ts';
import type { ForgeConfig } from '../config/spec.ts';

interface GithubRelease {
  id: number;
  tag_name: string;
  html_url?: string;
  draft: boolean;
  body?: string | null;
}

interface GithubPull {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  mergeable: boolean | null;
  merge_commit_sha?: string | null;
  head: { sha: string };
  node_id?: string;
}

/** GitHub REST v3 (api.github.com or GHES /api/v3), per the public REST documentation. */
export class GithubForge implements Forge {
  readonly kind = 'github' as const;
  readonly supportsDrafts = true;
  private readonly config: ForgeConfig;

  constructor(config: ForgeConfig) {
    this.config = config;
  }

  /** `<api>/repos/<owner>/<repo>`, each part encoded: every call this client makes is below it (send() checks). */
  private get repoUrl(): string {
    return `${this.config.baseUrl.replace(/\/$/, '')}/repos/${pathSegments(this.config.project, 'forge.project')}`;
  }

  private request<T>(method: string, path: string, what: string, body?: unknown, expect: number[] = []) {
    const token = secretFromEnv(this.config.tokenEnv, 'forge.tokenEnv');
    return jsonRequest<T>({
      method,
      url: `${this.repoUrl}${path}`,
      within: this.repoUrl,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
      },
      body,
      expect,
      what: `GitHub ${what}`,
      authHint: `check that the token in ${this.config.tokenEnv} is valid and has access to ${this.config.project} (contents: write for releases, pull requests: write for merges)`,
    });
  }

  async commitIsPublic(sha: string): Promise<{ public: boolean; url?: string }> {
    // 404 (no such repository for this token) and 422 ("No commit found for SHA") both mean: not there.
    const answer = await this.request<{ html_url?: string }>(
      'GET',
      `/commits/${pathSegment(sha, 'commit')}`,
      'commit lookup',
      undefined,
      [404, 422],
    );
    return answer.status === 200
      ? { public: true, ...(answer.body.html_url ? { url: answer.body.html_url } : {}) }
      : { public: false };
  }

  async findRelease(tag: string): Promise<ForgeRelease | undefined> {
    // GET /releases/tags/{tag} does not return drafts, so list releases instead.
    for (let page = 1; page <= 10; page++) {
      const answer = await this.request<GithubRelease[]>('GET', `/releases?per_page=100&page=${page}`, 'release list');
      const found = answer.body.find((release) => release.tag_name === tag);
      if (found) return toRelease(found);
      if (answer.body.length < 100) return undefined;
    }
    return undefined;
  }

  async createRelease(draft: ReleaseDraft, asDraft: boolean): Promise<ForgeRelease> {
    const answer = await this.request<GithubRelease>('POST', '/releases', 'release creation', {
      tag_name: draft.tag,
      name: draft.name,
      body: draft.body,
      draft: asDraft,
      target_commitish: draft.commitSha,
    });
    return toRelease(answer.body);
  }

  async publishRelease(release: ForgeRelease): Promise<ForgeRelease> {
    const answer = await this.request<GithubRelease>('PATCH', `/releases/${release.id}`, 'release publication', {
      draft: false,
    });
    return toRelease(answer.body);
  }

  async deleteRelease(release: ForgeRelease): Promise<void> {
    // DELETE /releases/{id} answers 204; a release someone else deleted first answers 404, which is the same end.
    await this.request('DELETE', `/releases/${release.id}`, 'release deletion', undefined, [404]);
  }

  async pullRequest(number: number): Promise<PullRequestState | undefined> {
    const answer = await this.request<GithubPull>('GET', `/pulls/${number}`, 'pull request lookup', undefined, [404]);
    if (answer.status === 404) return undefined;
    const pull = answer.body;
    return {
      number,
      merged: pull.merged,
      open: pull.state === 'open',
      mergeable: pull.mergeable ?? undefined,
      headSha: pull.head.sha,
      ...(pull.merge_commit_sha ? { mergeSha: pull.merge_commit_sha } : {}),
      ...(pull.node_id ? { nodeId: pull.node_id } : {}),
    };
  }

  async mergePullRequest(number: number, headSha: string | undefined): Promise<MergeOutcome> {
    const answer = await this.request<{ sha?: string; merged?: boolean; message?: string }>(
      'PUT',
      `/pulls/${number}/merge`,
      'pull request merge',
      headSha ? { sha: headSha } : {},
      [405, 409],
    );
    if (answer.status === 405) return { kind: 'not-mergeable', message: answer.body.message ?? 'not mergeable' };
    if (answer.status === 409)
      return { kind: 'head-moved', message: answer.body.message ?? 'head branch was modified' };
    return { kind: 'merged', sha: answer.body.sha };
  }

  async findPullRequests(by: { head: string } | { label: string }): Promise<PullRequestSummary[]> {
    // The list filters by head as "owner:branch"; labels are filtered here (the pulls list carries them).
    const owner = this.config.project.split('/')[0] ?? '';
    const query =
      'head' in by
        ? `state=all&head=${encodeURIComponent(`${owner}:${by.head}`)}&per_page=100`
        : 'state=open&per_page=100';
    const answer = await this.request<GithubPullListItem[]>('GET', `/pulls?${query}`, 'pull request list');
    return answer.body
      .filter((pull) => ('head' in by ? pull.head.ref === by.head : pull.labels?.some((l) => l.name === by.label)))
      .map((pull) => ({
        number: pull.number,
        state: pull.merged_at ? 'merged' : pull.state,
        head: pull.head.ref,
        ...(pull.html_url ? { url: pull.html_url } : {}),
      }));
  }
}

interface GithubPullListItem {
  number: number;
  state: 'open' | 'closed';
  merged_at: string | null;
  html_url?: string;
  head: { ref: string };
  labels?: { name: string }[];
}

function toRelease(release: GithubRelease): ForgeRelease {
  return {
    id: String(release.id),
    tag: release.tag_name,
    state: release.draft ? 'draft' : 'published',
    ...(release.html_url ? { url: release.html_url } : {}),
    ...(release.body ? { body: release.body } : {}),
  };
}
