// Benchmark: verification time per digest. N cosign-signed multi-arch images (index + 2 platforms, a signature
// and 3 attestations on every digest, legacy and bundle formats alternating) on a loopback registry; M callers
// (releases) at once, each verifying every image side by side as the release workflow does; R rounds.
// Prints per-digest median/p90 wall (an artifact's verification time over its digests, while the M callers run),
// CPU per digest (this process and its cosign children; not the registry's) and throughput (the rounds' wall over
// every digest verified) for:
//   per-check   the previous way: one cosign process per check and digest (the index first)
//   cosign-batch  option (a) alone: one cosign call per check kind for all digests, the kinds side by side
//   shipgate      verifyArtifact as it runs in a release: key signers in-process (both formats, option (b)),
//                 cosign for what that path does not show verified; includes key loading and the auth file
//   prototype     the bare in-process prototype of scripts/bench/verify-in-process.ts (legacy images only)
// Not a test: figures, no assertions. The machine is shared: figures are noisy, compare runs side by side.
//   npm run bench:verify -- --images 4 --callers 4 --rounds 3 [--strategies shipgate,cosign-batch]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkAttestation, checkSignature } from '../../src/activities/cosign-checks.ts';
import { verifyAttestationArgs, verifySignatureArgs } from '../../src/activities/cosign-command.ts';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import { verifyArtifact } from '../../src/activities/verify-signatures.ts';
import { verifyAttestations, verifySignatures, type BatchContext } from '../../src/activities/verification-batch.ts';
import { refAtDigest, type ResolvedOciArtifact } from '../../src/artifacts/types.ts';
import type { VerificationPolicy } from '../../src/config/verification-policy.ts';
import { startLocalRegistry } from '../../src/devstack/registry.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { withToolAuth } from '../../src/tools/auth-env.ts';
import { pushImage } from '../../test/support/fixtures/images.ts';
import {
  generateKeyPair,
  offlineKeyPolicy,
  signAndAttest,
  type SignatureFormat,
} from '../../test/support/fixtures/signing.ts';
import { attestedInProcess, publicKey, signedInProcess } from './verify-in-process.ts';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '4' },
    callers: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    strategies: { type: 'string', default: 'per-check,cosign-batch,shipgate,prototype' },
  },
});
const imageCount = Number(values.images);
const callers = Number(values.callers);
const rounds = Number(values.rounds);
const attestations = ['slsaprovenance', 'spdxjson', 'vuln'];
const strategies = new Set(values.strategies.split(','));

/** CPU of this process and of its reaped children (cosign), in ms: /proc/self/stat utime stime cutime cstime. */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return ticks * 10; // CLK_TCK is 100 on Linux
}

type Strategy = (artifact: ResolvedOciArtifact) => Promise<void>;

function perCheck(policy: VerificationPolicy & { kind: 'key' }): Strategy {
  return async (artifact) => {
    await withToolAuth([artifact.source.endpoint], async (auth) => {
      const files = { key: policy.publicKeyPath ?? '' };
      const ref = (digest: string) => refAtDigest(artifact.source, digest);
      const sig = async (digest: string) => {
        const r = await checkSignature(verifySignatureArgs(policy, files, ref(digest)), auth.env, digest, digest);
        if (!r.passed) throw new Error(`per-check: ${digest} ${r.reason}`);
      };
      await sig(artifact.digest);
      await Promise.all(artifact.platforms.map((p) => sig(p.digest)));
      for (const requirement of policy.attestations) {
        const digests = [artifact.digest, ...artifact.platforms.map((p) => p.digest)];
        await Promise.all(
          digests.map(async (digest) => {
            const args = verifyAttestationArgs(policy, files, requirement, ref(digest));
            const r = await checkAttestation(args, auth.env, digest, []);
            if (!r.passed) throw new Error(`per-check: ${digest} ${requirement.type} ${r.reason}`);
          }),
        );
      }
    });
  };
}

