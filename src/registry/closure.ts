import { digestTag, type FetchedManifest, type ManifestDescriptor, type RegistryClient } from './client.ts';

export interface ClosureManifest {
  digest: string;
  mediaType: string;
  size: number;
  blobs: { digest: string; size: number }[];
  /** The manifest as the source serves it (pushed as is, never re-read). */
  bytes?: Buffer;
  /** Digests of index children (platform manifests). */
  children?: string[];
}

/** Everything a copy must carry for one artifact: its manifests, their blobs, signatures and attestations. */
export interface ArtifactClosure {
  manifests: Map<string, ClosureManifest>;
  /** cosign's legacy digest tags (sha256-<hex>.sig/.att/.sbom) and the tag each points at. */
  digestTags: Map<string, string>;
  /** Subject digest -> digests of its referrers (sigstore bundles, SBOMs as OCI 1.1 referrers). */
  referrers: Map<string, string[]>;
  /** Subject digest -> its referrers as the source lists them (descriptors, for the destination's referrer index). */
  referrerDescriptors?: Map<string, ManifestDescriptor[]>;
  /** Subject digest -> the source's fallback referrers index (tag sha256-<hex>), when that is where they were found. */
  referrerIndexes?: Map<string, FetchedManifest>;
}

export interface ClosureTotals {
  manifests: number;
  blobs: number;
  bytes: number;
}

/**
 * Manifests by digest, kept per worker process: content-addressed and checked against the digest when read, so a
 * cached one is the same bytes a new read would give. A warm copy re-reads only what can change (tags, referrers).
 */
const manifestCache = new Map<string, FetchedManifest>();
/** Bytes the cache may hold (manifests are up to 4 MiB each): oldest entries leave first. */
const manifestCacheBytes = 32 * 1024 * 1024;
let cachedBytes = 0;

async function manifestByDigest(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<FetchedManifest | undefined> {
  const cached = manifestCache.get(digest);
  if (cached) return cached;
  const fetched = await client.manifest(repository, digest);
  if (fetched && !manifestCache.has(digest) && fetched.bytes.length <= manifestCacheBytes / 8) {
    for (const [oldest, entry] of manifestCache) {
      if (cachedBytes + fetched.bytes.length <= manifestCacheBytes) break;
      manifestCache.delete(oldest);
      cachedBytes -= entry.bytes.length;
    }
    manifestCache.set(digest, fetched);
    cachedBytes += fetched.bytes.length;
  }
  return fetched;
}

/**
 * Walks an artifact in a registry: the top manifest, index children, legacy cosign digest tags of each,
 * and OCI referrers of each, recursively (a signature may itself have referrers). One tag list answers which
 * digest tags (and, on registries without the referrers API, which fallback referrer indexes) exist, so a digest
 * without any costs no request; manifests already read in this process are not read again.
 */
export async function walkClosure(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<ArtifactClosure> {
  const closure: ArtifactClosure = {
    manifests: new Map(),
    digestTags: new Map(),
    referrers: new Map(),
    referrerDescriptors: new Map(),
    referrerIndexes: new Map(),
  };
  const allTags = await client.tags(repository);
  const tagSet = new Set(allTags);
  const seen = new Set<string>();
  // Breadth first, each level's manifests, digest tags and referrers fetched at once: a warm "is it all there?"
  // costs a few round trips per level rather than one per object.
  let frontier = [digest];
  while (frontier.length > 0) {
    const level = frontier.filter((d) => !seen.has(d));
    level.forEach((d) => seen.add(d));
    const next = await Promise.all(level.map((current) => visit(current)));
    frontier = [...new Set(next.flat())];
  }
  return closure;

  async function visit(current: string): Promise<string[]> {
    const prefix = `${digestTag(current)}.`;
    const [manifest, tagged, referrers] = await Promise.all([
      manifestByDigest(client, repository, current),
      Promise.all(
        allTags
          .filter((t) => t.startsWith(prefix))
          .map(async (tag) => [tag, await client.headManifest(repository, tag)] as const),
      ),
      client.referrerIndex(repository, current, tagSet),
    ]);
    if (!manifest) return [];
    const json = manifest.json;
    const blobs: { digest: string; size: number }[] = [];
    if (json.config) blobs.push({ digest: json.config.digest, size: json.config.size });
    for (const layer of json.layers ?? []) blobs.push({ digest: layer.digest, size: layer.size });
    const children = (json.manifests ?? []).map((child) => child.digest);
    closure.manifests.set(current, {
      digest: current,
      mediaType: manifest.mediaType,
      size: manifest.bytes.length,
      blobs,
      bytes: manifest.bytes,
      children,
    });
    const found = [...children];
    for (const [tag, head] of tagged) {
      if (!head) continue;
      closure.digestTags.set(tag, head.digest);
      found.push(head.digest);
    }
    if (referrers.descriptors.length > 0) {
      closure.referrers.set(
        current,
        referrers.descriptors.map((r: ManifestDescriptor) => r.digest),
      );
      closure.referrerDescriptors?.set(current, referrers.descriptors);
      if (referrers.fallback) closure.referrerIndexes?.set(current, referrers.fallback);
      for (const referrer of referrers.descriptors) found.push(referrer.digest);
    }
    return found;
  }
}

export function closureTotals(closure: ArtifactClosure): ClosureTotals {
  const blobs = uniqueBlobs(closure);
  return {
    manifests: closure.manifests.size,
    blobs: blobs.size,
    bytes: [...blobs.values()].reduce((sum, size) => sum + size, 0),
  };
}

export function uniqueBlobs(closure: ArtifactClosure): Map<string, number> {
  const blobs = new Map<string, number>();
  for (const manifest of closure.manifests.values())
    for (const blob of manifest.blobs) blobs.set(blob.digest, blob.size);
  return blobs;
}

/**
 * What of a source closure the destination lacks: manifests, digest tags not pointing alike, referrers. A manifest
 * that a matching digest tag or the destination's referrer list already shows is there is not asked about again:
 * fewer requests make a converged re-run cheap.
 */
export async function missingAtDestination(
  closure: ArtifactClosure,
  destination: RegistryClient,
  repository: string,
): Promise<{ manifests: string[]; digestTags: string[]; referrers: string[] }> {
  const missing = { manifests: [] as string[], digestTags: [] as string[], referrers: [] as string[] };
  const shown = new Set<string>();
  await Promise.all([
    ...[...closure.digestTags].map(async ([tag, digest]) => {
      if ((await destination.headManifest(repository, tag))?.digest === digest) shown.add(digest);
      else missing.digestTags.push(tag);
    }),
    ...[...closure.referrers].map(async ([subject, digests]) => {
      const present = new Set((await destination.referrers(repository, subject)).map((r) => r.digest));
      for (const digest of digests) {
        if (present.has(digest)) shown.add(digest);
        else missing.referrers.push(digest);
      }
    }),
  ]);
  await Promise.all(
    [...closure.manifests.keys()]
      .filter((digest) => !shown.has(digest))
      .map(async (digest) => {
        if (!(await destination.headManifest(repository, digest))) missing.manifests.push(digest);
      }),
  );
  return missing;
}

/** Which of the blobs the repository already holds (one HEAD each, side by side). */
export async function presentBlobs(
  client: RegistryClient,
  repository: string,
  blobs: Map<string, number>,
): Promise<Set<string>> {
  const present = new Set<string>();
  await Promise.all(
    [...blobs.keys()].map(async (digest) => {
      if (await client.hasBlob(repository, digest)) present.add(digest);
    }),
  );
  return present;
}
