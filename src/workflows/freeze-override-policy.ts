import type { ReleaseSpec } from '../config/spec.ts';
import { selfDecision } from './approval-policy.ts';
import type { OverrideFreezeRequest } from './messages.ts';
import type { DecisionSubject } from './status.ts';

/**
 * Why an override of the freeze is refused before anyone is proven, or undefined: only while frozen, with a
 * reason. Who may lift it is checked against the proven person (overridePrincipalRefusal, via decision-rules).
 */
export function overrideRefusal(status: DecisionSubject, request: OverrideFreezeRequest): string | undefined {
  if (status.phase !== 'frozen' || !status.freeze) return `the release is not frozen (phase: ${status.phase})`;
  if (!request?.reason) return 'reason is required: why this release may promote during the freeze';
  return undefined;
}

/**
 * Why this (proven or, when unauthenticated, claimed) person may not lift the freeze: the window must name them,
 * and the starter may not lift their own release's freeze unless the plan allows self-approval.
 */
export function overridePrincipalRefusal(
  spec: ReleaseSpec,
  status: DecisionSubject,
  principal: string,
): string | undefined {
  const overrideBy = status.freeze?.overrideBy ?? [];
  if (!overrideBy.includes(principal))
    return `${principal || 'nobody'} may not lift this freeze; the plan names: ${overrideBy.join(', ') || 'nobody (add overrideBy to the window)'}`;
  const self = selfDecision(spec, status, principal);
  if (self) return `${self} and may not lift its freeze (gate.allowSelfApproval is false)`;
  return undefined;
}
