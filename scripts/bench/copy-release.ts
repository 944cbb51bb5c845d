// Benchmark: copy a reference release between two local registries with shipgate's engine, and the same
// copy done by a plain sequential shell script of regctl calls. Prints wall time and bytes for cold and warm
// runs and the ratios cold/script and warm/cold. Not a test: figures, no assertions.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyOciArtifact, type CopyResult } from '../../src/activities/copy-oci-artifact.ts';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import type { OciArtifactSpec, ResolvedOciArtifact } from '../../src/artifacts/types.ts';
import { startLocalRegistry, type LocalRegistry } from '../../src/devstack/registry.ts';
import { toolPath } from '../../src/tools/locate.ts';
import { pushChart } from '../../test/support/fixtures/charts.ts';
import { pushImage } from '../../test/support/fixtures/images.ts';
import { pushOciPackage, writePackageFiles } from '../../test/support/fixtures/packages.ts';
import {
  generateKeyPair,
  signAndAttest,
  signArtifact,
  type SignatureFormat,
} from '../../test/support/fixtures/signing.ts';

const imageCount = Number(process.env.BENCH_IMAGES ?? 4);
const imageMiB = Number(process.env.BENCH_IMAGE_MIB ?? 50);
const attestations = ['slsaprovenance', 'spdxjson', 'vuln'];

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-bench-'));
  const credentials = { username: 'bench', password: 'bench-password' };
  const registries: LocalRegistry[] = [];
  try {
    const source = await startLocalRegistry({ stateDir: join(dir, 'source') });
    const engineDestination = await startLocalRegistry({ stateDir: join(dir, 'engine'), credentials });
    const scriptDestination = await startLocalRegistry({ stateDir: join(dir, 'script'), credentials });
    registries.push(source, engineDestination, scriptDestination);
    process.env.BENCH_USER = credentials.username;
    process.env.BENCH_PASS = credentials.password;

    console.log(
      `building the reference release: ${imageCount} multi-arch images of ~${imageMiB} MiB, a chart, 2 package files of 10 MiB`,
    );
    const buildStart = Date.now();
    const key = await generateKeyPair(join(dir, 'keys'));
    const specs: Omit<OciArtifactSpec, 'destination'>[] = [];
    for (let i = 0; i < imageCount; i++) {
      const repository = `release/image-${i}`;
      // Two platforms of two layers each: imageMiB in all.
      const image = await pushImage({
        registry: source.host,
        repository,
        tag: 'v1.0.0',
        layersPerPlatform: 2,
        layerBytes: Math.round((imageMiB * 1024 * 1024) / 4),
      });
      const format: SignatureFormat = i % 2 === 0 ? 'legacy' : 'bundle';
      await signAndAttest(image, { key, format, attestations, workDir: join(dir, 'predicates') });
      specs.push({
        kind: 'image',
        name: `image-${i}`,
        tag: 'v1.0.0',
        source: { endpoint: { host: source.host, plainHttp: true }, repository },
      });
    }
    const chart = await pushChart({
      registry: source.host,
      repositoryPrefix: 'release/charts',
      name: 'gateway',
      version: '1.0.0',
    });
    await signArtifact(`${source.host}/${chart.repository}@${chart.digest}`, { key, format: 'bundle' });
    specs.push({
      kind: 'chart',
      name: 'gateway-chart',
      tag: '1.0.0',
      source: { endpoint: { host: source.host, plainHttp: true }, repository: chart.repository },
    });
    const files = writePackageFiles(join(dir, 'files'), [
      { name: 'gateway-linux-amd64', bytes: 10 * 1024 * 1024 },
      { name: 'gateway-linux-arm64', bytes: 10 * 1024 * 1024 },
    ]);
    const pkgDigest = await pushOciPackage({
      registry: source.host,
      repository: 'release/packages/gateway',
      tag: '1.0.0',
      files,
    });
    await signArtifact(`${source.host}/release/packages/gateway@${pkgDigest}`, { key, format: 'legacy' });
    specs.push({
      kind: 'oci-package',
      name: 'gateway-cli',
      tag: '1.0.0',
      source: { endpoint: { host: source.host, plainHttp: true }, repository: 'release/packages/gateway' },
    });
    console.log(`built and signed in ${seconds(Date.now() - buildStart)}`);

    const resolved: ResolvedOciArtifact[] = await Promise.all(
      specs.map((spec) =>
        resolveOciArtifact({
          ...spec,
          destination: {
            endpoint: {
              host: engineDestination.host,
              plainHttp: true,
              usernameEnv: 'BENCH_USER',
              passwordEnv: 'BENCH_PASS',
            },
            repository: spec.source.repository,
          },
        }),
      ),
    );

    const engine = async (): Promise<{ ms: number; bytes: number; blobs: number }> => {
      const started = Date.now();
      const results: CopyResult[] = await Promise.all(resolved.map((artifact) => copyOciArtifact(artifact)));
      return {
        ms: Date.now() - started,
        bytes: results.reduce((s, r) => s + r.bytesCopied, 0),
        blobs: results.reduce((s, r) => s + r.blobsCopied, 0),
      };
    };

    // The baseline: what a hand-written release job does, one regctl call after another.
    const scriptPath = join(dir, 'copy.sh');
    const dockerConfig = join(dir, 'docker');
    await execa('mkdir', ['-p', dockerConfig]);
    writeFileSync(
      join(dockerConfig, 'config.json'),
      JSON.stringify({
        auths: {
          [scriptDestination.host]: {
            auth: Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64'),
          },
        },
      }),
    );
    const lines = [
      '#!/bin/sh',
      'set -e',
      `R="${toolPath('regctl')} --host reg=${source.host},tls=disabled --host reg=${scriptDestination.host},tls=disabled"`,
    ];
    for (const artifact of resolved) {
      lines.push(
        `$R image copy --referrers --digest-tags ${source.host}/${artifact.source.repository}@${artifact.digest} ${scriptDestination.host}/${artifact.source.repository}:${artifact.tag}`,
      );
    }
    writeFileSync(scriptPath, lines.join('\n') + '\n', { mode: 0o755 });
    const script = async (): Promise<{ ms: number }> => {
      const started = Date.now();
      await execa('sh', [scriptPath], {
        env: { DOCKER_CONFIG: dockerConfig, REGCTL_CONFIG: join(dir, 'regctl.json') },
      });
      return { ms: Date.now() - started };
    };

    const totalBytes = resolved.length > 0 ? await engineDryTotals(resolved) : 0;
    const scriptCold = await script();
    const engineCold = await engine();
    const engineWarm = await engine();
    const scriptWarm = await script();

    console.log('');
    console.log(
      `release closure: ${resolved.length} artifacts, ${mib(totalBytes)} of blobs (manifests, layers, signatures, attestations)`,
    );
    console.log(
      `script  cold: ${seconds(scriptCold.ms).padStart(9)}  bytes moved: ${mib(totalBytes)} (sequential regctl image copy --referrers --digest-tags)`,
    );
    console.log(
      `engine  cold: ${seconds(engineCold.ms).padStart(9)}  bytes moved: ${mib(engineCold.bytes)} in ${engineCold.blobs} blobs`,
    );
    console.log(
      `script  warm: ${seconds(scriptWarm.ms).padStart(9)}  bytes moved: 0 (regctl finds everything present)`,
    );
    console.log(
      `engine  warm: ${seconds(engineWarm.ms).padStart(9)}  bytes moved: ${mib(engineWarm.bytes)} in ${engineWarm.blobs} blobs`,
    );
    console.log('');
    console.log(
      `cold/script=${(engineCold.ms / scriptCold.ms).toFixed(3)} warm/cold=${(engineWarm.ms / engineCold.ms).toFixed(3)}`,
    );
  } finally {
    await Promise.all(registries.map((r) => r.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function engineDryTotals(resolved: ResolvedOciArtifact[]): Promise<number> {
  const { RegistryClient } = await import('../../src/registry/client.ts');
  const { closureTotals, walkClosure } = await import('../../src/registry/closure.ts');
  let bytes = 0;
  for (const artifact of resolved) {
    bytes += closureTotals(
      await walkClosure(new RegistryClient(artifact.source.endpoint), artifact.source.repository, artifact.digest),
    ).bytes;
  }
  return bytes;
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
