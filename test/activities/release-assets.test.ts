import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveGenericPackage } from '../../src/activities/generic-package.ts';
import { uploadReleaseAssets } from '../../src/activities/release-assets.ts';
import type { ForgeConfig, GenericPackageInput } from '../../src/config/spec.ts';
import { forgeFor } from '../../src/forge/index.ts';
import { startFakeForge, type FakeForge } from '../support/fake-forge.ts';
import { writePackageFiles } from '../support/fixtures/packages.ts';
import { uniqueProject } from '../support/release-bed.ts';

// Release assets as the second package target: uploaded to the draft through its upload_url with ?name=,
// sha256 checked; a second run looks first and uploads nothing; an asset holding other bytes is never replaced.
describe('uploadReleaseAssets', () => {
  let forge: FakeForge;
  beforeAll(async () => {
    forge = await startFakeForge();
    process.env.ASSETS_TOKEN = 'forge-token';
  });
  afterAll(async () => {
    await forge?.close();
  });

  const setUp = async (name: string) => {
    const repo = `acme/${name}`;
    const github: ForgeConfig = { kind: 'github', baseUrl: forge.githubUrl, project: repo, tokenEnv: 'ASSETS_TOKEN' };
    const files = writePackageFiles(mkdtempSync(join(tmpdir(), 'assets-')), [
      { name: 'tool-linux-amd64', bytes: 20_000 },
      { name: 'tool-darwin-arm64', bytes: 10_000 },
    ]);
    for (const file of files) forge.seedGitlabPackageFile(`security/${name}`, 'tool', '2.0.0', file.name, file.bytes);
    const pkg: GenericPackageInput = {
      name: 'tool',
      version: '2.0.0',
      files: files.map((f) => f.name),
      source: { kind: 'gitlab', baseUrl: forge.gitlabUrl, project: `security/${name}`, tokenEnv: 'ASSETS_TOKEN' },
      releaseAssets: true,
    };
    const draft = await forgeFor(github).createRelease(
      { tag: 'v2.0.0', name: 'v2.0.0', body: 'notes', commitSha: 'a'.repeat(40) },
      true,
    );
    return { repo, github, files, pkg, draft, resolved: await resolveGenericPackage(pkg) };
  };

  it('uploads each file to the draft by sha256, and a second run uploads nothing', async () => {
    const { repo, github, files, pkg, draft, resolved } = await setUp(uniqueProject('assets'));
    const input = { forge: github, releaseId: draft.id, package: pkg, files: resolved };
    expect(await uploadReleaseAssets(input)).toEqual(files.map((f) => ({ name: f.name, uploaded: true })));
    expect(forge.githubReleaseAssets(repo, 'v2.0.0')).toEqual(
      files.map((f) => ({ name: f.name, size: f.size, digest: `sha256:${f.sha256}` })),
    );
    const uploads = forge.callsTo('POST', new RegExp(`^/uploads/repos/${repo}/releases/${draft.id}/assets$`));
    expect(uploads.map((c) => c.query.name)).toEqual(files.map((f) => f.name));
    expect(await uploadReleaseAssets(input)).toEqual(files.map((f) => ({ name: f.name, uploaded: false })));
    expect(forge.callsTo('POST', new RegExp(`^/uploads/repos/${repo}/`))).toHaveLength(2);
  });

  it('an asset of the same name with other bytes is a TagConflict, never replaced', async () => {
    const { repo, github, pkg, draft, resolved } = await setUp(uniqueProject('assetconflict'));
    const [first] = resolved;
    if (!first) throw new Error('no fixture');
    await fetch(`${forge.url}/uploads/repos/${repo}/releases/${draft.id}/assets?name=${first.name}`, {
      method: 'POST',
      headers: { authorization: 'Bearer forge-token', 'content-type': 'application/octet-stream' },
      body: Buffer.from('impostor'),
    });
    const error = (await uploadReleaseAssets({
      forge: github,
      releaseId: draft.id,
      package: pkg,
      files: resolved,
    }).catch((e: unknown) => e)) as ApplicationFailure;
    expect(error).toMatchObject({ type: 'TagConflict', nonRetryable: true });
    expect(error.message).toContain(`not sha256:${first.sha256}`);
    expect(forge.githubReleaseAssets(repo, 'v2.0.0')).toHaveLength(1);
  });
});
