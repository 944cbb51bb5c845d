// npm run bench [-- --rounds N] [-- --scale reference|small]
// Copies a generated reference release between two loopback registries (the destination behind htpasswd, a
// counting proxy in front of it) with shipgate's engine, a sequential regctl script, the same regctl copies in
// parallel and a complete-copy floor; each cold into a fresh registry, in paired rounds (the order rotates), and
// the engine once more warm. Prints wall, CPU per side and destination requests, checks every copy holds the
// same thing as the source (exit 1 otherwise), and ends with
//   cold/script=X cold/floor=Y warm/cold=Z requests=N/regctl=M
// Figures, not a test: no timing is asserted. See docs/operations.md "Copy benchmark".
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResolvedOciArtifact } from '../../src/artifacts/types.ts';
import { startLocalRegistry, type LocalRegistry } from '../../src/devstack/registry.ts';
import {
  contenders,
  describeContender,
  runContender,
  startEngine,
  type Contender,
  type CopyTarget,
  type EngineProcess,
} from './contenders.ts';
import { copierCpu, pidByCommandLine, processCpu } from './cpu.ts';
import { differences, readView, viewTotals, type ArtifactView } from './destination-view.ts';
import { buildGoTool, startCountingProxy } from './go-tools.ts';
import { median, ratios, row, summaryLine, withRange, type Measurement } from './report.ts';
import { buildReferenceRelease, describeScale, type Scale } from './reference-release.ts';

const credentials = { username: 'bench', password: 'bench-password' };

