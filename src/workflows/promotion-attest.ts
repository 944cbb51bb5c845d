import { workflowInfo } from '@temporalio/workflow';
import { recordSubjects, vsaPredicateFor } from '../artifacts/promotion-record.ts';
import { promotionRecordOf } from './promotion-record-of.ts';
import type { ReleaseRun } from './release-run.ts';

/**
 * The attest step, after the re-verify and before floating tags move (so `latest` never points at a digest
 * without its record): one signed promotion record per promoted digest. The record is built once, before the
 * step's first attempt, so a retried step (after a crash or needs-attention) signs the very same record and
 * the activity finds it already there.
 */
export async function attestPromotionRecords({ step, eachOnce, activities: a, timeouts, spec, state }: ReleaseRun) {
  const evidence = spec.evidence;
  if (!evidence) return;
  const { workflowId, runId } = workflowInfo();
  const record = promotionRecordOf(state.status, spec, { releaseId: workflowId, runId });
  const subjects = recordSubjects(record);
  await step('attest', async () => {
    const artifacts = state.resolvedOci().filter((artifact) => subjects.some((s) => s.artifact === artifact.name));
    await eachOnce('attest', artifacts, async (artifact) => {
      const mine = subjects.filter((s) => s.artifact === artifact.name);
      const attested = await a.attestPromotion.executeWithOptions(
        { ...timeouts.verify, summary: `sign the promotion record of ${artifact.name} (${mine.length} digests)` },
        [
          {
            artifact: artifact.name,
            destination: artifact.destination,
            key: evidence.key,
            subjects: mine.map((subject) => ({ digest: subject.digest, predicate: vsaPredicateFor(record, subject) })),
          },
        ],
      );
      state.recordEvidence(
        attested.map((r) => ({ reference: r.reference, digest: r.digest, pushed: r.pushed, format: r.formats })),
      );
    });
    const records = state.status.evidence ?? [];
    const pushed = records.filter((r) => r.pushed).length;
    return `${records.length} promotion records signed (${pushed} pushed, ${records.length - pushed} already there)`;
  });
}
