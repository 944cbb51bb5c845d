import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { rejectUpdate } from '../../src/workflows/messages.ts';
import { pushImage } from '../support/fixtures/images.ts';
import {
  recordHistory,
  startPublicRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

// Clean ends (clean-end.ts): a release that is not promoted deletes its own draft release and, with
// onReject: delete-version-tags, the version tags it pushed, and only those still holding its digest.
describe('release workflow: clean ends of unpromoted releases', () => {
  const bed = useReleaseBed();
  const deleteTags = { onReject: 'delete-version-tags' };

  it('a rejected release leaves no draft and no version tag; a floating tag on the same digest stays', async () => {
    const project = uniqueProject('clean');
    const { image, handle } = await startPublicRelease(bed, project, 'v1.0.0', deleteTags);
    await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(bed.forge.githubReleases(`acme/${project}`).map((r) => r.draft)).toEqual([true]);
    // A floating tag on the very same manifest (as when an earlier version had identical bytes): deleting the
    // version by digest would take it along; deleting by tag must not.
    const copied = await bed.destinationClient.manifest(`prod/${project}`, 'v1.0.0');
    if (!copied) throw new Error('the version was not copied');
    await bed.destinationClient.putManifest(`prod/${project}`, 'latest', copied.bytes, copied.mediaType);

    await handle.executeUpdate(rejectUpdate, { args: [{ by: 'alice', reason: 'changelog is wrong' }] });
    const status = await handle.result();
    expect(status.phase).toBe('rejected');
    expect(bed.forge.githubReleases(`acme/${project}`)).toEqual([]);
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0')).toBeUndefined();
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(image.digest);
    expect(status.cleanup).toMatchObject({ outcome: 'rejected' });
    expect(status.cleanup?.items).toEqual([
      expect.objectContaining({ what: 'draft-release', target: 'v1.0.0', action: 'deleted' }),
      expect.objectContaining({ what: 'version-tag', artifact: 'app', action: 'deleted' }),
    ]);
    await recordHistory(handle, 'rejected-cleaned');
  });

  it('attacker-style: a version tag re-pointed and a draft replaced meanwhile are left alone', async () => {
    const project = uniqueProject('repoint');
    const { image, handle } = await startPublicRelease(bed, project, 'v1.0.0', deleteTags);
    await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    // Someone re-points the version tag to another image, and puts their own release in place of the draft.
    const other = await pushImage({
      registry: bed.destination,
      repository: `prod/${project}`,
      tag: 'v1.0.0',
      label: 'someone else',
      dockerConfigDir: inject('dockerConfigDir'),
    });
    expect(other.digest).not.toBe(image.digest);
    bed.forge.deleteGithubRelease(`acme/${project}`, 'v1.0.0');
    const theirs = await fetch(`${bed.forge.githubUrl}/repos/acme/${project}/releases`, {
      method: 'POST',
      headers: { authorization: 'Bearer forge-token', 'content-type': 'application/json' },
      body: JSON.stringify({ tag_name: 'v1.0.0', name: 'theirs', body: 'not shipgate', draft: true }),
    });
    expect(theirs.status).toBe(201);

    await handle.executeUpdate(rejectUpdate, { args: [{ by: 'alice', reason: 'no' }] });
    const status = await handle.result();
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0'))?.digest).toBe(other.digest);
    expect(bed.forge.githubReleases(`acme/${project}`).map((r) => r.name)).toEqual(['theirs']);
    expect(bed.forge.callsTo('DELETE', new RegExp(`^/github/repos/acme/${project}/releases/`))).toEqual([]);
    const [draft, tag] = status.cleanup?.items ?? [];
    expect(draft).toMatchObject({ action: 'kept' });
    expect(draft?.reason).toMatch(/not this release's draft/);
    expect(tag).toMatchObject({ action: 'kept' });
    expect(tag?.reason).toContain(`now points at ${other.digest}, not this release's ${image.digest}`);
  });

  it('an expired release keeps its version tags by default and says why; the draft still goes', async () => {
    const project = uniqueProject('expire-keep');
    const { image, handle } = await startPublicRelease(bed, project, 'v1.0.0', {
      gate: { approvers: ['alice'], allowSelfApproval: false, deadline: '3s', identity: 'unauthenticated' },
    });
    const status = await handle.result();
    expect(status.phase).toBe('expired');
    expect(bed.forge.githubReleases(`acme/${project}`)).toEqual([]);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0'))?.digest).toBe(image.digest);
    expect(status.cleanup?.items.at(-1)).toMatchObject({ what: 'version-tag', action: 'kept' });
    expect(status.cleanup?.items.at(-1)?.reason).toMatch(/onReject: keep-version-tags/);
  });
});
