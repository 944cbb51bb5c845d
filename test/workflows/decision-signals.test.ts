import type { WorkflowHandle } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { proofFor } from '../../src/cli/send-decision.ts';
import {
  abortSignal,
  approveSignal,
  reportCheckSignal,
  retrySignal,
  statusQuery,
} from '../../src/workflows/messages.ts';
import type { SignedStatement } from '../../src/config/decision-types.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import { startPublicRelease, uniqueProject, useReleaseBed, waitForPhase } from '../support/release-bed.ts';
import { allowedSigners, sshKey, type SshKey } from '../support/ssh-keys.ts';

// Every decision the CLI sends as an update has a signal twin that the Temporal UI's "Send a Signal" form can
// send: the same checks and the same proofs. A refused signal is recorded as a refused decision and the release
// stays where it was; nothing throws.

/** Signals are not answered: waits until the release recorded this many decisions. */
async function decisions(handle: WorkflowHandle, count: number): Promise<ReleaseStatus> {
  for (let i = 0; i < 150; i++) {
    const status = await handle.query(statusQuery);
    if (status.decisions.length >= count) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`fewer than ${count} decisions recorded`);
}

describe('decision signals (the UI as a console)', () => {
  const bed = useReleaseBed();
  const keys: Record<string, SshKey> = {};
  beforeAll(async () => {
    for (const person of ['alice', 'mallory']) keys[person] = await sshKey(person);
  });

  it('with gate.identity signed, a retry signal needs the signed statement --print-signal prints; without it, it is refused and recorded', async () => {
    const project = uniqueProject('sigretry');
    // The pin endpoint refuses once (400: permanent), so the release parks in needs-attention at the pin step.
    bed.forge.failNext({ method: 'POST', pathPrefix: `/pins/${project}` }, [{ status: 400, body: { error: 'down' } }]);
    const { handle } = await startPublicRelease(bed, project, 'v1.0.0', {
      gate: {
        approvers: ['alice'],
        allowSelfApproval: false,
        deadline: '1h',
        identity: { mode: 'signed', sshAllowedSigners: allowedSigners(Object.values(keys)) },
      },
      promotion: {
        floatingTags: [],
        publishRelease: false,
        pins: [{ url: `${bed.forge.pinsUrl}/${project}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
      },
    });
    const waiting = await waitForPhase(handle, 'awaiting-approval');
    const sign = async (status: ReleaseStatus, kind: 'approve' | 'retry', key: SshKey, as = key.principal) =>
      JSON.parse(JSON.stringify(await proofFor(handle, status, kind, { key: key.path, as }))) as SignedStatement;
    await handle.signal(approveSignal, { signed: await sign(waiting, 'approve', keys.alice!) });
    const stuck = await waitForPhase(handle, ['needs-attention', 'promoted']);
    expect(stuck.attention).toMatchObject({ step: 'pin', type: 'PinRejected' });
    const before = stuck.decisions.length;

    await handle.signal(retrySignal, { by: 'alice', comment: 'no proof' });
    await handle.signal(retrySignal, { signed: await sign(stuck, 'retry', keys.mallory!, 'alice') });
    // An approval's statement replayed as a retry: bound to another decision, refused.
    await handle.signal(retrySignal, { signed: await sign(waiting, 'approve', keys.alice!) });
    const refused = await decisions(handle, before + 3);
    expect(refused.phase).toBe('needs-attention');
    // A proof is checked in an activity, a wrong gate without one: the record's order is not the sending order.
    expect(refused.decisions.slice(before).map((d) => [d.kind, d.via, d.refusal])).toEqual(
      expect.arrayContaining([
        ['refused', 'signal', expect.stringMatching(/signed statement is required/)],
        ['refused', 'signal', expect.stringMatching(/signed with a key of mallory/)],
        ['refused', 'signal', expect.stringMatching(/the statement is for gate "promotion", but "attention" is open/)],
      ]),
    );

    await handle.signal(retrySignal, { signed: await sign(stuck, 'retry', keys.alice!), comment: 'pins back' });
    await decisions(handle, before + 4);
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(done.decisions.find((d) => d.kind === 'retry')).toMatchObject({
      by: 'alice',
      via: 'signal',
      comment: 'pins back',
      verified: { method: 'ssh' },
    });
  });

  it('report-check and abort signals go through the same checks: refused ones are recorded, the release goes on', async () => {
    const project = uniqueProject('sigabort');
    const { handle } = await startPublicRelease(bed, project, 'v1.0.0', {
      smoke: { external: [{ name: 'e2e' }] },
    });
    // The external check holds the release in publishing until it is reported.
    for (let i = 0; i < 300 && (await handle.query(statusQuery)).currentStep !== 'smoke'; i++)
      await new Promise((resolve) => setTimeout(resolve, 200));
    await handle.signal(reportCheckSignal, { name: 'no-such-check', passed: true });
    await handle.signal(abortSignal, { by: 'alice', reason: '' });
    await handle.signal(retrySignal, { by: 'alice' });
    // Not a request at all: what a mistyped UI form sends.
    await handle.signal(abortSignal, 'abort please' as never);
    const refused = await decisions(handle, 4);
    expect(refused.phase).toBe('publishing');
    expect(refused.decisions.map((d) => [d.kind, d.via, d.refusal])).toEqual([
      ['refused', 'signal', expect.stringMatching(/no external check named "no-such-check"/)],
      ['refused', 'signal', expect.stringMatching(/reason/)],
      ['refused', 'signal', expect.stringMatching(/nothing to retry/)],
      ['refused', 'signal', expect.stringMatching(/abort needs a JSON object payload/)],
    ]);

    await handle.signal(reportCheckSignal, { name: 'e2e', passed: true, by: 'ci' });
    expect((await waitForPhase(handle, ['awaiting-approval', 'needs-attention'])).phase).toBe('awaiting-approval');
    await handle.signal(abortSignal, { by: 'alice', reason: 'wrong build' });
    const ended = await waitForPhase(handle, ['aborted', 'promoted']);
    expect(ended.phase).toBe('aborted');
    expect(ended.checks).toContainEqual(expect.objectContaining({ name: 'e2e', state: 'passed' }));
    expect(ended.decisions.slice(4).map((d) => [d.kind, d.by, d.via])).toEqual([
      ['check', 'ci', 'signal'],
      ['abort', 'alice', 'signal'],
    ]);
  });
});
