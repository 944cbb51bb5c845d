import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/worker/create-worker.ts';

// Histories of finished releases, recorded with SHIPGATE_RECORD_HISTORIES=1 ./scripts/test. Replaying them
// against today's workflow code fails on any nondeterministic change, before it can break a release in flight.
const dir = new URL('./histories/', import.meta.url);
type ReplayedHistory = { events?: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[] };
const files = readdirSync(dir).filter((file) => file.endsWith('.json'));

describe('replay of recorded release histories', () => {
  it('has the eight recorded shapes', () => {
    expect(files.sort()).toEqual([
      'automatic-sync-promoted.json',
      'frozen-override-attested-promoted.json',
      'frozen-signed-override-promoted.json',
      // Malformed approve/reject signals (no payload, null, a string, an array, wrong types) refused, then approved.
      'hostile-payloads-refused-promoted.json',
      'manual-sync-promoted.json',
      'needs-attention-retry-promoted.json',
      'polled-sync-promoted.json',
      'rejected-cleaned.json',
    ]);
  });

  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const history = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as ReplayedHistory;
      // The release's own id, as recorded: signed decisions name it, and the workflow checks them on replay too.
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId;
      await Worker.runReplayHistory({ workflowsPath }, history, started ?? file);
    });
  }
});
