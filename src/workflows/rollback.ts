import { ApplicationFailure, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { digestSetSha256 } from '../config/decision-statement.ts';
import { deriveSpec } from '../config/derive.ts';
import { FailureTypes } from '../errors.ts';
import { DecisionProofs } from './decision-proofs.ts';
import { phaseKey, projectKey, releaseWorkflowId, rollbackStatusQuery, versionKey } from './messages.ts';
import { openRollbackGate } from './rollback-gate.ts';
import type { RollbackInput, RollbackSearchPhase, RollbackStatus } from './status.ts';
import { pinJobs } from './pin-jobs.ts';

export type { RollbackInput, RollbackStatus } from './status.ts';

const a = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/**
 * Rollback is a release decision (seed 001: "rollback = re-pin"): only to a version whose release ended
 * promoted, checked again at the destination (its tag still holds the promoted digest, its signatures still
 * verify), approved at its own gate under the plan's identity and quorum rules, then the floating tags move
 * back (never forward) and the control plane is re-pinned to the rolled-back digests. Recorded like a release.
 */
export async function rollback(input: RollbackInput): Promise<RollbackStatus> {
  // Only the destination matters here: no source tags (sha-{commit}, {build}) to render.
  const spec = deriveSpec(
    { plan: input.plan, version: input.toVersion, commitSha: '0'.repeat(40), startedBy: input.by },
    { sourceTags: false },
  );
  const status: RollbackStatus = {
    project: spec.project,
    version: spec.version,
    toVersion: spec.version,
    by: input.by,
    startedBy: input.by,
    identity: spec.gate.identity.mode,
    reason: input.reason,
    phase: 'verifying',
    artifacts: [],
    decisions: [],
    moves: [],
    pins: [],
  };
  setHandler(rollbackStatusQuery, () => status);
  upsertSearchAttributes([
    { key: projectKey, value: spec.project },
    { key: versionKey, value: spec.version },
    { key: phaseKey, value: 'rolling-back' satisfies RollbackSearchPhase },
  ]);
  const proofs = new DecisionProofs(spec, (request) =>
    a.verifyDecision.executeWithOptions({ startToCloseTimeout: '1 minute', summary: 'check who made a decision' }, [
      request,
    ]),
  );
  const gate = openRollbackGate(spec, status, proofs);
  if (input.starter) {
    const now = new Date().toISOString();
    const proven = await proofs.proveStarter(input.starter, now, digestSetSha256([`rollback@${spec.version}`]));
    if (typeof proven === 'string')
      status.decisions.push({
        kind: 'refused',
        by: input.by,
        at: now,
        refusal: `start statement: ${proven}`,
        via: 'update',
      });
    else Object.assign(status, { startedBy: proven.principal, startedByProof: proven.proof });
  }

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

  // Only a version whose own release ended promoted, with the digests that release promoted (a tag that resolves
  // proves nothing: publish puts every version at the destination before its approval).
  const outcome = await a.readReleaseOutcome.executeWithOptions(
    { startToCloseTimeout: '1 minute', summary: `was ${spec.project} ${spec.version} promoted?` },
    [{ releaseId: releaseWorkflowId(spec.project, spec.version) }],
  );
  status.fromRelease = outcome.releaseId;
  for (const image of resolved) {
    const promoted = outcome.images.find((entry) => entry.name === image.name);
    if (promoted?.digest !== image.digest)
      throw ApplicationFailure.nonRetryable(
        promoted
          ? `${image.name}:${image.tag} at the destination is ${image.digest}, but ${promoted.digest} was promoted; find out who re-pointed it`
          : `${outcome.releaseId} promoted no image "${image.name}"; the plan and that release differ`,
        promoted ? FailureTypes.tagTampered : FailureTypes.decisionRefused,
      );
  }

  const outcomeAtGate = await gate.wait(resolved.map((image) => `${image.name}@${image.digest}`));
  if (outcomeAtGate !== 'approved') {
    status.phase = outcomeAtGate;
    upsertSearchAttributes([{ key: phaseKey, value: outcomeAtGate satisfies RollbackSearchPhase }]);
    return status;
  }

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
  status.phase = 'pinning';
  const notes = `${spec.project} rolled back to ${spec.version} by ${input.by}: ${input.reason}`;
  // Re-pin with the commit of the release that promoted this version.
  for (const job of pinJobs({ ...spec, commitSha: outcome.commitSha }, resolved, notes)) {
    const pinned = await a.pinDigest.executeWithOptions(
      { startToCloseTimeout: '2 minutes', summary: `re-pin ${job.fields.name}@${job.fields.digest.slice(0, 19)}` },
      [{ target: job.target, fields: job.fields }],
    );
    status.pins.push({ name: pinned.name, digest: pinned.digest, confirmed: pinned.confirmed, url: pinned.url });
  }
  status.phase = 'rolled-back';
  upsertSearchAttributes([{ key: phaseKey, value: 'rolled-back' satisfies RollbackSearchPhase }]);
  return status;
}
