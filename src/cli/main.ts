import { enableCompileCache } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerCommandsFor } from './command-table.ts';
import { CliError, ExitCode } from './exit-codes.ts';

enableCompileCache();

// Bad input is one line on stderr, `shipgate: <message>`, and exit 2 (docs/cli.md); a stack trace only with --debug.
const debug = process.argv.includes('--debug');
const program = new Command('shipgate')
  .description('Durable releases on Temporal: publish by digest, wait for a person, promote.')
  .option('--debug', 'print the stack trace of an unexpected error')
  .configureOutput({
    outputError: (text, write) =>
      write(`shipgate: ${text.replace(/^error: /, '').trim()} (run shipgate --help for usage)\n`),
  })
  .allowExcessArguments(false)
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
    const text = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
    console.error(`shipgate: ${text}${debug ? '' : ' (run with --debug for the stack trace)'}`);
    process.exitCode = ExitCode.failure;
  }
}
