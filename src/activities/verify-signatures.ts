import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { VerificationPolicy, VerifyMode } from '../config/verification-policy.ts';
import { FailureTypes, permanent } from '../errors.ts';
import { withToolAuth } from '../tools/auth-env.ts';
import { refAtDigest, type ResolvedOciArtifact } from '../artifacts/types.ts';
import { assertVersionTag } from '../registry/tags.ts';
import { checkPlacement, missingPlatforms, type Target } from './attestation-placement.ts';
import { checkAttestation, checkSignature } from './cosign-checks.ts';
import {
  printedFiles,
  shellLine,
  verifyAttestationArgs,
  verifySignatureArgs,
  type CosignFiles,
} from './cosign-command.ts';
import { heartbeat } from './context.ts';

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

  const keyPem = await loadKey(policy);
  await checkPolicyFiles(policy);
  const index: Target = { digest: artifact.digest, role: artifact.kind === 'image' ? 'index' : artifact.kind };
  const platforms: Target[] = artifact.platforms.map((p) => ({ digest: p.digest, role: p.platform }));
  const problems: string[] = [];
  const commands: string[] = [];
  const digests = new Map<string, DigestVerification>(
    [index, ...platforms].map((t) => [t.digest, { ...t, signature: false, attestations: [] }]),
  );
  const describe = (t: Target) => `${artifact.kind} "${artifact.name}" ${t.role} ${t.digest} at the ${where}`;

  const missing = missingPlatforms(policy.platforms, artifact.platforms);
  if (missing.length > 0) {
    problems.push(
      `${artifact.kind} "${artifact.name}" ${artifact.digest}: required platform${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing from the index (it has: ${artifact.platforms.map((p) => p.platform).join(', ') || 'none'})`,
    );
  }

  await withToolAuth([location.endpoint], async (auth) => {
    const env = auth.env;
    const files: CosignFiles = policy.kind === 'key' ? { key: await writeKey(auth.env, keyPem ?? '') } : {};
    let done = 0;
    // cosign runs take seconds each: keep heartbeating so a dead worker is noticed and a live one is not.
    const ticker = setInterval(() => heartbeat({ checked: done }), 2_000);
    try {
      const signature = async (target: Target) => {
        const ref = refAtDigest(location, target.digest);
        const result = await checkSignature(
          verifySignatureArgs(policy, files, ref),
          env,
          describe(target),
          target.digest,
        );
        if (result.passed) {
          commands.push(shellLine('cosign', verifySignatureArgs(policy, printedFiles(policy), ref)));
          (digests.get(target.digest) as DigestVerification).signature = true;
        } else problems.push(`signature of ${describe(target)}: ${result.reason}`);
        heartbeat({ checked: ++done });
      };
      // The index first, so a failure names the digest people approve; then the platforms side by side.
      await signature(index);
      await Promise.all(platforms.map(signature));
      for (const requirement of policy.attestations) {
        const outcome = await checkPlacement(requirement.on, index, platforms, async (target) => {
          const ref = refAtDigest(location, target.digest);
          const args = verifyAttestationArgs(policy, files, requirement, ref);
          const result = await checkAttestation(args, env, describe(target), requirement.policies);
          if (result.passed) {
            const verified = digests.get(target.digest);
            if (verified && result.payloads?.length)
              verified.attestationDigests = [
                ...(verified.attestationDigests ?? []),
                ...result.payloads.map((sha256) => ({ type: requirement.type, sha256 })),
              ];
            commands.push(
              shellLine('cosign', verifyAttestationArgs(policy, printedFiles(policy, requirement), requirement, ref)),
            );
          }
          heartbeat({ checked: ++done });
          return result;
        });
        for (const target of outcome.passedOn) digests.get(target.digest)?.attestations.push(requirement.type);
        for (const problem of outcome.problems) {
          problems.push(
            `${requirement.type} attestation (on: ${requirement.on}) of ${describe(problem.target)}: ${problem.reason}`,
          );
        }
      }
    } finally {
      clearInterval(ticker);
    }
  });

  const result: VerificationResult = {
    ...base,
    against: describePolicy(policy, keyPem),
    outcome: problems.length === 0 ? 'verified' : 'failed',
    digests: [...digests.values()],
    problems,
    commands: [...new Set(commands)].sort(),
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

async function loadKey(policy: VerificationPolicy): Promise<string | undefined> {
  if (policy.kind !== 'key') return undefined;
  if (policy.publicKeyEnv) {
    const pem = process.env[policy.publicKeyEnv];
    if (!pem)
      throw permanent(
        FailureTypes.invalidInput,
        `policy.key.env: environment variable ${policy.publicKeyEnv} is not set on the worker`,
      );
    return pem;
  }
  try {
    return await readFile(policy.publicKeyPath ?? '', 'utf8');
  } catch {
    throw permanent(
      FailureTypes.invalidInput,
      `policy.key.path: cannot read public key ${policy.publicKeyPath} on the worker; put the PEM there or use policy.key.env`,
    );
  }
}

/** The trust roots and content policies the plan names must be readable on the worker before cosign runs. */
async function checkPolicyFiles(policy: VerificationPolicy): Promise<void> {
  const files = [
    ...(policy.kind === 'keyless' && policy.certificateChain
      ? [['policy.keyless.certificateChain', policy.certificateChain]]
      : []),
    ...(policy.kind === 'keyless' && policy.trustedRoot ? [['policy.keyless.trustedRoot', policy.trustedRoot]] : []),
    ...policy.attestations.flatMap((a) => a.policies.map((path) => [`${a.type} attestation policy`, path])),
  ];
  for (const [field, path] of files) {
    await readFile(path ?? '').catch(() => {
      throw permanent(
        FailureTypes.invalidInput,
        `${field}: cannot read ${path} on the worker; put the file there (paths are relative to the worker's working directory)`,
      );
    });
  }
}

async function writeKey(env: Record<string, string>, pem: string): Promise<string> {
  const path = `${env.DOCKER_CONFIG}/cosign.pub`;
  await writeFile(path, pem, { mode: 0o600 });
  return path;
}
