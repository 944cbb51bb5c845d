import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { approveSignal, approveUpdate, rejectUpdate, statusQuery } from '../../src/workflows/messages.ts';
import {
  commitSha,
  planFor,
  recordHistory,
  signedImage,
  startPublicRelease,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

describe('release workflow: gates', () => {
  const bed = useReleaseBed();

  it('a private commit waits for a manual sync go before copying anything, then goes on', async () => {
    const project = uniqueProject('private');
    const image = await signedImage(bed, `staging/${project}`, 'v2.0.0');
    const handle = await startRelease(bed, planFor(bed, project), 'v2.0.0', commitSha(project));
    const waiting = await waitForPhase(handle, ['awaiting-sync', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-sync');
    expect(waiting.canonical).toMatchObject({ public: false });
    expect(waiting.gate?.kind).toBe('sync');
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'v2.0.0')).toBeUndefined();

    await handle.executeUpdate(approveUpdate, {
      args: [{ approver: 'bob', digests: [`app@${image.digest}`], gate: 'sync' }],
    });
    const atGate = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(atGate.phase).toBe('awaiting-approval');
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'v2.0.0'))?.digest).toBe(image.digest);
    expect(atGate.decisions.map((d) => [d.kind, d.gate])).toEqual([['approve', 'sync']]);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: atGate.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
    await recordHistory(handle, 'manual-sync-promoted');
  });

  it('refuses a wrong approver, self-approval and a stale digest set; a refused signal is recorded, not obeyed', async () => {
    const project = uniqueProject('policy');
    const image = await signedImage(bed, `staging/${project}`, 'v1.1.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const plan = planFor(bed, project, {
      gate: { approvers: ['alice', 'ci-bot'], allowSelfApproval: false, deadline: '1h', identity: 'unauthenticated' },
    });
    const handle = await startRelease(bed, plan, 'v1.1.0', sha, 'ci-bot');
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    const digests = waiting.gate?.digests ?? [];
    expect(digests).toEqual([`app@${image.digest}`]);

    const refusal = async (approver: string, set: string[]) => {
      const error = await handle
        .executeUpdate(approveUpdate, { args: [{ approver, digests: set }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      return ((error as WorkflowUpdateFailedError).cause as Error).message;
    };
    expect(await refusal('mallory', digests)).toMatch(/mallory may not approve/);
    expect(await refusal('ci-bot', digests)).toMatch(/started this release.*self-approval/);
    expect(await refusal('alice', [`app@sha256:${'0'.repeat(64)}`])).toMatch(/different digest set/);

    await handle.signal(approveSignal, { approver: 'mallory', digests });
    const afterSignal = await handle.query(statusQuery);
    expect(afterSignal.phase).toBe('awaiting-approval');
    expect(afterSignal.decisions).toEqual([expect.objectContaining({ kind: 'refused', by: 'mallory', via: 'signal' })]);

    await handle.signal(approveSignal, { approver: 'alice', digests });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(done.decisions.at(-1)).toMatchObject({ kind: 'approve', by: 'alice', via: 'signal' });
  });

  it('an approval that arrives while the "waiting" webhook (URL from the worker environment) is still being retried is kept', async () => {
    const project = uniqueProject('hook');
    // The webhook answers 503 with Retry-After: 3, so the notification is still in flight when alice approves.
    bed.forge.failNext({ method: 'POST', pathPrefix: `/hooks/${project}` }, [
      { status: 503, headers: { 'retry-after': '3' } },
    ]);
    // The URL lives in the worker's environment (like a Slack webhook, whose URL is the secret).
    process.env.HOOK_URL = `${bed.forge.url}/hooks/${project}`;
    const { handle } = await startPublicRelease(bed, project, 'v1.0.0', {
      notifications: { webhooks: [{ urlEnv: 'HOOK_URL', events: ['waiting'] }] },
    });
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention'], 30_000);
    expect(done.phase).toBe('promoted');
    const hooks = bed.forge.callsTo('POST', new RegExp(`^/hooks/${project}$`));
    expect(hooks.map((call) => call.status)).toEqual([503, 204]);
    expect(hooks[1]?.body).toMatchObject({ source: 'shipgate', event: 'waiting', project, version: '1.0.0' });
    expect(JSON.stringify(await handle.fetchHistory())).not.toContain(`/hooks/${project}`);
  });

  it('a rejection ends the release with nothing promoted', async () => {
    const project = uniqueProject('reject');
    await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    // A pin path of this release's own: the default one ("/pins/app") is shared by every test's release.
    const pin = `${project}-app`;
    const plan = planFor(bed, project, {
      promotion: {
        floatingTags: ['latest'],
        publishRelease: true,
        pins: [{ url: `${bed.forge.pinsUrl}/${project}-{name}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
      },
    });
    const handle = await startRelease(bed, plan, 'v1.0.0', sha);
    await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    await handle.executeUpdate(rejectUpdate, { args: [{ by: 'alice', reason: 'smoke looked wrong' }] });
    const status = await handle.result();
    expect(status.phase).toBe('rejected');
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'latest')).toBeUndefined();
    expect(bed.forge.githubReleases(`acme/${project}`).every((r) => r.draft)).toBe(true);
    expect(bed.forge.callsTo('POST', new RegExp(`^/pins/${pin}$`))).toEqual([]);
    expect(bed.forge.pins().has(pin)).toBe(false);

    // An ended release is never started again (REJECT_DUPLICATE), as the CLI starts it: the tests start it the same way.
    const again = await startRelease(bed, plan, 'v1.0.0', sha).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
  });

  it('the approval deadline ends the release as expired, with nothing promoted', async () => {
    const project = uniqueProject('expire');
    await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const plan = planFor(bed, project, {
      gate: { approvers: [], allowSelfApproval: false, deadline: '2s', identity: 'unauthenticated' },
    });
    const handle = await startRelease(bed, plan, 'v1.0.0', sha);
    const status = await handle.result();
    expect(status.phase).toBe('expired');
    expect(status.decisions.at(-1)).toMatchObject({ kind: 'expired', via: 'timer' });
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'latest')).toBeUndefined();
  });
});
