import { condition, setHandler } from '@temporalio/workflow';
import type { ReleaseSpec } from '../config/spec.ts';
import { approvalRefusal } from './approval-policy.ts';
import { overrideRefusal } from './freeze-override-policy.ts';
import {
  abortUpdate,
  approveSignal,
  overrideFreezeUpdate,
  approveUpdate,
  rejectSignal,
  rejectUpdate,
  reportCheckUpdate,
  retryUpdate,
  statusQuery,
  type AbortRequest,
  type ApproveRequest,
  type CheckReport,
  type Decision,
  type OverrideFreezeRequest,
  type RejectRequest,
  type RetryRequest,
} from './messages.ts';
import type { ReleaseState } from './release-state.ts';
import { now } from './workflow-time.ts';
import { waitWithReminder, type GateReminder } from './integrations.ts';

export type GateOutcome = 'approved' | 'rejected' | 'expired' | 'aborted';
export type AttentionAction = 'retry' | 'abort';

const closedToChecks = ['frozen', 'promoting', 'promoted', 'rejected', 'expired', 'aborted'];

/**
 * The release's message handlers, and the one owner of the decision the process is waiting for (in the manner
 * of samples-typescript's safe-message-handlers). Every decision is validated against the plan, recorded in the
 * release state, and handed to the process through gateDecision() or attentionDecision().
 */
export class ReleaseDecisions {
  private gateOutcome: GateOutcome | undefined;
  private attentionAction: AttentionAction | undefined;
  /** The last retry asked to publish a new release in place of a deleted draft (retry --recreate-draft). */
  recreateDraft = false;
  private freezeOverride: Decision | undefined;

  private readonly state: ReleaseState;

  constructor(state: ReleaseState, spec: ReleaseSpec) {
    this.state = state;
    setHandler(statusQuery, () => state.status);
    setHandler(approveUpdate, (request) => this.approve(request, 'update'), {
      validator: (request: ApproveRequest) => refuse(approvalRefusal(state.status, spec, request)),
    });
    setHandler(approveSignal, (request) => {
      const refusal = approvalRefusal(state.status, spec, request);
      if (refusal) this.refused(String(request?.approver ?? ''), refusal);
      else this.approve(request, 'signal');
    });
    setHandler(rejectUpdate, (request) => this.reject(request, 'update'), {
      validator: (request: RejectRequest) => refuse(this.rejectRefusal(request)),
    });
    setHandler(rejectSignal, (request) => {
      const refusal = this.rejectRefusal(request);
      if (refusal) this.refused(String(request?.by ?? ''), refusal);
      else this.reject(request, 'signal');
    });
    setHandler(
      retryUpdate,
      (request) => {
        const decision = this.record({ kind: 'retry', by: request.by, at: now(), via: 'update' }, request.comment);
        this.attentionAction = 'retry';
        this.recreateDraft = request.recreateDraft === true;
        return decision;
      },
      {
        validator: (_request: RetryRequest) =>
          refuse(
            state.status.phase === 'needs-attention'
              ? undefined
              : `nothing to retry: the release is ${state.status.phase}`,
          ),
      },
    );
    setHandler(
      abortUpdate,
      (request) => {
        const decision = this.record({ kind: 'abort', by: request.by, at: now(), via: 'update' }, request.reason);
        if (state.status.gate) this.gateOutcome = 'aborted';
        else this.attentionAction = 'abort';
        return decision;
      },
      { validator: (request: AbortRequest) => refuse(this.abortRefusal(request.reason)) },
    );
    setHandler(reportCheckUpdate, (report) => this.reportCheck(report), {
      validator: (report: CheckReport) => refuse(this.checkRefusal(report)),
    });
    setHandler(
      overrideFreezeUpdate,
      (request) => {
        const decision = { kind: 'override-freeze', by: request.by, at: now(), via: 'update' } as const;
        this.freezeOverride = this.record({ ...decision }, request.reason);
        return this.freezeOverride;
      },
      { validator: (request: OverrideFreezeRequest) => refuse(overrideRefusal(state.status, spec, request)) },
    );
  }

