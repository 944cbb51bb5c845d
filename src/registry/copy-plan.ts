import type { ArtifactClosure, ClosureManifest } from './closure.ts';
import type { FetchedManifest, ManifestDescriptor } from './manifest-types.ts';

/** One manifest PUT: by a tag (a cosign digest tag, or the version tag for the top) or by its digest. */
export interface ManifestPut {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  reference: string;
}

export interface ReferrerIndexPut {
  subject: string;
  descriptors: ManifestDescriptor[];
  /** The source's own fallback index, carried as is when the destination has none. */
  sourceIndex?: FetchedManifest;
}

export interface CopyPlan {
  /** Unique blobs of the manifests to push, largest first (the long transfers start first). */
  blobs: { digest: string; size: number }[];
  /** Manifests level by level, children before the indexes that list them; each level may go in parallel. */
  levels: ManifestPut[][];
  referrerIndexes: ReferrerIndexPut[];
  /** The top manifest under the version tag: put last, so the tag marks a complete copy. */
  top: ManifestPut | undefined;
}

/**
 * What to push, in which order, from a closure walked once. `only` limits the plan to some manifests (a warm run
 * that found a few missing); the top is put under `versionTag` only when given.
 */
export function planCopy(
  closure: ArtifactClosure,
  topDigest: string,
  versionTag: string | undefined,
  only?: ReadonlySet<string>,
): CopyPlan {
  const wanted = (digest: string) => !only || only.has(digest);
  const tagsOf = new Map<string, string[]>();
  for (const [tag, digest] of closure.digestTags) tagsOf.set(digest, [...(tagsOf.get(digest) ?? []), tag]);
  const depths = new Map<string, number>();
  const depth = (digest: string, trail: Set<string> = new Set()): number => {
    const known = depths.get(digest);
    if (known !== undefined) return known;
    if (trail.has(digest)) return 0;
    trail.add(digest);
    const children = (closure.manifests.get(digest)?.children ?? []).filter((c) => closure.manifests.has(c));
    const value = children.length === 0 ? 0 : 1 + Math.max(...children.map((c) => depth(c, trail)));
    depths.set(digest, value);
    return value;
  };

  const levels: ManifestPut[][] = [];
  const blobs = new Map<string, number>();
  const collect = (manifest: ClosureManifest) => manifest.blobs.forEach((b) => blobs.set(b.digest, b.size));
  for (const manifest of closure.manifests.values()) {
    if (!wanted(manifest.digest)) continue;
    collect(manifest);
    if (manifest.digest === topDigest) continue;
    const level = (levels[depth(manifest.digest)] ??= []);
    for (const reference of tagsOf.get(manifest.digest) ?? [manifest.digest]) level.push(putOf(manifest, reference));
  }
  const topManifest = closure.manifests.get(topDigest);
  const referrerIndexes: ReferrerIndexPut[] = [];
  for (const [subject, descriptors] of closure.referrerDescriptors ?? []) {
    if (!descriptors.some((d) => wanted(d.digest))) continue;
    const sourceIndex = closure.referrerIndexes?.get(subject);
    referrerIndexes.push({ subject, descriptors, ...(sourceIndex ? { sourceIndex } : {}) });
  }
  return {
    blobs: [...blobs].map(([digest, size]) => ({ digest, size })).sort((a, b) => b.size - a.size),
    levels: levels.filter((level) => level.length > 0),
    referrerIndexes,
    top: versionTag && topManifest ? putOf(topManifest, versionTag) : undefined,
  };
}

function putOf(manifest: ClosureManifest, reference: string): ManifestPut {
  if (!manifest.bytes) throw new Error(`manifest ${manifest.digest} was walked without its bytes`);
  return { digest: manifest.digest, mediaType: manifest.mediaType, bytes: manifest.bytes, reference };
}
