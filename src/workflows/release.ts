import { deriveSpec } from '../config/derive.ts';
import { endUnpromoted } from './clean-end.ts';
import { holdWhileFrozen } from './freeze-hold.ts';
import { attestPromotionRecords } from './promotion-attest.ts';
import type { ReleaseInput } from '../config/release-input.ts';
import { mergePullRequest, moveFloatingTags, pinDigests, publishRelease } from './promote.ts';
import {
  checkCanonical,
  copyArtifacts,
  draftRelease,
  findReleasePullRequest,
  resolveArtifacts,
  runSmokeChecks,
} from './publish.ts';
import { ReleaseDecisions } from './release-decisions.ts';
import { ReleaseAborted, ReleaseRun } from './release-run.ts';
import { ReleaseState } from './release-state.ts';
import { syncGatePoller } from './sync-gate.ts';
import type { ReleaseStatus } from './status.ts';
import { verifyArtifacts } from './verify-artifacts.ts';

/**
 * One release, as the process reads:
 *
 *   1. PUBLISH  resolve tags to digests, verify at the source, ask whether the commit is public (if not, wait
 *               for a sync go, asking again on a timer: sync-gate.ts), copy by digest, verify at the destination,
 *               draft the release, run smoke checks.
 *   2. GATE     a person approves the exact digest set, or rejects, or the deadline passes; a release that is not
 *               promoted removes its draft and, by plan, its version tags (clean-end.ts).
 *   3. PROMOTE  verify again, move the floating tags, publish the release, merge the release PR, pin the digests.
 *
 * A step that fails permanently parks the release in needs-attention until someone retries it or aborts
 * (release-run.ts); decisions arrive through release-decisions.ts; everything is recorded in release-state.ts.
 */
export async function release(input: ReleaseInput): Promise<ReleaseStatus> {
  const spec = deriveSpec(input);
  const state = new ReleaseState(spec);
  const decisions = new ReleaseDecisions(state, spec);
  const run = new ReleaseRun(spec, state, decisions);
  run.open();
  await decisions.proveStarter(input.starter);
  try {
    // 1. Publish
    await resolveArtifacts(run);
    await verifyArtifacts(run, 'verify-source');
    const commitIsPublic = await checkCanonical(run);
    if (spec.gate.sync === 'manual' || !commitIsPublic) {
      const sync = await run.gate('sync', syncGatePoller(run));
      if (sync !== 'approved') return await endUnpromoted(run, sync);
    }
    await copyArtifacts(run);
    await verifyArtifacts(run, 'verify-destination');
    await findReleasePullRequest(run);
    await draftRelease(run);
    await runSmokeChecks(run);

    // 2. Gate
    const approval = await run.gate('promotion');
    if (approval !== 'approved') return await endUnpromoted(run, approval);

    // 3. Promote (not inside a freeze window; a signed record on every digest before any tag moves)
    await holdWhileFrozen(run);
    await verifyArtifacts(run, 'reverify');
    await attestPromotionRecords(run);
    await moveFloatingTags(run);
    await publishRelease(run);
    await mergePullRequest(run);
    await pinDigests(run);
    return await run.finish('promoted');
  } catch (error) {
    if (error instanceof ReleaseAborted) return await endUnpromoted(run, 'aborted');
    throw error;
  }
}
