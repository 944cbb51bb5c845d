import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, tcpOpen, waitUntil } from '../../src/devstack/processes.ts';
import { startTemporalDevServer } from '../../src/devstack/temporal-dev-server.ts';
import { toolPath } from '../../src/tools/locate.ts';
import { searchAttributeKeys } from '../../src/workflows/messages.ts';

// The demo and `shipgate dev` keep the dev server's SQLite file between runs. start-dev registers its
// --search-attribute flags only into a new file, so a file kept from an older shipgate (fewer attributes) made every
// `shipgate start` fail with "Failed to start Workflow" until the missing attributes were registered.
describe('dev server on a kept database', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'shipgate-kept-db-'));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('registers the search attributes a database from an older shipgate lacks', async () => {
    const port = await freePort();
    const old = startProcess(toolPath('temporal'), [
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
      join(stateDir, 'temporal.sqlite'),
      '--headless',
      '--log-level',
      'error',
      '--search-attribute',
      'ShipgateProject=Keyword',
    ]);
    await waitUntil('old dev server', () => tcpOpen(port), old);
    await old.stop();

    const server = await startTemporalDevServer({ stateDir });
    try {
      const listed = await execa(toolPath('temporal'), [
        'operator',
        'search-attribute',
        'list',
        '--address',
        server.address,
        '--output',
        'json',
      ]);
      for (const key of searchAttributeKeys) expect(listed.stdout, key.name).toContain(`"${key.name}"`);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
