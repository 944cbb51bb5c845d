import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { approveUpdate, statusQuery } from '../../src/workflows/messages.ts';
import {
  copyStarted,
  commitSha,
  planFor,
  signedLargeImage,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';
import { workerProcesses } from '../support/worker-process.ts';

// A worker is a process that can die at any moment. Here it is the real `shipgate worker`, killed with SIGKILL
// in the middle of the copy (no graceful shutdown, no cancellation): the copy's heartbeat times out, the next
// worker process takes the activity over, and the release completes with every side effect done once.
describe('release workflow: a worker process killed mid-copy', () => {
  const bed = useReleaseBed();
  const workers = workerProcesses();
  const startWorkerProcess = workers.start;
  afterAll(() => {
    workers.killAll();
  });

  it('the next worker resumes the copy and the release completes, released and pinned once', async () => {
    const project = uniqueProject('kill');
    const image = await signedLargeImage(bed, project, 'v4.0.0', 32 * 1024 * 1024);
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const taskQueue = `killable-${randomUUID()}`;
    const first = startWorkerProcess(taskQueue);
    const handle = await startRelease(bed, planFor(bed, project), 'v4.0.0', sha, 'ci-bot', taskQueue);

    let sawCopy = false;
    for (let i = 0; i < 600 && !sawCopy; i++) {
      const status = await handle.query(statusQuery);
      sawCopy = status.currentStep === 'copy';
      if (!sawCopy) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(sawCopy).toBe(true);
    first.kill('SIGKILL');
    const killed = await first;
    expect(killed.signal).toBe('SIGKILL');

    const second = startWorkerProcess(taskQueue);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention'], 120_000);
    expect(waiting.phase).toBe('awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention'], 120_000);
    expect(done.phase).toBe('promoted');

    // The copy really was taken over: its activity ran again (attempt 2 or later) after the first worker died.
    expect((await copyStarted(handle))?.attempt).toBeGreaterThanOrEqual(2);
    second.kill('SIGTERM');

    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'v4.0.0'))?.digest).toBe(image.digest);
    expect(bed.forge.callsTo('POST', new RegExp(`/repos/acme/${project}/releases$`))).toHaveLength(1);
    expect(
      bed.forge.callsTo('POST', /^\/pins\/app$/).filter((c) => (c.body as { digest?: string }).digest === image.digest),
    ).toHaveLength(1);
  });
});
