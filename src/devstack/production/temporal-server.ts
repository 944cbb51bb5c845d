import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { toolPath } from '../../tools/locate.ts';
import { freePort, startProcess, tcpOpen, waitUntil, type RunningProcess } from '../processes.ts';
import type { StackCertificates } from './certificates.ts';
import { permissionsClaimName } from './jwt-issuer.ts';
import type { LocalPostgres } from './postgres.ts';

/** The stores shipgate needs: the default store and SQL advanced visibility (custom search attributes). */
const databases = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

/** Creates both databases when missing and brings their schemas to the server's version (idempotent). */
export async function setUpSchemas(postgres: LocalPostgres): Promise<void> {
  const env = {
    SQL_HOST: postgres.host,
    SQL_PORT: String(postgres.port),
    SQL_USER: postgres.user,
    SQL_PASSWORD: postgres.password,
  };
  const sqlTool = async (database: string, args: string[]): Promise<string> => {
    const result = await execa(toolPath('temporal-sql-tool'), ['--plugin', 'postgres12', '--db', database, ...args], {
      env,
      reject: false,
      all: true,
    });
    if (result.exitCode !== 0) throw new Error(`temporal-sql-tool ${args[0]} (${database}) failed:\n${result.all}`);
    return result.all ?? '';
  };
  for (const { name, schema } of databases) {
    const created = await sqlTool(name, ['create-database']).then(
      () => true,
      (error: unknown) => {
        if (/already exists/.test(String(error))) return false;
        throw error;
      },
    );
    if (created) await sqlTool(name, ['setup-schema', '-v', '0.0']);
    await sqlTool(name, ['update-schema', '--schema-name', schema]);
  }
}

/** The server's services, all in one process: the config gives each its ports, the start command names them. */
const serverServices = ['frontend', 'internal-frontend', 'history', 'matching', 'worker'] as const;

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  [service: string]: number;
}

export interface TemporalServerConfig {
  dir: string;
  ports: ServerPorts;
}

/** Writes the server's config: PostgreSQL stores, mTLS on the frontend, the default JWT authorizer and claim mapper. */
export async function writeServerConfig(options: {
  dir: string;
  postgres: LocalPostgres;
  certificates: StackCertificates;
  jwksUrl: string;
  frontendPort?: number;
}): Promise<TemporalServerConfig> {
  const { postgres, certificates } = options;
  const ports: ServerPorts = { frontend: options.frontendPort ?? (await freePort()), frontendHttp: await freePort() };
  const rpc: Record<string, { rpc: Record<string, unknown> }> = {};
  for (const service of serverServices) {
    const grpcPort = service === 'frontend' ? ports.frontend : await freePort();
    const membershipPort = await freeMembershipPort();
    ports[`${service}Membership`] = membershipPort;
    ports[service] = grpcPort;
    rpc[service] = { rpc: { grpcPort, membershipPort, bindOnLocalHost: true } };
  }
  (rpc.frontend as { rpc: Record<string, unknown> }).rpc.httpPort = ports.frontendHttp;
  const store = (databaseName: string, maxConns: number): object => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${postgres.host}:${postgres.port}`,
      connectProtocol: 'tcp',
      user: postgres.user,
      password: postgres.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'default',
      visibilityStore: 'visibility',
      numHistoryShards: 4,
      datastores: { default: store('temporal', 20), visibility: store('temporal_visibility', 10) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      // Clients reach the frontend only with a certificate from the stack's CA. Services talk among themselves on
      // loopback; the system worker goes through the internal frontend, which the public authorizer does not guard.
      tls: {
        frontend: {
          server: {
            certFile: certificates.serverCert,
            keyFile: certificates.serverKey,
            clientCaFiles: [certificates.caCert],
            requireClientAuth: true,
          },
        },
      },
      authorization: {
        jwtKeyProvider: { keySourceURIs: [options.jwksUrl], refreshInterval: '1m' },
        permissionsClaimName,
        authorizer: 'default',
        claimMapper: 'default',
      },
    },
    services: rpc,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: join(options.dir, 'dynamicconfig.yaml'), pollInterval: '10s' },
  };
  mkdirSync(join(options.dir, 'config'), { recursive: true });
  writeFileSync(join(options.dir, 'config', 'shipgate.yaml'), stringify(config));
  // A search attribute registered a moment ago is usable at once (the dev server sets the same).
  writeFileSync(
    join(options.dir, 'dynamicconfig.yaml'),
    stringify({ 'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }] }),
  );
  return { dir: options.dir, ports };
}

/**
 * Membership ports are stored in a smallint column of cluster_membership (PostgreSQL schema), so they must be below
 * 32768, under the range the OS hands out for port 0 on Linux: try ports there until one binds.
 */
async function freeMembershipPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** Runs every service of the server in one process (as the server image does) and waits for the frontend. */
export async function startTemporalServer(config: TemporalServerConfig): Promise<RunningProcess> {
  const services = serverServices.flatMap((service) => ['--service', service]);
  const proc = startProcess(toolPath('temporal-server'), [
    '--root',
    config.dir,
    '--config',
    'config',
    '--env',
    'shipgate',
    'start',
    ...services,
  ]);
  await waitUntil(
    `Temporal server frontend on 127.0.0.1:${config.ports.frontend}`,
    () => tcpOpen(config.ports.frontend),
    proc,
    120_000,
  );
  return proc;
}
