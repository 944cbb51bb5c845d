import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { abortUpdate, approveUpdate, rejectUpdate } from '../../src/workflows/messages.ts';
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
    const { image, handle } = await startPublicRelease(bed, project, 'v1.0.0', {
      ...deleteTags,
      notifications: { webhooks: [{ url: `${bed.forge.url}/hooks/${project}`, events: ['finished'] }] },
    });
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
    // The "finished" notice says what was cleaned.
    const notice = bed.forge.callsTo('POST', new RegExp(`^/hooks/${project}$`)).at(-1)?.body as { message?: string };
    expect(notice?.message).toMatch(/rejected: deleted: v1\.0\.0 \(draft \d+ deleted.*:v1\.0\.0 \(.* deleted\)/);
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

  it('an abort at the gate cleans up too; an abort after floating tags moved removes nothing', async () => {
    const project = uniqueProject('abort-clean');
    const { handle } = await startPublicRelease(bed, project, 'v1.0.0', deleteTags);
    await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'alice', reason: 'wrong branch' }] });
    const aborted = await handle.result();
    expect(aborted.phase).toBe('aborted');
    expect(aborted.cleanup?.items.map((i) => [i.what, i.action])).toEqual([
      ['draft-release', 'deleted'],
      ['version-tag', 'deleted'],
    ]);
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0')).toBeUndefined();

    // Promotion reaches the pins, which fail: floating tags have moved, then a person aborts.
    const late = uniqueProject('abort-late');
    const started = await startPublicRelease(bed, late, 'v1.0.0', {
      ...deleteTags,
      promotion: {
        floatingTags: ['latest'],
        publishRelease: false,
        pins: [{ url: `${bed.forge.url}/no-such-control-plane/{name}`, tokenEnv: 'PIN_TOKEN' }],
      },
    });
    const waiting = await waitForPhase(started.handle, ['awaiting-approval', 'needs-attention']);
    await started.handle.executeUpdate(approveUpdate, {
      args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }],
    });
    const stuck = await waitForPhase(started.handle, ['needs-attention', 'promoted']);
    expect(stuck.attention?.step).toBe('pin');
    await started.handle.executeUpdate(abortUpdate, { args: [{ by: 'alice', reason: 'control plane is down' }] });
    const after = await started.handle.result();
    expect(after.cleanup?.items.map((i) => [i.what, i.action])).toEqual([
      ['draft-release', 'kept'],
      ['version-tag', 'kept'],
    ]);
    expect(after.cleanup?.items[1]?.reason).toMatch(/promotion had begun/);
    expect((await bed.destinationClient.headManifest(`prod/${late}`, 'v1.0.0'))?.digest).toBe(started.image.digest);
    expect((await bed.destinationClient.headManifest(`prod/${late}`, 'latest'))?.digest).toBe(started.image.digest);
    expect(bed.forge.githubReleases(`acme/${late}`).map((r) => r.draft)).toEqual([true]);
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
