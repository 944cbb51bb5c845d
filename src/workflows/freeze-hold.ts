import { describeProof } from '../config/decision-types.ts';
import { evaluateFreeze } from '../config/freeze-windows.ts';
import { ReleaseAborted, type ReleaseRun } from './release-run.ts';
import { now } from './workflow-time.ts';

/**
 * The freeze check when promotion starts, in workflow time (not when the release started): inside a window
 * the release waits in phase `frozen` (reasons and end in status, UI details and the ShipgatePhase search
 * attribute) and goes on by itself when the window ends; an override decision proven (like every decision) to
 * come from a person the window names lifts it at once, and how it was proven is kept with the freeze; an abort
 * ends the release.
 */
export async function holdWhileFrozen({ spec, state, decisions, setPhase }: ReleaseRun): Promise<void> {
  if (spec.freeze.length === 0 || state.isDone('freeze-checked')) return;
  let held = false;
  for (;;) {
    const freeze = evaluateFreeze(spec.freeze, Date.now());
    if (!freeze) break;
    held = true;
    state.freeze(freeze, now());
    setPhase('frozen');
    const decision = await decisions.freezeDecision(Math.max(1, Date.parse(freeze.until) - Date.now()));
    if (decision === 'abort') throw new ReleaseAborted();
    if (decision) {
      state.liftFreeze(
        decision.by,
        decision.comment ?? '',
        decision.verified ? describeProof(decision.verified) : 'not authenticated',
      );
      break;
    }
  }
  state.markDone('freeze-checked');
  if (held) setPhase('promoting');
}
