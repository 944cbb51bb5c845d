import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { inProcessKey, KeyVerifier } from '../../src/activities/key-verification.ts';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import { verifyArtifact } from '../../src/activities/verify-signatures.ts';
import type { OciArtifactSpec } from '../../src/artifacts/types.ts';
import type { VerificationPolicy } from '../../src/config/verification-policy.ts';
import { digestTag, RegistryClient } from '../../src/registry/client.ts';
import { pushImage, type PushedImage } from '../support/fixtures/images.ts';
import {
  attestArtifact,
  generateKeyPair,
  offlineKeyPolicy,
  signAndAttest,
  signArtifact,
  type KeyPair,
  type SignatureFormat,
} from '../support/fixtures/signing.ts';
import { failureOf } from '../support/failure-of.ts';
import { uniqueProject } from '../support/release-bed.ts';

// The in-process path for key signers (src/activities/key-verification.ts) tried as an attacker would: each
// attempt must be refused by the path itself (it does not show the digest verified) and by the activity (the
// same VerificationFailed stop-ship as before, cosign giving the verdict).

const spdx = 'https://spdx.dev/Document';

describe('in-process verification for key signers', () => {
  let key: KeyPair;
  let otherKey: KeyPair;
  let policy: Extract<VerificationPolicy, { kind: 'key' }>;
  const endpoint = () => ({ host: inject('sourceRegistry'), plainHttp: true });
  const client = () => new RegistryClient(endpoint());
  const spec = (name: string, tag = 'v1.2.3'): OciArtifactSpec => ({
    kind: 'image',
    name,
    tag,
    source: { endpoint: endpoint(), repository: `staging/${name}` },
    destination: { endpoint: endpoint(), repository: `prod/${name}` },
  });
  const verifier = (repository: string, pair = key) =>
    new KeyVerifier(client(), repository, inProcessKey(policy, readFileSync(pair.publicKey, 'utf8'))!);
  const push = (name: string, tag = 'v1.2.3', label?: string) =>
    pushImage({ registry: endpoint().host, repository: `staging/${name}`, tag, ...(label ? { label } : {}) });
  const single = (image: PushedImage, options: { key: KeyPair; format: SignatureFormat; attestations: string[] }) =>
    signAndAttest(image, { ...options, workDir: join(inject('workDir'), image.repository), perPlatform: false });
  const sourceOnly = (artifactPolicy: VerificationPolicy) => (name: string, tag?: string) =>
    resolveOciArtifact(spec(name, tag)).then((artifact) =>
      verifyArtifact({ artifact, where: 'source', policy: artifactPolicy }),
    );

  beforeAll(async () => {
    const dir = join(inject('workDir'), `in-process-keys-${process.pid}`);
    key = await generateKeyPair(dir);
    otherKey = await generateKeyPair(dir, 'other');
    policy = offlineKeyPolicy(key, ['spdxjson'], 'index');
  });

  for (const format of ['legacy', 'bundle'] as SignatureFormat[]) {
    it(`verifies a genuine ${format} signature and attestation without cosign; another key is refused`, async () => {
      const name = uniqueProject(`inproc-${format}`);
      const image = await push(name);
      await single(image, { key, format, attestations: ['spdxjson'] });
      const genuine = await sourceOnly(policy)(name);
      expect(genuine.outcome).toBe('verified');
      // The index's signature and attestation were shown in-process; the platforms (unsigned here: perPlatform
      // false signs them recursively, attests only the index) too, so no cosign process ran.
      expect(genuine.timings).toMatchObject({ cosignRuns: 0 });
      expect(genuine.digests[0]?.attestationDigests?.[0]?.type).toBe('spdxjson');
      expect(await verifier(image.repository).signed(image.digest)).toBe(true);
      expect(await verifier(image.repository).attested(image.digest, spdx)).toHaveLength(1);

      // Wrong key: the signature and the attestation are genuine, but by a key the policy does not name.
      expect(await verifier(image.repository, otherKey).signed(image.digest)).toBe(false);
      expect(await verifier(image.repository, otherKey).attested(image.digest, spdx)).toEqual([]);
      const wrongKey = await failureOf(sourceOnly({ ...policy, publicKeyPath: otherKey.publicKey })(name));
      expect(wrongKey).toMatchObject({ type: 'VerificationFailed', nonRetryable: true });
      expect(wrongKey.message).toContain(`stop-ship: signature of image "${name}" index ${image.digest}`);
    });
  }

  it('refuses a legacy signature whose payload was changed after signing', async () => {
    const name = uniqueProject('inproc-tampered');
    const image = await push(name);
    await single(image, { key, format: 'legacy', attestations: [] });
    const registry = client();
    const sigTag = `${digestTag(image.digest)}.sig`;
    const signature = (await registry.manifest(image.repository, sigTag))!;
    const layer = (signature.json as { layers: { digest: string; size: number }[] }).layers[0]!;
    const payload = JSON.parse((await registry.blob(image.repository, layer.digest)).toString('utf8')) as {
      optional?: Record<string, string> | null;
    };
    const tampered = Buffer.from(JSON.stringify({ ...payload, optional: { approvedBy: 'mallory' } }));
    const tamperedDigest = await putBlob(image.repository, tampered);
    const manifest = JSON.parse(signature.bytes.toString('utf8')) as { layers: { digest: string; size: number }[] };
    manifest.layers[0] = { ...manifest.layers[0]!, digest: tamperedDigest, size: tampered.length };
    await registry.putManifest(image.repository, sigTag, Buffer.from(JSON.stringify(manifest)), signature.mediaType);

    expect(await verifier(image.repository).signed(image.digest)).toBe(false);
    const failure = await failureOf(sourceOnly({ ...policy, attestations: [] })(name));
    expect(failure.type).toBe('VerificationFailed');
    expect(failure.message).toContain(`stop-ship: signature of image "${name}" index ${image.digest}`);
  });

  it('refuses a genuine bundle signature and attestation attached to another digest', async () => {
    const name = uniqueProject('inproc-moved');
    const signed = await push(name, 'v1.0.0');
    const target = await push(name, 'v1.2.3', 'other');
    expect(target.digest).not.toBe(signed.digest);
    await single(signed, { key, format: 'bundle', attestations: ['spdxjson'] });
    // The signed digest's referrers fallback index, put at the target's fallback tag: every bundle it lists is
    // genuine and by the right key, but states the other digest as its subject.
    const registry = client();
    const referrers = (await registry.manifest(signed.repository, digestTag(signed.digest)))!;
    await registry.putManifest(target.repository, digestTag(target.digest), referrers.bytes, referrers.mediaType);

    expect(await verifier(target.repository).signed(target.digest)).toBe(false);
    expect(await verifier(target.repository).attested(target.digest, spdx)).toEqual([]);
    const failure = await failureOf(sourceOnly(policy)(name));
    expect(failure.type).toBe('VerificationFailed');
    expect(failure.message).toContain(`stop-ship: signature of image "${name}" index ${target.digest}`);
  });

  it('refuses an attestation of another predicate type, and a missing one, naming the required type', async () => {
    const name = uniqueProject('inproc-predicate');
    const image = await push(name);
    await signArtifact(`${image.ref}@${image.digest}`, { key, format: 'legacy', recursive: true });
    // Signed by the right key, about this digest, but a vulnerability scan where an SPDX SBOM is required.
    await attestArtifact(`${image.ref}@${image.digest}`, {
      key,
      format: 'legacy',
      type: 'vuln',
      workDir: join(inject('workDir'), name),
    });
    expect(await verifier(image.repository).attested(image.digest, spdx)).toEqual([]);
    expect(
      await verifier(image.repository).attested(image.digest, 'https://cosign.sigstore.dev/attestation/vuln/v1'),
    ).toHaveLength(1);
    const wrongType = await failureOf(sourceOnly(policy)(name));
    expect(wrongType.type).toBe('VerificationFailed');
    expect(wrongType.message).toContain(`spdxjson attestation (on: index) of image "${name}" index ${image.digest}`);

    const missing = await failureOf(
      sourceOnly({ ...policy, attestations: [{ type: 'slsaprovenance', on: 'index', policies: [] }] })(name),
    );
    expect(missing.type).toBe('VerificationFailed');
    expect(missing.message).toContain(
      `slsaprovenance attestation (on: index) of image "${name}" index ${image.digest}`,
    );
  });

  async function putBlob(repository: string, bytes: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const host = `http://${endpoint().host}`;
    const started = await fetch(`${host}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    expect(started.status).toBe(202);
    const location = new URL(started.headers.get('location') ?? '', host);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', body: bytes });
    expect(put.status).toBe(201);
    return digest;
  }
});
