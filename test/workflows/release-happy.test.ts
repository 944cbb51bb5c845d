import { describe, expect, it } from 'vitest';
import { approveUpdate, statusQuery } from '../../src/workflows/messages.ts';
import {
  commitSha,
  planFor,
  recordHistory,
  signedImage,
  startPublicRelease,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

describe('release workflow: public commit, automatic sync, approval, promotion', () => {
  const bed = useReleaseBed();

  it('publishes by digest, waits, and on approval promotes: tags, release, PR and pin read back', async () => {
    const project = uniqueProject('happy');
    const image = await signedImage(bed, `staging/${project}`, 'v1.0.0', { format: 'bundle' });
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    bed.forge.seedGithubPull(`acme/${project}`, 7, { mergeable: true });
    const plan = planFor(bed, project, {
      promotion: {
        floatingTags: ['latest', 'minor', 'major'],
        publishRelease: true,
        mergePullRequest: { number: 7 },
        pins: [{ url: `${bed.forge.pinsUrl}/{name}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
      },
    });

    const handle = await startRelease(bed, plan, 'v1.0.0', sha);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.attention).toBeUndefined();
    expect(waiting.phase).toBe('awaiting-approval');
    expect(waiting.canonical?.public).toBe(true);
    expect(waiting.gate?.digests).toEqual([`app@${image.digest}`]);
    const artifact = waiting.artifacts[0];
    expect(artifact?.digest).toBe(image.digest);
    expect(artifact?.platforms?.map((p) => p.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(new Set(artifact?.verifications.map((v) => v.where))).toEqual(new Set(['source', 'destination']));

    // Published, not promoted: the version tag is at the destination, latest is not; the release is a draft.
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0'))?.digest).toBe(image.digest);
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'latest')).toBeUndefined();
    expect(bed.forge.githubReleases(`acme/${project}`).map((r) => [r.tag_name, r.draft])).toEqual([['v1.0.0', true]]);
    expect(bed.forge.githubReleases(`acme/${project}`)[0]?.body).toContain(`prod/${project}@${image.digest}`);

    const decision = await handle.executeUpdate(approveUpdate, {
      args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [], comment: 'looks good' }],
    });
    expect(decision.kind).toBe('approve');
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.attention).toBeUndefined();
    expect(done.phase).toBe('promoted');

    for (const tag of ['latest', '1.0', '1']) {
      expect((await bed.destinationClient.headManifest(`prod/${project}`, tag))?.digest, tag).toBe(image.digest);
    }
    const releases = bed.forge.githubReleases(`acme/${project}`);
    expect(releases.map((r) => [r.tag_name, r.draft])).toEqual([['v1.0.0', false]]);
    expect(bed.forge.callsTo('POST', new RegExp(`/repos/acme/${project}/releases$`))).toHaveLength(1);
    expect(bed.forge.githubPull(`acme/${project}`, 7)?.merged).toBe(true);
    expect(bed.forge.pins().get('app')).toMatchObject({ digest: image.digest, version: '1.0.0', gitSha: sha });
    expect(done.decisions.find((d) => d.kind === 'approve')).toMatchObject({
      by: 'alice',
      comment: 'looks good',
      digests: [`app@${image.digest}`],
    });
    await recordHistory(handle, 'automatic-sync-promoted');
    expect((await handle.query(statusQuery)).tagMoves.map((m) => m.tag).sort()).toEqual(['1', '1.0', 'latest']);
  });

  it('a release PR someone merged before promotion: the merge step succeeds and says it was already merged', async () => {
    const project = uniqueProject('merged');
    bed.forge.seedGithubPull(`acme/${project}`, 9, { merged: true, state: 'closed' });
    const { handle } = await startPublicRelease(bed, project, 'v1.0.0', {
      promotion: { floatingTags: [], publishRelease: false, mergePullRequest: { number: 9 } },
    });
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.attention).toBeUndefined();
    expect(done.phase).toBe('promoted');
    expect(done.steps.find((s) => s.step === 'merge-pr')).toMatchObject({
      state: 'done',
      summary: '#9 was already merged',
    });
    expect(bed.forge.callsTo('PUT', new RegExp(`^/repos/acme/${project}/pulls/9/merge$`))).toEqual([]);
  });
});
