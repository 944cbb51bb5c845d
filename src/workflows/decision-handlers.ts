import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { setHandler } from '@temporalio/workflow';
import type { Decision } from './status.ts';

/** How one decision is checked and applied, whichever way it arrives. */
export interface DecisionHandling<T> {
  /** The checks that need no I/O (state, policy, statement binding); a reason refuses the decision. */
  refusal: (request: T) => string | undefined;
  /** Proves and applies the decision (a refused proof is recorded there, then thrown). */
  decide: (request: T, via: Decision['via']) => Promise<Decision>;
  /** Records a refusal that the checks found before any proof was looked at. */
  refused: (request: T, reason: string) => void;
}

/**
 * Registers a decision's update and its signal twin (the Temporal UI's "Send a Signal" form) on the same checks
 * and the same proofs: the update's validator refuses before anything is recorded; the signal, which cannot
 * answer, records the refusal as a decision and never fails the workflow.
 */
export function setDecisionHandlers<T>(
  update: UpdateDefinition<Decision, [T]>,
  signal: SignalDefinition<[T]>,
  handling: DecisionHandling<T>,
): void {
  setHandler(update, (request) => handling.decide(request, 'update'), {
    validator: (request: T) => {
      const reason = handling.refusal(request);
      if (reason) throw new Error(reason);
    },
  });
  setHandler(signal, async (request) => {
    const reason = handling.refusal(request);
    if (reason) handling.refused(request, reason);
    else await handling.decide(request, 'signal').catch(() => undefined);
  });
}
