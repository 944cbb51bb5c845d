import { ApplicationFailure, condition, setHandler, workflowInfo } from '@temporalio/workflow';
import type { MoveFloatingTagsInput, MoveFloatingTagsResult } from '../artifacts/floating-tags.ts';
import { tagMoveReplySignal, type TagMoveReply, type TagMoveRequest } from './messages.ts';

// The floating-tag hand-off without an activity slot held while waiting: a short activity signals the request
// to the repository's floatingTags workflow (which serialises moves per repository) and returns; this workflow
// then waits for the answer signal. A request not answered in time is sent again under the same id, so a
// lost signal or a tag owner that was terminated is recovered, and the tag owner still moves only once.

/** Replaces the old "one activity waits for the update" once a release records this marker. */
export const floatingTagsBySignal = 'floating-tags-by-signal';

const answers = new Map<string, TagMoveReply>();
let listening = false;
let requests = 0;

function listen(): void {
  if (listening) return;
  listening = true;
  // Signals that came before the handler are buffered by the SDK and delivered here.
  setHandler(tagMoveReplySignal, (reply) => {
    if (!answers.has(reply.requestId)) answers.set(reply.requestId, reply);
  });
}

/**
 * Asks the tag owner to move the floating tags of one image and waits for its answer; a failed move comes back
 * as the same ApplicationFailure (type, message, retryable or not) the move activity raised.
 */
export async function handOffFloatingTagMove(
  send: (request: TagMoveRequest) => Promise<void>,
  input: MoveFloatingTagsInput,
  resendAfter: string | number = '2 minutes',
): Promise<MoveFloatingTagsResult> {
  listen();
  const { workflowId, runId } = workflowInfo();
  // Unique per hand-off within this run: a person's retry after a failed move asks again under a new id.
  const request: TagMoveRequest = { requestId: `${runId}/${input.name}/${++requests}`, replyTo: workflowId, input };
  do await send(request);
  while (!(await condition(() => answers.has(request.requestId), resendAfter)));
  const answer = answers.get(request.requestId);
  if (!answer) throw new Error(`no answer to ${request.requestId}`);
  if ('failure' in answer) throw ApplicationFailure.create({ ...answer.failure });
  return answer.result;
}
