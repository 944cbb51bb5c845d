import { FailureTypes, permanent } from '../errors.ts';
import { RegistryClient } from '../registry/client.ts';
import {
  closureTotals,
  missingAtDestination,
  presentBlobs,
  uniqueBlobs,
  walkClosure,
  type ClosureTotals,
} from '../registry/closure.ts';
import { withToolAuth } from '../tools/auth-env.ts';
import { assertNotOption, runTool } from '../tools/run.ts';
import type { CopyProgress } from '../artifacts/copy-progress.ts';
import { refAtDigest, refAtTag, type ResolvedOciArtifact } from '../artifacts/types.ts';

export type { CopyProgress } from '../artifacts/copy-progress.ts';
import { activityLog, heartbeat, previousProgress } from './context.ts';

export interface CopyResult {
  name: string;
  digest: string;
  destination: string;
  /** True when everything was already at the destination and nothing was sent. */
  alreadyPresent: boolean;
  /** Blobs and bytes this attempt had to send (0 on a converged re-run). */
  blobsCopied: number;
  bytesCopied: number;
  totals: ClosureTotals;
  /** True when a previous attempt had started and this one carried on from what it left. */
  resumed: boolean;
}

const progressIntervalMs = 2_000;

/**
 * Copies one OCI artifact (image, chart or package) by digest with everything that refers to it: platform
 * manifests, cosign's legacy .sig/.att tags and OCI referrers. Looks first: a version tag already on another
 * digest is refused (never retag a release), and a destination that already holds the whole closure gets no
 * request that writes. regctl does the transfer and skips blobs the destination has, so a retry after a
 * worker crash carries on from what the crashed attempt left.
 */
export async function copyOciArtifact(artifact: ResolvedOciArtifact): Promise<CopyResult> {
  assertNotOption(artifact.tag, `${artifact.kind} "${artifact.name}" tag`);
  const resumed = previousProgress<CopyProgress>() !== undefined;
  const source = new RegistryClient(artifact.source.endpoint);
  const destination = new RegistryClient(artifact.destination.endpoint);
  const destinationRef = refAtTag(artifact.destination, artifact.tag);

  // The destination's version tag and the source closure are independent lookups: ask both at once.
  const [existing, closure] = await Promise.all([
    destination.headManifest(artifact.destination.repository, artifact.tag),
    walkClosure(source, artifact.source.repository, artifact.digest),
  ]);
  if (existing && existing.digest !== artifact.digest) {
    throw permanent(
      FailureTypes.tagConflict,
      `${artifact.kind} "${artifact.name}": ${destinationRef} already points at ${existing.digest}, not ${artifact.digest}; a released version is never re-tagged: release a new version instead`,
      { artifact: artifact.name, tag: artifact.tag, existing: existing.digest, wanted: artifact.digest },
    );
  }

  heartbeat({ phase: 'planning', blobsDone: 0, blobsTotal: 0, bytesDone: 0, bytesTotal: 0 } satisfies CopyProgress);
  if (!closure.manifests.has(artifact.digest)) {
    throw permanent(
      FailureTypes.sourceArtifactMissing,
      `${artifact.kind} "${artifact.name}": ${refAtDigest(artifact.source, artifact.digest)} is gone from the source registry`,
    );
  }
  const totals = closureTotals(closure);
  // Without the version tag the copy is not complete, whatever else is there: only then is the closure compared.
  const missing =
    existing === undefined
      ? undefined
      : await missingAtDestination(closure, destination, artifact.destination.repository);
  const complete =
    missing !== undefined &&
    missing.manifests.length === 0 &&
    missing.digestTags.length === 0 &&
    missing.referrers.length === 0;
  const base = { name: artifact.name, digest: artifact.digest, destination: destinationRef, totals, resumed };
  if (complete) return { ...base, alreadyPresent: true, blobsCopied: 0, bytesCopied: 0 };

  const blobs = uniqueBlobs(closure);
  const before = await presentBlobs(destination, artifact.destination.repository, blobs);
  const toSend = [...blobs].filter(([digest]) => !before.has(digest));
  const progress: CopyProgress = {
    phase: 'copying',
    blobsDone: blobs.size - toSend.length,
    blobsTotal: blobs.size,
    bytesDone: [...before].reduce((sum, digest) => sum + (blobs.get(digest) ?? 0), 0),
    bytesTotal: totals.bytes,
  };
  heartbeat(progress);
  activityLog('copying', { artifact: artifact.name, digest: artifact.digest, blobsToSend: toSend.length });

  const ticker = setInterval(() => {
    void presentBlobs(destination, artifact.destination.repository, new Map(toSend))
      .then((done) => {
        progress.blobsDone = blobs.size - toSend.length + done.size;
        progress.bytesDone = totals.bytes - toSend.reduce((sum, [d, size]) => sum + (done.has(d) ? 0 : size), 0);
        heartbeat(progress);
      })
      .catch(() => undefined);
  }, progressIntervalMs);
  try {
    await withToolAuth([artifact.source.endpoint, artifact.destination.endpoint], (auth) =>
      runTool(
        'regctl',
        [
          ...auth.regctlHostFlags,
          'image',
          'copy',
          '--referrers',
          '--digest-tags',
          '--force-recursive',
          refAtDigest(artifact.source, artifact.digest),
          destinationRef,
        ],
        { env: auth.env, what: `copy of ${artifact.kind} "${artifact.name}" to ${destinationRef}` },
      ),
    );
  } finally {
    clearInterval(ticker);
  }

  const after = await destination.headManifest(artifact.destination.repository, artifact.tag);
  if (after?.digest !== artifact.digest) {
    throw permanent(
      FailureTypes.digestMismatch,
      `${artifact.kind} "${artifact.name}": after the copy ${destinationRef} is ${after?.digest ?? 'missing'}, expected ${artifact.digest}`,
    );
  }
  heartbeat({ ...progress, phase: 'checking', blobsDone: blobs.size, bytesDone: totals.bytes });
  return {
    ...base,
    alreadyPresent: false,
    blobsCopied: toSend.length,
    bytesCopied: toSend.reduce((sum, [, size]) => sum + size, 0),
  };
}
