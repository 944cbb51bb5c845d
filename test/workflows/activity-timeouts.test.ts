import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { approveUpdate, floatingTagsWorkflowId, rollbackStatusQuery } from '../../src/workflows/messages.ts';
import type { rollback, RollbackStatus } from '../../src/workflows/rollback.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  uniqueProject,
  useReleaseBed,
  waitForPhase,
} from '../support/release-bed.ts';
import {
  recoveryBoundMs,
  scheduledActivityTimeouts,
  slowToRecover,
  type ScheduledActivity,
} from '../support/activity-timeouts.ts';

// Issue 16 #9: a worker that dies inside an activity holds the release up until that activity times out. Every
// activity must either heartbeat (heartbeat timeout <= 60 s) or have a start-to-close of at most 60 s. Checked on
// what the server really recorded (ActivityTaskScheduled), for every step of a release with a PR merge, a smoke
// check, pins, a published release and floating tags, for the floating-tag workflow and for a rollback.
describe('activity timeouts: a dead worker is replaced within a minute', () => {
  const bed = useReleaseBed();

  it('every scheduled activity heartbeats or closes within 60 s', async () => {
    const project = uniqueProject('timeouts');
    const plan = planFor(bed, project, {
      smoke: { commands: [{ name: 'ok', run: ['sh', '-c', 'exit 0'] }] },
      promotion: {
        floatingTags: ['latest', 'minor', 'major'],
        publishRelease: true,
        mergePullRequest: {},
        pins: [{ url: `${bed.forge.pinsUrl}/{name}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
      },
    });
    const scheduled: ScheduledActivity[] = [];
    for (const [version, pull] of [
      ['1.0.0', 11],
      ['1.1.0', 12],
    ] as const) {
      await signedImage(bed, `staging/${project}`, `v${version}`);
      const sha = commitSha(`${project}-${version}`);
      bed.forge.seedGithubCommit(`acme/${project}`, sha);
      bed.forge.seedGithubPull(`acme/${project}`, pull, { head: `release/${version}` });
      const handle = await startRelease(bed, plan, version, sha, 'ci-bot', bed.taskQueue, { pullRequest: pull });
      const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
      expect(waiting.attention).toBeUndefined();
      await handle.executeUpdate(approveUpdate, {
        args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }],
      });
      expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
      scheduled.push(...(await scheduledActivityTimeouts(handle)));
    }
    const tags = bed.env.client.workflow.getHandle(floatingTagsWorkflowId(bed.destination, `prod/${project}`));
    scheduled.push(...(await scheduledActivityTimeouts(tags)));

    const back = await bed.env.client.workflow.start<typeof rollback>('rollback', {
      taskQueue: bed.taskQueue,
      workflowId: `rollback:${project}:1.0.0:${randomUUID()}`,
      args: [{ plan, toVersion: '1.0.0', by: 'oncall', reason: 'activity timeouts' }],
    });
    let waiting: RollbackStatus | undefined;
    for (let i = 0; i < 300 && !waiting?.gate; i++) {
      waiting = await back.query(rollbackStatusQuery);
      if (!waiting.gate) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await back.executeUpdate(approveUpdate, { args: [{ approver: 'alice' }] });
    expect((await back.result()).phase).toBe('rolled-back');
    scheduled.push(...(await scheduledActivityTimeouts(back)));

    const kinds = new Set(scheduled.map((s) => s.activity));
    for (const step of ['publishRelease', 'pinDigest', 'mergePullRequest', 'runSmokeCommand', 'moveFloatingTags'])
      expect(kinds).toContain(step);
    expect(recoveryBoundMs).toBe(60_000);
    expect(slowToRecover(scheduled)).toEqual([]);
  });

  it('the check fails for an activity with neither a heartbeat nor a short start-to-close', () => {
    const offenders = slowToRecover([
      { workflowId: 'w', activity: 'pinDigest', startToCloseMs: 120_000 },
      { workflowId: 'w', activity: 'copyImage', startToCloseMs: 7_200_000, heartbeatMs: 60_000 },
      { workflowId: 'w', activity: 'notify', startToCloseMs: 30_000 },
      { workflowId: 'w', activity: 'verifyArtifact', startToCloseMs: 600_000, heartbeatMs: 61_000 },
    ]);
    expect(offenders.map((o) => o.activity)).toEqual(['pinDigest', 'verifyArtifact']);
  });
});
