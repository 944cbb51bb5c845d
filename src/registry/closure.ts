import { digestTag, type ManifestDescriptor, type RegistryClient } from './client.ts';

export interface ClosureManifest {
  digest: string;
  mediaType: string;
  size: number;
  blobs: { digest: string; size: number }[];
}

/** Everything a copy must carry for one artifact: its manifests, their blobs, signatures and attestations. */
export interface ArtifactClosure {
  manifests: Map<string, ClosureManifest>;
  /** cosign's legacy digest tags (sha256-<hex>.sig/.att/.sbom) and the tag each points at. */
  digestTags: Map<string, string>;
  /** Subject digest -> digests of its referrers (sigstore bundles, SBOMs as OCI 1.1 referrers). */
  referrers: Map<string, string[]>;
}

export interface ClosureTotals {
  manifests: number;
  blobs: number;
  bytes: number;
}

/**
 * Walks an artifact in a registry: the top manifest, index children, legacy cosign digest tags of each,
 * and OCI referrers of each, recursively (a signature may itself have referrers).
 */
export async function walkClosure(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<ArtifactClosure> {
  const closure: ArtifactClosure = { manifests: new Map(), digestTags: new Map(), referrers: new Map() };
  const allTags = await client.tags(repository);
  const pending = [digest];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    if (closure.manifests.has(current)) continue;
    const manifest = await client.manifest(repository, current);
    if (!manifest) continue;
    const json = manifest.json;
    const blobs: { digest: string; size: number }[] = [];
    if (json.config) blobs.push({ digest: json.config.digest, size: json.config.size });
    for (const layer of json.layers ?? []) blobs.push({ digest: layer.digest, size: layer.size });
    closure.manifests.set(current, {
      digest: current,
      mediaType: manifest.mediaType,
      size: manifest.bytes.length,
      blobs,
    });
    for (const child of json.manifests ?? []) pending.push(child.digest);
    const prefix = `${digestTag(current)}.`;
    for (const tag of allTags.filter((t) => t.startsWith(prefix))) {
      const head = await client.headManifest(repository, tag);
      if (!head) continue;
      closure.digestTags.set(tag, head.digest);
      pending.push(head.digest);
    }
    const referrers: ManifestDescriptor[] = await client.referrers(repository, current);
    if (referrers.length > 0) {
      closure.referrers.set(
        current,
        referrers.map((r) => r.digest),
      );
      for (const referrer of referrers) pending.push(referrer.digest);
    }
  }
  return closure;
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

/** What of a source closure the destination lacks: manifests, digest tags not pointing alike, referrers. */
export async function missingAtDestination(
  closure: ArtifactClosure,
  destination: RegistryClient,
  repository: string,
): Promise<{ manifests: string[]; digestTags: string[]; referrers: string[] }> {
  const missing = { manifests: [] as string[], digestTags: [] as string[], referrers: [] as string[] };
  await Promise.all(
    [...closure.manifests.keys()].map(async (digest) => {
      if (!(await destination.headManifest(repository, digest))) missing.manifests.push(digest);
    }),
  );
  await Promise.all(
    [...closure.digestTags].map(async ([tag, digest]) => {
      if ((await destination.headManifest(repository, tag))?.digest !== digest) missing.digestTags.push(tag);
    }),
  );
  await Promise.all(
    [...closure.referrers].map(async ([subject, digests]) => {
      const present = new Set((await destination.referrers(repository, subject)).map((r) => r.digest));
      for (const digest of digests) if (!present.has(digest)) missing.referrers.push(digest);
    }),
  );
  return missing;
}
