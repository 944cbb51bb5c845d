import { ActivityFailure, ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { VerifyDecisionInput, VerifyDecisionResult } from '../activities/verify-decision.ts';
import { parseStatement } from '../config/decision-statement.ts';
import { describeProof, type SignedStatement, type VerifiedDecision } from '../config/decision-types.ts';
import { FailureTypes } from '../errors.ts';
import {
  principalRefusal,
  statementMaxAgeMs,
  statementRefusal,
  statementTarget,
  type DecisionKind,
} from './decision-rules.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import type {
  AbortRequest,
  ApproveRequest,
  CheckReport,
  OverrideFreezeRequest,
  RejectRequest,
  RetryRequest,
} from './messages.ts';
import type { DecisionSubject } from './status.ts';

/** One decision as it arrives: what it is, who the request names, and its signed statement. */
export interface DecisionRequest {
  kind: DecisionKind;
  claimed: string | undefined;
  signed: SignedStatement | undefined;
  check?: { name: string; passed: boolean };
}

/** An approve request (update or signal) as a decision to prove. */
export const approvalRequest = (request: ApproveRequest): DecisionRequest => ({
  kind: 'approve',
  claimed: request?.approver,
  signed: request?.signed,
});

/** A reject request (update or signal) as a decision to prove. */
export const rejectionRequest = (request: RejectRequest): DecisionRequest => ({
  kind: 'reject',
  claimed: request?.by,
  signed: request?.signed,
});

/** A retry, abort or freeze override (update or signal) as a decision to prove. */
export const decisionOf = (
  kind: 'retry' | 'abort' | 'override-freeze',
  request: RetryRequest | AbortRequest | OverrideFreezeRequest,
): DecisionRequest => ({
  kind,
  claimed: request?.by,
  signed: request?.signed,
});
/** An external check's report; without identities it may name nobody ("external"). */
export const checkOf = (report: CheckReport, proofs: DecisionProofs): DecisionRequest => ({
  kind: 'check',
  claimed: report?.by ?? (proofs.authenticated ? undefined : 'external'),
  signed: report?.signed,
  check: { name: report?.name, passed: Boolean(report?.passed) },
});

/**
 * The release's checker of decisions: pure pre-checks for update validators, then the proof check in an
 * activity (so its answer is recorded in history), then the same rules again (the release may have moved on
 * while the activity ran), and finally the statement marked used. A statement or token is honoured once.
 */
export class DecisionProofs {
  private readonly usedNonces = new Set<string>();
  private readonly usedTokens = new Set<string>();

  private readonly spec: ReleaseSpec;
  private readonly verify: (input: VerifyDecisionInput) => Promise<VerifyDecisionResult>;

  constructor(spec: ReleaseSpec, verify: (input: VerifyDecisionInput) => Promise<VerifyDecisionResult>) {
    this.spec = spec;
    this.verify = verify;
  }

  get authenticated(): boolean {
    return this.spec.gate.identity.mode !== 'unauthenticated';
  }

  /** Why the decision is refused before its proof is checked; undefined: go on. Pure, for validators. */
  refusal(status: DecisionSubject, request: DecisionRequest, now: string): string | undefined {
    const info = workflowInfo();
    const target = statementTarget(status, request.kind, request.check);
    const context = { release: info.workflowId, run: info.runId, now, usedNonces: this.usedNonces };
    const refused = statementRefusal(this.spec, context, target, request.claimed, request.signed);
    if (refused) return refused;
    const statement = this.authenticated ? parseStatement(request.signed?.statement) : undefined;
    const person = typeof statement === 'object' ? statement.person : request.claimed;
    return principalRefusal(this.spec, status, request.kind, person ?? '');
  }

  /**
   * Proves the decision, or throws an ApplicationFailure (which fails the update, not the release) saying
   * which check failed. `status` is read again after the proof check, since the release may have moved on.
   */
  async prove(status: () => DecisionSubject, request: DecisionRequest, now: () => string): Promise<VerifiedDecision> {
    if (!this.authenticated) {
      const refused = this.refusal(status(), request, now());
      if (refused) throw refusedFailure(refused);
      return { principal: request.claimed ?? '', method: 'unauthenticated', statement: '' };
    }
    const signed = request.signed as SignedStatement;
    let result: VerifyDecisionResult;
    try {
      result = await this.verify({ signed, identity: this.spec.gate.identity, releaseId: workflowInfo().workflowId });
    } catch (error) {
      throw refusedFailure(reasonOf(error));
    }
    const again = this.refusal(status(), request, now());
    if (again) throw refusedFailure(again);
    if (result.tokenId && this.usedTokens.has(result.tokenId))
      throw refusedFailure(
        'single use: this token was already used for a decision on this release; run the CI job again',
      );
    const principalProblem = principalRefusal(this.spec, status(), request.kind, result.verified.principal);
    if (principalProblem) throw refusedFailure(principalProblem);
    const statement = parseStatement(signed.statement);
    if (typeof statement === 'object') this.usedNonces.add(statement.nonce);
    if (result.tokenId) this.usedTokens.add(result.tokenId);
    return result.verified;
  }

  /** Verifies the starter's statement: bound to this workflow and what it starts. Returns the proof line, or why not. */
  async proveStarter(
    signed: SignedStatement,
    now: string,
    commitDigest: string,
  ): Promise<{ principal: string; proof: string } | string> {
    const statement = parseStatement(signed.statement);
    if (typeof statement === 'string') return statement;
    const info = workflowInfo();
    if (statement.release !== info.workflowId || statement.gate !== 'start' || statement.decision !== 'start')
      return `the start statement is for ${statement.release} (${statement.gate}), not for starting ${info.workflowId}`;
    if (statement.digests !== commitDigest) return 'the start statement names another commit';
    if (Math.abs(Date.parse(now) - Date.parse(statement.time)) > statementMaxAgeMs)
      return 'the start statement is too old';
    try {
      const { verified } = await this.verify({ signed, identity: this.spec.gate.identity, releaseId: info.workflowId });
      return { principal: verified.principal, proof: describeProof(verified) };
    } catch (error) {
      return reasonOf(error);
    }
  }
}

function refusedFailure(reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(reason, FailureTypes.decisionRefused);
}

function reasonOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
