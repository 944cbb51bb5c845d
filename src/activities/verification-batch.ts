import type { AttestationRequirement, VerificationPolicy } from '../config/verification-policy.ts';
import { refAtDigest, type OciLocation } from '../artifacts/types.ts';
import type { CheckResult, Target } from './attestation-placement.ts';
import { attestedDigests, checkAttestation, checkSignature, signedDigests } from './cosign-checks.ts';
import { verifyAttestationArgs, verifySignatureArgs, type CosignFiles } from './cosign-command.ts';
import { cachedChecks } from './verification-cache.ts';

/**
 * One cosign process per check kind for all of an artifact's digests: `cosign verify K ref1 ref2 ...` and
 * `cosign verify-attestation --type T ref1 ref2 ...` verify each reference in turn with the same rules as one
 * reference per call (the digest binding, the key or identity, the tlog rule, the content policies) and exit
 * non-zero at the first one that does not verify. So a zero exit answers every digest at once; anything else
 * falls back to one call per digest, which names the digest and the reason (the stop-ship message people act on).
 */
export interface BatchContext {
  policy: VerificationPolicy;
  files: CosignFiles;
  env: Record<string, string>;
  location: OciLocation;
  describe: (target: Target) => string;
  /** The cache scope of this pass and check (undefined: no cache), see verification-cache.ts. */
  scope: (check: string) => string | undefined;
  /** Counts what ran, for the result's timings. */
  counts: { cosignRuns: number; cachedChecks: number };
  /** Called after each digest's check is answered (heartbeat progress). */
  onChecked: (n: number) => void;
}

const refs = (ctx: BatchContext, targets: Target[]) =>
  targets.map((t) => refAtDigest(ctx.location, t.digest)) as [string, ...string[]];

/** Every target's signature: one cosign call for all, per digest only when that call does not verify them all. */
export async function verifySignatures(ctx: BatchContext, targets: Target[]): Promise<Map<string, CheckResult>> {
  const { results, cached } = await cachedChecks(ctx.scope('signature'), targets, async (fresh) => {
    if (fresh.length > 1) {
      ctx.counts.cosignRuns++;
      const signed = await signedDigests(verifySignatureArgs(ctx.policy, ctx.files, ...refs(ctx, fresh)), ctx.env);
      if (signed && fresh.every((t) => signed.has(t.digest))) {
        ctx.onChecked(fresh.length);
        return new Map(fresh.map((t) => [t.digest, { passed: true }]));
      }
    }
    return eachDigest(ctx, fresh, (target) =>
      checkSignature(
        verifySignatureArgs(ctx.policy, ctx.files, ...refs(ctx, [target])),
        ctx.env,
        ctx.describe(target),
        target.digest,
      ),
    );
  });
  ctx.counts.cachedChecks += cached;
  return results;
}

/** Every target's attestation of one required type, the same way. */
export async function verifyAttestations(
  ctx: BatchContext,
  requirement: AttestationRequirement,
  targets: Target[],
): Promise<Map<string, CheckResult>> {
  const check = `attestation ${requirement.type}`;
  const { results, cached } = await cachedChecks(ctx.scope(check), targets, async (fresh) => {
    if (fresh.length > 1) {
      ctx.counts.cosignRuns++;
      const args = verifyAttestationArgs(ctx.policy, ctx.files, requirement, ...refs(ctx, fresh));
      const payloads = await attestedDigests(
        args,
        ctx.env,
        fresh.map((t) => t.digest),
      );
      if (payloads && fresh.every((t) => payloads.has(t.digest))) {
        ctx.onChecked(fresh.length);
        return new Map(fresh.map((t) => [t.digest, { passed: true, payloads: payloads.get(t.digest) ?? [] }]));
      }
    }
    return eachDigest(ctx, fresh, (target) =>
      checkAttestation(
        verifyAttestationArgs(ctx.policy, ctx.files, requirement, ...refs(ctx, [target])),
        ctx.env,
        ctx.describe(target),
        requirement.policies,
      ),
    );
  });
  ctx.counts.cachedChecks += cached;
  return results;
}

async function eachDigest(
  ctx: BatchContext,
  targets: Target[],
  check: (target: Target) => Promise<CheckResult>,
): Promise<Map<string, CheckResult>> {
  const answered = await Promise.all(
    targets.map(async (target) => {
      ctx.counts.cosignRuns++;
      const result = await check(target);
      ctx.onChecked(1);
      return [target.digest, result] as const;
    }),
  );
  return new Map(answered);
}
