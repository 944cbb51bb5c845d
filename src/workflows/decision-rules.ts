import { parseStatement, statementMismatch } from '../config/decision-statement.ts';
import type { SignedStatement, StatementGate } from '../config/decision-types.ts';
import { digestSet, selfDecision } from './approval-policy.ts';
import { overridePrincipalRefusal } from './freeze-override-policy.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import type { DecisionSubject } from './status.ts';

// Which statement a decision needs and whose decision counts: pure rules shared by the workflow (validators and
// handlers) and the CLI (which renders the statement a person signs), so both always agree.

export type DecisionKind = 'approve' | 'reject' | 'abort' | 'retry' | 'check' | 'override-freeze';

/** What a statement for this decision must name, given the release as it stands. */
export function statementTarget(
  status: DecisionSubject,
  kind: DecisionKind,
  check?: { name: string; passed: boolean },
): { gate: StatementGate; digests: string[]; decision: string } {
  const decision = kind === 'check' ? `check ${check?.name ?? ''} ${check?.passed ? 'passed' : 'failed'}` : kind;
  if (kind === 'check') return { gate: 'check', digests: digestSet(status), decision };
  // Lifting a freeze: its own gate and decision, over the digest set that would promote.
  if (kind === 'override-freeze') return { gate: 'freeze', digests: digestSet(status), decision };
  if (status.gate && kind !== 'retry') return { gate: status.gate.kind, digests: status.gate.digests, decision };
  return { gate: 'attention', digests: digestSet(status), decision };
}

/** Statements may be this far ahead of workflow time (clock skew), and this old. */
export const statementFutureMs = 5 * 60_000;
export const statementMaxAgeMs = 60 * 60_000;

/**
 * Why a decision cannot be taken before its proof is even checked: no statement where one is required, or a
 * statement for another release, run, gate, digest set or decision, or one already used. Undefined: check it.
 */
export function statementRefusal(
  spec: ReleaseSpec,
  context: { release: string; run: string; now: string; usedNonces: ReadonlySet<string> },
  target: { gate: StatementGate; digests: string[]; decision: string },
  claimed: string | undefined,
  signed: SignedStatement | undefined,
): string | undefined {
  if (spec.gate.identity.mode === 'unauthenticated') return undefined;
  if (!signed || typeof signed !== 'object')
    return `a signed statement is required (gate.identity: ${spec.gate.identity.mode}): sign it with --key FILE (SSH) or send a CI token with --id-token-env VAR; a name alone (--as) proves nothing`;
  const statement = parseStatement(signed.statement);
  if (typeof statement === 'string') return statement;
  if (claimed && claimed !== statement.person)
    return `the request names ${claimed}, but the signed statement names ${statement.person}`;
  return statementMismatch(statement, {
    ...context,
    ...target,
    maxFutureMs: statementFutureMs,
    maxAgeMs: statementMaxAgeMs,
  });
}

/** Everyone whose approval can count: gate.approvers and the members of gate.groups (empty: anyone proven). */
export function eligibleApprovers(spec: ReleaseSpec): string[] {
  return [...new Set([...spec.gate.approvers, ...spec.gate.groups.flatMap((group) => group.members)])];
}

/** Why this (proven or, when unauthenticated, claimed) person's decision does not count; undefined: it does. */
export function principalRefusal(
  spec: ReleaseSpec,
  status: DecisionSubject,
  kind: DecisionKind,
  principal: string,
): string | undefined {
  if (typeof principal !== 'string' || principal.trim() === '') return 'who decides is required';
  if (kind === 'check') return undefined;
  // The freeze window, not gate.approvers, names who may lift it.
  if (kind === 'override-freeze') return overridePrincipalRefusal(spec, status, principal);
  const eligible = eligibleApprovers(spec);
  if (eligible.length > 0 && !eligible.includes(principal))
    return `${principal} may not ${kind} ${spec.project}; approvers: ${eligible.join(', ')}`;
  if (kind !== 'approve') return undefined;
  const self = selfDecision(spec, status, principal);
  if (self) return `${self} and the plan forbids self-approval (gate.allowSelfApproval: false)`;
  if (status.gate?.approvals?.includes(principal))
    return `${principal} already approved this gate; ${quorumShortfall(spec, status.gate.approvals) ?? 'more approvals'} from other people`;
  return undefined;
}

/** What is still missing for the gate to pass with these distinct approvers, or undefined when nothing is. */
export function quorumShortfall(spec: ReleaseSpec, approvals: string[]): string | undefined {
  const people = new Set(approvals);
  const missing: string[] = [];
  if (people.size < spec.gate.required)
    missing.push(`${spec.gate.required - people.size} more approval(s) of ${spec.gate.required}`);
  for (const group of spec.gate.groups) {
    const have = group.members.filter((member) => people.has(member)).length;
    if (have < group.required)
      missing.push(`${group.required - have} more from ${group.name} (${group.members.join(', ')})`);
  }
  return missing.length > 0 ? `needs ${missing.join(' and ')}` : undefined;
}
