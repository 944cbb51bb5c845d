import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { approveUpdate } from '../../src/workflows/messages.ts';
import {
  commitSha,
  planFor,
  signedLargeImage,
  startRelease,
  uniqueProject,
  useReleaseBed,
  waitForPhase,
} from '../support/release-bed.ts';
import { workerProcesses } from '../support/worker-process.ts';

/** Every file under dir (recursively) whose bytes hold the secret. */
function filesHolding(dir: string, secrets: string[]): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (secrets.some((s) => readFileSync(path, 'utf8').includes(s))) found.push(path);
  };
  walk(dir);
  return found;
}

// Issue 16 #8: a worker killed with SIGKILL runs no `finally`, so the per-activity auth file holding the
// destination registry's user:password stayed in TMPDIR for good. Now each worker keeps them in a folder named for
// itself, and a worker that starts removes the folders of workers that are gone.
describe('crash hygiene: a killed worker leaves no credentials on disk', () => {
  const bed = useReleaseBed();
  const tmp = mkdtempSync(join(tmpdir(), 'shipgate-kill-tmp-'));
  const workers = workerProcesses({ TMPDIR: tmp });
  afterAll(() => workers.killAll());

  it('kill -9 mid-copy, then the next worker on the host purges the dead one’s auth folder at start', async () => {
    const user = inject('destinationUsername');
    const password = inject('destinationPassword');
    const secrets = [Buffer.from(`${user}:${password}`).toString('base64'), password];
    const project = uniqueProject('authkill');
    await signedLargeImage(bed, project, 'v1.0.0', 16 * 1024 * 1024);
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const taskQueue = `authkill-${randomUUID()}`;
    const first = workers.start(taskQueue);
    const handle = await startRelease(bed, planFor(bed, project), 'v1.0.0', sha, 'ci-bot', taskQueue);

    // Wait until the copy holds the destination's credentials on disk, then kill the worker holding them.
    let holding: string[] = [];
    for (let i = 0; i < 1200 && holding.length === 0; i++) {
      holding = existsSync(tmp) ? filesHolding(tmp, secrets) : [];
      if (holding.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(holding).not.toEqual([]);
    first.kill('SIGKILL');
    expect((await first).signal).toBe('SIGKILL');
    // No finally ran: the credentials are still there (this is what the purge must remove).
    expect(filesHolding(tmp, secrets)).toEqual(holding);
    const deadFolder = holding[0]?.split('/').slice(0, -2).join('/') ?? '';
    expect(deadFolder).toMatch(new RegExp(`/shipgate-auth-w${first.pid}-\\d+$`));

    const second = workers.start(taskQueue);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention'], 120_000);
    expect(waiting.phase).toBe('awaiting-approval');
    expect(existsSync(deadFolder)).toBe(false);
    expect(filesHolding(tmp, secrets)).toEqual([]);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'], 120_000)).phase).toBe('promoted');
    expect(filesHolding(tmp, secrets)).toEqual([]);
    second.kill('SIGTERM');
    await second;
  });
});
