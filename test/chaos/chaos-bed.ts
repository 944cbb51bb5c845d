import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll } from 'vitest';
import { attachedStatements } from '../../src/registry/attestations.ts';
import { approveUpdate, floatingTagsWorkflowId, statusQuery } from '../../src/workflows/messages.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import { scheduledActivityTimeouts, slowToRecover, type ScheduledActivity } from '../support/activity-timeouts.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-rules-proxy.ts';
import { generateKeyPair, type KeyPair } from '../support/fixtures/signing.ts';
import type { PushedImage } from '../support/fixtures/images.ts';
import { commitSha, planFor, signedLargeImage, startRelease, useReleaseBed } from '../support/release-bed.ts';
import { workerProcesses } from '../support/worker-process.ts';

export const vsaType = 'https://slsa.dev/verification_summary/v1';

/**
 * The release bed with fault proxies in front of the source registry, the destination registry and the fake forge
 * (GitHub and the control plane): shipgate only ever talks to the proxies. Releases run on real `shipgate worker`
 * processes that a test may SIGKILL.
 */
export function useChaosBed() {
  const bed = useReleaseBed();
  const proxies = {} as { source: FaultProxy; destination: FaultProxy; forge: FaultProxy };
  let promotionKey: KeyPair;
  let workers: ReturnType<typeof workerProcesses>;
  beforeAll(async () => {
    const [source, destination, forge] = await Promise.all([
      startFaultProxy(`http://${bed.source}`),
      startFaultProxy(`http://${bed.destination}`),
      startFaultProxy(bed.forge.url),
    ]);
    Object.assign(proxies, { source, destination, forge });
    promotionKey = await generateKeyPair(join(bed.workDir, 'promotion'), 'shipgate');
    // For the bed's in-process worker too (the fault matrix runs there).
    process.env.PROMOTION_KEY_PATH = promotionKey.privateKey;
    process.env.PROMOTION_KEY_PASSWORD = promotionKey.password;
    workers = workerProcesses({
      PROMOTION_KEY_PATH: promotionKey.privateKey,
      PROMOTION_KEY_PASSWORD: promotionKey.password,
    });
  });
  afterAll(async () => {
    workers?.killAll();
    await Promise.allSettled(Object.values(proxies).map((p) => p.close()));
  });

  /** A signed image in the source, its commit and release PR on the forge, a plan through the proxies. */
  const prepare = async (project: string, version: string, layerBytes = 2 * 1024 * 1024) => {
    const image = await signedLargeImage(bed, project, `v${version}`, layerBytes);
    const sha = commitSha(`${project}-${version}`);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    bed.forge.seedGithubPull(`acme/${project}`, 7, { head: `release/${version}` });
    const viaProxy = (url: string) => url.replace(bed.forge.url, proxies.forge.url);
    const plan = planFor(
      {
        ...bed,
        source: proxies.source.host,
        destination: proxies.destination.host,
        forge: { ...bed.forge, githubUrl: viaProxy(bed.forge.githubUrl), pinsUrl: viaProxy(bed.forge.pinsUrl) },
      },
      project,
      {
        smoke: { commands: [{ name: 'ok', run: ['sh', '-c', 'sleep 1'] }] },
        evidence: { key: { pathEnv: 'PROMOTION_KEY_PATH', passwordEnv: 'PROMOTION_KEY_PASSWORD' } },
        promotion: {
          floatingTags: ['latest', 'minor', 'major'],
          publishRelease: true,
          mergePullRequest: {},
          pins: [{ url: `${viaProxy(bed.forge.pinsUrl)}/${project}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
        },
      },
    );
    const taskQueue = `chaos-${randomUUID()}`;
    const start = (queue = taskQueue) =>
      startRelease(bed, plan, version, sha, 'ci-bot', queue, {
        pullRequest: 7,
        timing: { retryInitialMs: 200, retryMaxAttempts: 10, heartbeatTimeoutMs: 5_000 },
      });
    return { image, sha, plan, taskQueue, start };
  };

  /** Sends the approval, retrying while no worker is there to take it (the update waits for one). */
  const approve = async (handle: WorkflowHandle, status: ReleaseStatus): Promise<void> => {
    for (let i = 0; ; i++) {
      try {
        await handle.executeUpdate(approveUpdate, {
          args: [{ approver: 'alice', digests: status.gate?.digests ?? [] }],
        });
        return;
      } catch (error) {
        if (i >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  };

  /**
   * What every run must end with, whatever was killed or broken on the way: the version and floating tags at the
   * destination on the source digest, one release published, one merge, one pin of the digest, one promotion record,
   * and every scheduled activity recoverable within a minute.
   */
  const outcome = async (project: string, version: string, image: PushedImage, handle: WorkflowHandle) => {
    const repo = `prod/${project}`;
    const tags = await Promise.all(
      [`v${version}`, 'latest', version.split('.').slice(0, 2).join('.'), version.split('.')[0] ?? ''].map(
        async (tag) => (await bed.destinationClient.headManifest(repo, tag))?.digest,
      ),
    );
    const releaseWorkflow = bed.env.client.workflow.getHandle(floatingTagsWorkflowId(proxies.destination.host, repo));
    const scheduled: ScheduledActivity[] = [
      ...(await scheduledActivityTimeouts(handle)),
      ...(await scheduledActivityTimeouts(releaseWorkflow).catch(() => [])),
    ];
    const records = (await attachedStatements(bed.destinationClient, repo, image.digest)).filter(
      (s) => s.predicateType === vsaType,
    );
    return {
      phase: (await handle.query(statusQuery)).phase,
      identicalDigests: tags.every((digest) => digest === image.digest),
      releases: bed.forge.callsTo('POST', new RegExp(`/repos/acme/${project}/releases$`)).length,
      published: bed.forge
        .callsTo('PATCH', new RegExp(`/repos/acme/${project}/releases/\\d+$`))
        .filter((c) => (c.body as { draft?: boolean }).draft === false).length,
      merges: bed.forge.callsTo('PUT', new RegExp(`/repos/acme/${project}/pulls/7/merge$`)).length,
      pins: bed.forge
        .callsTo('POST', new RegExp(`^/pins/${project}$`))
        .filter((c) => (c.body as { digest?: string }).digest === image.digest).length,
      records: records.length,
      slowToRecover: slowToRecover(scheduled).map((s) => s.activity),
    };
  };

  return {
    bed,
    proxies,
    prepare,
    approve,
    outcome,
    workers: { start: (taskQueue: string) => workers.start(taskQueue) },
  };
}
