import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachedStatements } from '../../src/registry/attestations.ts';
import { approveUpdate } from '../../src/workflows/messages.ts';
import { generateKeyPair, type KeyPair } from '../support/fixtures/signing.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';
import { workerProcesses } from '../support/worker-process.ts';

const vsaType = 'https://slsa.dev/verification_summary/v1';

// The real `shipgate worker` process, SIGKILLed after the first promotion record is in the registry and before
// the floating tags move: the next worker takes the attest step over and pushes no second record.
describe('promotion evidence: a worker killed between the record push and the tag move', () => {
  const bed = useReleaseBed();
  let key: KeyPair;
  let workers: ReturnType<typeof workerProcesses>;
  const startWorkerProcess = (taskQueue: string) => workers.start(taskQueue);
  beforeAll(async () => {
    key = await generateKeyPair(join(bed.workDir, 'promotion'), 'shipgate');
    workers = workerProcesses({ PROMOTION_KEY_PATH: key.privateKey, PROMOTION_KEY_PASSWORD: key.password });
  });
  afterAll(() => {
    workers?.killAll();
  });

  it('rerunning promotion finds each record already there and pushes none twice', async () => {
    const project = uniqueProject('attest-kill');
    // Legacy signatures: the records go to the .att tag as well, the format that appends a layer per push.
    const image = await signedImage(bed, `staging/${project}`, 'v3.0.0', { format: 'legacy' });
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const taskQueue = `attest-kill-${randomUUID()}`;
    const first = startWorkerProcess(taskQueue);
    const plan = planFor(bed, project, {
      evidence: { key: { pathEnv: 'PROMOTION_KEY_PATH', passwordEnv: 'PROMOTION_KEY_PASSWORD' } },
    });
    const handle = await startRelease(bed, plan, 'v3.0.0', sha, 'ci-bot', taskQueue);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention'], 120_000);
    expect(waiting.phase).toBe('awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });

    const destination = bed.destinationClient;
    const records = async (digest: string) =>
      (await attachedStatements(destination, `prod/${project}`, digest)).filter((s) => s.predicateType === vsaType);
    let pushed = false;
    for (let i = 0; i < 1200 && !pushed; i++) {
      pushed = (await records(image.digest)).length > 0;
      if (!pushed) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(pushed).toBe(true);
    first.kill('SIGKILL');
    expect((await first).signal).toBe('SIGKILL');
    expect(await destination.headManifest(`prod/${project}`, 'latest')).toBeUndefined();

    const second = startWorkerProcess(taskQueue);
    const done = await waitForPhase(handle, ['promoted', 'needs-attention'], 120_000);
    expect(done.attention).toBeUndefined();
    expect(done.phase).toBe('promoted');
    second.kill('SIGTERM');

    // The attest activity really ran again after the kill ...
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'attestPromotion',
    );
    const started = events.find(
      (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
    );
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThanOrEqual(2);
    // ... and every digest carries exactly one record per format its signatures use.
    for (const digest of [image.digest, ...image.platforms.map((p) => p.digest)]) {
      const found = await records(digest);
      expect(
        found.map((r) => r.format),
        digest,
      ).toEqual(['legacy']);
    }
    expect(done.evidence?.find((e) => e.digest === image.digest)?.pushed).toBe(false);
    expect((await destination.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(image.digest);
  });
});
