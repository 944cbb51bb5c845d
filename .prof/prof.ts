import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { copyOciArtifact } from '../src/activities/copy-oci-artifact.ts';
import { resolveOciArtifact } from '../src/activities/resolve-oci-artifact.ts';
import type { OciArtifactSpec } from '../src/artifacts/types.ts';
import { startLocalRegistry } from '../src/devstack/registry.ts';
import { toolPath } from '../src/tools/locate.ts';
import { pushImage } from '../test/support/fixtures/images.ts';
import { generateKeyPair, signAndAttest } from '../test/support/fixtures/signing.ts';
import { startFaultProxy } from '../test/support/fault-proxy.ts';

const dir = mkdtempSync(join(tmpdir(), 'ce-prof-'));
const credentials = { username: 'bench', password: 'bench-password' };
process.env.BENCH_USER = credentials.username;
process.env.BENCH_PASS = credentials.password;
const source = await startLocalRegistry({ stateDir: join(dir, 'source') });
const key = await generateKeyPair(join(dir, 'keys'));
const n = Number(process.env.N ?? 2);
const mib = Number(process.env.MIB ?? 50);
const specs: Omit<OciArtifactSpec, 'destination'>[] = [];
for (let i = 0; i < n; i++) {
  const image = await pushImage({ registry: source.host, repository: `r/img-${i}`, tag: 'v1', layersPerPlatform: 2, layerBytes: Math.round((mib * 1024 * 1024) / 4) });
  await signAndAttest(image, { key, format: i % 2 ? 'bundle' : 'legacy', attestations: ['slsaprovenance', 'spdxjson', 'vuln'], workDir: join(dir, 'p') });
  specs.push({ kind: 'image', name: `img-${i}`, tag: 'v1', source: { endpoint: { host: source.host, plainHttp: true }, repository: `r/img-${i}` } });
}
const dockerConfig = join(dir, 'docker');
mkdirSync(dockerConfig, { recursive: true });
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
  for (const side of ['engine', 'regctl']) {
    const dest = await startLocalRegistry({ stateDir: join(dir, `d-${side}-${round}`), credentials });
    const proxy = await startFaultProxy(dest.host);
    const resolved = await Promise.all(specs.map((s) => resolveOciArtifact({ ...s, destination: { endpoint: { host: proxy.host, plainHttp: true, usernameEnv: 'BENCH_USER', passwordEnv: 'BENCH_PASS' }, repository: s.source.repository } })));
    const t0 = Date.now();
    const c0 = process.cpuUsage();
    let cpu = '';
    if (side === 'engine') {
      await Promise.all(resolved.map((a) => copyOciArtifact(a)));
      const c = process.cpuUsage(c0);
      cpu = `${((c.user + c.system) / 1e6).toFixed(2)}s`;
    } else {
      writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from('bench:bench-password').toString('base64') } } }));
      for (const a of resolved) {
        const r = await execa('/usr/bin/time', ['-f', '%U %S', toolPath('regctl'), '--host', `reg=${source.host},tls=disabled`, '--host', `reg=${proxy.host},tls=disabled`, 'image', 'copy', '--referrers', '--digest-tags', `${source.host}/${a.source.repository}@${a.digest}`, `${proxy.host}/${a.source.repository}:v1`], { env: { DOCKER_CONFIG: dockerConfig, REGCTL_CONFIG: join(dir, 'regctl.json') } });
        const [u, s] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
        cpu = `${(Number(cpu || 0) + u! + s!).toFixed(2)}`;
      }
    }
    const ms = Date.now() - t0;
    const cold = proxy.total();
    proxy.reset();
    const w0 = Date.now();
    if (side === 'engine') await Promise.all(resolved.map((a) => copyOciArtifact(a)));
    const warmMs = Date.now() - w0;
    console.log(`${side} cold ${ms} ms cpu ${cpu} dest requests ${cold} ${JSON.stringify([...proxy.counts])} ${side === 'engine' ? `warm ${warmMs} ms requests ${proxy.total()}` : ''}`);
    await proxy.close();
    await dest.stop();
  }
}
await source.stop();
rmSync(dir, { recursive: true, force: true });
