import type { OciLocation } from '../artifacts/types.ts';
import { FailureTypes, permanent } from '../errors.ts';
import { cosignVerifiedRecords } from '../evidence/cosign-records.ts';
import { withToolAuth } from '../tools/auth-env.ts';
import type { PromotionKey } from '../artifacts/promotion-record.ts';
import { loadPromotionKey } from '../evidence/promotion-key.ts';

export interface PromotionRecordCheck {
  name: string;
  location: OciLocation;
  digest: string;
  project: string;
  version: string;
  key: PromotionKey;
}

/**
 * Rollback reads the evidence: the target digest must carry a promotion record signed with this plan's
 * promotion key, for this project and version. A version that was copied but never promoted, or whose
 * record was forged by someone with registry write access, is refused.
 */
export async function checkPromotionRecord(input: PromotionRecordCheck): Promise<{ releaseId: string; runId: string }> {
  const reference = `${input.location.endpoint.host}/${input.location.repository}@${input.digest}`;
  return withToolAuth([input.location.endpoint], async (auth) => {
    const key = await loadPromotionKey(input.key, auth.env.DOCKER_CONFIG ?? '', auth.env);
    const found = await cosignVerifiedRecords({
      reference,
      digest: input.digest,
      publicKey: key.publicKey,
      env: key.env,
    });
    const record = found.records.find(
      (r) =>
        r.verificationResult === 'PASSED' &&
        r.shipgate.project === input.project &&
        r.shipgate.version === input.version,
    );
    if (!record)
      throw permanent(
        FailureTypes.verificationFailed,
        `${input.name} ${reference} has no promotion record of ${input.project} ${input.version} signed with the promotion key (${found.reason ?? 'records found are for another release or digest'}); only promoted versions can be rolled back to`,
      );
    return { releaseId: record.shipgate.releaseId, runId: record.shipgate.runId };
  });
}
