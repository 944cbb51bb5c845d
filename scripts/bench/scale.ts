// npm run bench:scale -- --releases 100 [--max-tools 4] [--keep]
//
// N releases of distinct small projects on one worker process: a Temporal dev server, two loopback registries
// (the destination behind htpasswd), the fake forge with its pin endpoint, and `bin/shipgate worker` as its own
// process. All releases start at once; once every one waits at the gate they are approved (through the client
// with the plan's approvers; the plan says gate.identity: unauthenticated, so the approvals prove nothing: this
// measures orchestration, not identity checks); then it waits for all to be promoted and reads the histories.
// A benchmark, not a test: it prints figures and asserts nothing. The machine is shared: repeat and compare.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { execa } from 'execa';
import { releaseStartOptions } from '../../src/client/release-start-options.ts';
import { releasePlanSchema } from '../../src/config/plan.ts';
import { startLocalRegistry } from '../../src/devstack/registry.ts';
import { startTemporalDevServer } from '../../src/devstack/temporal-dev-server.ts';
import { repoRoot } from '../../src/tools/locate.ts';
import {
  approveUpdate,
  floatingTagsWorkflowId,
  phaseKey,
  releaseWorkflowType,
  statusQuery,
} from '../../src/workflows/messages.ts';
import type { release } from '../../src/workflows/release.ts';
import { startFakeForge, type FakeForge } from '../../test/support/fake-forge.ts';
import { pushImage, regctl } from '../../test/support/fixtures/images.ts';
import { generateKeyPair, signAndAttest, type KeyPair } from '../../test/support/fixtures/signing.ts';
import { analyseHistories, printAnalysis } from './scale-histories.ts';

const flag = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const releases = Number(flag('releases', '100'));
const timeoutMinutes = Number(flag('timeout-minutes', '30'));
const maxTools = flag('max-tools', process.env.SHIPGATE_MAX_TOOLS ?? '4');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

/** The worker's resident set, sampled: now, and the kernel's own high-water mark (VmHWM). */
function memoryOf(pid: number): { rssMiB: number; hwmMiB: number } {
  let status = '';
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rssMiB: 0, hwmMiB: 0 };
  }
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kib('VmRSS') / 1024, hwmMiB: kib('VmHWM') / 1024 };
}

let workerDied: string | undefined;

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'shipgate-bench-scale-'));
  const credentials = { username: 'releaser', password: `pw-${process.pid}` };
  const [temporal, source, destination, forge] = await Promise.all([
    startTemporalDevServer({ stateDir: join(workDir, 'temporal') }),
    startLocalRegistry({ stateDir: join(workDir, 'source') }),
    startLocalRegistry({ stateDir: join(workDir, 'destination'), credentials }),
    startFakeForge(),
  ]);
  const stops: (() => Promise<unknown>)[] = [temporal.stop, source.stop, destination.stop, forge.close];
  try {
    const key = await generateKeyPair(join(workDir, 'keys'));
    const projects = Array.from({ length: releases }, (_, i) => `bench-${process.pid}-${i}`);
    const prepared = performance.now();
    // One signed and attested image, copied with its signature and attestation tags into every project's source
    // repository: preparing 100 by signing each took ~5 min on the shared host (cosign's key derivation) and is not
    // what is measured. So the projects are distinct repositories, releases and floating-tag owners, but carry the
    // same image digest; nothing in shipgate shares work across releases by digest.
    const template = await pushImage({ registry: source.host, repository: 'staging/template', tag: 'v1.0.0' });
    await signAndAttest(template, {
      key,
      format: 'legacy',
      attestations: ['slsaprovenance'],
      workDir,
      perPlatform: false,
    });
    await inParallel(projects, 8, async (project) => {
      await regctl(source.host, [
        'image',
        'copy',
        '--referrers',
        '--digest-tags',
        `${source.host}/staging/template:v1.0.0`,
        `${source.host}/staging/${project}:v1.0.0`,
      ]);
      forge.seedGithubCommit(`acme/${project}`, sha(project));
    });
    console.log(
      `prepared ${releases} source repositories (one signed image) in ${seconds(performance.now() - prepared)} (not measured below)`,
    );

    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection });
    const taskQueue = `bench-${process.pid}`;
    const workerTmp = join(workDir, 'worker-tmp');
    mkdirSync(workerTmp, { recursive: true });
    const worker = execa(join(repoRoot, 'bin', 'shipgate'), ['worker', '--task-queue', taskQueue], {
      reject: false,
      stdin: 'ignore',
      env: {
        TEMPORAL_ADDRESS: temporal.address,
        // A temp folder of its own: on a shared host, another process sweeping /tmp/shipgate-auth-* must not
        // delete the worker's live tool-auth folders mid-run (seen here: cosign found no key file).
        TMPDIR: workerTmp,
        SHIPGATE_LOG_LEVEL: 'WARN',
        SHIPGATE_MAX_TOOLS: maxTools,
        DEST_USER: credentials.username,
        DEST_PASS: credentials.password,
        FORGE_TOKEN: 'forge-token',
        PIN_TOKEN: 'forge-token',
      },
    });
    let stopping = false;
    stops.unshift(async () => {
      stopping = true;
      worker.kill('SIGTERM');
      await worker;
    });
    // A worker that dies mid-run ends the benchmark with what it said, instead of waiting for releases forever.
    const died = worker.then((result) => {
      if (stopping) return;
      const said = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-15).join('\n');
      workerDied = `worker exited (code ${result.exitCode}, signal ${result.signal ?? 'none'}):\n${said}`;
    });
    void died;
    const workerPid = await nodePid(worker.pid);
    const ready = performance.now();
    await waitForPoller(client, taskQueue);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idle = memoryOf(workerPid);
    console.log(
      `worker pid ${workerPid} polling after ${seconds(performance.now() - ready)}; idle RSS ${idle.rssMiB.toFixed(0)} MiB (tool cap ${maxTools})`,
    );
    let peakRss = idle.rssMiB;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, memoryOf(workerPid).rssMiB);
    }, 100);

    const started = performance.now();
    const handles = await Promise.all(
      projects.map((project) =>
        client.workflow.start<typeof release>(
          releaseWorkflowType,
          releaseStartOptions(
            {
              plan: planFor(project, source.host, destination.host, key, forge),
              version: 'v1.0.0',
              commitSha: sha(project),
              startedBy: 'ci-bot',
            },
            taskQueue,
          ),
        ),
      ),
    );
    const gatedAt = await waitForCount(client, taskQueue, 'awaiting-approval', releases, started);
    console.log(`all ${releases} awaiting approval after ${seconds(gatedAt)}`);
    await inParallel(handles, 20, async (handle) => {
      const status = await handle.query(statusQuery);
      await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: status.gate?.digests ?? [] }] });
    });
    // Whatever happens here, the histories of what did finish are still worth reading.
    const promotedAt = await waitForCount(client, taskQueue, 'promoted', releases, started).catch((error: unknown) => {
      console.log(String(error));
      return Number.NaN;
    });
    clearInterval(sampler);
    const memory = memoryOf(workerPid);
    console.log(`all ${releases} promoted after ${seconds(promotedAt)} (approval sent from ${seconds(gatedAt)})`);
    console.log(
      `worker RSS: idle ${idle.rssMiB.toFixed(0)} MiB, peak sampled ${peakRss.toFixed(0)} MiB, VmHWM ${memory.hwmMiB.toFixed(0)} MiB`,
    );
    const owners = projects.map((project) => floatingTagsWorkflowId(destination.host, `prod/${project}`));
    printAnalysis(
      await analyseHistories(
        client,
        handles.map((h) => h.workflowId),
        owners,
      ),
    );
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    if (!process.argv.includes('--keep')) rmSync(workDir, { recursive: true, force: true });
  }
}

