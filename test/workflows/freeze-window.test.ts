import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { execa } from 'execa';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { VsaPredicate } from '../../src/artifacts/promotion-record.ts';
import { signedStatement } from '../../src/cli/decision-proof.ts';
import { digestSetSha256 } from '../../src/config/decision-statement.ts';
import type { SignedStatement, StatementGate } from '../../src/config/decision-types.ts';
import { attachedStatements } from '../../src/registry/attestations.ts';
import { repoRoot } from '../../src/tools/locate.ts';
import { digestSet } from '../../src/workflows/approval-policy.ts';
import {
  abortUpdate,
  approveUpdate,
  overrideFreezeUpdate,
  phaseKey,
  statusQuery,
  type OverrideFreezeRequest,
} from '../../src/workflows/messages.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import { generateKeyPair } from '../support/fixtures/signing.ts';
import { allowedSigners, sshKey, type SshKey } from '../support/ssh-keys.ts';
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

  const shipgate = (args: string[], env: Record<string, string> = {}) =>
    execa(join(repoRoot, 'bin', 'shipgate'), args, {
      reject: false,
      stdin: 'ignore',
      env: { TEMPORAL_ADDRESS: inject('temporalAddress'), ...env },
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
    // gate.identity: unauthenticated, written out: a name is taken as it is, and status says so in plain words.
    const shown = await shipgate(['status', project, '1.0.0']);
    expect(shown.stdout).toMatch(/carol, ci-bot may lift it \(not authenticated: gate.identity is unauthenticated\)/);
    const lifted = await shipgate([
      'override-freeze',
      project,
      '1.0.0',
      '--reason',
      'security fix CVE-2026-0001',
      '--as',
      'carol',
      '--json',
    ]);
    expect(lifted.exitCode, lifted.stderr).toBe(0);
    expect(JSON.parse(lifted.stdout)).toMatchObject({
      kind: 'override-freeze',
      by: 'carol',
      comment: 'security fix CVE-2026-0001',
    });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(done.freeze).toMatchObject({
      overriddenBy: 'carol',
      reason: 'security fix CVE-2026-0001',
      overrideProof: 'not authenticated',
    });
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

  describe('with gate.identity: signed, the override is a proven decision', () => {
    const keys: Record<string, SshKey> = {};
    beforeAll(async () => {
      for (const person of ['alice', 'carol', 'mallory']) keys[person] = await sshKey(person);
    });

    /** A statement signed as the CLI signs it, for this release's current run, naming the key's person. */
    async function sign(
      handle: WorkflowHandle,
      key: SshKey,
      target: { gate: StatementGate; digests: string[]; decision: string },
      as = key.principal,
    ): Promise<SignedStatement> {
      const { runId } = await handle.describe();
      const { gate, decision } = target;
      const signed = await signedStatement(
        { release: handle.workflowId, run: runId, gate, digests: digestSetSha256(target.digests), decision },
        { key: key.path, as },
      );
      if (!signed) throw new Error('no proof');
      return signed;
    }
    const override = (status: ReleaseStatus) => ({
      gate: 'freeze' as const,
      digests: digestSet(status),
      decision: 'override-freeze',
    });
    const refusal = (handle: WorkflowHandle, request: OverrideFreezeRequest) =>
      handle.executeUpdate(overrideFreezeUpdate, { args: [request] }).then(
        () => 'accepted',
        (error: Error) => (error.cause instanceof Error ? error.cause.message : error.message),
      );

    it('refuses a bare name, a person the window does not name, a wrong key and a replayed approval; a named signer promotes at once', async () => {
      const project = uniqueProject('override-signed');
      const plan = {
        ...windowFor(Date.now() - 60_000, Date.now() + 3_600_000, { overrideBy: ['carol', 'ci-bot'] }),
        gate: {
          mode: 'auto-when-public',
          approvers: ['alice'],
          allowSelfApproval: false,
          deadline: '1h',
          identity: { mode: 'signed', sshAllowedSigners: allowedSigners(Object.values(keys)) },
        },
        evidence: { key: { pathEnv: 'FREEZE_TEST_KEY_PATH', passwordEnv: 'FREEZE_TEST_KEY_PASSWORD' } },
      };
      const { handle } = await startPublicRelease(bed, project, 'v1.0.0', plan);
      const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
      expect(waiting.identity).toBe('signed');
      const approvalTarget = { gate: 'promotion' as const, digests: waiting.gate?.digests ?? [], decision: 'approve' };
      const approval = await sign(handle, keys.alice as SshKey, approvalTarget);
      await handle.executeUpdate(approveUpdate, { args: [{ signed: approval }] });
      const frozen = await waitForPhase(handle, ['frozen', 'promoted', 'needs-attention']);
      expect(frozen.phase).toBe('frozen');
      const reason = 'security fix CVE-2026-0002';
      /** shipgate override-freeze signed with this person's key, as they would run it. */
      const signedOverride = (person: string, ...extra: string[]) =>
        shipgate([
          'override-freeze',
          ...[project, '1.0.0', '--reason', reason, '--as', person],
          ...['--key', (keys[person] as SshKey).path, ...extra],
        ]);

      // --as carol with no proof, from the CLI as anyone could: a name proves nothing.
      const bare = await shipgate(['override-freeze', project, '1.0.0', '--reason', reason, '--as', 'carol']);
      expect(bare.exitCode).toBe(4);
      expect(bare.stderr).toMatch(/a signed statement is required.*--as\) proves nothing/);
      // mallory's own valid signature over a correct override statement: the window does not name mallory.
      const byMallory = await signedOverride('mallory');
      expect(byMallory.exitCode).toBe(4);
      expect(byMallory.stderr).toMatch(/mallory may not lift this freeze; the plan names: carol, ci-bot/);
      // A statement naming carol, signed with mallory's key: the worker's proof check refuses it, and records it.
      const forged = await sign(handle, keys.mallory as SshKey, override(frozen), 'carol');
      expect(await refusal(handle, { reason, signed: forged })).toMatch(/signed with a key of mallory/);
      // carol's genuine signature, but over an approval statement (this release, run and digest set): not an override.
      const approvalByCarol = await sign(handle, keys.carol as SshKey, {
        ...approvalTarget,
        digests: digestSet(frozen),
      });
      expect(await refusal(handle, { reason, signed: approvalByCarol })).toMatch(
        /statement is for gate "promotion", but "freeze" is open/,
      );
      // alice's accepted approval itself, replayed as an override.
      expect(await refusal(handle, { reason, signed: approval })).toMatch(/gate "promotion", but "freeze"/);
      // The right gate but the decision word of an approval.
      const wrongWord = await sign(handle, keys.carol as SshKey, { ...override(frozen), decision: 'approve' });
      expect(await refusal(handle, { reason, signed: wrongWord })).toMatch(/says "approve", not "override-freeze"/);
      expect((await handle.query(statusQuery)).phase).toBe('frozen');

      // carol signs with her key through the CLI: the freeze lifts at once.
      const lifted = await signedOverride('carol', '--json');
      expect(lifted.exitCode, lifted.stderr).toBe(0);
      const decision = JSON.parse(lifted.stdout) as { verified?: { method: string; fingerprint?: string } };
      expect(decision).toMatchObject({ kind: 'override-freeze', by: 'carol', comment: reason });
      expect(decision.verified).toMatchObject({ principal: 'carol', method: 'ssh' });
      const fingerprint = decision.verified?.fingerprint ?? '';
      expect(fingerprint).toMatch(/^SHA256:/);

      const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
      expect(done.phase).toBe('promoted');
      expect(done.freeze).toMatchObject({ overriddenBy: 'carol', reason, overrideProof: `ssh key ${fingerprint}` });
      // The wrong-key attempt went as far as the proof check: it is recorded with its reason.
      expect(done.decisions.filter((d) => d.kind === 'refused').map((d) => d.refusal)).toEqual([
        expect.stringMatching(/signed with a key of mallory/),
      ]);
      // The signed promotion record carries the override with its statement and proof, to be checked again offline.
      const digest = done.artifacts[0]?.digest ?? '';
      const record = (await attachedStatements(bed.destinationClient, `prod/${project}`, digest)).find(
        (s) => s.predicateType === 'https://slsa.dev/verification_summary/v1',
      );
      const vsa = record?.statement.predicate as VsaPredicate | undefined;
      expect(vsa?.shipgate.freeze).toMatchObject({ overriddenBy: 'carol', overrideProof: `ssh key ${fingerprint}` });
      const recorded = vsa?.shipgate.decisions.find((d) => d.kind === 'override-freeze') as
        { by: string; verified?: { principal: string; statement: string; proof?: { kind: string } } } | undefined;
      expect(recorded?.by).toBe('carol');
      expect(recorded?.verified?.principal).toBe('carol');
      expect(recorded?.verified?.statement).toMatch(/\ngate: freeze\n[^]*\ndecision: override-freeze\nperson: carol\n/);
      expect(recorded?.verified?.proof?.kind).toBe('ssh');
      await recordHistory(handle, 'frozen-signed-override-promoted');
    });
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
