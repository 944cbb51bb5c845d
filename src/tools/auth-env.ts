import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { workerAuthRoot } from './auth-folders.ts';
import { credentialsFor } from '../registry/credentials.ts';
import type { RegistryEndpoint } from '../artifacts/types.ts';

export interface ToolAuth {
  /** Environment for regctl, cosign and helm: a private auth file and config folders. */
  env: Record<string, string>;
  /** regctl --host flags (plain http for loopback registries). */
  regctlHostFlags: string[];
  cleanup: () => Promise<void>;
}

/**
 * Gives the tools of one activity a private, short-lived auth file holding only the credentials of the
 * registries involved, so secrets never appear in arguments (ps) or in workflow history, and a worker's
 * own ~/.docker is never modified. Removed when the activity ends; after a kill -9, when the next worker starts.
 */
async function toolAuth(endpoints: RegistryEndpoint[]): Promise<ToolAuth> {
  // Inside this worker's own folder, which the next worker on the host purges if this one is killed mid-activity.
  const dir = await mkdtemp(join(workerAuthRoot(), 'activity-'));
  const auths: Record<string, { auth: string }> = {};
  for (const endpoint of endpoints) {
    const creds = credentialsFor(endpoint);
    if (creds) auths[endpoint.host] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
  }
  const dockerConfig = join(dir, 'config.json');
  await writeFile(dockerConfig, JSON.stringify({ auths }), { mode: 0o600 });
  await writeFile(join(dir, 'regctl.json'), JSON.stringify({}), { mode: 0o600 });
  const regctlHostFlags = [...new Set(endpoints.filter((e) => e.plainHttp).map((e) => e.host))].flatMap((host) => [
    '--host',
    `reg=${host},tls=disabled`,
  ]);
  return {
    env: {
      DOCKER_CONFIG: dir,
      REGCTL_CONFIG: join(dir, 'regctl.json'),
      HELM_REGISTRY_CONFIG: dockerConfig,
      HELM_CONFIG_HOME: join(dir, 'helm-config'),
      HELM_CACHE_HOME: join(dir, 'helm-cache'),
    },
    regctlHostFlags,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function withToolAuth<T>(endpoints: RegistryEndpoint[], fn: (auth: ToolAuth) => Promise<T>): Promise<T> {
  const auth = await toolAuth(endpoints);
  try {
    return await fn(auth);
  } finally {
    await auth.cleanup();
  }
}
