import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { ExitCode } from '../../src/cli/exit-codes.ts';
import { startJwtIssuer } from '../../src/devstack/production/jwt-issuer.ts';
import { freePort } from '../../src/devstack/processes.ts';
import { repoRoot } from '../../src/tools/locate.ts';
import type { release } from '../../src/workflows/release.ts';
import type { PushedImage } from '../support/fixtures/images.ts';
import { startProductionBed, type ProductionBed } from '../support/production-bed.ts';
import {
  commitSha,
  copyStarted,
  planFor,
  signedImage,
  signedLargeImage,
  startRelease,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

// The topology users run in production, on this machine: the Temporal server on PostgreSQL with SQL visibility,
// mutual TLS on the frontend and JWT authorization (the server's default authorizer and claim mapper), two shipgate
// worker processes, and the CLI as separate processes. The tests in this file follow one release in order.
describe('production topology: PostgreSQL, mTLS, JWT authorization, two workers', () => {
  let bed: ProductionBed;
  let project: string;
  let image: PushedImage;
  let handle: WorkflowHandle<typeof release>;
  beforeAll(async () => {
    bed = await startProductionBed();
  });
  afterAll(async () => {
    await bed?.close();
  });

  const writer = (): Record<string, string> => bed.clientEnv(bed.tokens.writer);
  const reader = (): Record<string, string> => bed.clientEnv(bed.tokens.reader);

  it('two workers (one by variables, one by profile): SIGKILL the one running the copy and the other finishes it', async () => {
    project = uniqueProject('prod');
    image = await signedLargeImage(bed, project, 'v5.0.0', 24 * 1024 * 1024);
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const workers = { variables: bed.startWorker('variables'), profile: bed.startWorker('profile') };
    handle = await startRelease(bed, planFor(bed, project), 'v5.0.0', sha, 'ci-bot');

    // Which worker took the copy: the pending activity names its worker (pid@host).
    let runner: string | undefined;
    for (let i = 0; i < 1200 && !runner; i++) {
      const description = await handle.describe();
      const copy = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'copyImage');
      if (copy?.lastWorkerIdentity && String(copy.state) !== 'PENDING_ACTIVITY_STATE_SCHEDULED')
        runner = copy.lastWorkerIdentity;
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(runner, 'a worker started the copy').toBeDefined();
    const [victim, survivor] =
      runner?.startsWith(`${workers.variables.pid}@`) === true
        ? [workers.variables, workers.profile]
        : [workers.profile, workers.variables];
    expect(runner).toMatch(new RegExp(`^${victim.pid}@`));
    victim.kill('SIGKILL');
    expect((await victim).signal).toBe('SIGKILL');

    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention'], 120_000);
    expect(waiting.phase, JSON.stringify(waiting.attention)).toBe('awaiting-approval');
    const copy = await copyStarted(handle);
    expect(copy?.attempt).toBeGreaterThanOrEqual(2);
    expect(copy?.identity).toMatch(new RegExp(`^${survivor.pid}@`));
  });

  it('shipgate list --awaiting finds the release through SQL visibility, with a read-only token', async () => {
    const listed = await bed.cli(['list', '--awaiting', '--project', project, '--json'], reader());
    expect(listed.stderr).toBe('');
    expect(listed.exitCode).toBe(0);
    expect(JSON.parse(String(listed.stdout))).toMatchObject([
      { id: handle.workflowId, project, version: '5.0.0', phase: 'awaiting-approval' },
    ]);
  });

  it('a read-only token can look but cannot approve, reject or start: the CLI says so and exits 8', async () => {
    const status = await bed.cli(['status', project, '5.0.0', '--json'], reader());
    expect(status.exitCode).toBe(0);
    for (const args of [
      ['approve', project, '5.0.0', '--as', 'alice', '--yes'],
      ['reject', project, '5.0.0', '--as', 'alice', '--reason', 'no'],
    ]) {
      const refused = await bed.cli(args, reader());
      expect(refused.exitCode, `${args[0]}: ${String(refused.stderr)}`).toBe(ExitCode.notAuthorized);
      expect(refused.stderr).toMatch(/Temporal refused this request in namespace default.*"default:write"/);
    }
    const plan = join(bed.workDir, 'plan.json');
    writeFileSync(plan, JSON.stringify(planFor(bed, uniqueProject('denied')))); // JSON is YAML
    const start = await bed.cli(['start', '--plan', plan, '--version', 'v1.0.0', '--commit', 'a'.repeat(40)], reader());
    expect(start.exitCode, String(start.stderr)).toBe(ExitCode.notAuthorized);
    // Nothing was recorded: the release still waits for its first decision.
    const after = await waitForPhase(handle, 'awaiting-approval', 5_000);
    expect(after.decisions ?? []).toEqual([]);
  });

  it('namespace authorization refuses a token from another issuer, and the frontend refuses a client without a certificate', async () => {
    const other = await startJwtIssuer({ stateDir: join(bed.workDir, 'other-issuer') });
    try {
      const forged = other.mint('release-engineer', ['temporal-system:admin']);
      const approve = await bed.cli(['approve', project, '5.0.0', '--as', 'alice', '--yes'], bed.clientEnv(forged));
      expect(approve.exitCode, String(approve.stderr)).toBe(ExitCode.notAuthorized);
    } finally {
      await other.stop();
    }
    const { TEMPORAL_TLS_CLIENT_CERT_PATH: _cert, TEMPORAL_TLS_CLIENT_KEY_PATH: _key, ...noCertificate } = writer();
    const anonymous = await bed.cli(['approve', project, '5.0.0', '--as', 'alice', '--yes'], noCertificate);
    expect(anonymous.exitCode, String(anonymous.stderr)).toBe(ExitCode.unreachable);
    expect((await waitForPhase(handle, 'awaiting-approval', 5_000)).decisions ?? []).toEqual([]);
  });

  it('the whole Temporal server restarts while the release waits at the gate; approval afterwards promotes', async () => {
    await bed.stack.restartServer();
    const approve = await bed.cli(['approve', project, '5.0.0', '--as', 'alice', '--yes'], writer());
    expect(approve.exitCode, String(approve.stderr)).toBe(0);
    const done = await waitForPhase(handle, ['promoted', 'needs-attention'], 120_000);
    expect(done.phase, JSON.stringify(done.attention)).toBe('promoted');
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'v5.0.0'))?.digest).toBe(image.digest);
    expect(bed.forge.callsTo('POST', new RegExp(`/repos/acme/${project}/releases$`))).toHaveLength(1);
  });

  it('shipgate dev --topology production starts the stack for a person, a release goes through it, Ctrl-C stops it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'shipgate-dev-production-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    const dev = execa(
      join(repoRoot, 'bin', 'shipgate'),
      ['dev', '--topology', 'production', '--port', String(port), '--ui-port', String(uiPort), '--state-dir', stateDir],
      { reject: false, stdin: 'ignore', env: { SHIPGATE_LOG_LEVEL: 'WARN' } },
    );
    try {
      for (let i = 0; i < 1200 && !(await fetch(`http://127.0.0.1:${uiPort}/`).catch(() => undefined))?.ok; i++) {
        if (dev.exitCode !== null && dev.exitCode !== undefined) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const profile = { TEMPORAL_CONFIG_FILE: join(stateDir, 'temporal.toml'), TEMPORAL_PROFILE: 'shipgate' };
      const devProject = uniqueProject('dev-production');
      await signedImage(bed, `staging/${devProject}`, 'v1.0.0');
      const sha = commitSha(devProject);
      bed.forge.seedGithubCommit(`acme/${devProject}`, sha);
      const planPath = join(stateDir, 'plan.json');
      writeFileSync(planPath, JSON.stringify(planFor(bed, devProject))); // JSON is YAML
      const started = await bed.cli(
        ['start', '--plan', planPath, '--version', 'v1.0.0', '--commit', sha, '--wait', 'awaiting-approval'],
        profile,
      );
      expect(started.exitCode, String(started.stderr)).toBe(0);
      const approved = await bed.cli(['approve', devProject, '1.0.0', '--as', 'alice', '--yes'], profile);
      expect(approved.exitCode, String(approved.stderr)).toBe(0);
      let phase: string | undefined;
      for (let i = 0; i < 300 && phase !== 'promoted' && phase !== 'needs-attention'; i++) {
        const status = await bed.cli(['status', devProject, '1.0.0', '--json'], profile);
        phase = (JSON.parse(String(status.stdout || '{}')) as { phase?: string }).phase;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(phase).toBe('promoted');
    } finally {
      dev.kill('SIGINT');
    }
    const stopped = await dev;
    expect(stopped.stderr).toMatch(/production topology ready in [\d.]+ s/);
    expect(stopped.stderr).toContain(`web UI:     http://127.0.0.1:${uiPort}`);
    expect(stopped.exitCode, String(stopped.stderr)).toBe(0);
    // PostgreSQL, the Temporal server and the UI server went with it: nothing is left that uses the state folder.
    expect((await execa('pgrep', ['-f', stateDir], { reject: false })).stdout).toBe('');
    rmSync(stateDir, { recursive: true, force: true });
  });
});
