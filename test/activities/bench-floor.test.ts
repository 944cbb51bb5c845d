// The copy bench's instruments (scripts/bench): the complete-copy floor must carry everything regctl carries
// (index children, cosign .sig/.att tags, sigstore bundles as referrers), the counting proxy must count what it
// forwards, and the bench's completeness check must notice a copy that lacks something. No timings here.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import type { ResolvedOciArtifact } from '../../src/artifacts/types.ts';
import { runContender, type CopyTarget } from '../../scripts/bench/contenders.ts';
import { differences, readView, type ArtifactView } from '../../scripts/bench/destination-view.ts';
import { buildGoTool, startCountingProxy, type CountingProxy } from '../../scripts/bench/go-tools.ts';
import { pushImage } from '../support/fixtures/images.ts';
import { generateKeyPair, signAndAttest } from '../support/fixtures/signing.ts';
import { uniqueProject } from '../support/release-bed.ts';

describe('copy bench: floor, counting proxy and completeness check', () => {
  let artifacts: ResolvedOciArtifact[];
  let expected: ArtifactView[];
  let proxy: CountingProxy;
  let floor: string;
  const destinationEndpoint = () => ({
    host: inject('destinationRegistry'),
    plainHttp: true,
    usernameEnv: 'BENCH_TEST_USER',
    passwordEnv: 'BENCH_TEST_PASS',
  });

  beforeAll(async () => {
    process.env.BENCH_TEST_USER = inject('destinationUsername');
    process.env.BENCH_TEST_PASS = inject('destinationPassword');
    const source = inject('sourceRegistry');
    const dir = join(inject('workDir'), `bench-floor-${process.pid}`);
    const key = await generateKeyPair(join(dir, 'keys'));
    const formats = ['legacy', 'bundle'] as const;
    artifacts = await Promise.all(
      formats.map(async (format) => {
        const repository = `bench/${uniqueProject(format)}`;
        const image = await pushImage({ registry: source, repository, tag: '1.0.0', layerBytes: 4096 });
        await signAndAttest(image, { key, format, attestations: ['slsaprovenance'], workDir: join(dir, format) });
        const location = { endpoint: { host: source, plainHttp: true }, repository };
        return resolveOciArtifact({
          kind: 'image',
          name: format,
          tag: '1.0.0',
          source: location,
          destination: location,
        });
      }),
    );
    expected = await readView({ host: source, plainHttp: true }, artifacts);
    [floor, proxy] = await Promise.all([
      buildGoTool('floor'),
      buildGoTool('countproxy').then((binary) => startCountingProxy(binary, `http://${inject('destinationRegistry')}`)),
    ]);
  });

  afterAll(async () => {
    await proxy?.stop();
  });

  const target = (): CopyTarget => ({
    host: proxy.host,
    sourceHost: inject('sourceRegistry'),
    credentials: { username: inject('destinationUsername'), password: inject('destinationPassword') },
    dir: join(inject('workDir'), `bench-floor-target-${process.pid}`),
  });

  it('the source closure has what the floor must carry: digest tags and referrers', () => {
    const [legacy, bundle] = expected;
    expect(legacy?.digestTags.some((t) => t.includes('.sig ->'))).toBe(true);
    expect(legacy?.digestTags.some((t) => t.includes('.att ->'))).toBe(true);
    expect(bundle?.referrers.length).toBeGreaterThanOrEqual(6);
  });

  it('a copy of one artifact of two is found incomplete', async () => {
    const [first] = artifacts;
    if (!first) throw new Error('no artifact');
    await runContender('floor', [first], target(), { floor });
    const problems = differences(expected, await readView(destinationEndpoint(), artifacts));
    expect(problems.some((p) => p.startsWith(`${artifacts[1]?.source.repository}:1.0.0: tag is missing`))).toBe(true);
    expect(differences(expected.slice(0, 1), await readView(destinationEndpoint(), [first]))).toEqual([]);
  });

  it('the floor copies everything, each blob with one POST and one PUT, and the proxy counts every request', async () => {
    await proxy.reset();
    const bundle = artifacts[1];
    if (!bundle) throw new Error('no artifact');
    await runContender('floor', [bundle], target(), { floor });
    expect(differences(expected, await readView(destinationEndpoint(), artifacts))).toEqual([]);
    const counts = await proxy.counts();
    const view = expected[1];
    const blobs = view?.blobs ?? 0;
    expect(counts.byMethod.POST).toBe(blobs);
    // Blob PUTs, plus one PUT per manifest or tag: more than the manifests (the version tag, the fallback index).
    expect(counts.byMethod.PUT).toBeGreaterThan(blobs + (view?.manifests.length ?? 0));
    expect(counts.total).toBe((counts.byMethod.POST ?? 0) + (counts.byMethod.PUT ?? 0));
  });
});
