import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { AttestationRequirement, VerificationPolicy } from '../config/verification-policy.ts';
import { digestTag, type RegistryClient } from '../registry/client.ts';

/**
 * In-process verification of what cosign writes with a key pair, for the policies it can answer exactly: a key
 * signer, the transparency log not required (`tlog: ignore`), and no CUE/Rego content policy. Everything else
 * (keyless identities, Rekor, content policies) goes to cosign.
 *
 * It only ever says "verified" or "not shown here": a digest it cannot show verified is asked of cosign, which
 * gives the verdict and the reason people read. So this path can make a pass faster, never a refusal different.
 *
 * Formats read (cosign v2/v3 with --key):
 * - legacy tags: `sha256-<hex>.sig` (layers are simple-signing payloads, the signature in the layer annotation
 *   dev.cosignproject.cosign/signature) and `sha256-<hex>.att` (layers are DSSE envelopes of in-toto statements);
 * - sigstore bundles (v0.3) attached as OCI referrers (API or the `sha256-<hex>` fallback tag index), each a DSSE
 *   envelope of an in-toto statement; a signature is the predicate type https://sigstore.dev/cosign/sign/v1.
 * Each is checked as cosign does: the ECDSA/RSA/Ed25519 signature by the key over the exact payload bytes (DSSE:
 * over its PAE encoding), the blob's bytes against the digest that names them, the payload naming this digest
 * (simple signing: critical.image.docker-manifest-digest; in-toto: a subject with this sha256), and for an
 * attestation the predicate type the policy asks for.
 */
export function inProcessKey(policy: VerificationPolicy, keyPem: string | undefined): KeyObject | undefined {
  if (policy.kind !== 'key' || policy.tlog !== 'ignore' || !keyPem) return undefined;
  try {
    return createPublicKey(keyPem);
  } catch {
    return undefined; // cosign reads the key and says what is wrong with it
  }
}

/** The predicate type URIs of cosign's short `--type` names (cosign options/predicate.go). */
const predicateTypes: Record<string, string> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  link: 'https://in-toto.io/Link/v1',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

/** The predicate type an attestation requirement asks for, when this path can check it (no content policies). */
export function inProcessPredicateType(requirement: AttestationRequirement): string | undefined {
  if (requirement.policies.length > 0) return undefined;
  return predicateTypes[requirement.type] ?? (/^https?:\/\/\S+$/.test(requirement.type) ? requirement.type : undefined);
}

const signaturePredicate = 'https://sigstore.dev/cosign/sign/v1';
const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';

interface Layer {
  digest: string;
  annotations?: Record<string, string>;
}

interface Envelope {
  payloadType?: string;
  payload?: string;
  signatures?: { sig?: string }[];
}

/**
 * Reads one repository's signatures and attestations once per digest (the .sig/.att tags and the bundle
 * referrers serve every check of that digest) and answers the checks of one artifact's verification.
 */
export class KeyVerifier {
  private readonly layers = new Map<string, Promise<Layer[]>>();
  private readonly blobs = new Map<string, Promise<Buffer>>();
  private readonly bundles = new Map<string, Promise<Envelope[]>>();

  private readonly client: RegistryClient;
  private readonly repo: string;
  private readonly key: KeyObject;

  constructor(client: RegistryClient, repo: string, key: KeyObject) {
    this.client = client;
    this.repo = repo;
    this.key = key;
  }

  /** The digest's signature by the key, in either format. */
  async signed(digest: string): Promise<boolean> {
    this.prefetch(digest);
    for (const layer of await this.layersAt(`${digestTag(digest)}.sig`)) {
      const signature = layer.annotations?.['dev.cosignproject.cosign/signature'];
      if (!signature) continue;
      const payload = await this.blob(layer.digest);
      if (!verifies(payload, this.key, signature)) continue;
      const simple = parse(payload) as { critical?: { type?: string; image?: { 'docker-manifest-digest'?: string } } };
      const critical = simple?.critical;
      if (
        critical?.type === 'cosign container image signature' &&
        critical.image?.['docker-manifest-digest'] === digest
      )
        return true;
    }
    const bundles = await this.bundlesOf(digest);
    return bundles.some((e) => statementOf(e, this.key, digest, signaturePredicate).length > 0);
  }

