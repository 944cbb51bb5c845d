import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import { verifyArtifact, type VerificationResult } from '../../src/activities/verify-signatures.ts';
import type { ResolvedOciArtifact } from '../../src/artifacts/types.ts';
import type { VerificationPolicy } from '../../src/config/verification-policy.ts';
import { pushImage } from '../support/fixtures/images.ts';
import { generateKeyPair, offlineKeyPolicy, signAndAttest, type KeyPair } from '../support/fixtures/signing.ts';
import { uniqueProject } from '../support/release-bed.ts';

// The pass cache inside an activity context (the SDK's test activity environment supplies the workflow id and run
// id the cache scope is made of): a digest reached twice in one pass is checked once; the next pass, the re-verify
// and another release run check again.

describe('verification cache of a release pass', () => {
  let key: KeyPair;
  let policy: Extract<VerificationPolicy, { kind: 'key' }>;
  let artifact: ResolvedOciArtifact;

  beforeAll(async () => {
    key = await generateKeyPair(join(inject('workDir'), `pass-cache-keys-${process.pid}`));
    // A signature and a vuln attestation on the index and each platform: 6 checks per pass, none when cached.
    policy = offlineKeyPolicy(key, ['vuln'], 'both');
    const name = uniqueProject('pass-cache');
    const endpoint = { host: inject('sourceRegistry'), plainHttp: true };
    const image = await pushImage({ registry: endpoint.host, repository: `staging/${name}`, tag: 'v1.2.3' });
    await signAndAttest(image, {
      key,
      format: 'legacy',
      attestations: ['vuln'],
      workDir: join(inject('workDir'), name),
    });
    const repo = { endpoint, repository: `staging/${name}` };
    artifact = await resolveOciArtifact({ kind: 'image', name, tag: 'v1.2.3', source: repo, destination: repo });
  });

  /** verifyArtifact as an activity of that release run. */
  const inRun = (runId: string) => {
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId: `release-${runId}`, runId },
      activityType: 'verifyArtifact',
    });
    return {
      run: (input: Parameters<typeof verifyArtifact>[0]): Promise<VerificationResult> => env.run(verifyArtifact, input),
    };
  };

  it('checks a digest reached twice in one pass once; the destination pass, the re-verify and another run check again', async () => {
    const run = inRun(`run-${Date.now()}`);
    const first = await run.run({ artifact, where: 'source', policy });
    expect(first.outcome).toBe('verified');
    expect(first.timings).toMatchObject({ digests: 3, cachedChecks: 0 });
    expect(first.timings!.inProcessChecks).toBeGreaterThan(0);

    // The same image under another name (two artifacts of one release sharing the index and platform manifests).
    const again = await run.run({ artifact: { ...artifact, name: 'alias' }, where: 'source', policy });
    expect(again.outcome).toBe('verified');
    expect(again.digests).toEqual(first.digests);
    expect(again.timings).toMatchObject({ cachedChecks: 6, inProcessChecks: 0, cosignRuns: 0 });

    const destination = await run.run({ artifact, where: 'destination', policy });
    expect(destination.timings).toMatchObject({ cachedChecks: 0 });
    const reverify = await run.run({ artifact, where: 'destination', policy, expectTag: true });
    expect(reverify.timings).toMatchObject({ cachedChecks: 0 });
    const otherRun = await inRun(`other-${Date.now()}`).run({ artifact, where: 'source', policy });
    expect(otherRun.timings).toMatchObject({ cachedChecks: 0 });
    // Another key is another check: never answered from the first key's entries.
    const otherKey = await generateKeyPair(join(inject('workDir'), `pass-cache-other-${process.pid}`), 'other');
    const refused = await run
      .run({ artifact, where: 'source', policy: { ...policy, publicKeyPath: otherKey.publicKey } })
      .then(
        () => 'verified',
        (e: unknown) => (e as { type?: string }).type,
      );
    expect(refused).toBe('VerificationFailed');
  });
});
