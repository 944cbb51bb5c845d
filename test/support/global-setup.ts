import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../../src/devstack/processes.ts';
import { startLocalRegistry } from '../../src/devstack/registry.ts';
import { startTemporalDevServer } from '../../src/devstack/temporal-dev-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    /** The dev server's web UI, for the browser test. */
    temporalUiUrl: string;
    /** Staging / security mirror: anonymous pushes and pulls. */
    sourceRegistry: string;
    /** Canonical / production: htpasswd basic auth. */
    destinationRegistry: string;
    destinationUsername: string;
    destinationPassword: string;
    /** A DOCKER_CONFIG folder whose config.json holds the destination's credentials. */
    dockerConfigDir: string;
    workDir: string;
  }
}

/** One local stack for the whole integration run: a Temporal dev server and two OCI registries. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workDir = mkdtempSync(join(tmpdir(), 'shipgate-test-'));
  const credentials = { username: 'releaser', password: `pw-${process.pid}-${Date.now()}` };
  const [temporal, source, destination] = await Promise.all([
    startTemporalDevServer({ stateDir: join(workDir, 'temporal'), uiPort: await freePort() }),
    startLocalRegistry({ stateDir: join(workDir, 'source-registry') }),
    startLocalRegistry({ stateDir: join(workDir, 'destination-registry'), credentials }),
  ]);
  const dockerConfigDir = join(workDir, 'docker');
  mkdirSync(dockerConfigDir, { recursive: true });
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  writeFileSync(join(dockerConfigDir, 'config.json'), JSON.stringify({ auths: { [destination.host]: { auth } } }));

  project.provide('temporalAddress', temporal.address);
  project.provide('temporalUiUrl', temporal.uiUrl ?? '');
  project.provide('sourceRegistry', source.host);
  project.provide('destinationRegistry', destination.host);
  project.provide('destinationUsername', credentials.username);
  project.provide('destinationPassword', credentials.password);
  project.provide('dockerConfigDir', dockerConfigDir);
  project.provide('workDir', workDir);

  return async () => {
    await Promise.allSettled([temporal.stop(), source.stop(), destination.stop()]);
    rmSync(workDir, { recursive: true, force: true });
  };
}
