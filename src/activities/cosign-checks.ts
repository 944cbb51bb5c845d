import { createHash } from 'node:crypto';
import { FailureTypes } from '../errors.ts';
import { classifyToolFailure, runTool, toolFailureType } from '../tools/run.ts';
import type { CheckResult } from './attestation-placement.ts';

/** Payload types cosign reports for a signature (legacy simple signing, and sigstore bundle format). */
const signatureTypes = new Set(['cosign container image signature', 'https://sigstore.dev/cosign/sign/v1']);

/**
 * cosign's answers that are verdicts, not failures to run: 1 (does not verify), 10 (no signatures), 11 (no such
 * tag), 12 (no signature matches the identity or key), 13 (no certificate on the signature).
 */
const verdictExitCodes = [1, 10, 11, 12, 13];

/**
 * Registry trouble (auth, 429, 5xx, refused, timeouts, corrupt bytes) is not a verdict on a signature: it is thrown,
 * classified, and retried when a retry can help. A missing tag or signature stays a verdict.
 */
const troubleTypes = new Set<string>([
  FailureTypes.registryUnauthorized,
  FailureTypes.registryForbidden,
  FailureTypes.transient,
  FailureTypes.digestMismatch,
]);
export function isRegistryTrouble(stderr: string): boolean {
  return troubleTypes.has(toolFailureType(stderr));
}

/** `cosign verify`: the digest carries a signature by the policy's signer. */
export async function checkSignature(
  args: string[],
  env: Record<string, string>,
  what: string,
  digest: string,
): Promise<CheckResult> {
  const result = await runTool('cosign', args, {
    env,
    what: `signature check of ${what}`,
    acceptExitCodes: verdictExitCodes,
  });
  if (result.exitCode !== 0) return verdict(`signature check of ${what}`, result.stderr);
  const payloads = parseJsonLines(result.stdout) as {
    critical?: { type?: string; image?: { 'docker-manifest-digest'?: string } };
  }[];
  const signed = payloads.some(
    (p) => signatureTypes.has(p.critical?.type ?? '') && p.critical?.image?.['docker-manifest-digest'] === digest,
  );
  return signed ? { passed: true } : { passed: false, reason: 'cosign found attestations but no signature' };
}

/** `cosign verify-attestation --type T [--policy F]`: a signed attestation of that type, and its content passes. */
export async function checkAttestation(
  args: string[],
  env: Record<string, string>,
  what: string,
  policies: string[],
): Promise<CheckResult> {
  const result = await runTool('cosign', args, {
    env,
    what: `attestation check of ${what}`,
    acceptExitCodes: verdictExitCodes,
  });
  if (result.exitCode === 0) {
    const payloads = (parseJsonLines(result.stdout) as { payload?: string }[]).flatMap((envelope) =>
      envelope.payload ? [createHash('sha256').update(Buffer.from(envelope.payload, 'base64')).digest('hex')] : [],
    );
    return { passed: true, payloads };
  }
  const rules = contentPolicyErrors(result.stderr);
  if (rules.length > 0) {
    return { passed: false, reason: `content policy ${policies.join(', ')} refused it: ${rules.join('; ')}` };
  }
  return verdict(`attestation check of ${what}`, result.stderr);
}

/**
 * `cosign verify K ref1 ref2 ...`: the digests whose signature verified, or undefined when cosign refused one of
 * them (it stops at the first; the caller then asks per digest to learn which and why).
 */
export async function signedDigests(args: string[], env: Record<string, string>): Promise<Set<string> | undefined> {
  const result = await runTool('cosign', args, { env, what: 'signature check', acceptExitCodes: verdictExitCodes });
  if (result.exitCode !== 0) return noVerdict(result.stderr);
  const payloads = parseJsonLines(result.stdout) as {
    critical?: { type?: string; image?: { 'docker-manifest-digest'?: string } };
  }[];
  return new Set(
    payloads.flatMap((p) =>
      signatureTypes.has(p.critical?.type ?? '') ? [p.critical?.image?.['docker-manifest-digest'] ?? ''] : [],
    ),
  );
}

/**
 * `cosign verify-attestation --type T ref1 ref2 ...`: per digest, the sha256 of each verified attestation payload,
 * found by the in-toto statement's subject; undefined when cosign refused one of them or a payload names none of
 * the digests asked (then the caller asks per digest).
 */
export async function attestedDigests(
  args: string[],
  env: Record<string, string>,
  digests: string[],
): Promise<Map<string, string[]> | undefined> {
  const result = await runTool('cosign', args, { env, what: 'attestation check', acceptExitCodes: verdictExitCodes });
  if (result.exitCode !== 0) return noVerdict(result.stderr);
  const found = new Map<string, string[]>();
  for (const envelope of parseJsonLines(result.stdout) as { payload?: string }[]) {
    if (!envelope.payload) continue;
    const bytes = Buffer.from(envelope.payload, 'base64');
    const subjects = subjectDigests(bytes).filter((d) => digests.includes(d));
    if (subjects.length === 0) return undefined;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    for (const digest of subjects) found.set(digest, [...(found.get(digest) ?? []), sha256]);
  }
  return found;
}

function subjectDigests(payload: Buffer): string[] {
  try {
    const statement = JSON.parse(payload.toString('utf8')) as { subject?: { digest?: { sha256?: string } }[] };
    return (statement.subject ?? []).flatMap((s) => (s.digest?.sha256 ? [`sha256:${s.digest.sha256}`] : []));
  } catch {
    return [];
  }
}

/** A batch that did not verify: registry trouble is thrown as before; a verdict is left to the per-digest calls. */
function noVerdict(stderr: string): undefined {
  if (isRegistryTrouble(stderr)) throw classifyToolFailure('cosign', 'verification', stderr);
  return undefined;
}

function verdict(what: string, stderr: string): CheckResult {
  if (isRegistryTrouble(stderr)) throw classifyToolFailure('cosign', what, stderr);
  const lines = stderr.trim().split('\n');
  const reason = lines.filter((line) => line.startsWith('Error') || line.includes('error')).at(-1) ?? lines.at(-1);
  return { passed: false, reason: (reason ?? 'cosign refused it').replace(/^Error: /, '') };
}

/** cosign lists each CUE/Rego validation error as "- <error>" after "There are N number of errors". */
export function contentPolicyErrors(stderr: string): string[] {
  const lines = stderr.split('\n');
  const start = lines.findIndex((line) => /number of errors occurred during the validation/.test(line));
  if (start < 0) return [];
  return lines
    .slice(start + 1)
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2).trim());
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
