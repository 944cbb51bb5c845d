import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { toolPath } from '../../tools/locate.ts';
import { searchAttributeCliType, searchAttributeKeys } from '../../workflows/messages.ts';
import type { RunningProcess } from '../processes.ts';
import { ensureCertificates, type StackCertificates } from './certificates.ts';
import { startJwtIssuer, type JwtIssuer } from './jwt-issuer.ts';
import { startLocalPostgres, type LocalPostgres } from './postgres.ts';
import { setUpSchemas, startTemporalServer, writeServerConfig, type TemporalServerConfig } from './temporal-server.ts';
import { startTemporalUi, type TemporalUi } from './ui.ts';

/**
 * The production topology on one machine: PostgreSQL, the Temporal server (default store and SQL visibility on
 * PostgreSQL), mutual TLS on the frontend and JWT authorization, the same pinned versions as docker-compose.yml.
 */
export interface ProductionStack {
  address: string;
  namespace: string;
  certificates: StackCertificates;
  issuer: JwtIssuer;
  postgres: LocalPostgres;
  /** The web UI (behind a loopback proxy that signs its requests with a token), when asked for. */
  uiUrl: string | undefined;
  /** A TOML file for @temporalio/envconfig and the temporal CLI (TEMPORAL_CONFIG_FILE) with a worker profile. */
  profileFile: string;
  profile: string;
  /** Seconds from the call to a stack that takes requests (search attributes registered). */
  startSeconds: number;
  /** envconfig variables for a client that presents the stack's client certificate and this token. */
  clientEnv: (token: string) => Record<string, string>;
  /** Stops the whole Temporal server process (SIGTERM) and starts it again on the same ports and databases. */
  restartServer: () => Promise<void>;
  stop: () => Promise<void>;
}

export interface ProductionStackOptions {
  stateDir: string;
  /** Frontend port; a free one when not given. */
  port?: number;
  /** Web UI port; undefined runs without the UI. */
  uiPort?: number;
  namespace?: string;
  /** false for throwaway test stacks (PostgreSQL without fsync). */
  durable?: boolean;
}

/** Permissions of the profile the stack writes: a worker, and a person who approves, need to write. */
export const writerPermissions = (namespace: string): string[] => [`${namespace}:write`];

