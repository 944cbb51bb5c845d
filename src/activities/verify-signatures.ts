import { createHash } from 'node:crypto';
import type { VerificationPolicy, VerifyMode } from '../config/verification-policy.ts';
import { FailureTypes, permanent } from '../errors.ts';
import { withToolAuth } from '../tools/auth-env.ts';
import { refAtDigest, type ResolvedOciArtifact } from '../artifacts/types.ts';
import { assertVersionTag } from '../registry/tags.ts';
import { checkPlacement, missingPlatforms, type Placement, type Target } from './attestation-placement.ts';
import { printedFiles, shellLine, verifyAttestationArgs, verifySignatureArgs } from './cosign-command.ts';
import { activityContext, heartbeat } from './context.ts';
import { verifyAttestations, verifySignatures, type BatchContext } from './verification-batch.ts';
import { checkFingerprint } from './verification-cache.ts';
import { inProcessKey, KeyVerifier } from './key-verification.ts';
import { RegistryClient } from '../registry/client.ts';
import { checkPolicyFiles, loadKey, writeKey } from './verification-inputs.ts';

export type { VerificationPolicy } from '../config/verification-policy.ts';

export interface DigestVerification {
  digest: string;
  /** "index", "linux/amd64", ... */
  role: string;
  signature: boolean;
  /** The attestation types verified on this digest. */
  attestations: string[];
  /** sha256 of each attestation payload that verified: the promotion record's input attestations. */
  attestationDigests?: { type: string; sha256: string }[];
}

export interface VerificationResult {
  name: string;
  where: 'source' | 'destination';
  against: string;
  mode: VerifyMode;
  /** verified: every check passed; failed: some did not (only returned in warn mode); not-verified: mode off. */
  outcome: 'verified' | 'failed' | 'not-verified';
  digests: DigestVerification[];
  /** What did not verify, each naming the check and the digest. */
  problems: string[];
  /** The cosign commands that ran, as shell lines with files by name: what the release notes print. */
  commands: string[];
  /**
   * How long the checks took on the worker (wall, from loading the key to the last cosign answer), per digest,
   * how many cosign processes ran and how many checks the pass's cache answered: read from history by
   * `bench:scale`. Absent in mode off.
   */
  timings?: VerificationTimings;
}

export interface VerificationTimings {
  wallMs: number;
  perDigestMs: number;
  digests: number;
  cosignRuns: number;
  cachedChecks: number;
  /** Checks the in-process path for key signers answered or tried (key-verification.ts). */
  inProcessChecks: number;
}

/**
 * The cache scope of one check in this pass (see verification-cache.ts): the release run, the pass (source,
 * destination, or the re-verify before promotion), the repository, and what the check asks. None outside an
 * activity.
 */
function cacheScope(
  input: { where: string; expectTag?: boolean; artifact: ResolvedOciArtifact },
  policy: VerificationPolicy,
  keyPem: string | undefined,
  policyFiles: Map<string, string>,
): (check: string) => string | undefined {
  const run = activityContext()?.info.workflowExecution;
  if (!run) return () => undefined;
  const location = input.where === 'source' ? input.artifact.source : input.artifact.destination;
  const pass = `${run.workflowId}/${run.runId}/${input.where}/${input.expectTag ? 'reverify' : 'verify'}`;
  const { mode: _mode, attestations, platforms: _platforms, ...signer } = policy;
  return (check) => {
    const requirement = attestations.find((a) => check === `attestation ${a.type}`);
    const contents = requirement?.policies.map((path) => policyFiles.get(path));
    const fingerprint = checkFingerprint({ signer, keyPem, check, policies: requirement?.policies, contents });
    return `${pass}\n${location.endpoint.host}/${location.repository}\n${fingerprint}`;
  };
}

function describePolicy(policy: VerificationPolicy, keyPem: string | undefined): string {
  if (policy.kind === 'key') {
    const fingerprint = keyPem ? createHash('sha256').update(keyPem.trim()).digest('hex').slice(0, 16) : 'unknown';
    return `key ${policy.publicKeyName ?? policy.publicKeyPath ?? policy.publicKeyEnv} (sha256:${fingerprint})`;
  }
  return `keyless ${policy.identity ?? policy.identityRegexp} from ${policy.issuer}`;
}

/**
 * Verifies one artifact where it lies now (source before the copy, destination after), by digest: the required
 * platforms are in the index, the index and every platform manifest are signed, each required attestation is
 * where the policy places it and passes its content policies. In require mode any miss is stop-ship (a
 * permanent failure naming the artifact, the digest and the check); in warn mode the misses are returned;
 * in off mode nothing is checked.
 */
