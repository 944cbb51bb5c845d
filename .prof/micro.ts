import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { startLocalRegistry } from '../src/devstack/registry.ts';
import { pushImage } from '../test/support/fixtures/images.ts';
import { RegistryClient } from '../src/registry/client.ts';
const dir = mkdtempSync(join(tmpdir(), 'ce-micro-'));
const source = await startLocalRegistry({ stateDir: join(dir, 'source') });
const image = await pushImage({ registry: source.host, repository: 'r/x', tag: 'v1', layersPerPlatform: 2, layerBytes: 25 * 1024 * 1024 });
const c = new RegistryClient({ host: source.host, plainHttp: true });
const m = await c.manifest('r/x', image.platforms[0]!.digest);
const blobs = m!.json.layers!.map((l) => l.digest);
const agent = new http.Agent({ keepAlive: true });
for (const mode of ['drain', 'hash', 'drain', 'hash']) {
  const t = process.cpuUsage(); const w = Date.now(); let chunks = 0; let bytes = 0;
  for (let rep = 0; rep < 2; rep++) for (const d of blobs) {
    await new Promise<void>((resolve) => {
      http.get(`${source.url}/v2/r/x/blobs/${d}`, { agent }, (res) => {
        const h = createHash('sha256');
        res.on('data', (b: Buffer) => { chunks++; bytes += b.length; if (mode === 'hash') h.update(b); });
        res.on('end', () => resolve());
      });
    });
  }
  const u = process.cpuUsage(t);
  console.log(mode, `${(bytes / 1048576).toFixed(0)} MiB`, chunks, 'chunks avg', Math.round(bytes / chunks), 'cpu', ((u.user + u.system) / 1e6).toFixed(3), 'wall', Date.now() - w);
}
await source.stop();
