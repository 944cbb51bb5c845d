import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { floatingTagsWorkflowId, moveTagsUpdate } from '../workflows/floating-tags-messages.ts';
import type { MoveFloatingTagsInput, MoveFloatingTagsResult } from './move-floating-tags.ts';
import type { floatingTags } from '../workflows/floating-tags.ts';

/**
 * Hands a floating-tag move to the one workflow that owns the destination repository's floating tags
 * (update-with-start), which runs moves one at a time. Two releases promoting at once can then never
 * interleave "read tags, decide, write": whatever the order, the tags end on the highest version.
 */
export function requestFloatingTagMove(deps: { client: Client; taskQueue: string }) {
  return async (input: MoveFloatingTagsInput): Promise<MoveFloatingTagsResult> => {
    const workflowId = floatingTagsWorkflowId(input.destination.endpoint.host, input.destination.repository);
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof floatingTags>('floatingTags', {
      workflowId,
      taskQueue: deps.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [],
      staticSummary: `floating tags of ${input.destination.endpoint.host}/${input.destination.repository}`,
    });
    return deps.client.workflow.executeUpdateWithStart(moveTagsUpdate, { args: [input], startWorkflowOperation });
  };
}
