import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { copyOciArtifact } from '../../src/activities/copy-oci-artifact.ts';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import { verifyArtifact } from '../../src/activities/verify-signatures.ts';
import type { OciArtifactSpec } from '../../src/artifacts/types.ts';
import { digestTag, RegistryClient } from '../../src/registry/client.ts';
import { pushImage } from '../support/fixtures/images.ts';
import {
  generateKeyPair,
  offlineKeyPolicy,
  signAndAttest,
  type KeyPair,
  type SignatureFormat,
} from '../support/fixtures/signing.ts';
import { failureOf } from '../support/failure-of.ts';
import { uniqueProject } from '../support/release-bed.ts';
import type { VerificationPolicy } from '../../src/config/spec.ts';

const attestations = ['slsaprovenance', 'spdxjson', 'vuln'];

describe('artifact engine: images', () => {
  let key: KeyPair;
  let otherKey: KeyPair;
  let policy: Extract<VerificationPolicy, { kind: 'key' }>;
  const source = () => ({ host: inject('sourceRegistry'), plainHttp: true });
  const destination = () => ({
    host: inject('destinationRegistry'),
    plainHttp: true,
    usernameEnv: 'DEST_USER',
    passwordEnv: 'DEST_PASS',
  });
  const spec = (name: string, tag = 'v1.2.3'): OciArtifactSpec => ({
    kind: 'image',
    name,
    tag,
    source: { endpoint: source(), repository: `staging/${name}` },
    destination: { endpoint: destination(), repository: `prod/${name}` },
  });

  beforeAll(async () => {
    process.env.DEST_USER = inject('destinationUsername');
    process.env.DEST_PASS = inject('destinationPassword');
    const dir = join(inject('workDir'), `keys-${process.pid}`);
    key = await generateKeyPair(dir);
    otherKey = await generateKeyPair(dir, 'other');
    policy = offlineKeyPolicy(key, attestations, 'both');
  });

  for (const format of ['legacy', 'bundle'] as SignatureFormat[]) {
    it(`copies a multi-arch image by digest with its ${format} signatures and attestations, verified at the destination; a second copy sends nothing`, async () => {
      const name = uniqueProject(`img-${format}`);
      const image = await pushImage({
        registry: source().host,
        repository: `staging/${name}`,
        tag: 'v1.2.3',
        layerBytes: 256 * 1024,
      });
      await signAndAttest(image, { key, format, attestations, workDir: join(inject('workDir'), name) });

      const resolved = await resolveOciArtifact(spec(name));
      expect(resolved.digest).toBe(image.digest);
      expect(resolved.platforms).toHaveLength(2);
      const atSource = await verifyArtifact({ artifact: resolved, where: 'source', policy });
      expect(atSource.digests.map((d) => [d.role, d.signature, d.attestations])).toEqual([
        ['index', true, attestations],
        ...resolved.platforms.map((p) => [p.platform, true, attestations]),
      ]);

      const first = await copyOciArtifact(resolved);
      expect(first.alreadyPresent).toBe(false);
      expect(first.blobsCopied).toBeGreaterThan(4);
      expect(first.bytesCopied).toBeGreaterThan(512 * 1024);
      const atDestination = await verifyArtifact({ artifact: resolved, where: 'destination', policy, expectTag: true });
      expect(atDestination.digests.every((d) => d.signature && d.attestations.length === 3)).toBe(true);

      const tags = await new RegistryClient(destination()).tags(`prod/${name}`);
      const suffixes = format === 'legacy' ? ['.sig', '.att'] : [''];
      for (const digest of [image.digest, ...image.platforms.map((p) => p.digest)]) {
        for (const suffix of suffixes) expect(tags).toContain(`${digest.replace(':', '-')}${suffix}`);
      }

      const second = await copyOciArtifact(resolved);
      expect(second).toMatchObject({ alreadyPresent: true, blobsCopied: 0, bytesCopied: 0 });
    });
  }

  it('refuses to re-point an existing destination version tag at another digest', async () => {
    const name = uniqueProject('conflict');
    await pushImage({ registry: source().host, repository: `staging/${name}`, tag: 'v1.2.3' });
    const first = await resolveOciArtifact(spec(name));
    await copyOciArtifact(first);
    const rebuilt = await pushImage({
      registry: source().host,
      repository: `staging/${name}`,
      tag: 'v1.2.3',
      label: 'rebuilt',
    });
    const second = await resolveOciArtifact(spec(name));
    expect(second.digest).toBe(rebuilt.digest);
    const failure = await failureOf(copyOciArtifact(second));
    expect(failure.type).toBe('TagConflict');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(first.digest);
    expect(failure.message).toMatch(/never re-tagged/);
  });

  it('stops an unsigned image, a wrong key and a missing attestation with a message naming artifact, digest and check', async () => {
    const name = uniqueProject('unsigned');
    const image = await pushImage({ registry: source().host, repository: `staging/${name}`, tag: 'v1.2.3' });
    const resolved = await resolveOciArtifact(spec(name));
    const unsigned = await failureOf(verifyArtifact({ artifact: resolved, where: 'source', policy }));
    expect(unsigned).toMatchObject({ type: 'VerificationFailed', nonRetryable: true });
    expect(unsigned.message).toContain(`"${name}"`);
    expect(unsigned.message).toContain(image.digest);
    expect(unsigned.message).toMatch(/stop-ship: signature/);

    await signAndAttest(image, {
      key,
      format: 'bundle',
      attestations: ['slsaprovenance'],
      workDir: join(inject('workDir'), name),
      perPlatform: false,
    });
    const wrongKey = await failureOf(
      verifyArtifact({ artifact: resolved, where: 'source', policy: { ...policy, publicKeyPath: otherKey.publicKey } }),
    );
    expect(wrongKey.type).toBe('VerificationFailed');
    const missing = await failureOf(
      verifyArtifact({
        artifact: resolved,
        where: 'source',
        policy: {
          ...policy,
          attestations: ['slsaprovenance', 'spdxjson'].map((type) => ({ type, on: 'index', policies: [] })),
        },
      }),
    );
    expect(missing.type).toBe('VerificationFailed');
    expect(missing.message).toMatch(/spdxjson attestation/);
    // Signed without the transparency log: refused when the policy requires it (tlog: require, the default).
    const noTlog = await failureOf(
      verifyArtifact({ artifact: resolved, where: 'source', policy: { ...policy, tlog: 'require', attestations: [] } }),
    );
    expect(noTlog.type).toBe('VerificationFailed');
    expect(noTlog.message).toContain(`stop-ship: signature of image "${name}" index ${image.digest}`);
  });

  it("refuses a genuine signature copied from another digest onto this one's signature tag", async () => {
    const name = uniqueProject('copiedsig');
    const repository = `staging/${name}`;
    const signed = await pushImage({ registry: source().host, repository, tag: 'v1.0.0' });
    const target = await pushImage({ registry: source().host, repository, tag: 'v1.2.3' });
    expect(target.digest).not.toBe(signed.digest);
    await signAndAttest(signed, {
      key,
      format: 'legacy',
      attestations: [],
      workDir: join(inject('workDir'), name),
      perPlatform: false,
    });
    const original = await resolveOciArtifact(spec(name, 'v1.0.0'));
    const genuine = await verifyArtifact({
      artifact: original,
      where: 'source',
      policy: { ...policy, attestations: [] },
    });
    expect(genuine.outcome).toBe('verified');
    const client = new RegistryClient(source());
    const signature = await client.manifest(repository, `${digestTag(signed.digest)}.sig`);
    expect(signature).toBeDefined();
    await client.putManifest(repository, `${digestTag(target.digest)}.sig`, signature!.bytes, signature!.mediaType);
    const resolved = await resolveOciArtifact(spec(name));
    expect(resolved.digest).toBe(target.digest);
    const copied = await failureOf(
      verifyArtifact({ artifact: resolved, where: 'source', policy: { ...policy, attestations: [] } }),
    );
    expect(copied.type).toBe('VerificationFailed');
    expect(copied.message).toContain(`stop-ship: signature of image "${name}" index ${target.digest}`);
  });

  it('a 401 at the destination is permanent and names the credential source', async () => {
    const name = uniqueProject('denied');
    await pushImage({ registry: source().host, repository: `staging/${name}`, tag: 'v1.2.3' });
    const resolved = await resolveOciArtifact(spec(name));
    process.env.WRONG_USER = 'releaser';
    process.env.WRONG_PASS = 'not-the-password';
    const failure = await failureOf(
      copyOciArtifact({
        ...resolved,
        destination: {
          ...resolved.destination,
          endpoint: { ...destination(), usernameEnv: 'WRONG_USER', passwordEnv: 'WRONG_PASS' },
        },
      }),
    );
    expect(failure).toMatchObject({ type: 'RegistryUnauthorized', nonRetryable: true });
    expect(failure.message).toContain('WRONG_USER and WRONG_PASS');
  });

  it('a missing source tag is permanent and says what to do', async () => {
    const failure = await failureOf(resolveOciArtifact(spec(uniqueProject('missing'))));
    expect(failure).toMatchObject({ type: 'SourceArtifactMissing', nonRetryable: true });
    expect(failure.message).toMatch(/push it there first/);
  });
});
