import { condition } from '@temporalio/workflow';
import { setDecisionHandlers } from './decision-handlers.ts';
import {
  approvalRequest as approval,
  rejectionRequest as rejection,
  type DecisionProofs,
  type DecisionRequest,
} from './decision-proofs.ts';
import { quorumShortfall } from './decision-rules.ts';
import {
  approveSignal,
  approveUpdate,
  rejectSignal,
  rejectUpdate,
  type ApproveRequest,
  type Decision,
  type RejectRequest,
} from './messages.ts';
import type { RollbackStatus } from './status.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import { isoAfter, now } from './workflow-time.ts';
import { claimedBy, malformed } from './message-payloads.ts';

/**
 * A rollback's own gate: the same approve/reject messages, proofs, quorum, groups and self-approval rule as a
 * release's promotion gate (`shipgate approve rollback:...`). Refused proofs are recorded; the gate stays open.
 */
export function openRollbackGate(spec: ReleaseSpec, status: RollbackStatus, proofs: DecisionProofs) {
  let outcome: 'approved' | 'rejected' | undefined;
  const notOpen = (): string | undefined =>
    status.gate ? undefined : `the rollback is not waiting for approval (phase: ${status.phase})`;

  const decide = async (request: DecisionRequest, via: Decision['via'], comment?: string): Promise<Decision> => {
    try {
      const verified = await proofs.prove(() => status, request, now);
      const decision: Decision = {
        kind: request.kind === 'approve' ? 'approve' : 'reject',
        gate: 'rollback',
        by: verified.principal,
        at: now(),
        via,
        verified,
      };
      if (comment) decision.comment = comment;
      status.decisions.push(decision);
      if (request.kind === 'reject') outcome = 'rejected';
      else if (status.gate) {
        status.gate.approvals = [...(status.gate.approvals ?? []), verified.principal];
        decision.digests = status.gate.digests;
        const shortfall = quorumShortfall(spec, status.gate.approvals);
        if (shortfall) status.gate.needs = shortfall;
        else outcome = 'approved';
      }
      return decision;
    } catch (error) {
      status.decisions.push({
        kind: 'refused',
        by: request.claimed ?? '',
        at: now(),
        refusal: (error as Error).message,
        via,
      });
      throw error;
    }
  };
  const refused = (request: unknown, refusal: string) =>
    status.decisions.push({ kind: 'refused', by: claimedBy(request), at: now(), refusal, via: 'signal' });
  // The same update and signal twins as a release's gate (the UI's signal form), on the same checks and proofs.
  setDecisionHandlers(approveUpdate, approveSignal, {
    refusal: (request: ApproveRequest) =>
      malformed.approve(request) ?? notOpen() ?? proofs.refusal(status, approval(request), now()),
    decide: (request, via) => decide(approval(request), via, request.comment),
    refused,
  });
  setDecisionHandlers(rejectUpdate, rejectSignal, {
    refusal: (request: RejectRequest) =>
      malformed.reject(request) ??
      notOpen() ??
      (request.reason ? proofs.refusal(status, rejection(request), now()) : 'reason is required'),
    decide: (request, via) => decide(rejection(request), via, request.reason),
    refused,
  });

  return {
    /** Opens the gate on the digest set and waits for the quorum, a rejection or the deadline. */
    async wait(digests: string[]): Promise<'approved' | 'rejected' | 'expired'> {
      const openedAt = now();
      status.gate = {
        kind: 'rollback',
        openedAt,
        deadline: isoAfter(spec.gate.deadlineMs),
        approvers: spec.gate.approvers,
        allowSelfApproval: spec.gate.allowSelfApproval,
        digests: [...digests].sort(),
        approvals: [],
      };
      const needs = quorumShortfall(spec, []);
      if (needs) status.gate.needs = needs;
      status.phase = 'awaiting-approval';
      const decided = await condition(() => outcome !== undefined, spec.gate.deadlineMs);
      delete status.gate;
      if (!decided)
        status.decisions.push({ kind: 'expired', gate: 'rollback', by: 'deadline', at: now(), via: 'timer' });
      return decided ? (outcome ?? 'rejected') : 'expired';
    },
  };
}
