import type { AttestationRequirement, VerificationPolicy } from '../config/verification-policy.ts';

/**
 * The cosign command lines shipgate verifies with. One builder for both what runs and what is printed for
 * consumers (release notes, shipgate plan): the printed line is the argument list that ran, with each file the
 * worker used (key, certificate chain, trusted root, content policy) named by its file name.
 */
export interface CosignFiles {
  /** The public key file (key mode). */
  key?: string;
  /** The content policy files, in the order of the requirement's policies. */
  policies?: string[];
  certificateChain?: string;
  trustedRoot?: string;
}

/** Who must have signed, the trust roots and the transparency-log and SCT switches. */
export function identityArgs(policy: VerificationPolicy, files: CosignFiles): string[] {
  const tlog = policy.tlog === 'ignore' ? ['--insecure-ignore-tlog=true'] : [];
  if (policy.kind === 'key') return ['--key', files.key ?? '', ...tlog];
  return [
    ...(policy.identity
      ? ['--certificate-identity', policy.identity]
      : ['--certificate-identity-regexp', policy.identityRegexp ?? '']),
    '--certificate-oidc-issuer',
    policy.issuer,
    ...(policy.certificateChain ? ['--certificate-chain', files.certificateChain ?? policy.certificateChain] : []),
    ...(policy.trustedRoot ? ['--trusted-root', files.trustedRoot ?? policy.trustedRoot] : []),
    ...(policy.sct === 'ignore' ? ['--insecure-ignore-sct=true'] : []),
    ...tlog,
  ];
}

/** `cosign verify` for one reference, or several: cosign checks each in turn with the same rules. */
export function verifySignatureArgs(
  policy: VerificationPolicy,
  files: CosignFiles,
  ref: string,
  ...more: string[]
): string[] {
  return ['verify', ...identityArgs(policy, files), ref, ...more];
}

export function verifyAttestationArgs(
  policy: VerificationPolicy,
  files: CosignFiles,
  requirement: AttestationRequirement,
  ref: string,
  ...more: string[]
): string[] {
  const policies = requirement.policies.flatMap((path, index) => ['--policy', files.policies?.[index] ?? path]);
  return ['verify-attestation', ...identityArgs(policy, files), '--type', requirement.type, ...policies, ref, ...more];
}

/** The files as a consumer has them: by file name, in the folder the command runs in. */
export function printedFiles(policy: VerificationPolicy, requirement?: AttestationRequirement): CosignFiles {
  const base = (path: string): string => path.split('/').at(-1) ?? path;
  return {
    ...(policy.kind === 'key' ? { key: policy.publicKeyName ?? 'cosign.pub' } : {}),
    ...(policy.kind === 'keyless' && policy.certificateChain
      ? { certificateChain: base(policy.certificateChain) }
      : {}),
    ...(policy.kind === 'keyless' && policy.trustedRoot ? { trustedRoot: base(policy.trustedRoot) } : {}),
    ...(requirement ? { policies: requirement.policies.map(base) } : {}),
  };
}

/** A POSIX shell line for an argument list: arguments with anything but safe characters are single-quoted. */
export function shellLine(command: string, args: string[]): string {
  const quote = (arg: string): string =>
    /^[A-Za-z0-9_./:@=,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'"'"'`)}'`;
  return [command, ...args].map(quote).join(' ');
}
