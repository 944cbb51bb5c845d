import { join } from 'node:path';
import type { Command } from 'commander';
import { startProductionStack } from '../../devstack/production/stack.ts';
import { localSigners } from '../../devstack/signing-keys.ts';
import { startTemporalDevServer } from '../../devstack/temporal-dev-server.ts';
import { repoRoot } from '../../tools/locate.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { userName } from '../user.ts';

const topologies = ['dev', 'production'] as const;

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'run a local stack and a worker: the Temporal dev server (SQLite in .state/, web UI), or with --topology ' +
        'production PostgreSQL and the Temporal server with mTLS and JWT authorization; Ctrl-C stops it all',
    )
    .option('--topology <name>', `${topologies.join(' or ')}`, 'dev')
    .option('--port <port>', 'Temporal frontend port', '7233')
    .option('--ui-port <port>', 'web UI port', '8233')
    .option('--state-dir <dir>', 'where releases are persisted across restarts (default .state/<topology>)')
    .action(async (options: { topology: string; port: string; uiPort: string; stateDir?: string }) => {
      const port = Number(options.port);
      const uiPort = Number(options.uiPort);
      for (const [flag, value] of [
        ['--port', port],
        ['--ui-port', uiPort],
      ] as const)
        if (!Number.isInteger(value) || value < 1 || value > 65535)
          throw new CliError(
            `${flag} takes a port number from 1 to 65535, not "${options[flag === '--port' ? 'port' : 'uiPort']}"`,
            ExitCode.badInput,
          );
      if (!(topologies as readonly string[]).includes(options.topology))
        throw new CliError(`--topology must be one of: ${topologies.join(', ')}`, ExitCode.badInput);
      const stateDir = options.stateDir ?? join(repoRoot, '.state', options.topology);
      let stop: () => Promise<void>;
      if (options.topology === 'production') {
        const stack = await startProductionStack({ stateDir, port, uiPort });
        stop = stack.stop;
        const env = stack.clientEnv('<api_key from the profile>');
        console.error(
          [
            `shipgate dev: production topology ready in ${stack.startSeconds.toFixed(1)} s, state in ${stateDir}`,
            `  Temporal:   ${stack.address} (mTLS, JWT authorization), namespace ${stack.namespace}`,
            `  PostgreSQL: ${stack.postgres.host}:${stack.postgres.port} (${stack.postgres.major}), user ${stack.postgres.user}`,
            `  web UI:     ${stack.uiUrl ?? '(none)'}`,
            `  connect other terminals with the profile (a 12-hour "${stack.namespace}:write" token):`,
            `    export TEMPORAL_CONFIG_FILE=${stack.profileFile} TEMPORAL_PROFILE=${stack.profile}`,
            `  or with variables: ${Object.entries(env)
              .map(([key, value]) => `${key}=${value}`)
              .join(' ')}`,
          ].join('\n'),
        );
        Object.assign(process.env, { TEMPORAL_CONFIG_FILE: stack.profileFile, TEMPORAL_PROFILE: stack.profile });
      } else {
        const server = await startTemporalDevServer({ stateDir, port, uiPort });
        stop = server.stop;
        console.error(`shipgate dev: Temporal at ${server.address}, web UI at ${server.uiUrl}, state in ${stateDir}`);
        process.env.TEMPORAL_ADDRESS = server.address;
      }
      // Signed approvals from the first local release on: a throwaway key for you, and the list that allows it.
      const me = userName();
      const signers = await localSigners(join(stateDir, 'signing'), [me]).catch(() => undefined);
      if (signers)
        console.error(
          `shipgate dev: your local signing key ${signers.keys[me] ?? ''} (export SHIPGATE_SIGNING_KEY=${signers.keys[me] ?? ''}); in your plan: gate.identity: { mode: signed, sshAllowedSigners: ${signers.allowedSigners} }`,
        );
      process.once('exit', () => void stop());
      try {
        // Loaded here, not at CLI start: the worker runtime and every activity are only for this command.
        const { runWorker } = await import('../../worker/main.ts');
        await runWorker();
      } finally {
        await stop();
      }
    });
}
