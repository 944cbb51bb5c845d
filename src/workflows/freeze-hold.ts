import { condition, setHandler } from '@temporalio/workflow';
import { evaluateFreeze } from '../config/freeze-windows.ts';
import { overrideFreezeUpdate, type Decision, type OverrideFreezeRequest } from './messages.ts';
import type { ReleaseState } from './release-state.ts';
import type { ReleaseSpec } from './spec.ts';
import type { Phase } from './status.ts';

export interface FreezeHoldDeps {
  spec: ReleaseSpec;
  state: ReleaseState;
  now: () => string;
  setPhase: (phase: Phase) => void;
}

/**
 * The freeze check at the start of promotion, in workflow time: inside a window the release waits in the
 * `frozen` phase (reason and end in status, UI details and the ShipgatePhase search attribute) and goes on by
 * itself when the window ends; a person the plan names may lift it for this release with a reason, which is
 * recorded as a decision (and so in the promotion record).
 */
export function freezeHold(deps: FreezeHoldDeps): { holdWhileFrozen: () => Promise<void> } {
  const { spec, state, now } = deps;
  let override: Decision | undefined;

  const refusal = (request: OverrideFreezeRequest): string | undefined => {
    const freeze = state.status.freeze;
    if (state.status.phase !== 'frozen' || !freeze) return `the release is not frozen (phase: ${state.status.phase})`;
    if (!request.reason) return 'reason is required: why this release may promote during the freeze';
    if (!freeze.overrideBy.includes(request.by))
      return `${request.by || 'nobody'} may not lift this freeze; the plan names: ${freeze.overrideBy.join(', ') || 'nobody (add overrideBy to the window)'}`;
    if (request.by === spec.startedBy && !spec.gate.allowSelfApproval)
      return `${request.by} started this release and may not lift its freeze (gate.allowSelfApproval is false)`;
    return undefined;
  };
  setHandler(
    overrideFreezeUpdate,
    (request) => {
      const decision: Decision = {
        kind: 'override-freeze',
        by: request.by,
        at: now(),
        comment: request.reason,
        via: 'update',
      };
      state.decide(decision);
      override = decision;
      return decision;
    },
    {
      validator: (request: OverrideFreezeRequest) => {
        const reason = refusal(request);
        if (reason) throw new Error(reason);
      },
    },
  );

  const holdWhileFrozen = async (): Promise<void> => {
    if (spec.freeze.length === 0 || state.isDone('freeze-checked')) return;
    for (;;) {
      const freeze = evaluateFreeze(spec.freeze, Date.now());
      if (!freeze) break;
      state.status.freeze = { ...freeze, since: state.status.freeze?.since ?? now() };
      deps.setPhase('frozen');
      const overridden = await condition(
        () => override !== undefined,
        Math.max(1, Date.parse(freeze.until) - Date.now()),
      );
      if (overridden && override) {
        state.status.freeze = { ...state.status.freeze, overriddenBy: override.by, reason: override.comment ?? '' };
        break;
      }
    }
    state.markDone('freeze-checked');
  };
  return { holdWhileFrozen };
}
