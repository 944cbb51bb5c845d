import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { MoveFloatingTagsInput } from '../artifacts/floating-tags.ts';
import { FailureTypes, rootCause } from '../errors.ts';
import { malformed } from './message-payloads.ts';
import { moveTagsUpdate, tagMoveReplySignal, tagMoveRequestSignal, type TagMoveReply } from './messages.ts';

// A few registry calls: 45 s bounds how long a move waits after its worker died.
const { moveFloatingTags } = proxyActivities<Activities>({
  startToCloseTimeout: '45 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Owns one destination repository's floating tags and applies moves strictly one after another. Moves come as
 * signals (a release's request, answered by a signal back) or, from releases started before that, as updates.
 * It lives while requests come, ends after an hour without any, and continues-as-new before its history grows.
 */
export async function floatingTags(): Promise<void> {
  let handled = 0;
  let lastRequest = 0;
  let signalled = 0;
  // A queue, not a flag: two requests arriving in one activation would both see "not busy" in a
  // condition(() => !busy) check and run together. Chaining each move on the previous one runs them in arrival order.
  let queue: Promise<unknown> = Promise.resolve();
  const enqueue = (input: MoveFloatingTagsInput) => {
    lastRequest++;
    const move = queue.then(() => moveFloatingTags(input));
    queue = move.catch(() => undefined);
    return move;
  };
  setHandler(
    moveTagsUpdate,
    async (input) => {
      try {
        return await enqueue(input);
      } finally {
        handled++;
      }
    },
    {
      validator: (input) => {
        const problem = malformed.moveTags(input);
        if (problem) throw new Error(problem);
      },
    },
  );

  // Requests by id: a re-sent request (the sending activity retried, or the release waited long) is not moved
  // again; it gets the answer again once there is one.
  const answers = new Map<string, TagMoveReply | 'pending'>();
  const answer = async (replyTo: string, reply: TagMoveReply) => {
    // A release that ended meanwhile (aborted, terminated) cannot take the answer; the move stands either way.
    await getExternalWorkflowHandle(replyTo)
      .signal(tagMoveReplySignal, reply)
      .catch(() => undefined);
  };
  const track = (work: Promise<unknown>) => {
    signalled++;
    void work.finally(() => signalled--);
  };
  setHandler(tagMoveRequestSignal, ({ requestId, replyTo, input }) => {
    // A signal cannot be refused like an update: a malformed request is answered with the refusal, or dropped
    // when it does not even say who asks.
    if (typeof requestId !== 'string' || typeof replyTo !== 'string') return;
    const problem = malformed.moveTags(input);
    if (problem) {
      const failure = { type: FailureTypes.invalidInput, message: problem, nonRetryable: true };
      return track(answer(replyTo, { requestId, failure }));
    }
    const known = answers.get(requestId);
    if (known === 'pending') return;
    if (known) return track(answer(replyTo, known));
    answers.set(requestId, 'pending');
    const moved = enqueue(input).then(
      (result): TagMoveReply => ({ requestId, result }),
      (error: unknown): TagMoveReply => ({ requestId, failure: failureOf(error) }),
    );
    track(
      moved.then(async (reply) => {
        answers.set(requestId, reply);
        handled++;
        await answer(replyTo, reply);
      }),
    );
  });

  for (;;) {
    const seen = lastRequest;
    const active = await condition(
      () => lastRequest !== seen || workflowInfo().continueAsNewSuggested || handled >= 200,
      '1 hour',
    );
    if (!active || workflowInfo().continueAsNewSuggested || handled >= 200) break;
  }
  await condition(() => allHandlersFinished() && signalled === 0);
  if (handled >= 200 || workflowInfo().continueAsNewSuggested) await continueAsNew<typeof floatingTags>();
}

/** The real failure under the activity failure, with its type and whether a retry can help. */
function failureOf(error: unknown): { type: string; message: string; nonRetryable: boolean } {
  const cause = rootCause(error);
  return { type: cause.type, message: cause.message, nonRetryable: cause.nonRetryable };
}
