import { workflowInfo, type ActivityInterfaceFor, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { ResolvedOciArtifact } from '../artifacts/types.ts';
import { recordSubjects, vsaPredicateFor, type PromotionRecord } from '../artifacts/promotion-record.ts';
import { promotionRecordOf } from './promotion-record-of.ts';
import type { ReleaseState } from './release-state.ts';
import type { ReleaseSpec } from './spec.ts';

/**
 * The attest step: one signed promotion record per promoted digest, pushed before floating tags move. The
 * record is built once per run, so a retry of the step (after a crash or needs-attention) signs the very same
 * record and the activity finds it already there.
 */
export function promotionAttest(deps: {
  spec: ReleaseSpec;
  state: ReleaseState;
  activities: Pick<ActivityInterfaceFor<Activities>, 'attestPromotion'>;
  options: ActivityOptions;
}): { attest: (artifacts: ResolvedOciArtifact[]) => Promise<string> } {
  let record: PromotionRecord | undefined;
  const attest = async (artifacts: ResolvedOciArtifact[]): Promise<string> => {
    const { spec, state } = deps;
    const evidence = spec.evidence;
    if (!evidence) return 'no promotion key in the plan';
    record ??= promotionRecordOf(state.status, spec, {
      releaseId: workflowInfo().workflowId,
      runId: workflowInfo().runId,
    });
    const current = record;
    const subjects = recordSubjects(current);
    state.status.evidence ??= [];
    await Promise.all(
      artifacts.map(async (artifact) => {
        const done = `attest:${artifact.name}`;
        const mine = subjects.filter((s) => s.artifact === artifact.name);
        if (state.isDone(done) || mine.length === 0) return;
        const attested = await deps.activities.attestPromotion.executeWithOptions(
          { ...deps.options, summary: `sign the promotion record of ${artifact.name} (${mine.length} digests)` },
          [
            {
              artifact: artifact.name,
              destination: artifact.destination,
              key: evidence.key,
              subjects: mine.map((subject) => ({
                digest: subject.digest,
                predicate: vsaPredicateFor(current, subject),
              })),
            },
          ],
        );
        state.status.evidence?.push(
          ...attested.map((a) => ({ reference: a.reference, digest: a.digest, pushed: a.pushed, format: a.formats })),
        );
        state.markDone(done);
      }),
    );
    const pushed = state.status.evidence.filter((e) => e.pushed).length;
    return `${state.status.evidence.length} promotion records signed (${pushed} pushed, ${state.status.evidence.length - pushed} already there)`;
  };
  return { attest };
}