function sha(project: string): string {
  return Buffer.from(project.padEnd(20, '-')).toString('hex').slice(0, 40).padEnd(40, '0');
}

function planFor(project: string, source: string, destination: string, key: KeyPair, forge: FakeForge) {
  return releasePlanSchema.parse({
    project,
    registries: {
      source: { host: source, plainHttp: true },
      destination: { host: destination, plainHttp: true, usernameEnv: 'DEST_USER', passwordEnv: 'DEST_PASS' },
    },
    images: [{ name: 'app', source: `staging/${project}`, destination: `prod/${project}` }],
    policy: { key: { path: key.publicKey }, tlog: 'ignore', attestations: ['slsaprovenance'] },
    forge: { kind: 'github', baseUrl: forge.githubUrl, project: `acme/${project}`, tokenEnv: 'FORGE_TOKEN' },
    gate: { mode: 'auto-when-public', approvers: ['alice'], deadline: '1h', identity: 'unauthenticated' },
    promotion: {
      floatingTags: ['latest', 'minor', 'major'],
      publishRelease: true,
      pins: [{ url: `${forge.pinsUrl}/${project}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
    },
  });
}

/** bin/shipgate execs node, so the pid execa got is node's once the exec happened. */
async function nodePid(pid: number | undefined): Promise<number> {
  if (!pid) throw new Error('worker did not start');
  for (let i = 0; i < 100; i++) {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bash')) return pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`worker pid ${pid} never became node`);
}

async function waitForPoller(client: Client, taskQueue: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const described = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      taskQueueType: 1,
    });
    if ((described.pollers ?? []).length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no worker polled ${taskQueue} within 2 minutes`);
}

/** Waits until `count` releases on the task queue report this phase (visibility, polled); ms since `since`. */
async function waitForCount(
  client: Client,
  taskQueue: string,
  phase: string,
  count: number,
  since: number,
): Promise<number> {
  const query = `TaskQueue = "${taskQueue}" AND ${phaseKey.name} = "${phase}"`;
  for (;;) {
    if (workerDied) throw new Error(workerDied);
    const { count: seen } = await client.workflow.count(query);
    if (seen >= count) return performance.now() - since;
    const stuckQuery = `TaskQueue = "${taskQueue}" AND ${phaseKey.name} = "needs-attention"`;
    if ((await client.workflow.count(stuckQuery)).count > 0) {
      const why: string[] = [];
      for await (const stuck of client.workflow.list({ query: stuckQuery })) {
        const status = await client.workflow.getHandle(stuck.workflowId).query(statusQuery);
        why.push(
          `${stuck.workflowId}: ${status.attention?.step} [${status.attention?.type}] ${status.attention?.message}`,
        );
      }
      throw new Error(`${why.length} releases need attention (${seen} reached ${phase}):\n${why.join('\n')}`);
    }
    if (performance.now() - since > timeoutMinutes * 60_000)
      throw new Error(`only ${seen} of ${count} releases reached ${phase} in ${timeoutMinutes} min`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

await main();
