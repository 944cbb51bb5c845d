import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { requestFloatingTagMove } from '../../src/activities/request-floating-tag-move.ts';
import { approveUpdate, retryUpdate, statusQuery } from '../../src/workflows/messages.ts';
import { pushImage, regctl } from '../support/fixtures/images.ts';
import {
  commitSha,
  planFor,
  recordHistory,
  scheduledActivities,
  startRelease,
  startPublicRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

describe('release workflow: failures, retries, restarts and concurrency', () => {
  const bed = useReleaseBed();

  it('a version tag re-pointed between publish and promote stops the promotion; restored, retry completes', async () => {
    const project = uniqueProject('tamper');
    const { image, handle } = await startPublicRelease(bed, project, 'v1.0.0');
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-approval');

    // Someone pushes other bytes under the released tag at the destination.
    const impostor = await pushImage({
      registry: bed.destination,
      repository: `prod/${project}`,
      tag: 'v1.0.0',
      dockerConfigDir: inject('dockerConfigDir'),
      label: 'impostor',
    });
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'v1.0.0'))?.digest).toBe(impostor.digest);

    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    const stopped = await waitForPhase(handle, ['needs-attention', 'promoted']);
    expect(stopped.phase).toBe('needs-attention');
    expect(stopped.attention).toMatchObject({ step: 'reverify', type: 'TagTampered' });
    expect(stopped.attention?.message).toContain(image.digest);
    expect(await bed.destinationClient.headManifest(`prod/${project}`, 'latest')).toBeUndefined();

    // The operator restores the tag from the recorded digest and retries from the failed step.
    await regctl(
      bed.destination,
      [
        'image',
        'copy',
        `${bed.destination}/prod/${project}@${image.digest}`,
        `${bed.destination}/prod/${project}:v1.0.0`,
      ],
      inject('dockerConfigDir'),
    );
    await handle.executeUpdate(retryUpdate, { args: [{ by: 'alice', comment: 'restored v1.0.0' }] });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(image.digest);
    // The retry ran from the failed step: the copy was not done again; the destination verify ran once, reverify twice.
    const scheduled = await scheduledActivities(handle);
    expect(scheduled.filter((name) => name === 'copyImage')).toHaveLength(1);
    expect(scheduled.filter((name) => name === 'verifyArtifact')).toHaveLength(4);
    expect(done.steps.find((s) => s.step === 'reverify')).toMatchObject({ state: 'done' });
  });

  it('a tamper found by the floating-tag owner reaches the release as itself: TagTampered, not retryable', async () => {
    const project = uniqueProject('owner');
    const move = requestFloatingTagMove({ client: bed.env.client, taskQueue: bed.taskQueue });
    const error = await move({
      name: 'app',
      destination: {
        endpoint: { host: bed.destination, plainHttp: true, usernameEnv: 'DEST_USER', passwordEnv: 'DEST_PASS' },
        repository: `prod/${project}`,
      },
      versionTag: 'v1.0.0',
      digest: `sha256:${'a'.repeat(64)}`,
      kinds: ['latest'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'TagTampered', nonRetryable: true });
    expect((error as Error).message).toMatch(/v1\.0\.0 now points at nothing, but sha256:a{64} was published/);
  });

  it('tag moves for a new repository that arrive together run one after the other: latest ends on the highest', async () => {
    const move = requestFloatingTagMove({ client: bed.env.client, taskQueue: bed.taskQueue });
    const tags = ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0', 'v1.4.0', 'v1.5.0'];
    // A fresh repository each round, so all requests start (and crowd into the first tasks of) the owner workflow.
    for (let round = 0; round < 3; round++) {
      const repository = `prod/${uniqueProject('together')}`;
      const images = await Promise.all(
        tags.map((tag) =>
          pushImage({ registry: bed.destination, repository, tag, dockerConfigDir: inject('dockerConfigDir') }),
        ),
      );
      await Promise.all(
        images.map((image) =>
          move({
            name: 'app',
            destination: {
              endpoint: { host: bed.destination, plainHttp: true, usernameEnv: 'DEST_USER', passwordEnv: 'DEST_PASS' },
              repository,
            },
            versionTag: image.tag,
            digest: image.digest,
            kinds: ['latest', 'minor', 'major'],
          }),
        ),
      );
      const highest = images.at(-1)?.digest;
      expect((await bed.destinationClient.headManifest(repository, 'latest'))?.digest, `round ${round}`).toBe(highest);
      expect((await bed.destinationClient.headManifest(repository, '1'))?.digest, `round ${round}`).toBe(highest);
      for (const image of images) {
        const minor = image.tag.slice(1).split('.').slice(0, 2).join('.');
        expect((await bed.destinationClient.headManifest(repository, minor))?.digest, `round ${round} ${minor}`).toBe(
          image.digest,
        );
      }
    }
  });

  it('a pin endpoint answering 500 then 200 succeeds; answering 400 needs attention, and retry after the fix completes', async () => {
    const first = uniqueProject('pin500');
    bed.forge.failNext({ method: 'POST', pathPrefix: '/pins/' }, [{ status: 500 }]);
    const one = await startPublicRelease(bed, first, 'v1.0.0', {
      promotion: {
        floatingTags: [],
        publishRelease: false,
        pins: [{ url: `${bed.forge.pinsUrl}/${first}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
      },
    });
    const gate = await waitForPhase(one.handle, 'awaiting-approval');
    await one.handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: gate.gate?.digests ?? [] }] });
    expect((await waitForPhase(one.handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
    expect(bed.forge.callsTo('POST', new RegExp(`^/pins/${first}$`)).map((c) => c.status)).toEqual([500, 200]);
    expect(bed.forge.pins().get(first)?.digest).toBe(one.image.digest);

    const second = uniqueProject('pin400');
    bed.forge.failAlways(
      { method: 'POST', pathPrefix: `/pins/${second}` },
      { status: 400, body: { error: 'unknown service' } },
    );
    const two = await startPublicRelease(bed, second, 'v1.0.0', {
      promotion: {
        floatingTags: [],
        publishRelease: false,
        pins: [{ url: `${bed.forge.pinsUrl}/${second}`, tokenEnv: 'PIN_TOKEN', readBack: true }],
      },
    });
    const gate2 = await waitForPhase(two.handle, 'awaiting-approval');
    await two.handle.executeUpdate(approveUpdate, {
      args: [{ approver: 'alice', digests: gate2.gate?.digests ?? [] }],
    });
    const stuck = await waitForPhase(two.handle, ['needs-attention', 'promoted']);
    expect(stuck.phase).toBe('needs-attention');
    expect(stuck.attention).toMatchObject({ step: 'pin', type: 'PinRejected' });
    expect(stuck.attention?.message).toContain('400');
    expect(bed.forge.callsTo('POST', new RegExp(`^/pins/${second}$`))).toHaveLength(1);

    bed.forge.clearFaults();
    await two.handle.executeUpdate(retryUpdate, { args: [{ by: 'alice', comment: 'registered the service' }] });
    const done = await waitForPhase(two.handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(bed.forge.pins().get(second)?.digest).toBe(two.image.digest);
    await recordHistory(two.handle, 'needs-attention-retry-promoted');
  });

  it('a worker restarted mid-publish resumes and completes with no side effect done twice', async () => {
    const project = uniqueProject('restart');
    const image = await pushImage({
      registry: bed.source,
      repository: `staging/${project}`,
      tag: 'v3.0.0',
      layerBytes: 24 * 1024 * 1024,
    });
    const { signAndAttest } = await import('../support/fixtures/signing.ts');
    await signAndAttest(image, {
      key: bed.key,
      format: 'legacy',
      attestations: ['slsaprovenance'],
      workDir: bed.workDir,
      perPlatform: false,
    });
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const handle = await startRelease(bed, planFor(bed, project), 'v3.0.0', sha);
    for (let i = 0; i < 300; i++) {
      const status = await handle.query(statusQuery);
      if (status.currentStep === 'copy' || status.phase !== 'publishing') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await bed.restartWorker();
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    await bed.restartWorker();
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(bed.forge.callsTo('POST', new RegExp(`/repos/acme/${project}/releases$`))).toHaveLength(1);
    expect(
      bed.forge.callsTo('POST', /^\/pins\/app$/).filter((c) => (c.body as { digest?: string }).digest === image.digest),
    ).toHaveLength(1);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(image.digest);
  });

  it('two releases promoting at the same time leave every floating tag on the higher version', async () => {
    const project = uniqueProject('race');
    const noPins = { promotion: { floatingTags: ['latest', 'minor', 'major'], publishRelease: false, pins: [] } };
    const low = await startPublicRelease(bed, project, 'v1.4.0', noPins);
    const high = await startPublicRelease(bed, project, 'v1.5.0', noPins);
    const [lowGate, highGate] = await Promise.all([
      waitForPhase(low.handle, 'awaiting-approval'),
      waitForPhase(high.handle, 'awaiting-approval'),
    ]);
    await Promise.all([
      high.handle.executeUpdate(approveUpdate, {
        args: [{ approver: 'alice', digests: highGate.gate?.digests ?? [] }],
      }),
      low.handle.executeUpdate(approveUpdate, { args: [{ approver: 'bob', digests: lowGate.gate?.digests ?? [] }] }),
    ]);
    const [lowDone, highDone] = await Promise.all([
      waitForPhase(low.handle, ['promoted', 'needs-attention']),
      waitForPhase(high.handle, ['promoted', 'needs-attention']),
    ]);
    expect([lowDone.phase, highDone.phase]).toEqual(['promoted', 'promoted']);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(high.image.digest);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, '1'))?.digest).toBe(high.image.digest);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, '1.4'))?.digest).toBe(low.image.digest);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, '1.5'))?.digest).toBe(high.image.digest);
  });
});
