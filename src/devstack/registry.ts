import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { toolPath } from '../tools/locate.ts';
import { freePort, retryOnPortConflict, startProcess, waitUntil } from './processes.ts';

export interface LocalRegistry {
  /** host:port, as used in image references. */
  host: string;
  url: string;
  credentials: { username: string; password: string } | undefined;
  stop: () => Promise<void>;
}

export interface LocalRegistryOptions {
  stateDir: string;
  port?: number;
  /** When set, the registry requires basic auth with these credentials (htpasswd, bcrypt). */
  credentials?: { username: string; password: string };
}

/** Starts a CNCF distribution registry (v3) on loopback, storing blobs under stateDir. */
export async function startLocalRegistry(options: LocalRegistryOptions): Promise<LocalRegistry> {
  return retryOnPortConflict(() => startOnce(options));
}

async function startOnce(options: LocalRegistryOptions): Promise<LocalRegistry> {
  mkdirSync(join(options.stateDir, 'storage'), { recursive: true });
  const port = options.port ?? (await freePort());
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    `  filesystem: { rootdirectory: ${JSON.stringify(join(options.stateDir, 'storage'))} }`,
    '  delete: { enabled: true }',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  debug: { addr: 127.0.0.1:${await freePort()} }`,
  ];
  if (options.credentials) {
    const htpasswd = join(options.stateDir, 'htpasswd');
    // A low cost keeps loopback registries fast: the registry checks the hash on every request.
    const hash = bcrypt.hashSync(options.credentials.password, 4);
    writeFileSync(htpasswd, `${options.credentials.username}:${hash}\n`, { mode: 0o600 });
    lines.push('auth:', '  htpasswd:', '    realm: shipgate', `    path: ${JSON.stringify(htpasswd)}`);
  }
  const config = join(options.stateDir, 'config.yml');
  writeFileSync(config, lines.join('\n') + '\n');
  const proc = startProcess(toolPath('registry'), ['serve', config], {
    ...process.env,
    OTEL_TRACES_EXPORTER: 'none',
  });
  const url = `http://127.0.0.1:${port}`;
  // /v2/ answers 200, or 401 behind auth, once the registry is serving.
  await waitUntil(`registry on ${url}`, async () => [200, 401].includes((await fetch(`${url}/v2/`)).status), proc);
  return { host: `127.0.0.1:${port}`, url, credentials: options.credentials, stop: proc.stop };
}
