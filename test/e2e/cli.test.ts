import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReleasePlan } from '../../src/config/plan.ts';
import { repoRoot } from '../../src/tools/locate.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import { allowedSigners, sshKey } from '../support/ssh-keys.ts';
import { commitSha, planFor, signedImage, useReleaseBed, uniqueProject } from '../support/release-bed.ts';

// The real `shipgate` command, run as separate processes against the dev server, as CI and people run it.
describe('shipgate CLI end to end', () => {
  const bed = useReleaseBed();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipgate-cli-'));
  });

  const shipgate = (args: string[], user = 'ci-bot') =>
    execa(join(repoRoot, 'bin', 'shipgate'), args, {
      reject: false,
      stdin: 'ignore',
      env: { TEMPORAL_ADDRESS: inject('temporalAddress'), SHIPGATE_TASK_QUEUE: bed.taskQueue, SHIPGATE_USER: user },
    });
  const json = <T>(result: { stdout: string }): T => JSON.parse(result.stdout) as T;
  const writePlan = (plan: ReleasePlan): string => {
    const path = join(dir, `${plan.project}.yaml`);
    writeFileSync(path, JSON.stringify(plan, null, 2)); // JSON is YAML
    return path;
  };
  const waitFor = async (project: string, version: string, phases: string[]): Promise<ReleaseStatus> => {
    for (let i = 0; i < 300; i++) {
      const result = await shipgate(['status', project, version, '--json']);
      if (result.exitCode === 0) {
        const status = json<ReleaseStatus>(result);
        if (phases.includes(status.phase)) return status;
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    throw new Error(`${project} ${version} never reached ${phases.join('/')}`);
  };
  const publicRelease = async (project: string, version: string, overrides: Record<string, unknown> = {}) => {
    const image = await signedImage(bed, `staging/${project}`, `v${version}`);
    const sha = commitSha(`${project}${version}`);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    return { image, sha, planPath: writePlan(planFor(bed, project, overrides)) };
  };
  /** `shipgate start` of a prepared release, following it to its first gate; `extra` adds flags. */
  const startToGate = (planPath: string, version: string, sha: string, extra: string[] = []) =>
    shipgate([
      'start',
      '--plan',
      planPath,
      '--version',
      version,
      '--commit',
      sha,
      '--wait',
      'awaiting-approval',
      ...extra,
    ]);

  it('start (idempotent), status, approve and promoted, with --json and exit codes', async () => {
    const project = uniqueProject('cli');
    const { image, sha, planPath } = await publicRelease(project, '1.0.0');
    const started = await startToGate(planPath, 'v1.0.0', sha, ['--json']);
    expect(started.stderr).toBe('');
    expect(started.exitCode).toBe(0);
    const first = json<{ id: string; status: ReleaseStatus }>(started);
    expect(first.id).toBe(`release:${project}:1.0.0`);
    expect(first.status.phase).toBe('awaiting-approval');

    const again = await shipgate(['start', '--plan', planPath, '--version', '1.0.0', '--commit', sha, '--json']);
    expect(again.exitCode).toBe(0);
    expect(json<{ runId: string }>(again).runId).toBe(json<{ runId: string }>(started).runId);

    const table = await shipgate(['status', project, '1.0.0']);
    expect(table.stdout).toContain('phase: awaiting-approval');
    expect(table.stdout).toContain(image.digest);

    const listed = await shipgate(['list', '--awaiting', '--project', project, '--json']);
    expect(json<{ id: string }[]>(listed).map((r) => r.id)).toEqual([`release:${project}:1.0.0`]);

    const self = await shipgate(['approve', project, '1.0.0', '--yes', '--json'], 'ci-bot');
    expect(self.exitCode).toBe(4);
    expect(self.stderr).toMatch(/refused: ci-bot may not approve/);
    const noConfirm = await shipgate(['approve', project, '1.0.0'], 'alice');
    expect(noConfirm.exitCode).toBe(2);
    expect(noConfirm.stderr).toMatch(/--yes/);

    const approved = await shipgate(['approve', project, '1.0.0', '--yes', '--json', '--comment', 'ship it'], 'alice');
    expect(approved.exitCode).toBe(0);
    expect(json<{ kind: string; by: string }>(approved)).toMatchObject({ kind: 'approve', by: 'alice' });
    const done = await waitFor(project, '1.0.0', ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(image.digest);

    const late = await shipgate(['approve', project, '1.0.0', '--yes'], 'alice');
    expect(late.exitCode).toBe(4);
    expect(late.stderr).toMatch(/not waiting/);
  });

  it('signed decisions: start and approve sign with --key, a forged --as is refused, --print-signal, verify-decisions', async () => {
    const project = uniqueProject('clisigned');
    const keys = {
      alice: await sshKey('alice', dir),
      mallory: await sshKey('mallory', dir),
      ci: await sshKey('ci-bot', dir),
    };
    const signersPath = join(dir, `${project}.allowed_signers`);
    writeFileSync(signersPath, allowedSigners([keys.alice, keys.mallory, keys.ci]));
    const { image, sha, planPath } = await publicRelease(project, '1.0.0', {
      gate: { approvers: ['alice'], deadline: '1h', identity: { mode: 'signed', sshAllowedSigners: signersPath } },
    });
    const started = await startToGate(planPath, '1.0.0', sha, ['--key', keys.ci.path]);
    expect(started.exitCode).toBe(0);
    const waiting = await waitFor(project, '1.0.0', ['awaiting-approval']);
    expect(waiting.startedByProof).toMatch(/^ssh key SHA256:/);

    const bare = await shipgate(['approve', project, '1.0.0', '--yes', '--as', 'alice'], 'alice');
    expect(bare.exitCode).toBe(4);
    expect(bare.stderr).toMatch(/a signed statement is required/);
    const forged = await shipgate(
      ['approve', project, '1.0.0', '--yes', '--as', 'alice', '--key', keys.mallory.path],
      'mallory',
    );
    expect(forged.exitCode).toBe(4);
    expect(forged.stderr).toMatch(/signed with a key of mallory/);

    const printed = await shipgate(
      ['approve', project, '1.0.0', '--yes', '--key', keys.alice.path, '--print-signal'],
      'alice',
    );
    expect(printed.exitCode).toBe(0);
    const signal = json<{
      approver: string;
      digests: string[];
      signed: { statement: string; proof: { kind: string } };
    }>(printed);
    expect(signal).toMatchObject({
      approver: 'alice',
      digests: [`app@${image.digest}`],
      signed: { proof: { kind: 'ssh' } },
    });
    expect(signal.signed.statement).toContain(`release: release:${project}:1.0.0`);

    const approved = await shipgate(['approve', project, '1.0.0', '--yes', '--key', keys.alice.path], 'alice');
    expect(approved.exitCode).toBe(0);
    expect(approved.stdout).toMatch(/approve recorded: by alice \(ssh key SHA256:/);
    expect((await waitFor(project, '1.0.0', ['promoted', 'needs-attention'])).phase).toBe('promoted');

    const audit = await shipgate(['verify-decisions', project, '1.0.0', '--plan', planPath, '--json']);
    expect(audit.exitCode).toBe(0);
    const results = json<{ kind: string; by: string; ok: boolean }[]>(audit);
    expect(results.filter((r) => r.kind === 'approve').map((r) => [r.by, r.ok])).toEqual([['alice', true]]);
    // Against another allowed-signers list (alice's key gone), the same record no longer verifies.
    writeFileSync(signersPath, allowedSigners([keys.mallory]));
    const tampered = await shipgate(['verify-decisions', project, '1.0.0', '--plan', planPath]);
    expect(tampered.exitCode).toBe(4);
    expect(tampered.stdout).toMatch(/FAILED: ssh signature/);
  });

  it('approve on a terminal shows the digest set and asks; "n" approves nothing, "y" approves', async () => {
    const project = uniqueProject('clitty');
    const { image, sha, planPath } = await publicRelease(project, '1.0.0');
    const started = await startToGate(planPath, '1.0.0', sha);
    expect(started.exitCode).toBe(0);
    // util-linux script gives the command a pseudo-terminal and types what stdin holds.
    const onTerminal = (answer: string) =>
      execa(
        'script',
        ['-qec', `${join(repoRoot, 'bin', 'shipgate')} approve ${project} 1.0.0 --as alice`, '/dev/null'],
        {
          reject: false,
          input: answer,
          env: { TEMPORAL_ADDRESS: inject('temporalAddress'), SHIPGATE_TASK_QUEUE: bed.taskQueue },
        },
      );
    const declined = await onTerminal('n\n');
    expect(declined.stdout).toContain(image.digest);
    expect(declined.stdout).toMatch(/Approve exactly these digests\? \[y\/N\]/);
    expect(declined.stdout).toMatch(/not approved/);
    expect(declined.exitCode).toBe(4);
    expect((await waitFor(project, '1.0.0', ['awaiting-approval'])).decisions).toEqual([]);

    const accepted = await onTerminal('y\n');
    expect(accepted.exitCode, accepted.stdout).toBe(0);
    const done = await waitFor(project, '1.0.0', ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(done.decisions.at(-1)).toMatchObject({ kind: 'approve', by: 'alice', via: 'update' });
  });

  it('reject ends the release; bad input and unknown releases get their exit codes', async () => {
    const project = uniqueProject('clirej');
    const { sha, planPath } = await publicRelease(project, '2.0.0');
    expect((await startToGate(planPath, '2.0.0', sha)).exitCode).toBe(0);
    const rejected = await shipgate(['reject', project, '2.0.0', '--reason', 'changelog is wrong', '--json'], 'bob');
    expect(rejected.exitCode).toBe(0);
    expect((await waitFor(project, '2.0.0', ['rejected'])).decisions.at(-1)).toMatchObject({
      kind: 'reject',
      by: 'bob',
      comment: 'changelog is wrong',
    });
    const restarted = await shipgate(['start', '--plan', planPath, '--version', '2.0.0', '--commit', sha]);
    expect(restarted.exitCode).toBe(4);
    expect(restarted.stderr).toMatch(
      /already ran and ended; a released version is never released twice: bump the version/,
    );

    const badVersion = await shipgate(['start', '--plan', planPath, '--version', 'banana', '--commit', sha]);
    expect(badVersion.exitCode).toBe(2);
    expect(badVersion.stderr).toMatch(/version "banana" is not a semantic version/);
    const badCommit = await shipgate(['start', '--plan', planPath, '--version', '2.0.1', '--commit', 'abc']);
    expect(badCommit.exitCode).toBe(2);
    expect(badCommit.stderr).toMatch(/--commit "abc" must be a full 40-character/);
    const badPr = await shipgate(['start', '--plan', planPath, '--version', '2.0.1', '--commit', sha, '--pr', '12;rm']);
    expect(badPr.exitCode).toBe(2);
    expect(badPr.stderr).toMatch(/--pr "12;rm" must be a pull or merge request number/);
    writeFileSync(join(dir, 'broken.yaml'), 'project: Not Valid\n');
    const badPlan = await shipgate([
      'start',
      '--plan',
      join(dir, 'broken.yaml'),
      '--version',
      '2.0.1',
      '--commit',
      sha,
    ]);
    expect(badPlan.exitCode).toBe(2);
    expect(badPlan.stderr).toMatch(/broken\.yaml: project: a project name in lower case/);
    const unknown = await shipgate(['status', project, '9.9.9']);
    expect(unknown.exitCode).toBe(5);
    expect(unknown.stderr).toMatch(/no release .*shipgate list/);
    const unreachable = await execa(join(repoRoot, 'bin', 'shipgate'), ['status', project, '2.0.0'], {
      reject: false,
      env: { TEMPORAL_ADDRESS: '127.0.0.1:1' },
    });
    expect(unreachable.exitCode).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1.*shipgate dev.*TEMPORAL_ADDRESS/);
    const worker = await execa(join(repoRoot, 'bin', 'shipgate'), ['worker'], {
      reject: false,
      env: { TEMPORAL_ADDRESS: '127.0.0.1:1' },
    });
    expect(worker.exitCode).toBe(3);
    expect(worker.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1.*shipgate dev/);
  });

  it('start --wait awaiting-approval stops at the sync gate of a private commit, exit 0', async () => {
    const project = uniqueProject('clisync');
    await signedImage(bed, `staging/${project}`, 'v1.0.0');
    // The commit is not seeded at the fake forge: not public on canonical, so the release waits for a sync go.
    const started = await shipgate([
      'start',
      '--plan',
      writePlan(planFor(bed, project)),
      '--version',
      '1.0.0',
      '--commit',
      commitSha(`${project}-private`),
      '--wait',
      'awaiting-approval',
      '--json',
    ]);
    expect(started.exitCode).toBe(0);
    expect(json<{ status: ReleaseStatus }>(started).status).toMatchObject({
      phase: 'awaiting-sync',
      gate: { kind: 'sync' },
    });
    expect((await shipgate(['abort', project, '1.0.0', '--reason', 'test over'], 'alice')).exitCode).toBe(0);
  });

  it('retry after needs-attention completes the release', async () => {
    const project = uniqueProject('cliretry');
    const pins = {
      promotion: {
        floatingTags: ['latest'],
        publishRelease: true,
        pins: [{ url: `${bed.forge.pinsUrl}/${project}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
      },
    };
    const { sha, planPath } = await publicRelease(project, '1.0.0', pins);
    bed.forge.failAlways(
      { method: 'POST', pathPrefix: `/pins/${project}` },
      { status: 400, body: { error: 'unknown service' } },
    );
    expect((await startToGate(planPath, '1.0.0', sha)).exitCode).toBe(0);
    expect((await shipgate(['approve', project, '1.0.0', '--yes'], 'alice')).exitCode).toBe(0);
    const stuck = await waitFor(project, '1.0.0', ['needs-attention', 'promoted']);
    expect(stuck.attention).toMatchObject({ step: 'pin', type: 'PinRejected' });
    const shown = await shipgate(['status', project, '1.0.0']);
    expect(shown.stdout).toMatch(/needs attention at pin \[PinRejected\]/);
    expect(shown.stdout).toContain(`shipgate retry ${project} 1.0.0`);
    const listed = await shipgate(['list', '--attention', '--project', project, '--json']);
    expect(json<{ phase: string }[]>(listed).map((r) => r.phase)).toEqual(['needs-attention']);

    bed.forge.clearFaults();
    const retried = await shipgate(['retry', project, '1.0.0', '--comment', 'service registered'], 'alice');
    expect(retried.exitCode).toBe(0);
    expect((await waitFor(project, '1.0.0', ['promoted', 'needs-attention'])).phase).toBe('promoted');
    expect((await shipgate(['retry', project, '1.0.0'], 'alice')).exitCode).toBe(4);
  });

  it('plan is a dry run that says what would happen and changes nothing; rollback re-points floating tags', async () => {
    const project = uniqueProject('cliplan');
    const first = await publicRelease(project, '1.0.0');
    const planned = await shipgate(['plan', '--plan', first.planPath, '--version', '1.0.0', '--json']);
    expect(planned.exitCode).toBe(0);
    type Dry = {
      ok: boolean;
      artifacts: {
        action: string;
        digest: string;
        mode: string;
        verification: string;
        verified: boolean;
        checks: string[];
        verificationProblems: string[];
        problem: string | null;
        floatingTags: { tag: string; move: boolean }[];
      }[];
    };
    const dry = json<Dry>(planned);
    expect(dry.artifacts[0]).toMatchObject({
      action: 'copy',
      digest: first.image.digest,
      mode: 'require',
      verification: 'verified',
      verified: true,
    });
    expect(dry.artifacts[0]?.checks).toContain(
      `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${bed.source}/staging/${project}@${first.image.digest}`,
    );
    // A required vuln attestation (with its content policy) the image lacks: reported under warn, a problem under require.
    const rego = join(repoRoot, 'examples/policies/no-critical.rego');
    for (const mode of ['warn', 'require'] as const) {
      const strictPlan = writePlan(
        planFor(bed, project, {
          policy: {
            key: { path: bed.key.publicKey },
            tlog: 'ignore',
            mode,
            attestations: [{ type: 'vuln', policy: rego }],
          },
        }),
      );
      const result = await shipgate(['plan', '--plan', strictPlan, '--version', '1.0.0', '--json']);
      expect(result.exitCode, mode).toBe(mode === 'warn' ? 0 : 4);
      const artifact = json<Dry>(result).artifacts[0];
      expect(artifact).toMatchObject({ mode, verification: 'failed', verified: false });
      expect(artifact?.verificationProblems.join('\n')).toContain(
        `vuln attestation (on: index) of image "app" index ${first.image.digest}`,
      );
      if (mode === 'require') expect(artifact?.problem).toMatch(/^stop-ship: vuln attestation/);
    }
    // The loader warns when a keyless identity regexp would also accept a branch ref.
    const loose = writePlan(
      planFor(bed, `${project}-loose`, {
        policy: {
          keyless: {
            identityRegexp: '^https://github.com/acme/.*$',
            issuer: 'https://token.actions.githubusercontent.com',
          },
          tlog: 'ignore',
        },
      }),
    );
    const warned = await shipgate(['plan', '--plan', loose, '--version', '9.9.9']);
    expect(warned.stderr).toMatch(
      /warning: .*loose\.yaml: policy\.keyless\.identityRegexp also accepts signatures made from a branch, e\.g\. https:\/\/github\.com\/acme\/x@refs\/heads\/main/,
    );
    expect(dry.artifacts[0]?.floatingTags.map((t) => [t.tag, t.move])).toEqual([
      ['latest', true],
      ['1.0', true],
      ['1', true],
    ]);
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0')).toBeUndefined();

    for (const release of [first, await publicRelease(project, '1.1.0')]) {
      const version = release === first ? '1.0.0' : '1.1.0';
      expect((await startToGate(release.planPath, version, release.sha)).exitCode).toBe(0);
      expect((await shipgate(['approve', project, version, '--yes'], 'alice')).exitCode).toBe(0);
      expect((await waitFor(project, version, ['promoted', 'needs-attention'])).phase).toBe('promoted');
    }
    const unsignedLatest = (await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest;
    expect(unsignedLatest).not.toBe(first.image.digest);

    // A rollback waits at its own gate; its starter may not approve it alone (no self-approval), alice does.
    const rolledBack = await shipgate(
      ['rollback', project, '--to', '1.0.0', '--reason', '1.1.0 leaks memory', '--plan', first.planPath, '--json'],
      'ci-bot',
    );
    expect(rolledBack.stderr).toBe('');
    expect(rolledBack.exitCode).toBe(0);
    const waiting = json<{ id: string; phase: string }>(rolledBack);
    expect(waiting.phase).toBe('awaiting-approval');
    // The starter tries to approve its own rollback: refused at the rollback's gate as at a release's.
    const selfApproved = await shipgate(['approve', waiting.id, '--yes'], 'ci-bot');
    expect(selfApproved.exitCode).toBe(4);
    expect(selfApproved.stderr).toMatch(/refused: ci-bot may not approve/);
    const approved = await shipgate(['approve', waiting.id, '--yes'], 'alice');
    expect(approved.stderr).toMatch(/rollback of\n/);
    expect(approved.stderr).toContain(first.image.digest);
    expect(approved.exitCode).toBe(0);
    let record: { phase: string; moves: { tag: string; fromVersion: string }[] } | undefined;
    for (let i = 0; i < 300 && record?.phase !== 'rolled-back'; i++) {
      const result = await shipgate(['status', waiting.id, '--json']);
      if (result.exitCode === 0) record = json(result);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(record?.moves.map((m) => [m.tag, m.fromVersion])).toEqual([
      ['latest', '1.1.0'],
      ['1', '1.1.0'],
    ]);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(first.image.digest);
  });
});
