import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { deadlineKey, phaseKey, stepKey, waitingSinceKey } from './messages.ts';
import type { Phase, ReleaseStatus } from './status.ts';

const waiting: readonly Phase[] = ['awaiting-sync', 'awaiting-approval', 'frozen', 'needs-attention'];

/**
 * The search attributes `shipgate list` shows for a release in this phase: phase and step, since when it waits
 * and until when (the gate's deadline, the end of a freeze); cleared (null) when it no longer waits.
 */
export function listAttributes(status: ReleaseStatus, at: string): SearchAttributeUpdatePair[] {
  const waits = waiting.includes(status.phase);
  const until = status.phase === 'frozen' ? status.freeze?.until : status.gate?.deadline;
  return [
    { key: phaseKey, value: status.phase },
    { key: stepKey, value: status.currentStep ?? null },
    { key: waitingSinceKey, value: waits ? new Date(status.gate?.openedAt ?? status.attention?.at ?? at) : null },
    { key: deadlineKey, value: waits && until ? new Date(until) : null },
  ];
}
