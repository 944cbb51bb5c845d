import { proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { deriveSpec } from '../config/derive.ts';
import { phaseKey, projectKey, rollbackStatusQuery, versionKey } from './messages.ts';
import type { RollbackInput, RollbackStatus } from './status.ts';
import { pinJobs } from './pin-jobs.ts';

const a = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * Rollback = re-point the floating tags at a previously promoted version (seed 001), after checking that
 * version again where it lives, at the destination: its tag still resolves, and its signatures still verify.
 * Recorded like a release: who, why, which digests, which tags moved from where.
 */
export async function rollback(input: RollbackInput): Promise<RollbackStatus> {
  // Only the destination matters here: no source tags (sha-{commit}, {build}) to render.
  const spec = deriveSpec(
    { plan: input.plan, version: input.toVersion, commitSha: '0'.repeat(40), startedBy: input.by },
    { sourceTags: false },
  );
  const status: RollbackStatus = {
    project: spec.project,
    toVersion: spec.version,
    by: input.by,
    reason: input.reason,
    phase: 'verifying',
    artifacts: [],
    moves: [],
    pins: [],
  };
  setHandler(rollbackStatusQuery, () => status);
  upsertSearchAttributes([
    { key: projectKey, value: spec.project },
    { key: versionKey, value: spec.version },
    { key: phaseKey, value: 'rolling-back' },
  ]);
  const images = spec.oci.filter((artifact) => artifact.kind === 'image');
  const resolved = await Promise.all(
    images.map(async (image) => {
      const atDestination = await a.resolveOciArtifact.executeWithOptions(
        { startToCloseTimeout: '2 minutes', summary: `resolve ${image.name}:${image.tag} at the destination` },
        [{ ...image, source: image.destination }],
      );
      const verified = await a.verifyArtifact.executeWithOptions(
        {
          startToCloseTimeout: '10 minutes',
          heartbeatTimeout: '1 minute',
          summary: `verify ${image.name}@${atDestination.digest.slice(0, 19)}`,
        },
        [{ artifact: atDestination, where: 'destination', policy: spec.policies[image.name] ?? spec.policy }],
      );
      // Rollback reads the evidence: only a digest with this plan's signed promotion record is a target.
      const evidence = spec.evidence;
      const promotedBy = evidence
        ? await a.checkPromotionRecord.executeWithOptions(
            {
              startToCloseTimeout: '5 minutes',
              summary: `promotion record of ${image.name}@${atDestination.digest.slice(0, 19)}`,
            },
            [
              {
                name: image.name,
                location: image.destination,
                digest: atDestination.digest,
                project: spec.project,
                version: spec.version,
                key: evidence.key,
              },
            ],
          )
        : undefined;
      status.artifacts.push({
        name: image.name,
        digest: atDestination.digest,
        verifiedAgainst: verified.against,
        ...(promotedBy ? { promotedBy: promotedBy.releaseId } : {}),
      });
      return atDestination;
    }),
  );
  status.phase = 'moving-tags';
  for (const image of resolved) {
    const result = await a.requestFloatingTagMove.executeWithOptions(
      {
        startToCloseTimeout: '15 minutes',
        summary: `roll ${spec.promotion.floatingTags.join('/')} of ${image.name} back to ${image.tag}`,
      },
      [
        {
          name: image.name,
          destination: image.destination,
          versionTag: image.tag,
          digest: image.digest,
          kinds: spec.promotion.floatingTags,
          allowBackwards: true,
        },
      ],
    );
    status.moves.push(...result.moves.map((move) => ({ ...move, artifact: image.name })));
  }
  const notes = `${spec.project} rolled back to ${spec.version} by ${input.by}: ${input.reason}`;
  for (const job of pinJobs(spec, resolved, notes)) {
    const pinned = await a.pinDigest.executeWithOptions(
      { startToCloseTimeout: '2 minutes', summary: `re-pin ${job.fields.name}@${job.fields.digest.slice(0, 19)}` },
      [{ target: job.target, fields: job.fields }],
    );
    status.pins.push({ name: pinned.name, digest: pinned.digest, confirmed: pinned.confirmed, url: pinned.url });
  }
  status.phase = 'rolled-back';
  upsertSearchAttributes([{ key: phaseKey, value: 'rolled-back' }]);
  return status;
}
