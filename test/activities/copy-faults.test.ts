import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyOciArtifact, type CopyResult } from '../../src/activities/copy-oci-artifact.ts';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import type { CopyProgress } from '../../src/artifacts/copy-progress.ts';
import type { OciArtifactSpec } from '../../src/artifacts/types.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { startFaultProxy, type BlobFault, type FaultProxy } from '../support/fault-proxy.ts';
import { pushImage, regctl, type PushedImage } from '../support/fixtures/images.ts';
import { generateKeyPair, signAndAttest, signArtifact, type KeyPair } from '../support/fixtures/signing.ts';
import { uniqueProject } from '../support/release-bed.ts';
import { failureOf } from '../support/failure-of.ts';
import { startFakeForge } from '../support/fake-forge.ts';
import { writePackageFiles } from '../support/fixtures/packages.ts';
import { copyGenericPackage, resolveGenericPackage } from '../../src/activities/generic-package.ts';
import type { GenericPackageInput } from '../../src/config/spec.ts';

describe('copy engine under faults: stalls, corrupt bytes, oversized manifests, request counts, resume', () => {
  let key: KeyPair;
  const proxies: FaultProxy[] = [];
  const destination = () => ({
    host: inject('destinationRegistry'),
    plainHttp: true,
    usernameEnv: 'DEST_USER',
    passwordEnv: 'DEST_PASS',
  });
  const spec = (name: string, sourceHost: string, destinationHost = destination().host): OciArtifactSpec => ({
    kind: 'image',
    name,
    tag: 'v1.0.0',
    source: { endpoint: { host: sourceHost, plainHttp: true }, repository: `staging/${name}` },
    destination: { endpoint: { ...destination(), host: destinationHost }, repository: `prod/${name}` },
  });
  const proxy = async (target: string, fault?: BlobFault) => {
    const started = await startFaultProxy(target, fault);
    proxies.push(started);
    return started;
  };
  /** An image with one large layer per platform (the one a fault hits) and a small one. */
  const bigImage = async (name: string): Promise<{ image: PushedImage; largest: string }> => {
    const image = await pushImage({
      registry: inject('sourceRegistry'),
      repository: `staging/${name}`,
      tag: 'v1.0.0',
      layerBytes: 2 * 1024 * 1024,
      layersPerPlatform: 1,
    });
    const client = new RegistryClient({ host: inject('sourceRegistry'), plainHttp: true });
    const platform = await client.manifest(`staging/${name}`, image.platforms[0]?.digest ?? '');
    const largest = platform?.json.layers?.[0]?.digest ?? '';
    expect(largest).toMatch(/^sha256:/);
    return { image, largest };
  };

  beforeAll(async () => {
    process.env.DEST_USER = inject('destinationUsername');
    process.env.DEST_PASS = inject('destinationPassword');
    key = await generateKeyPair(join(inject('workDir'), `keys-faults-${process.pid}`));
  });
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });

  it('a source that sends part of a blob and then goes silent fails the copy as retryable after the idle time, naming the blob; a retry resumes', async () => {
    const name = uniqueProject('stall');
    const { largest } = await bigImage(name);
    const stalling = await proxy(inject('sourceRegistry'), { digest: largest, stallAfterBytes: 256 * 1024 });
    const resolved = await resolveOciArtifact(spec(name, stalling.host));
    const beats: CopyProgress[] = [];
    const first = new MockActivityEnvironment({ attempt: 1 });
    first.on('heartbeat', (details: CopyProgress) => beats.push(details));
    const started = Date.now();
    const failure = await failureOf(first.run(copyOciArtifact, resolved, { stallTimeoutMs: 3_000 }));
    console.log(`stalled copy failed after ${Date.now() - started} ms (idle limit 3000 ms): ${failure.message}`);
    expect(failure.type).toBe('Transient');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain(largest);
    expect(failure.message).toMatch(/no byte moved for \d+\.\d s/);
    expect(failure.message).toContain(`image "${name}"`);
    const destinationClient = new RegistryClient(destination());
    expect(await destinationClient.headManifest(`prod/${name}`, 'v1.0.0')).toBeUndefined();

    // The retry (attempt 2, the last heartbeat as its details) from a healthy source sends only what is missing.
    const last = beats.at(-1);
    expect(last?.phase).toBe('copying');
    const retry = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: last });
    const retryBeats: CopyProgress[] = [];
    retry.on('heartbeat', (details: CopyProgress) => retryBeats.push(details));
    const healthy = await resolveOciArtifact(spec(name, inject('sourceRegistry')));
    const resumed: CopyResult = await retry.run(copyOciArtifact, healthy);
    expect(resumed).toMatchObject({ resumed: true, alreadyPresent: false });
    expect(resumed.blobsCopied).toBeGreaterThan(0);
    expect(resumed.blobsCopied).toBeLessThan(resumed.totals.blobs);
    expect((await destinationClient.headManifest(`prod/${name}`, 'v1.0.0'))?.digest).toBe(healthy.digest);
    const done = retryBeats.map((b) => b.bytesDone);
    expect(done.at(-1)).toBe(resumed.totals.bytes);
    expect(done[0]).toBeLessThan(done.at(-1) ?? 0);
    expect(retryBeats.every((b) => b.artifact === name && typeof b.at === 'number')).toBe(true);
  });

  it('a source serving bytes that do not match the digest is a permanent DigestMismatch with both digests, and nothing is tagged', async () => {
    const name = uniqueProject('corrupt');
    const { largest } = await bigImage(name);
    const corrupting = await proxy(inject('sourceRegistry'), { digest: largest, corrupt: true });
    const resolved = await resolveOciArtifact(spec(name, corrupting.host));
    const failure = await failureOf(copyOciArtifact(resolved));
    expect(failure.type).toBe('DigestMismatch');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`expected ${largest}`);
    const got = /got (sha256:[0-9a-f]{64})/.exec(failure.message)?.[1];
    expect(got).toBeDefined();
    expect(got).not.toBe(largest);
    const destinationClient = new RegistryClient(destination());
    expect(await destinationClient.headManifest(`prod/${name}`, 'v1.0.0')).toBeUndefined();
    expect(await destinationClient.hasBlob(`prod/${name}`, largest)).toBe(false);
  });

  for (const declared of [true, false]) {
    it(`a 5 MiB manifest is refused at resolve with the limit named (${declared ? 'declared length' : 'no length: read stops past the limit'})`, async () => {
      const name = uniqueProject('huge');
      const body = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [],
          annotations: { pad: 'x'.repeat(5 * 1024 * 1024) },
        }),
      );
      const hostile = await proxy(inject('sourceRegistry'), {
        replace: {
          path: `/v2/staging/${name}/manifests/v1.0.0`,
          body,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          declareLength: declared,
        },
      });
      const failure = await failureOf(resolveOciArtifact(spec(name, hostile.host)));
      expect(failure.type).toBe('InvalidInput');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain(`image "${name}"`);
      expect(failure.message).toContain('4.0 MiB (4194304 bytes) manifest limit');
      if (declared) expect(failure.message).toContain(`${body.length} bytes`);
    });
  }

  it('a package file download that goes silent fails as retryable after the idle time, naming the file', async () => {
    const forge = await startFakeForge();
    try {
      const name = uniqueProject('genstall');
      const [file] = writePackageFiles(mkdtempSync(join(tmpdir(), 'gen-')), [
        { name: 'tool-linux-amd64', bytes: 400_000 },
      ]);
      if (!file) throw new Error('no fixture');
      forge.seedGitlabPackageFile('security/gateway', name, '1.0.0', file.name, file.bytes);
      const forgeHost = new URL(forge.gitlabUrl);
      const stalling = await proxy(forgeHost.host, { urlIncludes: `/${file.name}`, stallAfterBytes: 64 * 1024 });
      const gitlab = { kind: 'gitlab' as const, baseUrl: forge.gitlabUrl, tokenEnv: 'GITLAB_TOKEN' };
      process.env.GITLAB_TOKEN = 'forge-token';
      const input = {
        name,
        version: '1.0.0',
        files: [file.name],
        source: {
          ...gitlab,
          baseUrl: forge.gitlabUrl.replace(forgeHost.host, stalling.host),
          project: 'security/gateway',
        },
        destination: { ...gitlab, project: 'acme/gateway' },
      } satisfies GenericPackageInput;
      const resolved = await resolveGenericPackage({ ...input, source: { ...gitlab, project: 'security/gateway' } });
      const failure = await failureOf(copyGenericPackage({ ...input, resolved, stallTimeoutMs: 2_000 }));
      expect(failure.type).toBe('Transient');
      expect(failure.message).toContain(`file ${file.name}`);
      expect(failure.message).toMatch(/no byte moved for \d+\.\d s/);
      expect(forge.packageFile('acme/gateway', name, '1.0.0', file.name)).toBeUndefined();
    } finally {
      await forge.close();
    }
  });

  it('a cold copy of a multi-arch image with signatures, attestations and a referrer sends no more requests to the destination than regctl', async () => {
    const name = uniqueProject('count');
    const image = await pushImage({ registry: inject('sourceRegistry'), repository: `staging/${name}`, tag: 'v1.0.0' });
    await signAndAttest(image, {
      key,
      format: 'legacy',
      attestations: ['slsaprovenance', 'spdxjson'],
      workDir: join(inject('workDir'), name),
    });
    await signArtifact(`${image.ref}@${image.digest}`, { key, format: 'bundle' });
    const counting = await proxy(destination().host);
    const engine = await copyOciArtifact(await resolveOciArtifact(spec(name, inject('sourceRegistry'), counting.host)));
    const engineCounts = Object.fromEntries(counting.counts);
    const engineTotal = counting.total();
    counting.reset();
    const dockerConfigDir = join(inject('workDir'), `docker-${name}`);
    mkdirSync(dockerConfigDir, { recursive: true });
    const auth = Buffer.from(`${inject('destinationUsername')}:${inject('destinationPassword')}`).toString('base64');
    writeFileSync(join(dockerConfigDir, 'config.json'), JSON.stringify({ auths: { [counting.host]: { auth } } }));
    await regctl(
      inject('sourceRegistry'),
      [
        '--host',
        `reg=${counting.host},tls=disabled`,
        'image',
        'copy',
        '--referrers',
        '--digest-tags',
        `${image.ref}@${image.digest}`,
        `${counting.host}/prod/${name}-regctl:v1.0.0`,
      ],
      dockerConfigDir,
    );
    const regctlCounts = Object.fromEntries(counting.counts);
    const regctlTotal = counting.total();
    console.log(
      `destination requests for one cold copy (${engine.totals.manifests} manifests, ${engine.totals.blobs} blobs): engine ${engineTotal} ${JSON.stringify(engineCounts)}, regctl ${regctlTotal} ${JSON.stringify(regctlCounts)}; engine's own count ${engine.requests?.destination}`,
    );
    expect(engineTotal).toBeLessThanOrEqual(regctlTotal);
    // Everything regctl carried, the engine carried: the same tags at the destination.
    const tags = async (repository: string) => (await new RegistryClient(destination()).tags(repository)).sort();
    expect(await tags(`prod/${name}`)).toEqual(await tags(`prod/${name}-regctl`));
  });
});
