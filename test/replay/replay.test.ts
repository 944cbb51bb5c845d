import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/worker/create-worker.ts';

// Histories of finished releases, recorded with SHIPGATE_RECORD_HISTORIES=1 ./scripts/test. Replaying them
// against today's workflow code fails on any nondeterministic change, before it can break a release in flight.
const dir = new URL('./histories/', import.meta.url);
const files = readdirSync(dir).filter((file) => file.endsWith('.json'));

describe('replay of recorded release histories', () => {
  it('has the four recorded shapes', () => {
    expect(files.sort()).toEqual([
      'automatic-sync-promoted.json',
      'frozen-override-attested-promoted.json',
      'manual-sync-promoted.json',
      'needs-attention-retry-promoted.json',
    ]);
  });

  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const history: unknown = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      await Worker.runReplayHistory({ workflowsPath }, history, file);
    });
  }
});
