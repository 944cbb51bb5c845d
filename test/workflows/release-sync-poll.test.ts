import { describe, expect, it } from 'vitest';
import { approveUpdate, statusQuery } from '../../src/workflows/messages.ts';
import {
  commitSha,
  planFor,
  recordHistory,
  signedImage,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

// Re-polling smart sync (sync-gate.ts): a release waiting at the sync gate for a private commit asks the forge
// again on durable timers and goes on by itself once the commit is public; a manual go still works.
describe('release workflow: the sync gate re-polls the canonical repository', () => {
  const bed = useReleaseBed();
  const fastPoll = { check: true, poll: { interval: '1s', backoff: 2, maxInterval: '2s' } };

  async function waitUntil<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
    for (let i = 0; i < 300; i++) {
      const value = await read();
      if (ok(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('continues by itself once the stand-in forge marks the commit public, and says so in the decisions', async () => {
    const project = uniqueProject('poll');
    const image = await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    const handle = await startRelease(bed, planFor(bed, project, { canonical: fastPoll }), 'v1.0.0', sha);
    const waiting = await waitForPhase(handle, ['awaiting-sync', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-sync');
    // Still private after a few polls: still waiting, nothing copied.
    const polled = await waitUntil(
      () => handle.query(statusQuery),
      (s) => (s.canonical?.polls ?? 0) >= 2,
      'two polls',
    );
    expect(polled.phase).toBe('awaiting-sync');
    expect(polled.canonical).toMatchObject({ public: false });
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0')).toBeUndefined();

    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const atGate = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(atGate.phase).toBe('awaiting-approval');
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0'))?.digest).toBe(image.digest);
    expect(atGate.decisions).toEqual([
      expect.objectContaining({ kind: 'auto-sync', gate: 'sync', by: 'canonical-check', via: 'timer' }),
    ]);
    expect(atGate.decisions[0]?.comment).toMatch(/is on github acme\/.*synced by itself on poll \d+/);
    expect(atGate.canonical).toMatchObject({ public: true });
    expect(atGate.canonical?.nextPollAt).toBeUndefined();
    expect(atGate.steps.find((s) => s.step === 'sync-gate')?.summary).toMatch(/^commit public at .*synced by itself/);
    const lookups = bed.forge.callsTo('GET', new RegExp(`^/github/repos/acme/${project}/commits/${sha}$`));
    expect(lookups.length).toBeGreaterThanOrEqual(4); // the first check, two private polls, the public one

    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: atGate.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
    await recordHistory(handle, 'polled-sync-promoted');
  });

  it('a manual go still works while polling, and stops the polling', async () => {
    const project = uniqueProject('pollgo');
    const image = await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    const handle = await startRelease(bed, planFor(bed, project, { canonical: fastPoll }), 'v1.0.0', sha);
    await waitUntil(
      () => handle.query(statusQuery),
      (s) => (s.canonical?.polls ?? 0) >= 1,
      'a poll',
    );
    await handle.executeUpdate(approveUpdate, {
      args: [{ approver: 'bob', digests: [`app@${image.digest}`], gate: 'sync' }],
    });
    const atGate = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(atGate.phase).toBe('awaiting-approval');
    expect(atGate.decisions.map((d) => [d.kind, d.gate, d.by])).toEqual([['approve', 'sync', 'bob']]);
    expect(atGate.steps.find((s) => s.step === 'sync-gate')?.summary).toBe('sync approved');
    // The commit turning public now changes nothing: the gate is closed and nobody asks any more.
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const lookups = () => bed.forge.callsTo('GET', new RegExp(`^/github/repos/acme/${project}/commits/`)).length;
    const before = lookups();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(lookups()).toBe(before);
    expect((await handle.query(statusQuery)).decisions.some((d) => d.kind === 'auto-sync')).toBe(false);
  });
});
