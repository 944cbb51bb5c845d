import type { ReleaseSpec } from '../config/spec.ts';
import type { OverrideFreezeRequest } from './messages.ts';
import type { ReleaseStatus } from './status.ts';

/** Why an override of the freeze is refused, or undefined: only named people, with a reason, while frozen. */
export function overrideRefusal(
  status: ReleaseStatus,
  spec: ReleaseSpec,
  request: OverrideFreezeRequest,
): string | undefined {
  const freeze = status.freeze;
  if (status.phase !== 'frozen' || !freeze) return `the release is not frozen (phase: ${status.phase})`;
  if (!request?.reason) return 'reason is required: why this release may promote during the freeze';
  if (!freeze.overrideBy.includes(request.by))
    return `${request.by || 'nobody'} may not lift this freeze; the plan names: ${freeze.overrideBy.join(', ') || 'nobody (add overrideBy to the window)'}`;
  if (request.by === spec.startedBy && !spec.gate.allowSelfApproval)
    return `${request.by} started this release and may not lift its freeze (gate.allowSelfApproval is false)`;
  return undefined;
}