export async function verifyArtifact(input: {
  artifact: ResolvedOciArtifact;
  where: 'source' | 'destination';
  policy: VerificationPolicy;
  /** Also check that the version tag still points at the recorded digest (the tamper check before promotion). */
  expectTag?: boolean;
}): Promise<VerificationResult> {
  const { artifact, policy, where } = input;
  const location = where === 'source' ? artifact.source : artifact.destination;
  // The tamper check is about what gets promoted, not about signatures: it runs in every mode.
  if (input.expectTag) await assertVersionTag(location, artifact, `${artifact.kind} "${artifact.name}"`);
  const base = { name: artifact.name, where, mode: policy.mode, digests: [], problems: [], commands: [] };
  if (policy.mode === 'off') return { ...base, against: 'nothing (mode off)', outcome: 'not-verified' };

  const started = performance.now();
  const keyPem = await loadKey(policy);
  const policyFiles = await checkPolicyFiles(policy);
  const index: Target = { digest: artifact.digest, role: artifact.kind === 'image' ? 'index' : artifact.kind };
  const platforms: Target[] = artifact.platforms.map((p) => ({ digest: p.digest, role: p.platform }));
  const problems: string[] = [];
  const commands: string[] = [];
  const digests = new Map<string, DigestVerification>(
    [index, ...platforms].map((t) => [t.digest, { ...t, signature: false, attestations: [] }]),
  );
  const describe = (t: Target) => `${artifact.kind} "${artifact.name}" ${t.role} ${t.digest} at the ${where}`;
  const counts = { cosignRuns: 0, cachedChecks: 0, inProcessChecks: 0 };
  const key = inProcessKey(policy, keyPem);

  const missing = missingPlatforms(policy.platforms, artifact.platforms);
  if (missing.length > 0) {
    problems.push(
      `${artifact.kind} "${artifact.name}" ${artifact.digest}: required platform${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing from the index (it has: ${artifact.platforms.map((p) => p.platform).join(', ') || 'none'})`,
    );
  }

  await withToolAuth([location.endpoint], async (auth) => {
    let done = 0;
    const ctx: BatchContext = {
      policy,
      files: policy.kind === 'key' ? { key: await writeKey(auth.env, keyPem ?? '') } : {},
      env: auth.env,
      location,
      describe,
      scope: cacheScope(input, policy, keyPem, policyFiles),
      ...(key ? { inProcess: new KeyVerifier(new RegistryClient(location.endpoint), location.repository, key) } : {}),
      counts,
      onChecked: (n) => heartbeat({ checked: (done += n) }),
    };
    // cosign runs take seconds each: keep heartbeating so a dead worker is noticed and a live one is not.
    const ticker = setInterval(() => heartbeat({ checked: done }), 2_000);
    try {
      // The signatures of every digest and each required attestation type side by side, one cosign call each.
      const [signatures, ...placements] = await Promise.all([
        verifySignatures(ctx, [index, ...platforms]),
        ...policy.attestations.map((requirement) =>
          checkPlacement(requirement.on, index, platforms, (targets) => verifyAttestations(ctx, requirement, targets)),
        ),
      ]);
      for (const target of [index, ...platforms]) {
        const result = signatures.get(target.digest);
        const ref = refAtDigest(location, target.digest);
        if (result?.passed) {
          commands.push(shellLine('cosign', verifySignatureArgs(policy, printedFiles(policy), ref)));
          (digests.get(target.digest) as DigestVerification).signature = true;
        } else problems.push(`signature of ${describe(target)}: ${result?.reason ?? 'not checked'}`);
      }
      policy.attestations.forEach((requirement, i) => {
        const outcome = placements[i] as Placement;
        for (const target of outcome.passedOn) {
          const result = outcome.answers.get(target.digest);
          const verified = digests.get(target.digest);
          verified?.attestations.push(requirement.type);
          if (verified && result?.passed && result.payloads?.length)
            verified.attestationDigests = [
              ...(verified.attestationDigests ?? []),
              ...result.payloads.map((sha256) => ({ type: requirement.type, sha256 })),
            ];
          const ref = refAtDigest(location, target.digest);
          const printed = verifyAttestationArgs(policy, printedFiles(policy, requirement), requirement, ref);
          commands.push(shellLine('cosign', printed));
        }
        for (const problem of outcome.problems) {
          problems.push(
            `${requirement.type} attestation (on: ${requirement.on}) of ${describe(problem.target)}: ${problem.reason}`,
          );
        }
      });
    } finally {
      clearInterval(ticker);
    }
  });
  const wallMs = Math.round(performance.now() - started);

  const result: VerificationResult = {
    ...base,
    against: describePolicy(policy, keyPem),
    outcome: problems.length === 0 ? 'verified' : 'failed',
    digests: [...digests.values()],
    problems,
    commands: [...new Set(commands)].sort(),
    timings: { wallMs, perDigestMs: Math.round(wallMs / digests.size), digests: digests.size, ...counts },
  };
  if (problems.length > 0 && policy.mode === 'require') {
    throw permanent(
      FailureTypes.verificationFailed,
      `stop-ship: ${problems.join('; ')}; do not promote: sign/attest it as the policy requires, or fix the policy`,
      { artifact: artifact.name, problems },
    );
  }
  return result;
}
