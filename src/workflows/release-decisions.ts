import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { digestSetSha256 } from '../config/decision-statement.ts';
import type { SignedStatement, VerifiedDecision } from '../config/decision-types.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import { approvalRefusal } from './approval-policy.ts';
import { overrideRefusal } from './freeze-override-policy.ts';
import {
  approvalRequest as approval,
  DecisionProofs,
  rejectionRequest as rejection,
  checkOf,
  decisionOf,
  type DecisionRequest,
} from './decision-proofs.ts';
import { setDecisionHandlers } from './decision-handlers.ts';
import {
  abortSignal,
  abortUpdate,
  approveSignal,
  overrideFreezeSignal,
  overrideFreezeUpdate,
  approveUpdate,
  rejectSignal,
  rejectUpdate,
  reportCheckSignal,
  reportCheckUpdate,
  retrySignal,
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
import { claimedBy, malformed } from './message-payloads.ts';
import { waitWithReminder, type GateReminder } from './integrations.ts';

export type GateOutcome = 'approved' | 'rejected' | 'expired' | 'aborted';
export type AttentionAction = 'retry' | 'abort';

const closedToChecks = ['frozen', 'promoting', 'promoted', 'rejected', 'expired', 'aborted'];

const { verifyDecision } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

/**
 * The release's message handlers, and the one owner of the decision the process is waiting for (in the manner
 * of samples-typescript's safe-message-handlers). Every decision proves who made it (decision-proofs.ts):
 * validators run the pure checks (statement bound to this release, run, gate and digest set; who may decide),
 * handlers check the proof in an activity, so its answer is in the history. Proven decisions are recorded in the
 * release state and handed to the process through gateDecision() or attentionDecision(); refused proofs are
 * recorded with the reason and the gate stays open.
 */
export class ReleaseDecisions {
  /** Undefined while the gate waits; the sync gate's re-poll may settle it too (sync-gate.ts). */
  gateOutcome: GateOutcome | undefined;
  private attentionAction: AttentionAction | undefined;
  /** The last retry asked to publish a new release in place of a deleted draft (retry --recreate-draft). */
  recreateDraft = false;
  private freezeOverride: Decision | undefined;

  private readonly state: ReleaseState;
  private readonly spec: ReleaseSpec;
  private readonly proofs: DecisionProofs;

  constructor(state: ReleaseState, spec: ReleaseSpec) {
    this.state = state;
    this.spec = spec;
    this.proofs = new DecisionProofs(spec, (input) =>
      verifyDecision.executeWithOptions({ startToCloseTimeout: '1 minute', summary: 'check who made a decision' }, [
        input,
      ]),
    );
    const proofs = this.proofs;
    const check = (request: DecisionRequest, first?: string) => first ?? proofs.refusal(state.status, request, now());
    const refused = () => (request: unknown, reason: string) => this.refused(claimedBy(request), reason, 'signal');
    setHandler(statusQuery, () => state.status);
    // Each decision: its update and its signal twin (the UI's form), on the same checks and the same proofs.
    setDecisionHandlers(approveUpdate, approveSignal, {
      refusal: (request: ApproveRequest) =>
        check(approval(request), malformed.approve(request) ?? approvalRefusal(state.status, request)),
      decide: (request, via) => this.decide(approval(request), via, (v) => this.approve(v, request, via)),
      refused: refused(),
    });
    setDecisionHandlers(rejectUpdate, rejectSignal, {
      refusal: (request: RejectRequest) => this.rejectRefusal(request),
      decide: (request, via) => this.decide(rejection(request), via, (v) => this.reject(v, request, via)),
      refused: refused(),
    });
    setDecisionHandlers(retryUpdate, retrySignal, {
      refusal: (request: RetryRequest) =>
        check(
          decisionOf('retry', request),
          malformed.retry(request) ??
            (state.status.phase === 'needs-attention'
              ? undefined
              : `nothing to retry: the release is ${state.status.phase}`),
        ),
      decide: (request, via) =>
        this.decide(decisionOf('retry', request), via, (verified) => {
          const decision = this.record({ kind: 'retry', by: verified.principal, at: now(), via, verified });
          if (request.comment) decision.comment = request.comment;
          this.attentionAction = 'retry';
          this.recreateDraft = request.recreateDraft === true;
          return decision;
        }),
      refused: refused(),
    });
    setDecisionHandlers(abortUpdate, abortSignal, {
      refusal: (request: AbortRequest) =>
        check(decisionOf('abort', request), malformed.abort(request) ?? this.abortRefusal(request.reason)),
      decide: (request, via) =>
        this.decide(decisionOf('abort', request), via, (verified) => {
          const decision = this.record({ kind: 'abort', by: verified.principal, at: now(), via, verified });
          decision.comment = request.reason;
          if (state.status.gate) this.gateOutcome = 'aborted';
          else this.attentionAction = 'abort';
          return decision;
        }),
      refused: refused(),
    });
    setDecisionHandlers(reportCheckUpdate, reportCheckSignal, {
      refusal: (report: CheckReport) =>
        check(checkOf(report, proofs), malformed.check(report) ?? this.checkRefusal(report)),
      decide: (report, via) => this.decide(checkOf(report, proofs), via, (v) => this.reportCheck(v, report, via)),
      refused: refused(),
    });
    setDecisionHandlers(overrideFreezeUpdate, overrideFreezeSignal, {
      refusal: (request: OverrideFreezeRequest) =>
        check(
          decisionOf('override-freeze', request),
          malformed.overrideFreeze(request) ?? overrideRefusal(state.status, request),
        ),
      decide: (request, via) =>
        this.decide(decisionOf('override-freeze', request), via, (verified) => {
          const decision = { kind: 'override-freeze', by: verified.principal, at: now(), via } as const;
          return (this.freezeOverride = this.record({ ...decision, verified, comment: request.reason }));
        }),
      refused: refused(),
    });
  }

  /** While frozen: an override decision, 'abort', or undefined when the window ended first. */
  async freezeDecision(untilMs: number): Promise<Decision | 'abort' | undefined> {
    this.attentionAction = undefined;
    await condition(() => this.freezeOverride !== undefined || this.attentionAction === 'abort', untilMs);
    return this.attentionAction === 'abort' ? 'abort' : this.freezeOverride;
  }

  /** Checks the starter's proof (statement bound to this release and commit), so self-approval compares proven names. */
  async proveStarter(starter: SignedStatement | undefined): Promise<void> {
    if (!starter) return;
    const proven = await this.proofs.proveStarter(starter, now(), digestSetSha256([`commit@${this.spec.commitSha}`]));
    if (typeof proven === 'string') this.refused(this.spec.startedBy, `start statement: ${proven}`, 'update');
    else this.state.provenStarter(proven.principal, proven.proof);
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

  /** Proves a decision (the proof check runs in an activity), then applies it; a refused proof is recorded. */
  private async decide(
    request: DecisionRequest,
    via: Decision['via'],
    apply: (verified: VerifiedDecision) => Decision,
  ): Promise<Decision> {
    try {
      return apply(await this.proofs.prove(() => this.state.status, request, now));
    } catch (error) {
      this.refused(request.claimed ?? '', error instanceof Error ? error.message : String(error), via);
      throw error;
    }
  }

  private approve(verified: VerifiedDecision, request: ApproveRequest, via: Decision['via']): Decision {
    const gate = this.state.status.gate;
    const decision: Decision = {
      kind: 'approve',
      gate: gate?.kind,
      by: verified.principal,
      at: now(),
      digests: gate?.digests ?? [],
      via,
      verified,
    };
    if (request.comment) decision.comment = request.comment;
    this.record(decision);
    if (this.state.countApproval(this.spec, verified.principal)) this.gateOutcome = 'approved';
    return decision;
  }

  private reject(verified: VerifiedDecision, request: RejectRequest, via: Decision['via']): Decision {
    const decision: Decision = { kind: 'reject', by: verified.principal, at: now(), via, verified };
    if (this.state.status.gate) decision.gate = this.state.status.gate.kind;
    decision.comment = request.reason;
    this.record(decision);
    this.gateOutcome = 'rejected';
    return decision;
  }

  private reportCheck(verified: VerifiedDecision, report: CheckReport, via: Decision['via']): Decision {
    const detail = (report.detail ?? report.url) ? [report.detail, report.url].filter(Boolean).join(' ') : undefined;
    this.state.setCheck(report.name, report.passed ? 'passed' : 'failed', detail);
    const decision = this.record({ kind: 'check', by: verified.principal, at: now(), via, verified });
    decision.comment = `${report.name}: ${report.passed ? 'passed' : 'failed'}${report.detail ? ` (${report.detail})` : ''}`;
    return decision;
  }

  private refused(by: string, refusal: string, via: Decision['via']): void {
    this.state.decide({ kind: 'refused', by, at: now(), refusal, via });
  }

  private record(decision: Decision): Decision {
    this.state.decide(decision);
    return decision;
  }

  private rejectRefusal(request: RejectRequest): string | undefined {
    const status = this.state.status;
    const problem = malformed.reject(request);
    if (problem) return problem;
    if (!status.gate) return `the release is not waiting at a gate (phase: ${status.phase})`;
    if (!request?.reason) return 'reason is required';
    return this.proofs.refusal(status, rejection(request), now());
  }

  private abortRefusal(reason: string | undefined): string | undefined {
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
