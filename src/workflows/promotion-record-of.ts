import { promotionPredicateType, type PromotionRecord } from '../artifacts/promotion-record.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import type { ReleaseStatus } from './status.ts';

/**
 * The promotion record of a release, from its status at the moment promotion attests (after the re-verify,
 * before floating tags move). Pure: the workflow builds it once per run and every retry signs the same record.
 */
export function promotionRecordOf(
  status: ReleaseStatus,
  spec: ReleaseSpec,
  run: { releaseId: string; runId: string },
): PromotionRecord {
  const approval = status.decisions.filter((d) => d.kind === 'approve' && d.gate !== 'sync').at(-1);
  return {
    predicateType: promotionPredicateType,
    releaseId: run.releaseId,
    runId: run.runId,
    project: status.project,
    version: status.version,
    tag: status.tag,
    commitSha: status.commitSha,
    startedBy: status.startedBy,
    approvedDigests: approval?.digests ?? [],
    artifacts: status.artifacts.map((a) => ({
      name: a.name,
      kind: a.kind,
      destination: a.destination,
      ...(a.digest ? { digest: a.digest } : {}),
      ...(a.platforms ? { platforms: a.platforms } : {}),
      ...(a.files ? { files: a.files } : {}),
    })),
    decisions: status.decisions.map((d) => ({ ...d })),
    verifications: status.artifacts.flatMap((a) => a.verifications.map((v) => ({ artifact: a.name, ...v }))),
    steps: status.steps.map((s) => ({ ...s })),
    policy: spec.policy,
    ...(status.freeze ? { freeze: { ...status.freeze } } : {}),
    planned: {
      floatingTags: spec.promotion.floatingTags,
      publishRelease: spec.promotion.publishRelease && spec.forge !== undefined,
      // The write request's URL template: the control plane's address, never a header or secret.
      pins: spec.promotion.pins.map((pin) => pin.request.url),
      // The release PR as given at start or found at publish.
      ...(status.pullRequest ? { mergePullRequest: status.pullRequest.number } : {}),
    },
    ...(status.release ? { release: { ...status.release } } : {}),
  };
}
