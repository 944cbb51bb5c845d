import { existsSync, mkdirSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { toolPath } from '../tools/locate.ts';
import { searchAttributeCliType, searchAttributeKeys } from '../workflows/messages.ts';
import { freePort, retryOnPortConflict, startProcess, tcpOpen, waitUntil } from './processes.ts';

export interface TemporalDevServer {
  address: string;
  uiUrl: string | undefined;
  namespace: string;
  stop: () => Promise<void>;
}

export interface TemporalDevServerOptions {
  /** Folder for the SQLite file; releases survive a restart when it is kept. */
  stateDir: string;
  port?: number;
  /** Web UI port; undefined runs headless. */
  uiPort?: number;
  namespace?: string;
}

/** Starts `temporal server start-dev` on loopback with shipgate's search attributes registered. */
export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  return retryOnPortConflict(() => startOnce(options));
}

async function startOnce(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  mkdirSync(options.stateDir, { recursive: true });
  const dbFile = join(options.stateDir, 'temporal.sqlite');
  const kept = existsSync(dbFile);
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(await freePort()),
    '--metrics-port',
    String(await freePort()),
    '--db-filename',
    dbFile,
    '--namespace',
    namespace,
    '--log-level',
    'error',
    ...devServerSearchAttributeFlags(),
  ];
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-ip', '127.0.0.1', '--ui-port', String(options.uiPort));
  const proc = startProcess(toolPath('temporal'), args);
  await waitUntil(`temporal dev server on 127.0.0.1:${port}`, () => tcpOpen(port), proc);
  // start-dev registers its --search-attribute flags only into a new database: a kept one from an older shipgate
  // lacks the attributes added since, and every start would then fail. Register what is missing.
  if (kept) await registerMissingSearchAttributes(`127.0.0.1:${port}`, namespace);
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    namespace,
    stop: proc.stop,
  };
}

/** `--search-attribute Name=Keyword` (or =Datetime) flags for `temporal server start-dev`. */
function devServerSearchAttributeFlags(): string[] {
  return searchAttributeKeys.flatMap((key) => ['--search-attribute', `${key.name}=${searchAttributeCliType(key)}`]);
}

/** Creates each shipgate search attribute the server does not have yet (one call each: one existing fails a batch). */
export async function registerMissingSearchAttributes(address: string, namespace: string): Promise<void> {
  const listed = await execa(
    toolPath('temporal'),
    ['operator', 'search-attribute', 'list', '--address', address, '--namespace', namespace, '--output', 'json'],
    { reject: false },
  );
  for (const key of searchAttributeKeys) {
    if (listed.exitCode === 0 && listed.stdout.includes(`"${key.name}"`)) continue;
    const created = await execa(
      toolPath('temporal'),
      [
        'operator',
        'search-attribute',
        'create',
        '--address',
        address,
        '--namespace',
        namespace,
        '--name',
        key.name,
        '--type',
        searchAttributeCliType(key),
      ],
      { reject: false },
    );
    if (created.exitCode !== 0 && !/already exists/i.test(created.stderr)) {
      throw new Error(`registering search attribute ${key.name} on ${address}: ${created.stderr.trim()}`);
    }
  }
}
