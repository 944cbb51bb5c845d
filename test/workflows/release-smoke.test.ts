import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { approveUpdate, reportCheckUpdate, retryUpdate, statusQuery } from '../../src/workflows/messages.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  startPublicRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

describe('release workflow: smoke checks', () => {
  const bed = useReleaseBed();

  const until = async (
    read: () => Promise<ReleaseStatus>,
    ok: (status: ReleaseStatus) => boolean,
  ): Promise<ReleaseStatus> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await read();
      if (ok(status)) return status;
      if (Date.now() > deadline) throw new Error(`condition not met; last status ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  it('runs commands against the digests without the worker secrets, waits for external checks, and retries a failed one', async () => {
    const project = uniqueProject('smoke');
    const image = await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    // The command passes only if it sees this release's digest and reference, and none of the worker's secrets.
    const script = [
      `test "$SHIPGATE_APP_DIGEST" = "${image.digest}"`,
      `test "$SHIPGATE_APP_REF" = "${bed.destination}/prod/${project}@${image.digest}"`,
      'test "$SHIPGATE_VERSION" = 1.0.0',
      'test -z "$FORGE_TOKEN$DEST_PASS$PIN_TOKEN"',
    ].join(' && ');
    const plan = planFor(bed, project, {
      smoke: { commands: [{ name: 'digest-env', run: ['sh', '-c', script] }], external: [{ name: 'e2e' }] },
    });
    const handle = await startRelease(bed, plan, 'v1.0.0', sha);
    const read = () => handle.query(statusQuery);

    const running = await until(read, (s) => s.checks.some((c) => c.name === 'digest-env' && c.state !== 'pending'));
    expect(running.checks).toEqual([
      expect.objectContaining({ name: 'digest-env', kind: 'command', state: 'passed' }),
      expect.objectContaining({ name: 'e2e', kind: 'external', state: 'pending' }),
    ]);
    expect(running.phase).toBe('publishing');

    const unknown = await handle
      .executeUpdate(reportCheckUpdate, { args: [{ name: 'e3e', passed: true }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((unknown as WorkflowUpdateFailedError).cause as Error).message).toMatch(/no external check named "e3e"/);

    await handle.executeUpdate(reportCheckUpdate, { args: [{ name: 'e2e', passed: false, detail: 'login flaky' }] });
    const attention = await waitForPhase(handle, 'needs-attention');
    expect(attention.attention).toMatchObject({ step: 'smoke', type: 'SmokeCheckFailed' });

    await handle.executeUpdate(retryUpdate, { args: [{ by: 'alice' }] });
    await until(
      read,
      (s) => s.phase === 'publishing' && s.checks.some((c) => c.name === 'e2e' && c.state === 'pending'),
    );
    await handle.executeUpdate(reportCheckUpdate, { args: [{ name: 'e2e', passed: true, by: 'ci-e2e' }] });
    const atGate = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(atGate.phase).toBe('awaiting-approval');

    // A failure reported after publish blocks approval until the check is re-run and passes.
    await handle.executeUpdate(reportCheckUpdate, { args: [{ name: 'e2e', passed: false }] });
    const refused = await handle
      .executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: atGate.gate?.digests ?? [] }] })
      .catch((e: unknown) => e);
    expect(((refused as WorkflowUpdateFailedError).cause as Error).message).toMatch(/check e2e failed after publish/);
    await handle.executeUpdate(reportCheckUpdate, { args: [{ name: 'e2e', passed: true }] });
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: atGate.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
  });

  it('a failing command parks the release with its exit code and output', async () => {
    const { handle } = await startPublicRelease(bed, uniqueProject('smokefail'), 'v1.0.0', {
      smoke: { commands: [{ name: 'health', run: ['sh', '-c', 'echo "health endpoint answered 503"; exit 3'] }] },
    });
    const attention = await waitForPhase(handle, ['needs-attention', 'awaiting-approval']);
    expect(attention.phase).toBe('needs-attention');
    expect(attention.attention).toMatchObject({ step: 'smoke', type: 'SmokeCheckFailed' });
    expect(attention.attention?.message).toMatch(/smoke check "health" exited with 3: health endpoint answered 503/);
    expect(attention.checks).toEqual([expect.objectContaining({ name: 'health', state: 'failed' })]);
  });
});
