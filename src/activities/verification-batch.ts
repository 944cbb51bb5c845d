import type { AttestationRequirement, VerificationPolicy } from '../config/verification-policy.ts';
import { refAtDigest, type OciLocation } from '../artifacts/types.ts';
import type { CheckResult, Target } from './attestation-placement.ts';
import { attestedDigests, checkAttestation, checkSignature, signedDigests } from './cosign-checks.ts';
import { verifyAttestationArgs, verifySignatureArgs, type CosignFiles } from './cosign-command.ts';
import { cachedChecks } from './verification-cache.ts';
import { inProcessPredicateType, type KeyVerifier } from './key-verification.ts';

/**
 * One cosign process per check kind for all of an artifact's digests: `cosign verify K ref1 ref2 ...` and
 * `cosign verify-attestation --type T ref1 ref2 ...` verify each reference in turn with the same rules as one
 * reference per call (the digest binding, the key or identity, the tlog rule, the content policies) and exit
 * non-zero at the first one that does not verify. So a zero exit answers every digest at once; anything else
 * falls back to one call per digest, which names the digest and the reason (the stop-ship message people act on).
 * Before cosign, digests a key signer's in-process check shows verified (key-verification.ts) need no process.
 */
export interface BatchContext {
  policy: VerificationPolicy;
  files: CosignFiles;
  env: Record<string, string>;
  location: OciLocation;
  describe: (target: Target) => string;
  /** The cache scope of this pass and check (undefined: no cache), see verification-cache.ts. */
  scope: (check: string) => string | undefined;
  /** The in-process path for key signers (key-verification.ts), when the policy allows it. */
  inProcess?: KeyVerifier;
  /** Counts what ran, for the result's timings. */
  counts: { cosignRuns: number; cachedChecks: number; inProcessChecks: number };
  /** Called after each digest's check is answered (heartbeat progress). */
  onChecked: (n: number) => void;
}

const refs = (ctx: BatchContext, targets: Target[]) =>
  targets.map((t) => refAtDigest(ctx.location, t.digest)) as [string, ...string[]];

/** The three ways one kind of check can be answered, cheapest first. */
interface CheckWays {
  /** In-process (key signers): true or the payload digests when shown verified, false when not shown. */
  inProcess?: (verifier: KeyVerifier, target: Target) => Promise<boolean | string[]>;
  /** One cosign call for several digests: each digest's payload digests, or undefined when cosign refused one. */
  batch: (targets: Target[]) => Promise<Map<string, string[]> | undefined>;
  /** One cosign call for one digest: the verdict with its reason. */
  single: (target: Target) => Promise<CheckResult>;
}

/** Every target answered: from the pass cache, in-process, one cosign call for all, or one call per digest. */
async function verifyAll(
  ctx: BatchContext,
  check: string,
  targets: Target[],
  ways: CheckWays,
): Promise<Map<string, CheckResult>> {
  const { results, cached } = await cachedChecks(ctx.scope(check), targets, async (all) => {
    const shown = ways.inProcess ? await inProcess(ctx, all, ways.inProcess) : new Map<string, CheckResult>();
    const fresh = all.filter((t) => !shown.has(t.digest));
    if (fresh.length === 0) return shown;
    if (fresh.length > 1) {
      ctx.counts.cosignRuns++;
      const payloads = await ways.batch(fresh);
      if (payloads && fresh.every((t) => payloads.has(t.digest))) {
        ctx.onChecked(fresh.length);
        const passed = fresh.map((t): [string, CheckResult] => [
          t.digest,
          { passed: true, payloads: payloads.get(t.digest) },
        ]);
        return new Map([...shown, ...passed]);
      }
    }
    return new Map([...shown, ...(await eachDigest(ctx, fresh, ways.single))]);
  });
  ctx.counts.cachedChecks += cached;
  return results;
}

/** Every target's signature: one cosign call for all, per digest only when that call does not verify them all. */
export function verifySignatures(ctx: BatchContext, targets: Target[]): Promise<Map<string, CheckResult>> {
  const args = (targets: Target[]) => verifySignatureArgs(ctx.policy, ctx.files, ...refs(ctx, targets));
  return verifyAll(ctx, 'signature', targets, {
    inProcess: (verifier, target) => verifier.signed(target.digest),
    batch: async (fresh) => {
      const signed = await signedDigests(args(fresh), ctx.env);
      return signed && new Map([...signed].map((digest) => [digest, []]));
    },
    single: (target) => checkSignature(args([target]), ctx.env, ctx.describe(target), target.digest),
  });
}

/** Every target's attestation of one required type, the same way. */
export function verifyAttestations(
  ctx: BatchContext,
  requirement: AttestationRequirement,
  targets: Target[],
): Promise<Map<string, CheckResult>> {
  const predicateType = inProcessPredicateType(requirement);
  const args = (targets: Target[]) => verifyAttestationArgs(ctx.policy, ctx.files, requirement, ...refs(ctx, targets));
  return verifyAll(ctx, `attestation ${requirement.type}`, targets, {
    ...(predicateType
      ? {
          inProcess: async (verifier: KeyVerifier, target: Target) => {
            const payloads = await verifier.attested(target.digest, predicateType);
            return payloads.length > 0 ? payloads : false;
          },
        }
      : {}),
    batch: (fresh) =>
      attestedDigests(
        args(fresh),
        ctx.env,
        fresh.map((t) => t.digest),
      ),
    single: (target) => checkAttestation(args([target]), ctx.env, ctx.describe(target), requirement.policies),
  });
}

/**
 * The targets the in-process path shows verified (with their payload digests, for attestations); the others are
 * left to cosign. Any trouble reading the registry here is left to cosign too, which classifies it.
 */
async function inProcess(
  ctx: BatchContext,
  targets: Target[],
  check: NonNullable<CheckWays['inProcess']>,
): Promise<Map<string, CheckResult>> {
  const p = ctx.inProcess;
  if (!p) return new Map();
  const shown = new Map<string, CheckResult>();
  await Promise.all(
    targets.map(async (target) => {
      const answer = await check(p, target).catch(() => false);
      ctx.counts.inProcessChecks++;
      if (answer === false) return;
      shown.set(target.digest, answer === true ? { passed: true } : { passed: true, payloads: answer });
      ctx.onChecked(1);
    }),
  );
  return shown;
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
