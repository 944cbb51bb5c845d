import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { VsaPredicate } from '../../src/artifacts/promotion-record.ts';
import { attachedStatements } from '../../src/registry/attestations.ts';
import { repoRoot } from '../../src/tools/locate.ts';
import { abortUpdate, approveUpdate, overrideFreezeUpdate, phaseKey } from '../../src/workflows/messages.ts';
import { generateKeyPair } from '../support/fixtures/signing.ts';
import {
  recordHistory,
  startPublicRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

// Freeze windows are evaluated when promotion starts, in workflow time, on the real dev server with short windows.
describe('freeze windows', () => {
  const bed = useReleaseBed();
  beforeAll(async () => {
    const key = await generateKeyPair(join(bed.workDir, 'promotion'), 'shipgate');
    process.env.FREEZE_TEST_KEY_PATH = key.privateKey;
    process.env.FREEZE_TEST_KEY_PASSWORD = key.password;
  });

  const windowFor = (fromMs: number, toMs: number, extra: Record<string, unknown> = {}) => ({
    freeze: [
      {
        from: new Date(fromMs).toISOString().slice(0, 16) + 'Z',
        to: new Date(toMs).toISOString().slice(0, 19) + 'Z',
        timezone: 'UTC',
        reason: 'test freeze',
        ...extra,
      },
    ],
  });

  it('a release approved during a freeze waits in frozen, visibly, and promotes by itself when the window ends', async () => {
    const project = uniqueProject('frozen');
    const end = Date.now() + 50_000;
    const { image, handle } = await startPublicRelease(bed, project, 'v1.0.0', windowFor(Date.now() - 60_000, end));
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-approval');
    // Published inside the window but not held there: the freeze is about promotion.
    expect(Date.now(), 'publishing took longer than the test window; the freeze could not be seen').toBeLessThan(
      end - 5_000,
    );
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    const frozen = await waitForPhase(handle, ['frozen', 'promoted', 'needs-attention']);
    expect(frozen.phase).toBe('frozen');
    expect(frozen.freeze).toMatchObject({
      reasons: ['test freeze'],
      until: new Date(Math.floor(end / 1000) * 1000).toISOString(),
    });
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(phaseKey)).toBe('frozen');
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'latest')).toBeUndefined();

    const done = await waitForPhase(handle, ['promoted', 'needs-attention'], 120_000);
    expect(done.phase).toBe('promoted');
    expect(done.freeze?.overriddenBy).toBeUndefined();
    const reverify = done.steps.find((s) => s.step === 'reverify');
    expect((reverify?.startedAt ?? '') >= (done.freeze?.until ?? 'z')).toBe(true);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(image.digest);
  });

  it('an override needs a named person and a reason; then it promotes at once and the override is recorded', async () => {
    const project = uniqueProject('override');
    const plan = {
      ...windowFor(Date.now() - 60_000, Date.now() + 3_600_000, { overrideBy: ['carol', 'ci-bot'] }),
      evidence: { key: { pathEnv: 'FREEZE_TEST_KEY_PATH', passwordEnv: 'FREEZE_TEST_KEY_PASSWORD' } },
    };
    const { handle } = await startPublicRelease(bed, project, 'v1.0.0', plan);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    const refused = async (by: string, reason: string) =>
      handle.executeUpdate(overrideFreezeUpdate, { args: [{ by, reason }] }).then(
        () => 'accepted',
        (error: Error) => (error.cause instanceof Error ? error.cause.message : error.message),
      );
    expect(await refused('carol', 'too early')).toMatch(/not frozen/);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    const frozen = await waitForPhase(handle, ['frozen', 'promoted', 'needs-attention']);
    expect(frozen.phase).toBe('frozen');

    expect(await refused('mallory', 'I want it')).toMatch(
      /mallory may not lift this freeze; the plan names: carol, ci-bot/,
    );
    expect(await refused('carol', '')).toMatch(/reason is required/);
    expect(await refused('ci-bot', 'self')).toMatch(/ci-bot started this release and may not lift its freeze/);

    // The person the window names lifts it with the CLI, as people do.
    const lifted = await execa(
      join(repoRoot, 'bin', 'shipgate'),
      ['override-freeze', project, '1.0.0', '--reason', 'security fix CVE-2026-0001', '--as', 'carol', '--json'],
      { reject: false, stdin: 'ignore', env: { TEMPORAL_ADDRESS: inject('temporalAddress') } },
    );
    expect(lifted.exitCode, lifted.stderr).toBe(0);
    expect(JSON.parse(lifted.stdout)).toMatchObject({
      kind: 'override-freeze',
      by: 'carol',
      comment: 'security fix CVE-2026-0001',
    });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(done.freeze).toMatchObject({ overriddenBy: 'carol', reason: 'security fix CVE-2026-0001' });
    expect(done.decisions.map((d) => d.kind)).toEqual(['approve', 'override-freeze']);
    // The signed record carries the override: who, why, and the window it lifted.
    const digest = done.artifacts[0]?.digest ?? '';
    const record = (await attachedStatements(bed.destinationClient, `prod/${project}`, digest)).find(
      (s) => s.predicateType === 'https://slsa.dev/verification_summary/v1',
    );
    const vsa = record?.statement.predicate as VsaPredicate | undefined;
    expect(vsa?.shipgate.freeze).toMatchObject({ reasons: ['test freeze'], overriddenBy: 'carol' });
    expect(vsa?.shipgate.decisions.find((d) => d.kind === 'override-freeze')?.comment).toBe(
      'security fix CVE-2026-0001',
    );
    await recordHistory(handle, 'frozen-override-attested-promoted');
  });

  it('a frozen release can be aborted: nothing is promoted', async () => {
    const project = uniqueProject('frozen-abort');
    const { handle } = await startPublicRelease(
      bed,
      project,
      'v1.0.0',
      windowFor(Date.now() - 60_000, Date.now() + 3_600_000),
    );
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['frozen', 'promoted', 'needs-attention'])).phase).toBe('frozen');
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'bob', reason: 'superseded by 1.0.1' }] });
    const done = await waitForPhase(handle, ['aborted', 'promoted', 'needs-attention']);
    expect(done.phase).toBe('aborted');
    expect(done.steps.map((s) => s.step)).not.toContain('reverify');
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'latest')).toBeUndefined();
  });
});
