import { digestTag, type ManifestDescriptor, type RegistryClient } from './client.ts';

// Reads the in-toto statements attached to a digest, in both formats cosign writes: the legacy
// `sha256-<hex>.att` tag (one DSSE envelope per layer) and sigstore bundles as OCI referrers (or, on a
// registry without the referrers API, in the `sha256-<hex>` fallback index). Reading proves nothing about
// signatures: it is the "look first" half; `cosign verify-attestation` is what checks a signature.

export type AttestationFormat = 'legacy' | 'bundle';

export interface AttachedStatement {
  format: AttestationFormat;
  predicateType: string;
  /** The decoded in-toto statement. */
  statement: { _type?: string; predicateType?: string; subject?: unknown; predicate?: unknown };
}

const bundleMediaType = /application\/vnd\.dev\.sigstore\.bundle/;
const legacySignatureTag = (digest: string) => `${digestTag(digest)}.sig`;

export async function attachedStatements(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<AttachedStatement[]> {
  return statementsOf(client, repository, digest, await client.referrers(repository, digest));
}

/**
 * What a digest carries, from one referrers read: the formats the release's own signatures use (so its
 * promotion record uses the same) and the statements already attached (the "look first" before signing).
 */
export async function attachedEvidence(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<{ formats: AttestationFormat[]; statements: AttachedStatement[] }> {
  const referrers = await client.referrers(repository, digest);
  const formats: AttestationFormat[] = [];
  if (await client.headManifest(repository, legacySignatureTag(digest))) formats.push('legacy');
  if (referrers.some((r) => bundleMediaType.test(r.artifactType ?? ''))) formats.push('bundle');
  return { formats, statements: await statementsOf(client, repository, digest, referrers) };
}

async function statementsOf(
  client: RegistryClient,
  repository: string,
  digest: string,
  referrers: ManifestDescriptor[],
): Promise<AttachedStatement[]> {
  const found: AttachedStatement[] = [];
  const legacy = await client.manifest(repository, `${digestTag(digest)}.att`);
  for (const layer of legacy?.json.layers ?? []) {
    if (!layer.mediaType.includes('dsse')) continue;
    const statement = decodeEnvelope(await client.blob(repository, layer.digest));
    if (statement) found.push({ format: 'legacy', predicateType: statement.predicateType ?? '', statement });
  }
  for (const referrer of referrers) {
    if (!bundleMediaType.test(referrer.artifactType ?? '')) continue;
    const manifest = await client.manifest(repository, referrer.digest);
    const layer = manifest?.json.layers?.[0];
    if (!layer) continue;
    const bundle = JSON.parse((await client.blob(repository, layer.digest)).toString('utf8')) as {
      dsseEnvelope?: { payload?: string };
    };
    const statement = bundle.dsseEnvelope
      ? decodeEnvelope(Buffer.from(JSON.stringify(bundle.dsseEnvelope)))
      : undefined;
    if (statement) found.push({ format: 'bundle', predicateType: statement.predicateType ?? '', statement });
  }
  return found;
}

function decodeEnvelope(bytes: Buffer): AttachedStatement['statement'] | undefined {
  try {
    const envelope = JSON.parse(bytes.toString('utf8')) as { payload?: string; payloadType?: string };
    if (!envelope.payload) return undefined;
    return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as AttachedStatement['statement'];
  } catch {
    return undefined;
  }
}

/** JSON with object keys sorted at every depth: the same data gives the same bytes whoever serialised it. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
