import { now } from './workflow-time.ts';
import type { ReleaseRun } from './release-run.ts';

const stages = {
  'verify-source': { where: 'source', label: 'at source', expectTag: false },
  'verify-destination': { where: 'destination', label: 'at destination', expectTag: false },
  reverify: { where: 'destination', label: 'before promotion', expectTag: true },
} as const;

/**
 * One verification for the three moments the seeds ask for: at the source before the copy, at the destination
 * after it, and again right before promotion (the version tag must still name the published digest).
 */
export async function verifyArtifacts(
  { step, eachOnce, activities: a, timeouts, spec, state }: ReleaseRun,
  stage: keyof typeof stages,
): Promise<void> {
  const { where, label, expectTag } = stages[stage];
  await step(stage, async () => {
    await eachOnce(stage, state.resolvedOci(), async (artifact) => {
      const verb = stage === 'reverify' ? 're-verify' : 'verify';
      const summary = `${verb} ${artifact.name}@${artifact.digest.slice(0, 19)} ${label}`;
      // Each artifact under its own policy: its mode, attestations and required platforms.
      const policy = spec.policies[artifact.name] ?? spec.policy;
      const input = { artifact, where, policy, ...(expectTag ? { expectTag } : {}) };
      const result = await a.verifyArtifact.executeWithOptions({ ...timeouts.verify, summary }, [input]);
      state.recordVerification(result, now());
    });
    return stage === 'reverify' ? 'destination unchanged since publish' : state.verificationSummary(where);
  });
}
