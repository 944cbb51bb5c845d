import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyOciArtifact } from '../../src/activities/copy-oci-artifact.ts';
import { copyGenericPackage, resolveGenericPackage } from '../../src/activities/generic-package.ts';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import type { OciArtifactSpec } from '../../src/artifacts/types.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { toolPath } from '../../src/tools/locate.ts';
import { startFakeForge, type FakeForge } from '../support/fake-forge.ts';
import { helmEnv, pushChart } from '../support/fixtures/charts.ts';
import { pushOciPackage, writePackageFiles } from '../support/fixtures/packages.ts';
import { uniqueProject } from '../support/release-bed.ts';
import type { GenericPackageInput } from '../../src/config/spec.ts';

describe('artifact engine: charts and packages', () => {
  let forge: FakeForge;
  const source = () => ({ host: inject('sourceRegistry'), plainHttp: true });
  const destination = () => ({
    host: inject('destinationRegistry'),
    plainHttp: true,
    usernameEnv: 'DEST_USER',
    passwordEnv: 'DEST_PASS',
  });

  beforeAll(async () => {
    process.env.DEST_USER = inject('destinationUsername');
    process.env.DEST_PASS = inject('destinationPassword');
    process.env.GITLAB_TOKEN = 'forge-token';
    forge = await startFakeForge();
  });
  afterAll(async () => {
    await forge?.close();
  });

  it('copies an OCI Helm chart under its bare semver tag, and helm pull works from the destination', async () => {
    const name = uniqueProject('chart');
    const pushed = await pushChart({
      registry: source().host,
      repositoryPrefix: 'staging/charts',
      name,
      version: '1.4.0',
    });
    const spec: OciArtifactSpec = {
      kind: 'chart',
      name,
      tag: '1.4.0',
      source: { endpoint: source(), repository: pushed.repository },
      destination: { endpoint: destination(), repository: `prod/charts/${name}` },
    };
    const resolved = await resolveOciArtifact(spec);
    expect(resolved.digest).toBe(pushed.digest);
    expect(resolved.chart).toEqual({ name, version: '1.4.0' });
    expect((await copyOciArtifact(resolved)).alreadyPresent).toBe(false);

    const dir = mkdtempSync(join(tmpdir(), 'helm-pull-'));
    await execa(
      toolPath('helm'),
      [
        'pull',
        '--plain-http',
        `oci://${destination().host}/prod/charts/${name}`,
        '--version',
        '1.4.0',
        '--destination',
        dir,
      ],
      {
        env: helmEnv(dir, inject('dockerConfigDir')),
      },
    );
    expect(readdirSync(dir)).toContain(`${name}-1.4.0.tgz`);
  });

  it('refuses a chart whose Chart.yaml version differs from the release tag', async () => {
    const name = uniqueProject('chartv');
    const pushed = await pushChart({
      registry: source().host,
      repositoryPrefix: 'staging/charts',
      name,
      version: '2.0.0',
    });
    // The same chart (Chart.yaml says 2.0.0) also tagged 2.1.0: the tag exists, so only the version check can refuse it.
    const registry = new RegistryClient(source());
    const chart = await registry.manifest(pushed.repository, pushed.digest);
    if (!chart) throw new Error(`helm pushed ${pushed.digest} but the registry does not serve it`);
    await registry.putManifest(pushed.repository, '2.1.0', chart.bytes, chart.mediaType);
    const error = await resolveOciArtifact({
      kind: 'chart',
      name,
      tag: '2.1.0',
      source: { endpoint: source(), repository: pushed.repository },
      destination: { endpoint: destination(), repository: `prod/charts/${name}` },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect((error as Error).message).toContain('Chart.yaml version is 2.0.0 but the release tag is 2.1.0');
  });

  it('copies package files stored as an OCI artifact, file by file as layers', async () => {
    const name = uniqueProject('ocipkg');
    const files = writePackageFiles(mkdtempSync(join(tmpdir(), 'pkg-')), [
      { name: 'gateway-linux-amd64', bytes: 300_000 },
      { name: 'gateway-linux-arm64', bytes: 200_000 },
    ]);
    const digest = await pushOciPackage({
      registry: source().host,
      repository: `staging/pkgs/${name}`,
      tag: '1.0.0',
      files,
    });
    const resolved = await resolveOciArtifact({
      kind: 'oci-package',
      name,
      tag: '1.0.0',
      source: { endpoint: source(), repository: `staging/pkgs/${name}` },
      destination: { endpoint: destination(), repository: `prod/pkgs/${name}` },
    });
    expect(resolved.digest).toBe(digest);
    expect(resolved.files?.map((f) => [f.name, f.digest, f.size])).toEqual(
      files.map((f) => [f.name, `sha256:${f.sha256}`, f.size]),
    );
    const copied = await copyOciArtifact(resolved);
    expect(copied.bytesCopied).toBeGreaterThanOrEqual(500_000);
    expect((await copyOciArtifact(resolved)).alreadyPresent).toBe(true);
  });

  it('copies a GitLab generic package from the security mirror to canonical, checksum-checked, and converges on re-run', async () => {
    const name = uniqueProject('generic');
    const files = writePackageFiles(mkdtempSync(join(tmpdir(), 'gen-')), [
      { name: 'gateway-linux-amd64', bytes: 150_000 },
      { name: 'gateway-linux-arm64', bytes: 120_000 },
    ]);
    for (const file of files) forge.seedGitlabPackageFile('security/gateway', name, '1.2.3', file.name, file.bytes);
    const gitlab = { kind: 'gitlab' as const, baseUrl: forge.gitlabUrl, tokenEnv: 'GITLAB_TOKEN' };
    const input = {
      name,
      version: '1.2.3',
      files: files.map((f) => f.name),
      source: { ...gitlab, project: 'security/gateway' },
      destination: { ...gitlab, project: 'acme/gateway' },
    } satisfies GenericPackageInput;
    const resolved = await resolveGenericPackage(input);
    expect(resolved).toEqual(files.map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })));

    const first = await copyGenericPackage({ ...input, resolved });
    expect(first.files.map((f) => f.uploaded)).toEqual([true, true]);
    for (const file of files)
      expect(forge.packageFile('acme/gateway', name, '1.2.3', file.name)?.file_sha256).toBe(file.sha256);
    const uploads = forge.callsTo('PUT', new RegExp(`/packages/generic/${name}/`));
    expect(uploads.map((c) => c.query.select)).toEqual(['package_file', 'package_file']);

    const second = await copyGenericPackage({ ...input, resolved });
    expect(second.files.map((f) => f.uploaded)).toEqual([false, false]);
    expect(forge.callsTo('PUT', new RegExp(`/packages/generic/${name}/`))).toHaveLength(2);
  });

  it('refuses to replace a canonical package file that holds other bytes', async () => {
    const name = uniqueProject('genconflict');
    const [file] = writePackageFiles(mkdtempSync(join(tmpdir(), 'gen-')), [{ name: 'tool.tar.gz', bytes: 10_000 }]);
    if (!file) throw new Error('no fixture');
    forge.seedGitlabPackageFile('security/gateway', name, '1.0.0', file.name, file.bytes);
    forge.seedGitlabPackageFile('acme/gateway', name, '1.0.0', file.name, Buffer.from('something else'));
    const gitlab = { kind: 'gitlab' as const, baseUrl: forge.gitlabUrl, tokenEnv: 'GITLAB_TOKEN' };
    const input = {
      name,
      version: '1.0.0',
      files: [file.name],
      source: { ...gitlab, project: 'security/gateway' },
      destination: { ...gitlab, project: 'acme/gateway' },
    } satisfies GenericPackageInput;
    const error = await copyGenericPackage({ ...input, resolved: await resolveGenericPackage(input) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('TagConflict');
    expect((error as ApplicationFailure).message).toMatch(/never replaced/);
  });
});
