// A measuring prototype, not shipgate's verifier: the legacy cosign formats (sha256-<hex>.sig simple signing and
// sha256-<hex>.att DSSE envelopes) checked in-process with node:crypto against a key, tlog ignored, no content
// policies. It does the checks shipgate relies on (the signature over the exact payload bytes, the payload's
// digest binding, the predicate type) so its figures are a fair floor for option (b) of issue 17; the bundle
// format, keyless identities, Rekor and CUE/Rego policies are what it leaves out (see docs/architecture.md).
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { RegistryClient } from '../../src/registry/client.ts';

/** cosign's short attestation types and the predicate types it writes for them. */
const predicateTypes: Record<string, string> = {
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  spdxjson: 'https://spdx.dev/Document',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
};

interface Layer {
  digest: string;
  annotations?: Record<string, string>;
}

export function publicKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

async function layers(client: RegistryClient, repository: string, tag: string): Promise<Layer[]> {
  const manifest = await client.manifest(repository, tag);
  return (manifest?.json as { layers?: Layer[] } | undefined)?.layers ?? [];
}

async function blobChecked(client: RegistryClient, repository: string, digest: string): Promise<Buffer> {
  const bytes = await client.blob(repository, digest);
  if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== digest)
    throw new Error(`blob ${digest} changed`);
  return bytes;
}

/** True when a legacy .sig layer is signed by the key and its payload names this digest. */
export async function signedInProcess(
  client: RegistryClient,
  repository: string,
  digest: string,
  key: KeyObject,
): Promise<boolean> {
  for (const layer of await layers(client, repository, `${digest.replace(':', '-')}.sig`)) {
    const signature = layer.annotations?.['dev.cosignproject.cosign/signature'];
    if (!signature) continue;
    const payload = await blobChecked(client, repository, layer.digest);
    if (!verify('sha256', payload, key, Buffer.from(signature, 'base64'))) continue;
    const simple = JSON.parse(payload.toString('utf8')) as {
      critical?: { type?: string; image?: { 'docker-manifest-digest'?: string } };
    };
    if (
      simple.critical?.type === 'cosign container image signature' &&
      simple.critical.image?.['docker-manifest-digest'] === digest
    )
      return true;
  }
  return false;
}

const pae = (type: string, body: Buffer) =>
  Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);

/** True when a legacy .att layer is a DSSE envelope signed by the key, of this predicate type, about this digest. */
export async function attestedInProcess(
  client: RegistryClient,
  repository: string,
  digest: string,
  type: string,
  key: KeyObject,
): Promise<boolean> {
  const wanted = predicateTypes[type] ?? type;
  for (const layer of await layers(client, repository, `${digest.replace(':', '-')}.att`)) {
    const envelope = JSON.parse((await blobChecked(client, repository, layer.digest)).toString('utf8')) as {
      payloadType: string;
      payload: string;
      signatures: { sig: string }[];
    };
    const body = Buffer.from(envelope.payload, 'base64');
    const signed = envelope.signatures.some((s) =>
      verify('sha256', pae(envelope.payloadType, body), key, Buffer.from(s.sig, 'base64')),
    );
    if (!signed) continue;
    const statement = JSON.parse(body.toString('utf8')) as {
      predicateType?: string;
      subject?: { digest?: { sha256?: string } }[];
    };
    const about = statement.subject?.some((s) => `sha256:${s.digest?.sha256}` === digest);
    if (about && statement.predicateType === wanted) return true;
  }
  return false;
}
