import { FailureTypes, permanent } from '../errors.ts';
import { RegistryClient } from '../registry/client.ts';
import {
  closureTotals,
  missingAtDestination,
  presentBlobs,
  walkClosure,
  type ClosureTotals,
} from '../registry/closure.ts';
import { planCopy } from '../registry/copy-plan.ts';
import { pushManifests } from '../registry/push-manifests.ts';
import { sendBlobs } from '../registry/send-blobs.ts';
import { TransferWatch } from '../registry/transfer-watch.ts';
import { assertNotOption } from '../tools/run.ts';
import type { CopyProgress } from '../artifacts/copy-progress.ts';
import { refAtDigest, refAtTag, type ResolvedOciArtifact } from '../artifacts/types.ts';
import { CopyHeartbeat } from './copy-heartbeat.ts';

export type { CopyProgress } from '../artifacts/copy-progress.ts';
import { activityContext, activityLog, previousProgress } from './context.ts';

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
  /** Requests sent to the source and the destination registry by this attempt. */
  requests?: { source: number; destination: number };
}

export interface CopyOptions {
  /** Fail (retryable) when no byte has moved for this long while blobs are in flight; default 60 s. */
  stallTimeoutMs?: number;
  /** Treat the destination as possibly holding part of the closure (set by itself on a retried attempt). */
  resume?: boolean;
}

export const defaultStallTimeoutMs = 60_000;

/**
 * Copies one OCI artifact (image, chart or package) by digest with everything that refers to it: platform
 * manifests, cosign's legacy .sig/.att tags and OCI referrers. Looks first: a version tag already on another
 * digest is refused (never retag a release), and a destination that already holds the whole closure gets no
 * request that writes. The closure is walked once at the source and reused: blobs stream source -> destination
 * (digest checked on the fly, stalls caught by the idle limit), manifests follow children first, the version tag
 * last. A fresh destination gets no HEAD per blob; a retried attempt asks which blobs the crashed one left.
 */
export async function copyOciArtifact(artifact: ResolvedOciArtifact, options: CopyOptions = {}): Promise<CopyResult> {
  assertNotOption(artifact.tag, `${artifact.kind} "${artifact.name}" tag`);
  const what = `${artifact.kind} "${artifact.name}"`;
  const resumed =
    options.resume === true ||
    previousProgress<CopyProgress>() !== undefined ||
    (activityContext()?.info.attempt ?? 1) > 1;
  const source = new RegistryClient(artifact.source.endpoint);
  const destination = new RegistryClient(artifact.destination.endpoint);
  const destinationRef = refAtTag(artifact.destination, artifact.tag);
  const beat = new CopyHeartbeat(artifact.name);

  // The destination's version tag and the source closure are independent lookups: ask both at once.
  const [existing, closure] = await Promise.all([
    destination.headManifest(artifact.destination.repository, artifact.tag),
    walkClosure(source, artifact.source.repository, artifact.digest),
  ]);
  if (existing && existing.digest !== artifact.digest) {
    throw permanent(
      FailureTypes.tagConflict,
      `${what}: ${destinationRef} already points at ${existing.digest}, not ${artifact.digest}; a released version is never re-tagged: release a new version instead`,
      { artifact: artifact.name, tag: artifact.tag, existing: existing.digest, wanted: artifact.digest },
    );
  }
  if (!closure.manifests.has(artifact.digest)) {
    throw permanent(
      FailureTypes.sourceArtifactMissing,
      `${what}: ${refAtDigest(artifact.source, artifact.digest)} is gone from the source registry`,
    );
  }
  const totals = closureTotals(closure);
  beat.set({ phase: 'planning', blobsTotal: totals.blobs, bytesTotal: totals.bytes });
  const requests = () => ({ source: source.requests, destination: destination.requests });
  const base = { name: artifact.name, digest: artifact.digest, destination: destinationRef, totals, resumed };

  // Without the version tag the copy is not complete, whatever else is there: only then is the closure compared.
  const missing =
    existing === undefined
      ? undefined
      : await missingAtDestination(closure, destination, artifact.destination.repository);
  const only =
    missing &&
    new Set([
      ...missing.manifests,
      ...missing.referrers,
      ...missing.digestTags.map((t) => closure.digestTags.get(t) ?? ''),
    ]);
  if (only?.size === 0) return { ...base, alreadyPresent: true, blobsCopied: 0, bytesCopied: 0, requests: requests() };

  const plan = planCopy(closure, artifact.digest, existing ? undefined : artifact.tag, only);
  // A fresh destination (no version tag, first attempt) is just pushed to; otherwise ask what is there first.
  const present =
    existing || resumed
      ? await presentBlobs(
          destination,
          artifact.destination.repository,
          new Map(plan.blobs.map((b) => [b.digest, b.size])),
        )
      : new Set<string>();
  const toSend = plan.blobs.filter((blob) => !present.has(blob.digest));
  const sentBytes = toSend.reduce((sum, blob) => sum + blob.size, 0);
  beat.set({
    phase: 'copying',
    blobsDone: totals.blobs - toSend.length,
    bytesDone: totals.bytes - sentBytes,
  });
  activityLog('copying', { artifact: artifact.name, digest: artifact.digest, blobsToSend: toSend.length });

  const watch = new TransferWatch(
    what,
    `${artifact.source.endpoint.host}/${artifact.source.repository}`,
    options.stallTimeoutMs ?? defaultStallTimeoutMs,
    (bytes) => beat.bytes(bytes),
  );
  const route = {
    source,
    sourceRepository: artifact.source.repository,
    destination,
    destinationRepository: artifact.destination.repository,
    watch,
    what,
  };
  await sendBlobs(route, toSend, () => beat.blobDone());
  beat.set({ blobsDone: totals.blobs, bytesDone: totals.bytes });
  await pushManifests(destination, artifact.destination.repository, plan, what);
  return { ...base, alreadyPresent: false, blobsCopied: toSend.length, bytesCopied: sentBytes, requests: requests() };
}
