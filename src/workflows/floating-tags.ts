import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { moveTagsUpdate } from './floating-tags-messages.ts';

const { moveFloatingTags } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/**
 * Owns one destination repository's floating tags and applies moves strictly one after another. It lives
 * while requests come, ends after an hour without any, and continues-as-new before its history grows large.
 */
export async function floatingTags(): Promise<void> {
  let busy = false;
  let handled = 0;
  let lastRequest = 0;
  setHandler(moveTagsUpdate, async (input) => {
    lastRequest++;
    await condition(() => !busy);
    busy = true;
    try {
      return await moveFloatingTags(input);
    } finally {
      busy = false;
      handled++;
    }
  });
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
