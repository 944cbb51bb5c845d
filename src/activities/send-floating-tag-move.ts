import type { Client } from '@temporalio/client';
import { floatingTagsWorkflowId, floatingTagsWorkflowType, tagMoveRequestSignal } from '../workflows/messages.ts';
import type { TagMoveRequest } from '../workflows/messages.ts';

/**
 * Hands a floating-tag move to the workflow that owns the destination repository's floating tags
 * (signal-with-start) and returns at once: the release workflow then waits for the answer signal without holding
 * an activity slot, where requestFloatingTagMove (kept for releases already in flight) waited inside one.
 * Sending twice is harmless: the tag owner keys requests by id.
 */
export function sendFloatingTagMove(deps: { client: Client; taskQueue: string }) {
  return async (request: TagMoveRequest): Promise<void> => {
    const { host } = request.input.destination.endpoint;
    const { repository } = request.input.destination;
    await deps.client.workflow.signalWithStart(floatingTagsWorkflowType, {
      workflowId: floatingTagsWorkflowId(host, repository),
      taskQueue: deps.taskQueue,
      args: [],
      signal: tagMoveRequestSignal,
      signalArgs: [request],
      staticSummary: `floating tags of ${host}/${repository}`,
    });
  };
}
