import { defineUpdate } from '@temporalio/workflow';
import type { MoveFloatingTagsInput, MoveFloatingTagsResult } from '../activities/move-floating-tags.ts';

export const moveTagsUpdate = defineUpdate<MoveFloatingTagsResult, [MoveFloatingTagsInput]>('move-floating-tags');

export function floatingTagsWorkflowId(host: string, repository: string): string {
  return `floating-tags:${host}/${repository}`;
}
