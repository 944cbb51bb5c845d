import { beforeAll, describe, expect, it } from 'vitest';
import { approveUpdate, retryUpdate } from '../../src/workflows/messages.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

// A GitLab canonical project (seed 000): the commit check with a CI job token, the release created on promotion
// (GitLab has no drafts), and the merge request merged; each GitLab refusal parks the release with what to fix.
describe('release workflow: GitLab', () => {
  const bed = useReleaseBed();
  beforeAll(() => {
    process.env.CI_JOB_TOKEN = 'forge-token';
  });

  it('a job token outside the allowlist, then an unmergeable MR, each need attention; fixed and retried, it promotes', async () => {
    const project = uniqueProject('gl');
    const canonical = `acme/${project}`;
    const image = await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    bed.forge.seedGitlabCommit(canonical, sha);
    bed.forge.seedGitlabMergeRequest(canonical, 7, { mergeable: false, headSha: sha, state: 'opened' });
    bed.forge.setJobTokenAllowlist(canonical, false);
    const plan = planFor(bed, project, {
      forge: { kind: 'gitlab', baseUrl: bed.forge.gitlabUrl, project: canonical, tokenEnv: 'CI_JOB_TOKEN' },
      promotion: { floatingTags: ['latest'], publishRelease: true, mergePullRequest: { number: 7 }, pins: [] },
    });
    const handle = await startRelease(bed, plan, 'v1.0.0', sha);

    const refused = await waitForPhase(handle, ['needs-attention', 'awaiting-approval']);
    expect(refused.phase).toBe('needs-attention');
    expect(refused.attention).toMatchObject({ step: 'check-canonical', type: 'ForgeForbidden' });
    expect(refused.attention?.message).toMatch(/403/);
    expect(refused.attention?.message).toMatch(/job token allowlist/);

    bed.forge.setJobTokenAllowlist(canonical, true);
    await handle.executeUpdate(retryUpdate, { args: [{ by: 'alice', comment: 'added shipgate to the allowlist' }] });
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-approval');
    expect(waiting.canonical).toMatchObject({ public: true });
    // GitLab has no draft releases: nothing is created before approval.
    expect(bed.forge.gitlabReleases(canonical)).toEqual([]);

    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    const stuck = await waitForPhase(handle, ['needs-attention', 'promoted']);
    expect(stuck.phase).toBe('needs-attention');
    expect(stuck.attention).toMatchObject({ step: 'merge-pr', type: 'NotMergeable' });

    bed.forge.seedGitlabMergeRequest(canonical, 7, { mergeable: true, headSha: sha, state: 'opened' });
    await handle.executeUpdate(retryUpdate, { args: [{ by: 'alice', comment: 'rebased the MR' }] });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');

    const releases = bed.forge.gitlabReleases(canonical);
    expect(releases).toHaveLength(1);
    expect(releases[0]?.tag_name).toBe('v1.0.0');
    expect(releases[0]?.description).toContain(image.digest);
    const merges = bed.forge.callsTo('PUT', new RegExp(`/merge_requests/7/merge$`));
    // Looked first: the unmergeable MR was never sent a merge, the mergeable one exactly once.
    expect(merges.map((call) => call.status)).toEqual([200]);
    expect(merges.every((call) => call.headers['job-token'] === 'forge-token')).toBe(true);
  });
});
