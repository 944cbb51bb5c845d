import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-rules-proxy.ts';
import {
  commitSha,
  copyStarted,
  planFor,
  signedLargeImage,
  startRelease,
  uniqueProject,
  useReleaseBed,
  waitForPhase,
} from '../support/release-bed.ts';

// The fault tier's fast representative (the whole matrix is `npm run chaos`). Issue 16 #5: a source serving a layer
// whose bytes do not match its digest was classified Transient (regctl's "digest mismatch ...: EOF" matched the EOF
// pattern), retried for minutes and parked as "usually nothing: retry". It must be refused at once as
// DigestMismatch, permanent, naming both digests; and a transient fault (503, reset mid-blob) is retried to the end.
describe('fault proxy: corrupt bytes are refused, transient faults are retried', () => {
  const bed = useReleaseBed();
  let proxy: FaultProxy;
  beforeAll(async () => {
    proxy = await startFaultProxy(`http://${bed.source}`);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  const start = async (project: string) => {
    await signedLargeImage(bed, project, 'v1.0.0', 1024 * 1024);
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    return startRelease(bed, planFor({ ...bed, source: proxy.host }, project), '1.0.0', sha, 'ci-bot', bed.taskQueue, {
      timing: { retryInitialMs: 100, retryMaxAttempts: 8, heartbeatTimeoutMs: 5_000 },
    });
  };

  it('a corrupt layer parks the release at the copy as DigestMismatch after one attempt, both digests named', async () => {
    const project = uniqueProject('corrupt');
    proxy.inject({
      method: 'GET',
      path: new RegExp(`^/v2/staging/${project}/blobs/`),
      fault: { kind: 'corrupt', minLength: 512 * 1024 },
    });
    const handle = await start(project);
    const parked = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(parked.phase).toBe('needs-attention');
    expect(parked.attention).toMatchObject({ step: 'copy', type: 'DigestMismatch' });
    expect(parked.attention?.message).toMatch(/expected sha256:[0-9a-f]{64}.*got sha256:[0-9a-f]{64}/);
    expect((await copyStarted(handle))?.attempt).toBe(1);
    expect(proxy.log.filter((e) => e.fault === 'corrupt' && e.path.includes(project)).length).toBeGreaterThan(0);
  });

  it('503s on the manifests and a reset mid-blob are retried and the release reaches its gate', async () => {
    const project = uniqueProject('transient');
    proxy.inject({
      path: new RegExp(`^/v2/staging/${project}/manifests/`),
      times: 2,
      fault: { kind: 'status', status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"unavailable"}]}' },
    });
    proxy.inject({
      method: 'GET',
      path: new RegExp(`^/v2/staging/${project}/blobs/`),
      times: 1,
      fault: { kind: 'reset', afterBytes: 256 * 1024 },
    });
    const handle = await start(project);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.attention).toBeUndefined();
    expect(waiting.phase).toBe('awaiting-approval');
    const faults = proxy.log.filter((e) => e.fault && e.path.includes(project)).map((e) => e.fault);
    expect(faults).toEqual(expect.arrayContaining(['status', 'reset']));
  });
});