  /** sha256 of each payload of the digest's attestations of that predicate type by the key, in either format. */
  async attested(digest: string, predicateType: string): Promise<string[]> {
    this.prefetch(digest);
    const envelopes: Envelope[] = [];
    for (const layer of await this.layersAt(`${digestTag(digest)}.att`)) {
      envelopes.push(parse(await this.blob(layer.digest)) as Envelope);
    }
    envelopes.push(...(await this.bundlesOf(digest)));
    return envelopes.flatMap((e) => statementOf(e, this.key, digest, predicateType));
  }

  /** Both formats' places asked at once: a check then waits one round trip, not one per place. */
  private prefetch(digest: string): void {
    void this.layersAt(`${digestTag(digest)}.sig`);
    void this.layersAt(`${digestTag(digest)}.att`);
    void this.bundlesOf(digest);
  }

  private bundlesOf(digest: string): Promise<Envelope[]> {
    return memo(this.bundles, digest, async () => {
      const referrers = (await limited(() => this.client.referrers(this.repo, digest))).filter(
        (r) => r.artifactType === bundleType,
      );
      const envelopes: Envelope[] = [];
      for (const referrer of referrers) {
        for (const layer of await this.layersAt(referrer.digest)) {
          const bundle = parse(await this.blob(layer.digest)) as { mediaType?: string; dsseEnvelope?: Envelope };
          if (bundle?.mediaType === bundleType && bundle.dsseEnvelope) envelopes.push(bundle.dsseEnvelope);
        }
      }
      return envelopes;
    });
  }

  private layersAt(reference: string): Promise<Layer[]> {
    return memo(this.layers, reference, async () => {
      const manifest = await limited(() => this.client.manifest(this.repo, reference));
      return (manifest?.json as { layers?: Layer[] } | undefined)?.layers ?? [];
    });
  }

  /** A blob whose bytes match the digest that names them (a registry serving other bytes is not believed). */
  private blob(digest: string): Promise<Buffer> {
    return memo(this.blobs, digest, async () => {
      const bytes = await limited(() => this.client.blob(this.repo, digest));
      const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (actual !== digest) throw new Error(`${this.repo}@${digest} served bytes with digest ${actual}`);
      return bytes;
    });
  }
}

/**
 * Registry requests of the in-process path in flight at once on this worker: many releases verifying together
 * queue here instead of opening thousands of sockets to one registry (which then fails them all over to cosign).
 */
const maxRequests = 32;
let inFlight = 0;
const queued: (() => void)[] = [];

async function limited<T>(request: () => Promise<T>): Promise<T> {
  if (inFlight >= maxRequests) await new Promise<void>((resolve) => queued.push(resolve));
  inFlight++;
  try {
    return await request();
  } finally {
    inFlight--;
    queued.shift()?.();
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  const known = cache.get(key);
  if (known) return known;
  const loading = load();
  // A prefetch nobody awaits yet must not count as an unhandled rejection; whoever awaits it still sees the error.
  loading.catch(() => undefined);
  cache.set(key, loading);
  return loading;
}

/** The payload's sha256 when the envelope is signed by the key and states predicateType about this digest. */
function statementOf(envelope: Envelope, key: KeyObject, digest: string, predicateType: string): string[] {
  if (envelope?.payloadType !== 'application/vnd.in-toto+json' || !envelope.payload) return [];
  const body = Buffer.from(envelope.payload, 'base64');
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(envelope.payloadType)} ${envelope.payloadType} ${body.length} `),
    body,
  ]);
  if (!(envelope.signatures ?? []).some((s) => s.sig && verifies(pae, key, s.sig))) return [];
  const statement = parse(body) as { predicateType?: string; subject?: { digest?: { sha256?: string } }[] };
  const about = (statement?.subject ?? []).some((s) => `sha256:${s.digest?.sha256}` === digest);
  return about && statement?.predicateType === predicateType ? [createHash('sha256').update(body).digest('hex')] : [];
}

function verifies(data: Buffer, key: KeyObject, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64, 'base64');
  // Ed25519 keys sign the message itself; ECDSA and RSA keys sign its SHA-256 (cosign's default).
  return verify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key, signature);
}

function parse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
