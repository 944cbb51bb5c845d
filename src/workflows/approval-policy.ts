import type { ApproveRequest } from './messages.ts';
import type { ReleaseStatus } from './status.ts';
import type { ReleaseSpec } from '../config/spec.ts';

/**
 * Why an approval must be refused, or undefined when it may pass. One function for the Update validator
 * and the signal handler, so a signal can never do what the CLI may not.
 */
export function approvalRefusal(status: ReleaseStatus, spec: ReleaseSpec, request: ApproveRequest): string | undefined {
  const gate = status.gate;
  if (!gate) return `the release is not waiting for approval (phase: ${status.phase})`;
  if (request.gate && request.gate !== gate.kind) return `the open gate is "${gate.kind}", not "${request.gate}"`;
  if (typeof request.approver !== 'string' || request.approver.trim() === '') return 'approver is required';
  if (spec.gate.approvers.length > 0 && !spec.gate.approvers.includes(request.approver)) {
    return `${request.approver} may not approve ${spec.project}; approvers: ${spec.gate.approvers.join(', ')}`;
  }
  if (!spec.gate.allowSelfApproval && request.approver === spec.startedBy) {
    return `${request.approver} started this release and the plan forbids self-approval (gate.allowSelfApproval: false)`;
  }
  const failed = status.checks.filter((check) => check.state === 'failed').map((check) => check.name);
  if (gate.kind === 'promotion' && failed.length > 0) {
    return `check ${failed.join(', ')} failed after publish: reject the release, or re-run the check and report it passed (shipgate report-check)`;
  }
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