  /** While frozen: an override decision, 'abort', or undefined when the window ended first. */
  async freezeDecision(untilMs: number): Promise<Decision | 'abort' | undefined> {
    this.attentionAction = undefined;
    await condition(() => this.freezeOverride !== undefined || this.attentionAction === 'abort', untilMs);
    return this.attentionAction === 'abort' ? 'abort' : this.freezeOverride;
  }

  /** Opens a gate: a decision that arrives while the "waiting" notification is still being delivered counts. */
  openGate(): void {
    this.gateOutcome = undefined;
  }

  /** The gate's outcome, or undefined when the deadline passed first. */
  async gateDecision(deadlineMs: number, reminder?: GateReminder): Promise<GateOutcome | undefined> {
    const decided = await waitWithReminder(deadlineMs, () => this.gateOutcome !== undefined, reminder);
    return decided ? (this.gateOutcome ?? 'aborted') : undefined;
  }

  /** Opens needs-attention: cleared first, so a retry or abort sent during the notification is kept. */
  openAttention(): void {
    this.attentionAction = undefined;
  }

  async attentionDecision(): Promise<AttentionAction> {
    await condition(() => this.attentionAction !== undefined);
    return this.attentionAction ?? 'abort';
  }

  private approve(request: ApproveRequest, via: Decision['via']): Decision {
    const gate = this.state.status.gate;
    const decision: Decision = {
      kind: 'approve',
      gate: gate?.kind,
      by: request.approver,
      at: now(),
      digests: gate?.digests ?? [],
      via,
    };
    this.record(decision, request.comment);
    this.gateOutcome = 'approved';
    return decision;
  }

  private reject(request: RejectRequest, via: Decision['via']): Decision {
    const decision: Decision = { kind: 'reject', by: request.by, at: now(), via };
    if (this.state.status.gate) decision.gate = this.state.status.gate.kind;
    this.record(decision, request.reason);
    this.gateOutcome = 'rejected';
    return decision;
  }

  private reportCheck(report: CheckReport): Decision {
    const detail = (report.detail ?? report.url) ? [report.detail, report.url].filter(Boolean).join(' ') : undefined;
    this.state.setCheck(report.name, report.passed ? 'passed' : 'failed', detail);
    const comment = `${report.name}: ${report.passed ? 'passed' : 'failed'}${report.detail ? ` (${report.detail})` : ''}`;
    return this.record({ kind: 'check', by: report.by ?? 'external', at: now(), via: 'update' }, comment);
  }

  private refused(by: string, refusal: string): void {
    this.state.decide({ kind: 'refused', by, at: now(), refusal, via: 'signal' });
  }

  private record(decision: Decision, comment: string | undefined): Decision {
    if (comment) decision.comment = comment;
    this.state.decide(decision);
    return decision;
  }

  private rejectRefusal(request: RejectRequest): string | undefined {
    const status = this.state.status;
    if (!status.gate) return `the release is not waiting at a gate (phase: ${status.phase})`;
    if (!request.by) return 'by is required: who rejects';
    if (!request.reason) return 'reason is required';
    return undefined;
  }

  private abortRefusal(reason: string): string | undefined {
    const status = this.state.status;
    if (!reason) return 'reason is required';
    if (status.phase === 'needs-attention' || status.phase === 'frozen' || status.gate) return undefined;
    return `the release is ${status.phase}; abort is possible at a gate, when frozen or when it needs attention`;
  }

  private checkRefusal(report: CheckReport): string | undefined {
    const check = this.state.check(report.name);
    if (!check || check.kind !== 'external') {
      const names = this.state.externalChecks().map((c) => c.name);
      return `no external check named "${report.name}"; the plan declares: ${names.join(', ') || 'none'}`;
    }
    const phase = this.state.status.phase;
    return closedToChecks.includes(phase) ? `the release is ${phase}; checks can no longer change it` : undefined;
  }
}

function refuse(reason: string | undefined): void {
  if (reason) throw new Error(reason);
}
