import { enableCompileCache } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerCommandsFor } from './command-table.ts';
import { CliError, ExitCode } from './exit-codes.ts';

enableCompileCache();

const program = new Command('shipgate')
  .description('Durable releases on Temporal: publish by digest, wait for a person, promote.')
  .showHelpAfterError('(run shipgate --help for usage)')
  .exitOverride();

// Only the modules this command line needs are loaded (see command-table.ts): `status` starts in a fraction of
// the time loading every command took. Node's compile cache keeps the compiled modules between runs.
await registerCommandsFor(program, process.argv.slice(2));

try {
  await program.parseAsync(process.argv);
} catch (caught) {
  // Loaded for other failures only: it needs the Temporal client, which --help and bad arguments do not.
  const error =
    caught instanceof CommanderError ? caught : ((await import('./not-authorized.ts')).notAuthorized(caught) ?? caught);
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
  } else if (error instanceof CliError) {
    console.error(`shipgate: ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    console.error(`shipgate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = ExitCode.failure;
  }
}
