import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { rootCause } from '../errors.ts';
import { heartbeatWhile } from './context.ts';
import { floatingTagsWorkflowId, floatingTagsWorkflowType, moveTagsUpdate } from '../workflows/messages.ts';
import type { MoveFloatingTagsInput, MoveFloatingTagsResult } from '../artifacts/floating-tags.ts';

/**
 * Hands a floating-tag move to the one workflow that owns the destination repository's floating tags
 * (update-with-start), which runs moves one at a time. Two releases promoting at once can then never
 * interleave "read tags, decide, write": whatever the order, the tags end on the highest version.
 */
export function requestFloatingTagMove(deps: { client: Client; taskQueue: string }) {
  return async (input: MoveFloatingTagsInput): Promise<MoveFloatingTagsResult> => {
    const workflowId = floatingTagsWorkflowId(input.destination.endpoint.host, input.destination.repository);
    const startWorkflowOperation = new WithStartWorkflowOperation(floatingTagsWorkflowType, {
      workflowId,
      taskQueue: deps.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [],
      staticSummary: `floating tags of ${input.destination.endpoint.host}/${input.destination.repository}`,
    });
    try {
      // Beats while the tag owner works, so a worker killed here is replaced after the heartbeat timeout.
      return await heartbeatWhile(
        () => ({ waitingFor: workflowId }),
        () => deps.client.workflow.executeUpdateWithStart(moveTagsUpdate, { args: [input], startWorkflowOperation }),
        1_000,
      );
    } catch (error) {
      throw surfaceMoveFailure(error);
    }
  };
}

/**
 * The move fails inside the tag owner's workflow, so it arrives wrapped (update failed ← activity failed ←
 * the real failure). Hand the release the real failure with its type and message, and keep it non-retryable
 * when it was: a tampered tag must park the release at once, not be retried and then reported as "update failed".
 */
function surfaceMoveFailure(error: unknown): unknown {
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof Error)) return error;
  const cause = rootCause(error);
  return ApplicationFailure.create({
    type: cause.type,
    message: cause.message,
    nonRetryable: cause.nonRetryable,
    details: cause.details ?? [],
  });
}
