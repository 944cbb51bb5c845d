// What a copy left at a registry, read through the registry API and normalised so that copies made by
// different tools compare equal exactly when they carry the same things: per artifact the version tag's digest,
// every tag name, every manifest of the closure, cosign's digest tags, the referrers of each manifest (by
// digest, whatever the bytes of a sha256-<hex> fallback index) and whether every blob is there.
import type { RegistryEndpoint, ResolvedOciArtifact } from '../../src/artifacts/types.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { presentBlobs, uniqueBlobs, walkClosure } from '../../src/registry/closure.ts';

export interface ArtifactView {
  repository: string;
  tag: string;
  tagDigest: string;
  /** Every tag name in the repository: the version tag, digest tags and sha256-<hex> fallback index tags. */
  tags: string[];
  manifests: string[];
  digestTags: string[];
  referrers: string[];
  blobs: number;
  missingBlobs: string[];
}

export async function readView(endpoint: RegistryEndpoint, artifacts: ResolvedOciArtifact[]): Promise<ArtifactView[]> {
  const client = new RegistryClient(endpoint);
  return Promise.all(
    artifacts.map(async (artifact) => {
      const repository = artifact.source.repository;
      const head = await client.headManifest(repository, artifact.tag);
      const view: ArtifactView = {
        repository,
        tag: artifact.tag,
        tagDigest: head?.digest ?? 'missing',
        tags: (await client.tags(repository)).sort(),
        manifests: [],
        digestTags: [],
        referrers: [],
        blobs: 0,
        missingBlobs: [],
      };
      if (!head) return view;
      const closure = await walkClosure(client, repository, head.digest);
      const blobs = uniqueBlobs(closure);
      const present = await presentBlobs(client, repository, blobs);
      view.manifests = [...closure.manifests.keys()].sort();
      view.digestTags = [...closure.digestTags].map(([t, d]) => `${t} -> ${d}`).sort();
      view.referrers = [...closure.referrers]
        .flatMap(([subject, digests]) => digests.map((d) => `${subject} <- ${d}`))
        .sort();
      view.blobs = blobs.size;
      view.missingBlobs = [...blobs.keys()].filter((d) => !present.has(d)).sort();
      return view;
    }),
  );
}

/** The differences between what a copy left and what was expected, one line each; empty when equal. */
export function differences(expected: ArtifactView[], actual: ArtifactView[]): string[] {
  const lines: string[] = [];
  for (const want of expected) {
    const got = actual.find((v) => v.repository === want.repository);
    const where = `${want.repository}:${want.tag}`;
    if (!got) {
      lines.push(`${where}: not read`);
      continue;
    }
    if (got.tagDigest !== want.tagDigest) lines.push(`${where}: tag is ${got.tagDigest}, expected ${want.tagDigest}`);
    for (const key of ['tags', 'manifests', 'digestTags', 'referrers'] as const) {
      const have = new Set(got[key]);
      const need = new Set(want[key]);
      for (const item of need) if (!have.has(item)) lines.push(`${where}: missing ${key} ${item}`);
      for (const item of have) if (!need.has(item)) lines.push(`${where}: extra ${key} ${item}`);
    }
    for (const blob of got.missingBlobs) lines.push(`${where}: blob ${blob} missing`);
    if (got.blobs !== want.blobs) lines.push(`${where}: ${got.blobs} blobs, expected ${want.blobs}`);
  }
  return lines;
}

export function viewTotals(view: ArtifactView[]): string {
  const sum = (f: (v: ArtifactView) => number): number => view.reduce((s, v) => s + f(v), 0);
  return `${view.length} artifacts, ${sum((v) => v.manifests.length)} manifests, ${sum((v) => v.digestTags.length)} cosign digest tags, ${sum((v) => v.referrers.length)} referrers, ${sum((v) => v.blobs)} blobs`;
}
