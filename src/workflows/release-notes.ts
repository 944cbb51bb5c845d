import type { VerificationPolicy } from '../config/spec.ts';

export interface NotesArtifact {
  name: string;
  kind: string;
  /** host/repo@sha256:... at the destination. */
  reference: string;
  platforms?: { platform: string; digest: string }[];
  files?: { name: string; sha256?: string; size: number }[];
}

/**
 * Release notes that let anyone check what was shipped (seed 001): every artifact by digest, per-platform
 * digests, and the exact cosign command that verifies it, plus how to roll back.
 */
export function releaseNotes(input: {
  project: string;
  version: string;
  commitSha: string;
  artifacts: NotesArtifact[];
  policy: VerificationPolicy;
}): string {
  const lines = [`## ${input.project} ${input.version}`, '', `Commit: \`${input.commitSha}\``, '', '### Artifacts', ''];
  for (const artifact of input.artifacts) {
    lines.push(`- **${artifact.name}** (${artifact.kind}): \`${artifact.reference}\``);
    for (const platform of artifact.platforms ?? []) lines.push(`  - ${platform.platform}: \`${platform.digest}\``);
    for (const file of artifact.files ?? []) {
      lines.push(`  - ${file.name} (${file.size} bytes)${file.sha256 ? `: sha256 \`${file.sha256}\`` : ''}`);
    }
  }
  const oci = input.artifacts.filter((artifact) => artifact.kind !== 'generic-package');
  if (oci.length > 0) {
    lines.push('', '### Verify', '', '```sh');
    for (const artifact of oci) lines.push(verifyCommand(artifact.reference, input.policy));
    lines.push('```');
  }
  lines.push(
    '',
    '### Roll back',
    '',
    `Re-point the floating tags at the previous version: \`shipgate rollback ${input.project} --to <version> --reason "why"\`.`,
  );
  return lines.join('\n') + '\n';
}

function verifyCommand(reference: string, policy: VerificationPolicy): string {
  const identity =
    policy.kind === 'key'
      ? `--key ${policy.publicKeyName ?? 'cosign.pub'}`
      : [
          policy.identity
            ? `--certificate-identity '${policy.identity}'`
            : `--certificate-identity-regexp '${policy.identityRegexp ?? ''}'`,
          `--certificate-oidc-issuer '${policy.issuer}'`,
        ].join(' ');
  return `cosign verify ${identity} ${reference}`;
}
