import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { FailureTypes, permanent } from '../errors.ts';
import { withToolAuth, type ToolAuth } from '../tools/auth-env.ts';
import { classifyToolFailure, runTool } from '../tools/run.ts';
import { refAtDigest, type ResolvedOciArtifact } from '../artifacts/types.ts';
import { assertVersionTag } from '../registry/tags.ts';
import { heartbeat } from './context.ts';
import type { VerificationPolicy } from '../config/spec.ts';

export interface DigestVerification {
  digest: string;
  /** "index", "linux/amd64", ... */
  role: string;
  signature: boolean;
  attestations: string[];
}

export interface VerificationResult {
  name: string;
  where: 'source' | 'destination';
  against: string;
  digests: DigestVerification[];
}

/** Payload types cosign reports for a signature (legacy simple signing, and sigstore bundle format). */
const signatureTypes = new Set(['cosign container image signature', 'https://sigstore.dev/cosign/sign/v1']);

/** The identity half of a cosign verify command line; keyless flags are passed exactly as the plan gives them. */
function identityArgs(policy: VerificationPolicy, keyFile: string | undefined): string[] {
  if (policy.kind === 'key') return ['--key', keyFile ?? '', '--insecure-ignore-tlog=true'];
  const identity = policy.identity
    ? ['--certificate-identity', policy.identity]
    : ['--certificate-identity-regexp', policy.identityRegexp ?? ''];
  return [...identity, '--certificate-oidc-issuer', policy.issuer];
}

function describePolicy(policy: VerificationPolicy, keyPem: string | undefined): string {
  if (policy.kind === 'key') {
    const fingerprint = keyPem ? createHash('sha256').update(keyPem.trim()).digest('hex').slice(0, 16) : 'unknown';
    return `key ${policy.publicKeyName ?? policy.publicKeyPath ?? policy.publicKeyEnv} (sha256:${fingerprint})`;
  }
  return `keyless ${policy.identity ?? policy.identityRegexp} from ${policy.issuer}`;
}

/**
 * Verifies one artifact where it lies now (source before the copy, destination after): a signature on the
 * index and on every platform manifest, and each required attestation. Any miss is stop-ship: a permanent
 * failure naming the artifact, the digest and what failed. Each check is by digest, never by tag.
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
  if (input.expectTag) await assertVersionTag(location, artifact, `${artifact.kind} "${artifact.name}"`);
  const keyPem = await loadKey(policy);
  const against = describePolicy(policy, keyPem);
  const targets = [
    { digest: artifact.digest, role: artifact.kind === 'image' ? 'index' : artifact.kind },
    ...artifact.platforms.map((p) => ({ digest: p.digest, role: p.platform })),
  ];
  const wantAttestations = artifact.kind === 'image' ? policy.attestations : [];
  return withToolAuth([location.endpoint], async (auth) => {
    const env = auth.env;
    const keyFile = policy.kind === 'key' ? await writeKey(auth, keyPem ?? '') : undefined;
    const args = identityArgs(policy, keyFile);
    const digests: DigestVerification[] = [];
    let done = 0;
    // cosign runs take seconds each: keep heartbeating so a dead worker is noticed and a live one is not.
    const ticker = setInterval(() => heartbeat({ verified: done, of: targets.length }), 2_000);
    const check = async (target: (typeof targets)[number], index: number): Promise<void> => {
      const ref = refAtDigest(location, target.digest);
      const what = `${artifact.kind} "${artifact.name}" ${target.role} ${target.digest} at the ${where}`;
      await verifySignature(ref, args, env, what, target.digest);
      const required = index === 0 || policy.attestationsPerPlatform ? wantAttestations : [];
      for (const type of required) await verifyAttestation(ref, args, env, what, type);
      digests.push({ digest: target.digest, role: target.role, signature: true, attestations: required });
      heartbeat({ verified: ++done, of: targets.length });
    };
    // The index first, so a failure names the digest people approve; then the platforms side by side.
    try {
      await check(targets[0] as (typeof targets)[number], 0);
      await Promise.all(targets.slice(1).map((target, index) => check(target, index + 1)));
    } finally {
      clearInterval(ticker);
    }
    digests.sort(
      (a, b) => targets.findIndex((t) => t.digest === a.digest) - targets.findIndex((t) => t.digest === b.digest),
    );
    return { name: artifact.name, where, against, digests };
  });
}

async function verifySignature(
  ref: string,
  identity: string[],
  env: Record<string, string>,
  what: string,
  digest: string,
) {
  const result = await runTool('cosign', ['verify', ...identity, '--output', 'json', ref], {
    env,
    what: `signature check of ${what}`,
    acceptExitCodes: [1, 10],
  });
  if (result.exitCode !== 0) throw verificationFailure(what, 'signature', result.stderr);
  const payloads = parseJsonLines(result.stdout) as {
    critical?: { type?: string; image?: { 'docker-manifest-digest'?: string } };
  }[];
  const signed = payloads.some(
    (p) => signatureTypes.has(p.critical?.type ?? '') && p.critical?.image?.['docker-manifest-digest'] === digest,
  );
  if (!signed)
    throw verificationFailure(what, 'signature', 'cosign found attestations but no signature for this digest');
}

async function verifyAttestation(
  ref: string,
  identity: string[],
  env: Record<string, string>,
  what: string,
  type: string,
) {
  const result = await runTool('cosign', ['verify-attestation', ...identity, '--type', type, '--output', 'json', ref], {
    env,
    what: `${type} attestation check of ${what}`,
    acceptExitCodes: [1, 10],
  });
  if (result.exitCode !== 0) throw verificationFailure(what, `${type} attestation`, result.stderr);
}

function verificationFailure(what: string, check: string, stderr: string) {
  // Registry trouble (auth, 5xx, refused) is not a verdict on the signature: classify it as such.
  if (/unauthorized|forbidden|denied|\b(401|403|429|500|502|503|504)\b|connection refused|i\/o timeout/i.test(stderr)) {
    return classifyToolFailure('cosign', `${check} check of ${what}`, stderr);
  }
  const reason =
    stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('Error') || line.includes('error'))
      .at(-1) ?? stderr.trim().split('\n').at(-1);
  return permanent(
    FailureTypes.verificationFailed,
    `stop-ship: ${check} of ${what} did not verify: ${reason?.replace(/^Error: /, '')}; do not promote: sign/attest it with the release key or fix the policy`,
    { check },
  );
}

function parseJsonLines(text: string): unknown[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
  } catch {
    return trimmed.split('\n').flatMap((line): unknown[] => {
      try {
        const parsed = JSON.parse(line) as unknown;
        return Array.isArray(parsed) ? (parsed as unknown[]) : [parsed];
      } catch {
        return [];
      }
    });
  }
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

async function writeKey(auth: ToolAuth, pem: string): Promise<string> {
  const path = `${auth.env.DOCKER_CONFIG}/cosign.pub`;
  await writeFile(path, pem, { mode: 0o600 });
  return path;
}
