import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyOciArtifact } from '../src/activities/copy-oci-artifact.ts';
import { resolveOciArtifact } from '../src/activities/resolve-oci-artifact.ts';
import { startLocalRegistry } from '../src/devstack/registry.ts';
import { pushImage } from '../test/support/fixtures/images.ts';
const dir = mkdtempSync(join(tmpdir(), 'ce-prof-'));
process.env.BENCH_USER = 'bench';
process.env.BENCH_PASS = 'bench-password';
const source = await startLocalRegistry({ stateDir: join(dir, 'source') });
const specs = [];
for (let i = 0; i < 2; i++) {
  await pushImage({ registry: source.host, repository: `r/img-${i}`, tag: 'v1', layersPerPlatform: 2, layerBytes: Math.round((50 * 1024 * 1024) / 4) });
  specs.push({ kind: 'image' as const, name: `img-${i}`, tag: 'v1', source: { endpoint: { host: source.host, plainHttp: true }, repository: `r/img-${i}` } });
}
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = process.env.PROF ? new Session() : undefined; if (session) { session.connect(); await session.post("Profiler.enable"); await session.post("Profiler.start"); }
for (let round = 0; round < 3; round++) {
  const dest = await startLocalRegistry({ stateDir: join(dir, `d${round}`), credentials: { username: 'bench', password: 'bench-password' } });
  const resolved = await Promise.all(specs.map((s) => resolveOciArtifact({ ...s, destination: { endpoint: { host: dest.host, plainHttp: true, usernameEnv: 'BENCH_USER', passwordEnv: 'BENCH_PASS' }, repository: s.source.repository } })));
  const t0 = Date.now(); const c0 = process.cpuUsage();
  await Promise.all(resolved.map((a) => copyOciArtifact(a)));
  const c = process.cpuUsage(c0);
  console.log(`engine cold ${Date.now() - t0} ms cpu user ${(c.user / 1e6).toFixed(2)} sys ${(c.system / 1e6).toFixed(2)}`);
  await dest.stop();
}
if (session) { const { profile } = await session.post("Profiler.stop"); writeFileSync(".prof/copy.cpuprofile", JSON.stringify(profile)); }
await source.stop();
rmSync(dir, { recursive: true, force: true });
