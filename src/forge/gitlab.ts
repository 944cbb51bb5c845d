import { FailureTypes } from '../errors.ts';
import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import { pathSegment } from '../http/url-path.ts';
import type { Forge, ForgeRelease, MergeOutcome, PullRequestState, PullRequestSummary, ReleaseDraft } from './types.ts';
import type { ForgeConfig, GitlabTokenHeader } from '../config/spec.ts';

interface GitlabRelease {
  tag_name: string;
  description?: string | null;
  _links?: { self?: string };
}

interface GitlabMergeRequest {
  iid: number;
  state: 'opened' | 'closed' | 'locked' | 'merged';
  merge_status?: string;
  detailed_merge_status?: string;
  sha?: string;
  merge_commit_sha?: string | null;
}

/** The header a GitLab token goes in: CI_JOB_TOKEN is a job token, anything else a personal/project token. */
export function gitlabAuthHeader(tokenEnv: string, token: string, header?: GitlabTokenHeader): Record<string, string> {
  if (header) return { [header.toLowerCase()]: token };
  return tokenEnv === 'CI_JOB_TOKEN' ? { 'job-token': token } : { 'private-token': token };
}

/** `<api>/projects/<url-encoded path>`: every project call (releases, merge requests, packages) is below it. */
export function gitlabProjectUrl(forge: ForgeConfig): string {
  return `${forge.baseUrl.replace(/\/$/, '')}/projects/${pathSegment(forge.project, 'GitLab project')}`;
}

/** GitLab REST v4, per the public API documentation. */
export class GitlabForge implements Forge {
  readonly kind = 'gitlab' as const;
  readonly supportsDrafts = false;
  private readonly config: ForgeConfig;

  constructor(config: ForgeConfig) {
    this.config = config;
  }

  private request<T>(method: string, path: string, what: string, body?: unknown, expect: number[] = []) {
    const token = secretFromEnv(this.config.tokenEnv, 'forge.tokenEnv');
    const jobToken = this.config.tokenEnv === 'CI_JOB_TOKEN';
    return jsonRequest<T>({
      method,
      url: `${gitlabProjectUrl(this.config)}${path}`,
      within: gitlabProjectUrl(this.config),
      headers: gitlabAuthHeader(this.config.tokenEnv, token, this.config.tokenHeader),
      body,
      expect,
      what: `GitLab ${what}`,
      forbiddenType: FailureTypes.forgeForbidden,
      authHint: jobToken
        ? `a CI job token is refused unless ${this.config.project} lists the calling project in its CI/CD job token allowlist (Settings > CI/CD > Job token permissions); add it there`
        : `check that the token in ${this.config.tokenEnv} is valid and has the api (or read_api) scope on ${this.config.project}`,
    });
  }

  async commitIsPublic(sha: string): Promise<{ public: boolean; url?: string }> {
    const answer = await this.request<{ web_url?: string }>(
      'GET',
      `/repository/commits/${pathSegment(sha, 'commit')}`,
      'commit lookup',
      undefined,
      [404],
    );
    return answer.status === 200
      ? { public: true, ...(answer.body.web_url ? { url: answer.body.web_url } : {}) }
      : { public: false };
  }

  async findRelease(tag: string): Promise<ForgeRelease | undefined> {
    const answer = await this.request<GitlabRelease>(
      'GET',
      `/releases/${pathSegment(tag, 'release tag')}`,
      'release lookup',
      undefined,
      [404],
    );
    return answer.status === 404 ? undefined : toRelease(answer.body);
  }

  async deleteRelease(release: ForgeRelease): Promise<void> {
    // DELETE /projects/:id/releases/:tag_name keeps the git tag; 404: already gone.
    await this.request('DELETE', `/releases/${encodeURIComponent(release.tag)}`, 'release deletion', undefined, [404]);
  }

  async createRelease(draft: ReleaseDraft): Promise<ForgeRelease> {
    const answer = await this.request<GitlabRelease>('POST', '/releases', 'release creation', {
      tag_name: draft.tag,
      name: draft.name,
      description: draft.body,
      ref: draft.commitSha,
    });
    return toRelease(answer.body);
  }

  publishRelease(release: ForgeRelease): Promise<ForgeRelease> {
    return Promise.resolve({ ...release, state: 'published' });
  }

  async pullRequest(number: number): Promise<PullRequestState | undefined> {
    const answer = await this.request<GitlabMergeRequest>(
      'GET',
      `/merge_requests/${number}`,
      'merge request lookup',
      undefined,
      [404],
    );
    if (answer.status === 404) return undefined;
    const mr = answer.body;
    const status = mr.detailed_merge_status ?? mr.merge_status;
    return {
      number,
      merged: mr.state === 'merged',
      open: mr.state === 'opened',
      mergeable: status === undefined ? undefined : ['mergeable', 'can_be_merged'].includes(status),
      headSha: mr.sha,
      ...(mr.merge_commit_sha ? { mergeSha: mr.merge_commit_sha } : {}),
    };
  }

  async mergePullRequest(number: number, headSha: string | undefined): Promise<MergeOutcome> {
    const answer = await this.request<GitlabMergeRequest & { message?: string }>(
      'PUT',
      `/merge_requests/${number}/merge`,
      'merge request merge',
      headSha ? { sha: headSha } : {},
      [405, 406, 409, 422],
    );
    if (answer.status === 409) return { kind: 'head-moved', message: answer.body.message ?? 'SHA does not match HEAD' };
    if (answer.status !== 200)
      return { kind: 'not-mergeable', message: answer.body.message ?? `answered ${answer.status}` };
    return { kind: 'merged', sha: answer.body.merge_commit_sha ?? undefined };
  }

  async findPullRequests(by: { head: string } | { label: string }): Promise<PullRequestSummary[]> {
    const query =
      'head' in by
        ? `state=all&source_branch=${encodeURIComponent(by.head)}&per_page=100`
        : `state=opened&labels=${encodeURIComponent(by.label)}&per_page=100`;
    const answer = await this.request<(GitlabMergeRequest & { source_branch: string; web_url?: string })[]>(
      'GET',
      `/merge_requests?${query}`,
      'merge request list',
    );
    return answer.body.map((mr) => ({
      number: mr.iid,
      state: mr.state === 'merged' ? 'merged' : mr.state === 'opened' ? 'open' : 'closed',
      head: mr.source_branch,
      ...(mr.web_url ? { url: mr.web_url } : {}),
    }));
  }
}

function toRelease(release: GitlabRelease): ForgeRelease {
  return {
    id: release.tag_name,
    tag: release.tag_name,
    state: 'published',
    ...(release._links?.self ? { url: release._links.self } : {}),
    ...(release.description ? { body: release.description } : {}),
  };
}
