import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { VerificationPolicy } from '../config/verification-policy.ts';
import { FailureTypes, permanent } from '../errors.ts';

// What a verification reads on the worker before cosign runs: the public key and the plan's trust-root and
// content-policy files. Each missing one is a permanent error naming the plan field.

export async function loadKey(policy: VerificationPolicy): Promise<string | undefined> {
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

/**
 * The trust roots and content policies the plan names must be readable on the worker before cosign runs; returns
 * the sha256 of each by path (what the verification cache keys a check on).
 */
export async function checkPolicyFiles(policy: VerificationPolicy): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const files = [
    ...(policy.kind === 'keyless' && policy.certificateChain
      ? [['policy.keyless.certificateChain', policy.certificateChain]]
      : []),
    ...(policy.kind === 'keyless' && policy.trustedRoot ? [['policy.keyless.trustedRoot', policy.trustedRoot]] : []),
    ...policy.attestations.flatMap((a) => a.policies.map((path) => [`${a.type} attestation policy`, path])),
  ];
  for (const [field, path] of files) {
    const bytes = await readFile(path ?? '').catch(() => {
      throw permanent(
        FailureTypes.invalidInput,
        `${field}: cannot read ${path} on the worker; put the file there (paths are relative to the worker's working directory)`,
      );
    });
    hashes.set(path ?? '', createHash('sha256').update(bytes).digest('hex'));
  }
  return hashes;
}

export async function writeKey(env: Record<string, string>, pem: string): Promise<string> {
  const path = `${env.DOCKER_CONFIG}/cosign.pub`;
  await writeFile(path, pem, { mode: 0o600 });
  return path;
}
