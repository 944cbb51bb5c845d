import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPullRequest } from '../../src/activities/find-pull-request.ts';
import type { ForgeConfig } from '../../src/config/spec.ts';
import { startFakeForge, type FakeForge } from '../support/fake-forge.ts';
import { uniqueProject } from '../support/release-bed.ts';

// Finding the release PR/MR by head branch or label, against the list endpoints as GitHub and GitLab document
// them (GitHub: pulls?head=owner:branch&state=all; GitLab: merge_requests?source_branch=&labels=&state=).
describe('findPullRequest', () => {
  let forge: FakeForge;
  beforeAll(async () => {
    forge = await startFakeForge();
    process.env.FIND_PR_TOKEN = 'forge-token';
  });
  afterAll(async () => {
    await forge?.close();
  });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: unknown) => e as ApplicationFailure,
    );

  it('GitLab: by source branch the open MR wins; by label, two open MRs need a person', async () => {
    const project = `group/${uniqueProject('mr')}`;
    const gitlab: ForgeConfig = { kind: 'gitlab', baseUrl: forge.gitlabUrl, project, tokenEnv: 'FIND_PR_TOKEN' };
    forge.seedGitlabMergeRequest(project, 3, { head: 'release/2.0.0', state: 'closed' });
    forge.seedGitlabMergeRequest(project, 4, { head: 'release/2.0.0', labels: ['release'] });
    forge.seedGitlabMergeRequest(project, 5, { head: 'feature/y', labels: ['release'] });
    expect(await findPullRequest({ forge: gitlab, by: { head: 'release/2.0.0' } })).toMatchObject({
      number: 4,
      state: 'open',
      head: 'release/2.0.0',
    });
    const error = await failure(findPullRequest({ forge: gitlab, by: { label: 'release' } }));
    expect(error).toMatchObject({ type: 'PullRequestNotFound', nonRetryable: true });
    expect(error?.message).toContain('#5, #4 are all open');
    const none = await failure(findPullRequest({ forge: gitlab, by: { head: 'release/9.9.9' } }));
    expect(none?.message).toContain('no merge request with head branch release/9.9.9');
  });

  it('GitHub: asks the pulls list with head=owner:branch and state=all, as the REST API documents', async () => {
    const repo = `acme/${uniqueProject('pr')}`;
    const github: ForgeConfig = { kind: 'github', baseUrl: forge.githubUrl, project: repo, tokenEnv: 'FIND_PR_TOKEN' };
    forge.seedGithubPull(repo, 12, { head: 'release/1.0.0' });
    expect(await findPullRequest({ forge: github, by: { head: 'release/1.0.0' } })).toMatchObject({ number: 12 });
    const query = forge.callsTo('GET', new RegExp(`/repos/${repo}/pulls$`)).at(-1)?.query;
    expect(query).toMatchObject({ head: 'acme:release/1.0.0', state: 'all' });
  });
});
