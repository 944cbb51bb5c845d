import { FailureTypes, permanent } from '../errors.ts';
import { eachBounded, Slots } from './bounded.ts';
import type { RegistryClient } from './client.ts';
import type { CopyPlan, ManifestPut, ReferrerIndexPut } from './copy-plan.ts';
import { digestOf, digestTag, type ManifestJson } from './manifest-types.ts';

const ociIndex = 'application/vnd.oci.image.index.v1+json';

/**
 * Puts a plan's manifests at the destination: level by level (children before the indexes listing them), then
 * each subject's referrers index where the registry does not keep one itself (it answers OCI-Subject when it
 * does), then the top manifest under the version tag, last. Every PUT answers the digest it stored; one that
 * differs from the digest walked at the source is a DigestMismatch.
 */
export async function pushManifests(
  destination: RegistryClient,
  repository: string,
  plan: CopyPlan,
  what: string,
  slots = new Slots(8),
): Promise<void> {
  let registryKeepsReferrers = false;
  const put = async (manifest: ManifestPut): Promise<void> => {
    const response = await destination.call('PUT', repository, `manifests/${manifest.reference}`, {
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.headers.get('oci-subject')) registryKeepsReferrers = true;
    const stored = response.headers.get('docker-content-digest');
    if (stored && stored !== manifest.digest) {
      throw permanent(
        FailureTypes.digestMismatch,
        `${what}: ${destination.endpoint.host}/${repository}:${manifest.reference} stored ${stored}, expected ${manifest.digest}`,
        { expected: manifest.digest, got: stored },
      );
    }
  };
  for (const level of plan.levels) await eachBounded(level, slots, put);
  if (!registryKeepsReferrers) {
    await eachBounded(plan.referrerIndexes, slots, (index) => putReferrerIndex(destination, repository, index, put));
  }
  if (plan.top) await put(plan.top);
}

/**
 * The fallback referrers index (tag sha256-<hex>) at the destination: the source's own index when the destination
 * has none, else the destination's with the missing descriptors added (referrers pushed there, e.g. promotion
 * records, are kept).
 */
async function putReferrerIndex(
  destination: RegistryClient,
  repository: string,
  index: ReferrerIndexPut,
  put: (manifest: ManifestPut) => Promise<void>,
): Promise<void> {
  const reference = digestTag(index.subject);
  const existing = await destination.manifest(repository, reference);
  if (!existing && index.sourceIndex) {
    const { bytes, mediaType, digest } = index.sourceIndex;
    return put({ digest, mediaType: mediaType || ociIndex, bytes, reference });
  }
  const manifests = [...(existing?.json.manifests ?? [])];
  const missing = index.descriptors.filter((d) => !manifests.some((m) => m.digest === d.digest));
  if (missing.length === 0) return;
  const json: ManifestJson = { schemaVersion: 2, mediaType: ociIndex, manifests: [...manifests, ...missing] };
  const bytes = Buffer.from(JSON.stringify(json));
  return put({ digest: digestOf(bytes), mediaType: ociIndex, bytes, reference });
}
