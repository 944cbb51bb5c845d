import { randomUUID } from 'node:crypto';
import type { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedStatement } from '../../src/cli/decision-proof.ts';
import { digestSetSha256 } from '../../src/config/decision-statement.ts';
import type { ReleasePlan } from '../../src/config/plan.ts';
import { approveUpdate, rejectUpdate, rollbackStatusQuery } from '../../src/workflows/messages.ts';
import type { rollback, RollbackStatus } from '../../src/workflows/rollback.ts';
import type { DecisionSubject } from '../../src/workflows/status.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  startReleaseBed,
  uniqueProject,
  waitForPhase,
  type ReleaseBed,
  signedAtDestination,
} from '../support/release-bed.ts';
import { allowedSigners, sshKey, type SshKey } from '../support/ssh-keys.ts';

// Rollback is a release decision: only to a version whose release ended promoted, at its own gate under the
// plan's identity rules, moving tags back and re-pinning the control plane to the rolled-back digests.

describe('rollback', () => {
  let bed: ReleaseBed;
  let alice: SshKey;
  let plan: ReleasePlan;
  const project = uniqueProject('rollback');
  const digests: Record<string, string> = {};

  /** A statement for a release's or rollback's open gate, signed with alice's key as `--key` does. */
  const signFor = async (handle: WorkflowHandle, status: DecisionSubject, decision = 'approve') => {
    const { runId } = await handle.describe();
    return signedStatement(
      {
        release: handle.workflowId,
        run: runId,
        gate: status.gate?.kind ?? 'promotion',
        digests: digestSetSha256(status.gate?.digests ?? []),
        decision,
      },
      { key: alice.path, as: 'alice' },
    );
  };

  const releaseVersion = async (version: string, decide: 'approve' | 'reject') => {
    const image = await signedImage(bed, `staging/${project}`, `v${version}`);
    digests[version] = image.digest;
    const sha = commitSha(`${project}-${version}`);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const handle = await startRelease(bed, plan, version, sha);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    const signed = await signFor(handle, waiting, decide);
    if (decide === 'approve') await handle.executeUpdate(approveUpdate, { args: [{ ...(signed ? { signed } : {}) }] });
    else
      await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'not this one', ...(signed ? { signed } : {}) }] });
    return (await handle.result()).phase;
  };

  const startRollback = (toVersion: string) =>
    bed.env.client.workflow.start<typeof rollback>('rollback', {
      taskQueue: bed.taskQueue,
      workflowId: `rollback:${project}:${toVersion}:${randomUUID()}`,
      args: [{ plan, toVersion, by: 'oncall', reason: 'test' }],
    });

  const refusedRollback = async (toVersion: string): Promise<string> => {
    const error = await (await startRollback(toVersion)).result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    let cause: unknown = error;
    while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
    return (cause as Error).message;
  };

  beforeAll(async () => {
    bed = await startReleaseBed();
    alice = await sshKey('alice');
    plan = planFor(bed, project, {
      gate: {
        mode: 'auto-when-public',
        approvers: ['alice', 'bob'],
        deadline: '1h',
        identity: { mode: 'signed', sshAllowedSigners: allowedSigners([alice]) },
      },
      promotion: { pins: [{ url: `${bed.forge.pinsUrl}/${project}`, tokenEnv: 'PIN_TOKEN' }] },
    });
    expect(await releaseVersion('1.0.0', 'approve')).toBe('promoted');
    expect(await releaseVersion('1.1.0', 'approve')).toBe('promoted');
    expect(await releaseVersion('1.2.0', 'reject')).toBe('rejected');
  });
  afterAll(async () => {
    await bed?.close();
  });

  it('refuses a version whose release was rejected, and one that never had a release, though both tags exist', async () => {
    const destination = bed.destinationClient;
    expect((await destination.headManifest(`prod/${project}`, 'v1.2.0'))?.digest).toBe(digests['1.2.0']);
    expect(await refusedRollback('1.2.0')).toMatch(
      /ended rejected, not promoted: a rollback goes only to a version whose release was promoted/,
    );
    // Someone with write access pushes a signed 0.9.0 straight to the destination: no release ever promoted it.
    await signedAtDestination(bed, `prod/${project}`, 'v0.9.0');
    expect(await refusedRollback('0.9.0')).toMatch(/there is no release release:.*:0\.9\.0/);
    expect((await destination.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(digests['1.1.0']);
  });

  it('to a promoted version: waits at its own gate, refuses an unsigned approval, then moves tags back and re-pins', async () => {
    const handle = await startRollback('1.0.0');
    let waiting: RollbackStatus | undefined;
    for (let i = 0; i < 300 && !waiting?.gate; i++) {
      waiting = await handle.query(rollbackStatusQuery);
      if (!waiting.gate) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(waiting?.gate?.digests).toEqual([`app@${digests['1.0.0']}`]);
    expect(bed.forge.pins().get(project)?.digest).toBe(digests['1.1.0']);

    const unsigned = await handle
      .executeUpdate(approveUpdate, { args: [{ approver: 'alice' }] })
      .catch((e: unknown) => e);
    expect(((unsigned as WorkflowUpdateFailedError).cause as Error).message).toMatch(/signed statement is required/);

    const signed = await signFor(handle, waiting as RollbackStatus);
    await handle.executeUpdate(approveUpdate, { args: [{ ...(signed ? { signed } : {}) }] });
    const done = await handle.result();
    expect(done.phase).toBe('rolled-back');
    expect(done.fromRelease).toBe(`release:${project}:1.0.0`);
    expect(done.moves.map((m) => [m.tag, m.fromVersion])).toEqual([
      ['latest', '1.1.0'],
      ['1', '1.1.0'],
    ]);
    expect(done.pins).toEqual([
      { name: 'app', digest: digests['1.0.0'], confirmed: true, url: `${bed.forge.pinsUrl}/${project}` },
    ]);
    expect(bed.forge.pins().get(project)).toMatchObject({
      digest: digests['1.0.0'],
      version: '1.0.0',
      gitSha: commitSha(`${project}-1.0.0`),
    });
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(digests['1.0.0']);
    expect(done.decisions.at(-1)).toMatchObject({
      kind: 'approve',
      by: 'alice',
      gate: 'rollback',
      verified: { method: 'ssh' },
    });
  });
});