function cosignBatch(policy: VerificationPolicy & { kind: 'key' }): Strategy {
  return async (artifact) => {
    await withToolAuth([artifact.source.endpoint], async (auth) => {
      const ctx: BatchContext = {
        policy,
        files: { key: policy.publicKeyPath ?? '' },
        env: auth.env,
        location: artifact.source,
        describe: (t) => t.digest,
        scope: () => undefined,
        counts: { cosignRuns: 0, cachedChecks: 0, inProcessChecks: 0 },
        onChecked: () => undefined,
      };
      const targets = [artifact.digest, ...artifact.platforms.map((p) => p.digest)].map((digest) => ({
        digest,
        role: digest,
      }));
      const answers = await Promise.all([
        verifySignatures(ctx, targets),
        ...policy.attestations.map((requirement) => verifyAttestations(ctx, requirement, targets)),
      ]);
      if (answers.some((m) => [...m.values()].some((r) => !r.passed))) throw new Error('cosign-batch: refused');
    });
  };
}

function inProcess(pem: string): Strategy {
  const key = publicKey(pem);
  return async (artifact) => {
    const client = new RegistryClient(artifact.source.endpoint);
    const repository = artifact.source.repository;
    const digests = [artifact.digest, ...artifact.platforms.map((p) => p.digest)];
    await Promise.all(
      digests.map(async (digest) => {
        const checks = await Promise.all([
          signedInProcess(client, repository, digest, key),
          ...attestations.map((type) => attestedInProcess(client, repository, digest, type, key)),
        ]);
        if (checks.some((ok) => !ok)) throw new Error(`in-process: ${digest} refused`);
      }),
    );
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function measure(name: string, artifacts: ResolvedOciArtifact[], strategy: Strategy): Promise<void> {
  if (!strategies.has(name)) return;
  const perDigest: number[] = [];
  let cpu = 0;
  let digests = 0;
  let wall = 0;
  for (let round = 0; round < rounds; round++) {
    const before = cpuMs();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: callers }, () =>
        Promise.all(
          artifacts.map(async (artifact) => {
            const started = performance.now();
            await strategy(artifact);
            const count = 1 + artifact.platforms.length;
            perDigest.push((performance.now() - started) / count);
            digests += count;
          }),
        ),
      ),
    );
    cpu += cpuMs() - before;
    wall += performance.now() - started;
  }
  const sorted = perDigest.sort((a, b) => a - b);
  const ms = (v: number | undefined) => `${(v ?? 0).toFixed(0)} ms`;
  console.log(
    `${name.padEnd(12)} digests=${digests} per-digest wall median=${ms(percentile(sorted, 0.5))} p90=${ms(percentile(sorted, 0.9))} cpu/digest=${ms(cpu / digests)} throughput=${ms(wall / digests)}/digest`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-bench-verify-'));
  const registry = await startLocalRegistry({ stateDir: join(dir, 'registry') });
  try {
    const key = await generateKeyPair(join(dir, 'keys'));
    const policy = offlineKeyPolicy(key, attestations, 'both');
    console.log(`signing ${imageCount} images (index + 2 platforms, signature + 3 attestations on each digest)`);
    const artifacts: ResolvedOciArtifact[] = [];
    const legacy: ResolvedOciArtifact[] = [];
    for (let i = 0; i < imageCount; i++) {
      const repository = `bench/image-${i}`;
      const image = await pushImage({ registry: registry.host, repository, tag: 'v1.0.0', layerBytes: 4096 });
      const format: SignatureFormat = i % 2 === 0 ? 'legacy' : 'bundle';
      await signAndAttest(image, { key, format, attestations, workDir: join(dir, 'predicates') });
      const endpoint = { host: registry.host, plainHttp: true };
      const resolved = await resolveOciArtifact({
        kind: 'image',
        name: `image-${i}`,
        tag: 'v1.0.0',
        source: { endpoint, repository },
        destination: { endpoint, repository },
      });
      artifacts.push(resolved);
      if (format === 'legacy') legacy.push(resolved);
    }
    const digests = artifacts.reduce((n, a) => n + 1 + a.platforms.length, 0);
    console.log(`${digests} digests, ${callers} concurrent callers, ${rounds} rounds; 2 cores shared: noisy`);
    await measure('per-check', artifacts, perCheck(policy));
    await measure('cosign-batch', artifacts, cosignBatch(policy));
    await measure('shipgate', artifacts, async (artifact) => {
      const r = await verifyArtifact({ artifact, where: 'source', policy });
      if (process.env.BENCH_DEBUG) console.log(artifact.name, JSON.stringify(r.timings));
    });
    await measure('prototype', legacy, inProcess(readFileSync(key.publicKey, 'utf8')));
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
