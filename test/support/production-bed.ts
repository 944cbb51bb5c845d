import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { execa, type Result, type ResultPromise } from 'execa';
import { startLocalRegistry, type LocalRegistry } from '../../src/devstack/registry.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { startProductionStack, writerPermissions, type ProductionStack } from '../../src/devstack/production/stack.ts';
import { repoRoot } from '../../src/tools/locate.ts';
import { startFakeForge, type FakeForge } from './fake-forge.ts';
import { generateKeyPair, type KeyPair } from './fixtures/signing.ts';

/**
 * The production topology for one test file: PostgreSQL, the Temporal server with mTLS and JWT authorization, two
 * registries, the fake forge and a signing key. Clients here (the test's own, CLI processes, worker processes)
 * connect through envconfig like a user's would: by variables or by a profile file.
 */
export interface ProductionBed {
  stack: ProductionStack;
  /** The test's client: the stack's profile (a namespace writer), loaded with envconfig. */
  env: { client: Client };
  forge: FakeForge;
  key: KeyPair;
  workDir: string;
  source: string;
  destination: string;
  /** Reads back the destination registry with the credentials the plans name. */
  destinationClient: RegistryClient;
  taskQueue: string;
  tokens: { writer: string; reader: string };
  /** envconfig variables for a process: a client certificate from the stack's CA and this token. */
  clientEnv: (token: string) => Record<string, string>;
  /** Runs the shipgate CLI as a separate process with these connection variables. */
  cli: (args: string[], env: Record<string, string>) => Promise<Result>;
  /** Starts `shipgate worker` as a separate process, connected by variables or by the profile file. */
  startWorker: (connectBy: 'variables' | 'profile') => ResultPromise;
  close: () => Promise<void>;
}

const registryCredentials = { username: 'releaser', password: `pw-${randomUUID()}` };

export async function startProductionBed(): Promise<ProductionBed> {
  const workDir = mkdtempSync(join(tmpdir(), 'shipgate-production-'));
  const workers: ResultPromise[] = [];
  // Each part is stopped if it started, also when another part failed to start (Promise.all would drop them).
  const stops: Array<() => Promise<unknown>> = [];
  const started = <T>(part: Promise<T>, stop: (value: T) => Promise<unknown>): Promise<T> =>
    part.then((value) => {
      stops.push(() => stop(value));
      return value;
    });
  const close = async (): Promise<void> => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.allSettled(workers);
    await Promise.allSettled(stops.map((stop) => stop()));
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const parts = await Promise.allSettled([
      started(startProductionStack({ stateDir: join(workDir, 'stack'), durable: false }), (s) => s.stop()),
      started(startLocalRegistry({ stateDir: join(workDir, 'source-registry') }), (r) => r.stop()),
      started(
        startLocalRegistry({ stateDir: join(workDir, 'destination-registry'), credentials: registryCredentials }),
        (r) => r.stop(),
      ),
      started(startFakeForge(), (f) => f.close()),
      generateKeyPair(join(workDir, 'keys')),
    ]);
    const failed = parts.find((part) => part.status === 'rejected');
    if (failed) throw failed.reason;
    const [stack, source, destination, forge, key] = parts.map(
      (part) => (part as PromiseFulfilledResult<unknown>).value,
    ) as [ProductionStack, LocalRegistry, LocalRegistry, FakeForge, KeyPair];
    console.log(`production topology started in ${stack.startSeconds.toFixed(1)} s`);
    // The plan names these variables; the test process reads the destination back with them too.
    const secrets = {
      DEST_USER: registryCredentials.username,
      DEST_PASS: registryCredentials.password,
      FORGE_TOKEN: 'forge-token',
      PIN_TOKEN: 'forge-token',
    };
    Object.assign(process.env, secrets);
    const config = loadClientConnectConfig({
      profile: stack.profile,
      configSource: { path: stack.profileFile },
      disableEnv: true,
    });
    const connection = await Connection.connect(config.connectionOptions);
    const client = new Client({ connection, namespace: config.namespace ?? stack.namespace });
    const taskQueue = `production-${randomUUID()}`;
    const processEnv = (env: Record<string, string>): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.SHIPGATE_TOOLS_BIN ? { SHIPGATE_TOOLS_BIN: process.env.SHIPGATE_TOOLS_BIN } : {}),
      SHIPGATE_LOG_LEVEL: 'WARN',
      ...secrets,
      ...env,
    });
    return {
      stack: stack,
      env: { client },
      forge,
      key,
      workDir,
      source: source.host,
      destination: destination.host,
      destinationClient: new RegistryClient({
        host: destination.host,
        plainHttp: true,
        usernameEnv: 'DEST_USER',
        passwordEnv: 'DEST_PASS',
      }),
      taskQueue,
      tokens: {
        writer: stack.issuer.mint('release-engineer', writerPermissions(stack.namespace)),
        reader: stack.issuer.mint('auditor', [`${stack.namespace}:read`]),
      },
      clientEnv: stack.clientEnv,
      cli: (args, env) =>
        execa(join(repoRoot, 'bin', 'shipgate'), args, { env: processEnv(env), extendEnv: false, reject: false }),
      startWorker: (connectBy) => {
        const connection =
          connectBy === 'profile'
            ? { TEMPORAL_CONFIG_FILE: stack.profileFile, TEMPORAL_PROFILE: stack.profile }
            : stack.clientEnv(stack.issuer.mint('worker', writerPermissions(stack.namespace)));
        const worker = execa(join(repoRoot, 'bin', 'shipgate'), ['worker', '--task-queue', taskQueue], {
          env: processEnv(connection),
          extendEnv: false,
          reject: false,
          stdin: 'ignore',
        });
        workers.push(worker);
        return worker;
      },
      close: async () => {
        await connection.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
