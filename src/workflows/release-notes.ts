import type { VerifyMode } from '../config/verification-policy.ts';

export interface NotesArtifact {
  name: string;
  kind: string;
  /** host/repo@sha256:... at the destination. */
  reference: string;
  platforms?: { platform: string; digest: string }[];
  files?: { name: string; sha256?: string; size: number }[];
  /** The destination verification: its mode, outcome, what failed (warn mode), and the commands that ran. */
  verification?: {
    mode: VerifyMode;
    outcome: 'verified' | 'failed' | 'not-verified';
    problems: string[];
    commands: string[];
  };
}

/**
 * Release notes that let anyone check what was shipped (seed 001): every artifact by digest, per-platform
 * digests, and the cosign commands shipgate ran to verify it at the destination, exactly as they ran (files by
 * name), plus what was not verified or did not verify, and how to roll back.
 */
export function releaseNotes(input: {
  project: string;
  version: string;
  commitSha: string;
  artifacts: NotesArtifact[];
  /** gate.identity's mode: unauthenticated approvals are said to be so, in plain words. */
  identity?: string;
  /** With promotion evidence: how the notes name the promotion public key (the VSA check command). */
  promotionKeyName?: string | undefined;
}): string {
  const lines = [`## ${input.project} ${input.version}`, '', `Commit: \`${input.commitSha}\``, '', '### Artifacts', ''];
  for (const artifact of input.artifacts) {
    lines.push(`- **${artifact.name}** (${artifact.kind}): \`${artifact.reference}\`${verdict(artifact)}`);
    for (const platform of artifact.platforms ?? []) lines.push(`  - ${platform.platform}: \`${platform.digest}\``);
    for (const file of artifact.files ?? []) {
      lines.push(`  - ${file.name} (${file.size} bytes)${file.sha256 ? `: sha256 \`${file.sha256}\`` : ''}`);
    }
    for (const problem of artifact.verification?.problems ?? []) lines.push(`  - did not verify: ${problem}`);
  }
  const commands = input.artifacts.flatMap((artifact) => artifact.verification?.commands ?? []);
  if (commands.length > 0) {
    lines.push(
      '',
      '### Verify',
      '',
      'The commands shipgate ran at the destination, run from a folder holding the files they name:',
      '',
      '```sh',
      ...commands,
      '```',
    );
  }
  const oci = input.artifacts.filter((artifact) => artifact.kind !== 'generic-package');
  if (input.promotionKeyName && oci.length > 0) {
    lines.push(
      '',
      'Promoted by shipgate (a signed SLSA verification summary with the approvals, on each digest):',
      '',
      '```sh',
      ...oci.map(
        (artifact) =>
          `cosign verify-attestation --key ${input.promotionKeyName} --insecure-ignore-tlog=true --type https://slsa.dev/verification_summary/v1 ${artifact.reference}`,
      ),
      '```',
    );
  }

  lines.push(
    '',
    '### Approval',
    '',
    input.identity === 'unauthenticated'
      ? 'Approvals of this release (and any freeze override) were **not authenticated**: the plan says `gate.identity: unauthenticated`, so the recorded approvers are names nobody proved.'
      : `Each approval (and any freeze override) carries a signed statement and its proof (${input.identity ?? 'signed'}); check them with \`shipgate verify-decisions ${input.project} ${input.version}\`.`,
    '',
    '### Roll back',
    '',
    `Go back to a promoted version (its own approval, re-pinned): \`shipgate rollback ${input.project} --to <version> --reason "why"\`.`,
  );
  return lines.join('\n') + '\n';
}

function verdict(artifact: NotesArtifact): string {
  const verification = artifact.verification;
  if (!verification) return '';
  if (verification.outcome === 'not-verified') return ' (not verified: verification is off for it in the plan)';
  if (verification.outcome === 'failed') return ' (**verification failed**, released anyway: mode warn)';
  return '';
}
