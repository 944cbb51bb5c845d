import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { releasePlanSchema, type ReleasePlan } from '../../src/config/plan.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import type { ReleaseInput } from '../../src/config/release-input.ts';
import { createShipgateWorker } from '../../src/worker/create-worker.ts';
import { releaseStartOptions } from '../../src/client/release-start-options.ts';
import { releaseWorkflowType, statusQuery } from '../../src/workflows/messages.ts';
import type { release } from '../../src/workflows/release.ts';
import type { Phase, ReleaseStatus } from '../../src/workflows/status.ts';
import { startFakeForge, type FakeForge } from './fake-forge.ts';
import { pushImage, type PushedImage } from './fixtures/images.ts';
import { generateKeyPair, signAndAttest, type KeyPair, type SignatureFormat } from './fixtures/signing.ts';
import { connectTestEnvironment } from './temporal.ts';

export interface ReleaseBed {
  env: TestWorkflowEnvironment;
  forge: FakeForge;
  key: KeyPair;
  taskQueue: string;
  workDir: string;
  source: string;
  destination: string;
  /** Reads back the destination registry with the credentials the bed's plans name. */
  destinationClient: RegistryClient;
  worker: Worker;
  workerRun: Promise<void>;
  restartWorker: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * A real worker on the shared dev server, the fake forge, a signing key, and the env vars the plan names.
 * `into` is filled in place (see useReleaseBed), so a bed handed out before it started works once it has.
 */
export async function startReleaseBed(into: Partial<ReleaseBed> = {}): Promise<ReleaseBed> {
  const env = await connectTestEnvironment();
  const forge = await startFakeForge();
  const workDir = mkdtempSync(join(tmpdir(), 'shipgate-wf-'));
  const key = await generateKeyPair(join(workDir, 'keys'));
  process.env.DEST_USER = inject('destinationUsername');
  process.env.DEST_PASS = inject('destinationPassword');
  process.env.FORGE_TOKEN = 'forge-token';
  process.env.PIN_TOKEN = 'forge-token';
  const taskQueue = `release-${randomUUID()}`;
  const bed = Object.assign(into, {
    env,
    forge,
    key,
    taskQueue,
    workDir,
    source: inject('sourceRegistry'),
    destination: inject('destinationRegistry'),
  }) as ReleaseBed;
  bed.destinationClient = new RegistryClient({
    host: bed.destination,
    plainHttp: true,
    usernameEnv: 'DEST_USER',
    passwordEnv: 'DEST_PASS',
  });
  const start = async (): Promise<void> => {
    bed.worker = await createShipgateWorker({ connection: env.nativeConnection, client: env.client, taskQueue });
    bed.workerRun = bed.worker.run();
  };
  await start();
  bed.restartWorker = async () => {
    bed.worker.shutdown();
    await bed.workerRun;
    await start();
  };
  bed.close = async () => {
    bed.worker.shutdown();
    await bed.workerRun;
    await forge.close();
    await env.teardown();
  };
  return bed;
}

/**
 * The shared fixture of the workflow and end-to-end tests: registers the bed's start (beforeAll) and close
 * (afterAll) in the calling describe block and returns the bed, usable in its tests and helpers. Hooks a file
 * registers after this one run before the bed closes (vitest runs after-hooks as a stack).
 */
export function useReleaseBed(): ReleaseBed {
  const bed: Partial<ReleaseBed> = {};
  beforeAll(async () => {
    await startReleaseBed(bed);
  });
  afterAll(async () => {
    await bed.close?.();
  });
  return bed as ReleaseBed;
}

let counter = 0;
/** A project name of its own per test, so repositories and tags never collide across tests. */
export function uniqueProject(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}-${randomUUID().slice(0, 6)}`;
}

export function commitSha(seed: string): string {
  return Array.from({ length: 40 }, (_, i) => '0123456789abcdef'[(seed.charCodeAt(i % seed.length) + i) % 16]).join('');
}

/** Pushes a signed and attested multi-arch image for a version into the source registry. */
export async function signedImage(
  bed: Pick<ReleaseBed, 'source' | 'key' | 'workDir'>,
  repository: string,
  tag: string,
  options: { format?: SignatureFormat; attestations?: string[]; sign?: boolean } = {},
): Promise<PushedImage> {
  const image = await pushImage({ registry: bed.source, repository, tag });
  if (options.sign !== false) {
    await signAndAttest(image, {
      key: bed.key,
      format: options.format ?? 'bundle',
      attestations: options.attestations ?? ['slsaprovenance'],
      workDir: join(bed.workDir, 'predicates'),
      perPlatform: false,
    });
  }
  return image;
}

/**
 * What someone with write access to the destination could push: a version signed with the release key that no
 * release ever promoted (rollback and evidence tests show it is refused).
 */
export async function signedAtDestination(
  bed: Pick<ReleaseBed, 'destination' | 'key' | 'workDir'>,
  repository: string,
  tag: string,
): Promise<PushedImage> {
  const dockerConfigDir = inject('dockerConfigDir');
  const image = await pushImage({ registry: bed.destination, repository, tag, dockerConfigDir });
  await signAndAttest(image, {
    key: bed.key,
    format: 'bundle',
    attestations: ['slsaprovenance'],
    workDir: join(bed.workDir, 'predicates'),
    perPlatform: false,
    dockerConfigDir,
  });
  return image;
}

/**
 * A signed multi-arch image large enough (two layers of `layerBytes` per platform) that its copy is still running
 * when a test kills the worker that runs it.
 */
export async function signedLargeImage(
  bed: Pick<ReleaseBed, 'source' | 'key' | 'workDir'>,
  project: string,
  tag: string,
  layerBytes: number,
): Promise<PushedImage> {
  const image = await pushImage({
    registry: bed.source,
    repository: `staging/${project}`,
    tag,
    layersPerPlatform: 2,
    layerBytes,
  });
  await signAndAttest(image, {
    key: bed.key,
    format: 'bundle',
    attestations: ['slsaprovenance'],
    workDir: bed.workDir,
    perPlatform: false,
  });
  return image;
}

/** The started event of the release's copy: which attempt ran last and on which worker (pid@host). */
export async function copyStarted(
  handle: WorkflowHandle,
): Promise<{ attempt?: number | null; identity?: string | null } | undefined> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'copyImage');
  return (
    events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId))
      ?.activityTaskStartedEventAttributes ?? undefined
  );
}

/** A plan for one image, with the fake forge and the local registries; overrides merge in. */
export function planFor(
  bed: Pick<ReleaseBed, 'source' | 'destination' | 'key' | 'forge'>,
  project: string,
  overrides: Record<string, unknown> = {},
): ReleasePlan {
  return releasePlanSchema.parse({
    project,
    registries: {
      source: { host: bed.source, plainHttp: true },
      destination: { host: bed.destination, plainHttp: true, usernameEnv: 'DEST_USER', passwordEnv: 'DEST_PASS' },
    },
    images: [{ name: 'app', source: `staging/${project}`, destination: `prod/${project}` }],
    // Fixtures are signed offline (no transparency log).
    policy: { key: { path: bed.key.publicKey }, tlog: 'ignore', attestations: ['slsaprovenance'] },
    forge: { kind: 'github', baseUrl: bed.forge.githubUrl, project: `acme/${project}`, tokenEnv: 'FORGE_TOKEN' },
    // Tests about other things send plain decisions; test/workflows/release-trusted-approvals.test.ts proves them.
    gate: {
      mode: 'auto-when-public',
      approvers: ['alice', 'bob'],
      allowSelfApproval: false,
      deadline: '1h',
      identity: 'unauthenticated',
    },
    promotion: {
      floatingTags: ['latest', 'minor', 'major'],
      publishRelease: true,
      pins: [{ url: `${bed.forge.pinsUrl}/{name}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
    },
    ...overrides,
  });
}