export async function startProductionStack(options: ProductionStackOptions): Promise<ProductionStack> {
  const started = Date.now();
  const namespace = options.namespace ?? 'default';
  const stopping: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const step of stopping.reverse()) await step().catch(() => undefined);
  };
  try {
    // Settled, not Promise.all: a part that started is stopped even when another one failed.
    const [certificates, issuer, postgres] = await Promise.allSettled([
      ensureCertificates(join(options.stateDir, 'certificates')),
      startJwtIssuer({ stateDir: join(options.stateDir, 'jwt') }),
      startLocalPostgres({ stateDir: options.stateDir, durable: options.durable }),
    ]).then((parts) => {
      for (const part of parts) if (part.status === 'fulfilled' && 'stop' in part.value) stopping.push(part.value.stop);
      const failed = parts.find((part) => part.status === 'rejected');
      if (failed) throw failed.reason;
      return parts.map((part) => (part as PromiseFulfilledResult<unknown>).value) as [
        StackCertificates,
        JwtIssuer,
        LocalPostgres,
      ];
    });
    await setUpSchemas(postgres);
    const config = await writeServerConfig({
      dir: join(options.stateDir, 'temporal'),
      postgres,
      certificates,
      jwksUrl: issuer.jwksUrl,
      frontendPort: options.port,
    });
    let server: RunningProcess = await startTemporalServer(config);
    stopping.push(() => server.stop());
    const address = `127.0.0.1:${config.ports.frontend}`;
    const clientEnv = (token: string): Record<string, string> => ({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_API_KEY: token,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.clientKey,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: certificates.caCert,
      TEMPORAL_TLS_SERVER_NAME: certificates.serverName,
    });
    await registerNamespace(
      clientEnv(issuer.mint('shipgate-devstack-admin', ['temporal-system:admin'], 600)),
      server,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nTemporal server output:\n${server.output()}`);
    });
    const profile = 'shipgate';
    const profileFile = writeProfile(join(options.stateDir, 'temporal.toml'), profile, {
      ...clientEnv(issuer.mint('shipgate-worker', writerPermissions(namespace))),
    });
    let ui: TemporalUi | undefined;
    if (options.uiPort !== undefined) {
      ui = await startTemporalUi({
        dir: join(options.stateDir, 'ui'),
        port: options.uiPort,
        frontend: address,
        namespace,
        certificates,
        token: () => issuer.mint('shipgate-web-ui', writerPermissions(namespace), 600),
      });
      stopping.push(ui.stop);
    }
    return {
      address,
      namespace,
      certificates,
      issuer,
      postgres,
      uiUrl: ui?.url,
      profileFile,
      profile,
      startSeconds: (Date.now() - started) / 1000,
      clientEnv,
      restartServer: async () => {
        await server.stop();
        server = await startTemporalServer(config satisfies TemporalServerConfig);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Creates the namespace when missing and registers shipgate's search attributes with `temporal operator`, as an
 * admin. A namespace just created takes a moment to reach the frontend's cache: the registration is tried again.
 */
async function registerNamespace(env: Record<string, string>, server: RunningProcess): Promise<void> {
  let last = '';
  const temporal = async (args: string[]): Promise<{ ok: boolean; output: string }> => {
    const result = await execa(toolPath('temporal'), args, {
      env: { ...process.env, ...env },
      reject: false,
      all: true,
    });
    last = `temporal ${args.slice(0, 3).join(' ')}: ${(result.all ?? '').slice(-2000)}`;
    return { ok: result.exitCode === 0, output: result.all ?? '' };
  };
  const namespace = ['--namespace', env.TEMPORAL_NAMESPACE ?? 'default'];
  const steps: Array<() => Promise<boolean>> = [
    // The frontend takes connections a moment before it serves them.
    async () => /SERVING/.test((await temporal(['operator', 'cluster', 'health'])).output),
    async () =>
      (await temporal(['operator', 'namespace', 'describe', ...namespace])).ok ||
      (await temporal(['operator', 'namespace', 'create', ...namespace, '--retention', '72h'])).ok,
    // One attribute per call: in a kept --state-dir from an older shipgate some exist already, and one existing
    // attribute fails a whole batch, so the new ones would never be registered.
    ...searchAttributeKeys.map((key) => async () => {
      const attribute = ['--name', key.name, '--type', searchAttributeCliType(key)];
      const result = await temporal(['operator', 'search-attribute', 'create', ...namespace, ...attribute]);
      return result.ok || /already exists/i.test(result.output);
    }),
  ];
  for (const step of steps) {
    for (let attempt = 1; !(await step()); attempt++) {
      if (attempt >= 120 || server.child.exitCode !== null)
        throw new Error(`registering the namespace and search attributes failed: ${last}`);
      await sleep(500);
    }
  }
}

/** The connection as an envconfig profile, so `TEMPORAL_CONFIG_FILE=… TEMPORAL_PROFILE=shipgate` is all a client needs. */
function writeProfile(file: string, profile: string, env: Record<string, string>): string {
  const quote = (value: string | undefined): string => JSON.stringify(value ?? '');
  writeFileSync(
    file,
    [
      `[profile.${profile}]`,
      `address = ${quote(env.TEMPORAL_ADDRESS)}`,
      `namespace = ${quote(env.TEMPORAL_NAMESPACE)}`,
      `api_key = ${quote(env.TEMPORAL_API_KEY)}`,
      '',
      `[profile.${profile}.tls]`,
      `client_cert_path = ${quote(env.TEMPORAL_TLS_CLIENT_CERT_PATH)}`,
      `client_key_path = ${quote(env.TEMPORAL_TLS_CLIENT_KEY_PATH)}`,
      `server_ca_cert_path = ${quote(env.TEMPORAL_TLS_SERVER_CA_CERT_PATH)}`,
      `server_name = ${quote(env.TEMPORAL_TLS_SERVER_NAME)}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}
