import type { ApproveRequest } from './messages.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import type { DecisionSubject, ReleaseStatus } from './status.ts';

/**
 * Why an approval must be refused, or undefined when it may pass (as far as the gate and digests go; who may
 * approve is decision-rules.ts). One function for the Update validator and the signal handler, so a signal can
 * never do what the CLI may not.
 */
export function approvalRefusal(status: ReleaseStatus, request: ApproveRequest): string | undefined {
  const gate = status.gate;
  if (!gate) return `the release is not waiting for approval (phase: ${status.phase})`;
  if (request.gate && request.gate !== gate.kind) return `the open gate is "${gate.kind}", not "${request.gate}"`;
  const failed = status.checks.filter((check) => check.state === 'failed').map((check) => check.name);
  if (gate.kind === 'promotion' && failed.length > 0) {
    return `check ${failed.join(', ')} failed after publish: reject the release, or re-run the check and report it passed (shipgate report-check)`;
  }
  // A signed statement names the digest set by its sha256 (checked with the statement); a plain request lists it.
  if (request.signed && request.digests === undefined) return undefined;
  if (!Array.isArray(request.digests))
    return 'digests is required: the digest set you reviewed (see `shipgate status`)';
  if (!sameDigestSet(request.digests, gate.digests)) {
    return `the approval names a different digest set than the one published; review the current digests (shipgate status) and approve again`;
  }
  return undefined;
}

export function sameDigestSet(a: string[], b: string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/** The digest set a person approves: every artifact as name@digest (files as name/file@sha256:...). */
export function digestSet(status: DecisionSubject): string[] {
  const set: string[] = [];
  for (const artifact of status.artifacts) {
    if (artifact.digest) set.push(`${artifact.name}@${artifact.digest}`);
    for (const file of artifact.files ?? [])
      if (file.sha256) set.push(`${artifact.name}/${file.name}@sha256:${file.sha256}`);
  }
  return set.sort();
}

/**
 * "X started this release (proven by ...)" when the plan forbids this person deciding on their own release
 * (gate.allowSelfApproval: false), undefined otherwise: one rule for approvals and freeze overrides.
 */
export function selfDecision(spec: ReleaseSpec, status: DecisionSubject, principal: string): string | undefined {
  if (spec.gate.allowSelfApproval || principal !== status.startedBy) return undefined;
  return `${principal} started this release${status.startedByProof ? ` (proven by ${status.startedByProof})` : ''}`;
}