export async function startRelease(
  bed: { env: { client: Client }; taskQueue: string },
  plan: ReleasePlan,
  version: string,
  sha: string,
  startedBy = 'ci-bot',
  taskQueue = bed.taskQueue,
  extra: Partial<ReleaseInput> = {},
): Promise<WorkflowHandle<typeof release>> {
  const input: ReleaseInput = {
    plan,
    version,
    commitSha: sha,
    startedBy,
    timing: { retryInitialMs: 100, retryMaxAttempts: 4, heartbeatTimeoutMs: 5_000 },
    ...extra,
  };
  return bed.env.client.workflow.start<typeof release>(releaseWorkflowType, releaseStartOptions(input, taskQueue));
}

/** The usual start of a test: a signed image in the source, its commit public on the fake forge, the release started. */
export async function startPublicRelease(
  bed: ReleaseBed,
  project: string,
  version: string,
  overrides: Record<string, unknown> = {},
): Promise<{ image: PushedImage; sha: string; handle: WorkflowHandle<typeof release> }> {
  const image = await signedImage(bed, `staging/${project}`, version);
  const sha = commitSha(`${project}-${version}`);
  bed.forge.seedGithubCommit(`acme/${project}`, sha);
  const handle = await startRelease(bed, planFor(bed, project, overrides), version, sha);
  return { image, sha, handle };
}

/** Polls the status query until the release reaches one of the phases (or fails the test after timeoutMs). */
export async function waitForPhase(
  handle: WorkflowHandle,
  phases: Phase | Phase[],
  timeoutMs = 90_000,
): Promise<ReleaseStatus> {
  const wanted = Array.isArray(phases) ? phases : [phases];
  const deadline = Date.now() + timeoutMs;
  let status: ReleaseStatus | undefined;
  while (Date.now() < deadline) {
    status = await handle.query(statusQuery);
    if (wanted.includes(status.phase)) return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`release did not reach ${wanted.join('/')}; last status: ${JSON.stringify(status, null, 2)}`);
}

/** The activity types a workflow scheduled, in order, from its event history (what really ran, attempts aside). */
export async function scheduledActivities(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

/**
 * With SHIPGATE_RECORD_HISTORIES=1, saves a finished release's event history under test/replay/histories so
 * the replay test keeps checking that workflow changes stay deterministic for releases already in flight.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (!process.env.SHIPGATE_RECORD_HISTORIES) return;
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { execa } = await import('execa');
  const { toolPath } = await import('../../src/tools/locate.ts');
  // The temporal CLI writes the standard JSON history format that historyFromJSON reads back.
  const { stdout } = await execa(toolPath('temporal'), [
    'workflow',
    'show',
    '--workflow-id',
    handle.workflowId,
    '--output',
    'json',
    '--address',
    inject('temporalAddress'),
  ]);
  const dir = new URL('../replay/histories/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), stdout);
}
