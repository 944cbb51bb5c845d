import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { malformed } from './message-payloads.ts';
import { moveTagsUpdate } from './messages.ts';

// A few registry calls: 45 s bounds how long a move waits after its worker died.
const { moveFloatingTags } = proxyActivities<Activities>({
  startToCloseTimeout: '45 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Owns one destination repository's floating tags and applies moves strictly one after another. It lives
 * while requests come, ends after an hour without any, and continues-as-new before its history grows large.
 */
export async function floatingTags(): Promise<void> {
  let handled = 0;
  let lastRequest = 0;
  // A queue, not a flag: two updates arriving in one activation would both see "not busy" in a
  // condition(() => !busy) check and run together. Chaining each move on the previous one runs them in arrival order.
  let queue: Promise<unknown> = Promise.resolve();
  setHandler(
    moveTagsUpdate,
    async (input) => {
      lastRequest++;
      const move = queue.then(() => moveFloatingTags(input));
      queue = move.catch(() => undefined);
      try {
        return await move;
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
  for (;;) {
    const seen = lastRequest;
    const active = await condition(
      () => lastRequest !== seen || workflowInfo().continueAsNewSuggested || handled >= 200,
      '1 hour',
    );
    if (!active || workflowInfo().continueAsNewSuggested || handled >= 200) break;
  }
  await condition(allHandlersFinished);
  if (handled >= 200 || workflowInfo().continueAsNewSuggested) await continueAsNew<typeof floatingTags>();
}
