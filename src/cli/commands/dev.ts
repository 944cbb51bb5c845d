import { join } from 'node:path';
import type { Command } from 'commander';
import { localSigners } from '../../devstack/signing-keys.ts';
import { startTemporalDevServer } from '../../devstack/temporal-dev-server.ts';
import { repoRoot } from '../../tools/locate.ts';
import { runWorker } from '../../worker/main.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { userName } from '../user.ts';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(
      'run the embedded local stack: Temporal dev server (SQLite in .state/, web UI) and a worker; Ctrl-C stops both',
    )
    .option('--port <port>', 'Temporal frontend port', '7233')
    .option('--ui-port <port>', 'web UI port', '8233')
    .option('--state-dir <dir>', 'where releases are persisted across restarts', join(repoRoot, '.state', 'dev'))
    .action(async (options: { port: string; uiPort: string; stateDir: string }) => {
      const port = Number(options.port);
      const uiPort = Number(options.uiPort);
      if (!Number.isInteger(port) || !Number.isInteger(uiPort))
        throw new CliError('--port and --ui-port take port numbers', ExitCode.badInput);
      const server = await startTemporalDevServer({ stateDir: options.stateDir, port, uiPort });
      console.error(
        `shipgate dev: Temporal at ${server.address}, web UI at ${server.uiUrl}, state in ${options.stateDir}`,
      );
      // Signed approvals from the first local release on: a throwaway key for you, and the list that allows it.
      const me = userName();
      const signers = await localSigners(join(options.stateDir, 'signing'), [me]).catch(() => undefined);
      if (signers)
        console.error(
          `shipgate dev: your local signing key ${signers.keys[me] ?? ''} (export SHIPGATE_SIGNING_KEY=${signers.keys[me] ?? ''}); in your plan: gate.identity: { mode: signed, sshAllowedSigners: ${signers.allowedSigners} }`,
        );
      process.env.TEMPORAL_ADDRESS = server.address;
      const stop = async (): Promise<void> => {
        await server.stop();
      };
      process.once('exit', () => void stop());
      try {
        await runWorker();
      } finally {
        await stop();
      }
    });
}
