import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/devstack/processes.ts';
import { repoRoot } from '../../src/tools/locate.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startReleaseBed,
  uniqueProject,
  type ReleaseBed,
} from '../support/release-bed.ts';

// `shipgate dev` as a person runs it: one command for the Temporal dev server (SQLite in a state folder, web UI)
// and a worker; Ctrl-C (SIGINT) stops both; a release waiting at the gate survives the restart of the stack.
describe('shipgate dev', () => {
  let bed: ReleaseBed;
  let stateDir: string;
  let port: number;
  let uiPort: number;
  const running: ResultPromise[] = [];
  const secrets = {
    DEST_USER: inject('destinationUsername'),
    DEST_PASS: inject('destinationPassword'),
    FORGE_TOKEN: 'forge-token',
    PIN_TOKEN: 'forge-token',
  };
  beforeAll(async () => {
    bed = await startReleaseBed();
    stateDir = mkdtempSync(join(tmpdir(), 'shipgate-dev-'));
  });
  afterAll(async () => {
    for (const proc of running) proc.kill('SIGKILL');
    await bed?.close();
  });

  const shipgate = (args: string[], user = 'ci-bot') =>
    execa(join(repoRoot, 'bin', 'shipgate'), args, {
      reject: false,
      stdin: 'ignore',
      env: { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, SHIPGATE_USER: user },
    });
  // Wrapped: an async function returning the process itself would wait for it to end (it is a promise).
  const startDev = async (): Promise<{ dev: ResultPromise }> => {
    // Fresh ports each start: a port this stack just let go may already serve another test process.
    [port, uiPort] = [await freePort(), await freePort()];
    const dev = execa(
      join(repoRoot, 'bin', 'shipgate'),
      ['dev', '--port', String(port), '--ui-port', String(uiPort), '--state-dir', stateDir],
      { reject: false, stdin: 'ignore', env: { ...secrets, SHIPGATE_LOG_LEVEL: 'WARN' } },
    );
    running.push(dev);
    for (let i = 0; i < 600; i++) {
      if ((await fetch(`http://127.0.0.1:${uiPort}/`).catch(() => undefined))?.ok) return { dev };
      if (dev.exitCode !== undefined && dev.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`shipgate dev did not come up: ${String((await dev).stderr)}`);
  };
  const statusOf = async (project: string): Promise<ReleaseStatus | undefined> => {
    const result = await shipgate(['status', project, '1.0.0', '--json']);
    return result.exitCode === 0 ? (JSON.parse(result.stdout) as ReleaseStatus) : undefined;
  };
  it('runs a release, stops cleanly on Ctrl-C, and keeps the release across a restart', async () => {
    const project = uniqueProject('dev');
    await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const planPath = join(stateDir, 'plan.json');
    writeFileSync(planPath, JSON.stringify(planFor(bed, project))); // JSON is YAML

    const { dev: first } = await startDev();
    const started = await shipgate([
      'start',
      '--plan',
      planPath,
      '--version',
      'v1.0.0',
      '--commit',
      sha,
      '--wait',
      'awaiting-approval',
      '--json',
    ]);
    expect(started.exitCode, started.stderr).toBe(0);
    expect((JSON.parse(started.stdout) as { status: ReleaseStatus }).status.phase).toBe('awaiting-approval');

    first.kill('SIGINT');
    const stopped = await first;
    expect(stopped.exitCode).toBe(0);
    // The dev server went with it: no process is left that uses this state folder.
    expect((await execa('pgrep', ['-f', stateDir], { reject: false })).stdout).toBe('');
    // Same state folder, new process: the release must still be there.

    const { dev: second } = await startDev();
    expect((await statusOf(project))?.phase).toBe('awaiting-approval');
    const approved = await shipgate(['approve', project, '1.0.0', '--yes', '--as', 'alice'], 'alice');
    expect(approved.exitCode, approved.stderr).toBe(0);
    let status: ReleaseStatus | undefined;
    for (let i = 0; i < 300 && status?.phase !== 'promoted'; i++) {
      status = await statusOf(project);
      if (status?.phase === 'needs-attention') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status?.phase).toBe('promoted');
    second.kill('SIGINT');
    expect((await second).exitCode).toBe(0);
  });
});
