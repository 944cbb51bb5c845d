import type { ReleaseDraft } from '../forge/types.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import { releaseNotes } from './release-notes.ts';
import type { ReleaseState } from './release-state.ts';
import type { ReleaseStatus } from './status.ts';

/** The release as the forge shows it: name, tag, commit and notes that list every artifact by digest. */
export function releaseDraft(spec: ReleaseSpec, state: ReleaseState): ReleaseDraft {
  return {
    tag: spec.tag,
    name: `${spec.project} ${spec.version}`,
    commitSha: spec.commitSha,
    body: releaseNotes({
      project: spec.project,
      version: spec.version,
      commitSha: spec.commitSha,
      identity: spec.gate.identity.mode,
      promotionKeyName: spec.evidence?.publicKeyName,
      artifacts: [
        ...state.resolvedOci().map((artifact) => {
          const verification = state.status.artifacts.find((a) => a.name === artifact.name)?.verification;
          return {
            name: artifact.name,
            kind: artifact.kind,
            reference: `${artifact.destination.endpoint.host}/${artifact.destination.repository}@${artifact.digest}`,
            platforms: artifact.platforms,
            ...(verification ? { verification } : {}),
          };
        }),
        ...state.resolvedPackages().map(([name, files]) => ({ name, kind: 'generic-package', reference: name, files })),
      ],
    }),
  };
}

/** Smoke commands see the release by digest: SHIPGATE_<NAME>_REF=host/repo@sha256:... */
export function smokeEnv(spec: ReleaseSpec, state: ReleaseState): Record<string, string> {
  const env: Record<string, string> = {
    SHIPGATE_PROJECT: spec.project,
    SHIPGATE_VERSION: spec.version,
    SHIPGATE_COMMIT: spec.commitSha,
  };
  for (const artifact of state.resolvedOci()) {
    const key = artifact.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    env[`SHIPGATE_${key}_REF`] =
      `${artifact.destination.endpoint.host}/${artifact.destination.repository}@${artifact.digest}`;
    env[`SHIPGATE_${key}_DIGEST`] = artifact.digest;
  }
  return env;
}

/** The line the Temporal UI shows as the workflow's current details. */
export function describe(status: ReleaseStatus): string {
  const waiting =
    status.phase === 'awaiting-approval'
      ? `waiting for approval by ${status.gate?.approvers.join(', ') || 'anyone'} until ${status.gate?.deadline}`
      : status.phase === 'awaiting-sync'
        ? 'commit not public yet: waiting for a manual sync go'
        : status.phase === 'frozen'
          ? `frozen until ${status.freeze?.until}: ${status.freeze?.reasons.join('; ')}`
          : status.phase === 'needs-attention'
            ? `needs attention at ${status.attention?.step}: ${status.attention?.message}`
            : status.currentStep === 'copy'
              ? "copy: bytes, blobs and rate are in each copy activity's heartbeat details (Pending Activities), and in `shipgate watch`"
              : (status.currentStep ?? status.phase);
  const unproven =
    status.identity !== 'unauthenticated'
      ? ''
      : status.gate
        ? ' (approvals are not authenticated)'
        : status.phase === 'frozen'
          ? ' (a freeze override is not authenticated)'
          : '';
  // warn failures and off artifacts stay visible in the UI for the whole release.
  const unverified = status.artifacts.filter((a) => a.verification && a.verification.outcome !== 'verified');
  const warning = unverified.length
    ? `\n\n${unverified.map((a) => `${a.name}: ${a.verification?.outcome === 'failed' ? 'did not verify (warn)' : 'not verified (off)'}`).join(', ')}`
    : '';
  const failures = status.notificationFailures ?? [];
  const last = failures.at(-1);
  const undelivered = last
    ? `\n\n${failures.length} notification(s) not delivered, last: ${last.webhook} (${last.event}): ${last.message}`
    : '';
  return `**${status.project} ${status.version}**: ${waiting}${unproven}${warning}${undelivered}`;
}
