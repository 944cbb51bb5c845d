// The benchmark's reference release, generated into a loopback source registry (not timed): multi-arch images
// signed in both cosign formats (legacy .sig/.att tags; sigstore bundles as OCI referrers, which land in the
// sha256-<hex> fallback index on a registry without the referrers API) with 3 attestations on the index and on
// each platform manifest, a Helm chart and an OCI package of 2 files, each signed.
import { join } from 'node:path';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import type { OciArtifactSpec, ResolvedOciArtifact } from '../../src/artifacts/types.ts';
import { pushChart } from '../../test/support/fixtures/charts.ts';
import { pushImage } from '../../test/support/fixtures/images.ts';
import { pushOciPackage, writePackageFiles } from '../../test/support/fixtures/packages.ts';
import {
  generateKeyPair,
  signAndAttest,
  signArtifact,
  type SignatureFormat,
} from '../../test/support/fixtures/signing.ts';

export type Scale = 'reference' | 'small';

export const scales: Record<Scale, { images: number; imageMiB: number; packageFileMiB: number }> = {
  // The reference release: 4 images of ~50 MiB, 2 package files of 10 MiB (~220 MiB in all).
  reference: { images: 4, imageMiB: 50, packageFileMiB: 10 },
  small: { images: 4, imageMiB: 5, packageFileMiB: 1 },
};

const attestations = ['slsaprovenance', 'spdxjson', 'vuln'];
const tag = '1.0.0';

export function describeScale(scale: Scale): string {
  const s = scales[scale];
  return `${s.images} multi-arch images (2 platforms x 2 layers) of ~${s.imageMiB} MiB, a Helm chart, an OCI package of 2 files of ${s.packageFileMiB} MiB; cosign legacy tags and bundles (referrers), ${attestations.length} attestations per image digest`;
}

/**
 * Builds the release in the source registry and resolves each artifact by digest. The destination of each
 * resolved artifact is a placeholder: the bench points it at a fresh destination per copy.
 */
export async function buildReferenceRelease(
  sourceHost: string,
  scale: Scale,
  dir: string,
): Promise<ResolvedOciArtifact[]> {
  const s = scales[scale];
  const key = await generateKeyPair(join(dir, 'keys'));
  const source = { host: sourceHost, plainHttp: true };
  const specs: Omit<OciArtifactSpec, 'destination'>[] = [];
  // Images side by side (each image's cosign calls stay in order: each rewrites that digest's tags).
  await Promise.all(
    Array.from({ length: s.images }, async (_, i) => {
      const repository = `release/image-${i}`;
      const image = await pushImage({
        registry: sourceHost,
        repository,
        tag,
        layersPerPlatform: 2,
        layerBytes: Math.round((s.imageMiB * 1024 * 1024) / 4),
      });
      const format: SignatureFormat = i % 2 === 0 ? 'legacy' : 'bundle';
      await signAndAttest(image, { key, format, attestations, workDir: join(dir, 'predicates', String(i)) });
      specs.push({ kind: 'image', name: `image-${i}`, tag, source: { endpoint: source, repository } });
    }),
  );
  specs.sort((a, b) => a.name.localeCompare(b.name));
  const chart = await pushChart({
    registry: sourceHost,
    repositoryPrefix: 'release/charts',
    name: 'gateway',
    version: tag,
  });
  await signArtifact(`${sourceHost}/${chart.repository}@${chart.digest}`, { key, format: 'bundle' });
  specs.push({ kind: 'chart', name: 'gateway-chart', tag, source: { endpoint: source, repository: chart.repository } });

  const files = writePackageFiles(join(dir, 'files'), [
    { name: 'gateway-linux-amd64', bytes: s.packageFileMiB * 1024 * 1024 },
    { name: 'gateway-linux-arm64', bytes: s.packageFileMiB * 1024 * 1024 },
  ]);
  const packageRepository = 'release/packages/gateway';
  const packageDigest = await pushOciPackage({ registry: sourceHost, repository: packageRepository, tag, files });
  await signArtifact(`${sourceHost}/${packageRepository}@${packageDigest}`, { key, format: 'legacy' });
  specs.push({
    kind: 'oci-package',
    name: 'gateway-cli',
    tag,
    source: { endpoint: source, repository: packageRepository },
  });

  return Promise.all(
    specs.map((spec) =>
      resolveOciArtifact({
        ...spec,
        destination: { endpoint: { host: 'destination.invalid' }, repository: spec.source.repository },
      }),
    ),
  );
}