function options(): { rounds: number; scale: Scale } {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '3' }, scale: { type: 'string', default: 'reference' } },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${values.rounds}: give a whole number >= 1`);
  if (values.scale !== 'reference' && values.scale !== 'small') {
    throw new Error(`--scale ${values.scale}: give "reference" (the default, ~220 MiB) or "small" (~22 MiB)`);
  }
  return { rounds, scale: values.scale };
}

/** A fresh destination registry behind htpasswd with a counting proxy in front, and how to read its CPU. */
async function freshDestination(dir: string, sourceHost: string, proxyBinary: string) {
  const registry: LocalRegistry = await startLocalRegistry({ stateDir: dir, credentials });
  const pid = pidByCommandLine(join(dir, 'config.yml'));
  const proxy = await startCountingProxy(proxyBinary, registry.url);
  const target: CopyTarget = { host: proxy.host, sourceHost, credentials, dir };
  const stop = async (): Promise<void> => {
    await proxy.stop();
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { registry, pid, proxy, target, stop };
}

async function main(): Promise<void> {
  const { rounds, scale } = options();
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-bench-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const source = await startLocalRegistry({ stateDir: join(dir, 'source') });
    stops.push(source.stop);
    const sourcePid = pidByCommandLine(join(dir, 'source', 'config.yml'));
    console.log(`reference release (--scale ${scale}; default reference): ${describeScale(scale)}`);
    const started = Date.now();
    const [artifacts, floorBinary, proxyBinary] = await Promise.all([
      buildReferenceRelease(source.host, scale, join(dir, 'build')),
      buildGoTool('floor'),
      buildGoTool('countproxy'),
    ]);
    const expected = await readView({ host: source.host, plainHttp: true }, artifacts);
    const bytes = await closureBytes(source.host, artifacts);
    console.log(
      `generated in ${((Date.now() - started) / 1000).toFixed(1)} s (not timed): ${viewTotals(expected)}, ${(bytes / 1024 / 1024).toFixed(1)} MiB of blobs`,
    );
    for (const c of contenders) console.log(`  ${c.padEnd(9)} ${describeContender[c]}`);
    console.log(`${rounds} paired rounds, each copier cold into a fresh registry; the order rotates per round`);
    console.log(`load average before: ${loadavg()[0]?.toFixed(1)} (2 cores shared: higher means noisier figures)\n`);

    const cold: Record<Contender, Measurement[]> = { engine: [], script: [], parallel: [], floor: [] };
    const warm: Measurement[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length] as Contender);
      const line: string[] = [];
      for (const contender of order) {
        const destination = await freshDestination(join(dir, `r${round}-${contender}`), source.host, proxyBinary);
        // The engine gets a fresh process per cold copy (no cache from an earlier round), reused for its warm copy.
        const engine: EngineProcess | undefined = contender === 'engine' ? await startEngine() : undefined;
        try {
          const copierNow = (): number => (engine ? processCpu(engine.pid, true) : copierCpu());
          const measure = async (): Promise<Measurement> => {
            await destination.proxy.reset();
            const cpu = (): number[] => [
              copierNow(),
              processCpu(sourcePid),
              processCpu(destination.pid),
              processCpu(destination.proxy.pid),
            ];
            const before = cpu();
            const t0 = performance.now();
            await runContender(contender, artifacts, destination.target, { floor: floorBinary, engine });
            const wallMs = performance.now() - t0;
            const after = cpu();
            const d = (i: number): number => (after[i] ?? 0) - (before[i] ?? 0);
            return {
              wallMs,
              copierCpu: d(0),
              sourceRegistryCpu: d(1),
              destinationRegistryCpu: d(2),
              proxyCpu: d(3),
              requests: await destination.proxy.counts(),
            };
          };
          const m = await measure();
          await check(`${contender} (round ${round + 1})`, expected, destination.registry.url, artifacts);
          cold[contender].push(m);
          line.push(`${contender} ${(m.wallMs / 1000).toFixed(2)} s/${m.requests.total} req`);
          if (engine) {
            const w = await measure();
            await check(`engine warm (round ${round + 1})`, expected, destination.registry.url, artifacts);
            warm.push(w);
            line.push(`warm ${(w.wallMs / 1000).toFixed(2)} s/${w.requests.total} req`);
          }
        } finally {
          await engine?.stop();
          await destination.stop();
        }
      }
      console.log(`round ${round + 1}: ${line.join(', ')}`);
    }

    console.log(
      `\nmedians [range] over ${rounds} rounds; CPU is user+sys seconds; load average after: ${loadavg()[0]?.toFixed(1)}`,
    );
    for (const c of contenders) console.log(row(`${c} cold`, cold[c]));
    console.log(row('engine warm', warm));
    console.log(
      'all copies checked against the source through the registry API: same tags, manifests, digest tags, referrers, blobs',
    );
    const x = ratios(cold.engine, cold.script);
    const y = ratios(cold.engine, cold.floor);
    const z = ratios(warm, cold.engine);
    console.log(
      `paired ratios: engine/script ${withRange(x, 2)}, engine/parallel ${withRange(ratios(cold.engine, cold.parallel), 2)}, engine/floor ${withRange(y, 2)}, warm/cold ${withRange(z, 2)}`,
    );
    console.log(
      summaryLine(
        median(x),
        median(y),
        median(z),
        median(cold.engine.map((m) => m.requests.total)),
        median(cold.script.map((m) => m.requests.total)),
      ),
    );
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fails the bench loudly when a copy is incomplete or differs from the source (read directly, not counted). */
async function check(what: string, expected: ArtifactView[], registryUrl: string, artifacts: ResolvedOciArtifact[]) {
  process.env.BENCH_CHECK_USER = credentials.username;
  process.env.BENCH_CHECK_PASS = credentials.password;
  const host = new URL(registryUrl).host;
  const endpoint = { host, plainHttp: true, usernameEnv: 'BENCH_CHECK_USER', passwordEnv: 'BENCH_CHECK_PASS' };
  const problems = differences(expected, await readView(endpoint, artifacts));
  if (problems.length > 0) {
    throw new Error(
      `the copy by ${what} is not complete or not equal to the source:\n  ${problems.slice(0, 40).join('\n  ')}`,
    );
  }
}

async function closureBytes(sourceHost: string, artifacts: ResolvedOciArtifact[]): Promise<number> {
  const { RegistryClient } = await import('../../src/registry/client.ts');
  const { uniqueBlobs, walkClosure } = await import('../../src/registry/closure.ts');
  const client = new RegistryClient({ host: sourceHost, plainHttp: true });
  let bytes = 0;
  for (const a of artifacts) {
    for (const size of uniqueBlobs(await walkClosure(client, a.source.repository, a.digest)).values()) bytes += size;
  }
  return bytes;
}

await main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
