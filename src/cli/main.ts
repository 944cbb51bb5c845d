import { Command, CommanderError } from 'commander';
import { registerDecisions } from './commands/decisions.ts';
import { registerList } from './commands/list.ts';
import { registerStatus } from './commands/status.ts';
import { registerWatch } from './commands/watch.ts';
import { registerStart } from './commands/start.ts';
import { registerPlan } from './commands/plan.ts';
import { registerOverrideFreeze } from './commands/override-freeze.ts';
import { registerReport } from './commands/report.ts';
import { registerRollback } from './commands/rollback.ts';
import { registerVerify } from './commands/verify.ts';
import { registerWorker } from './commands/worker.ts';
import { registerDev } from './commands/dev.ts';
import { registerVerifyDecisions } from './commands/verify-decisions.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { notAuthorized } from './not-authorized.ts';

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

registerStart(program);
registerStatus(program);
registerWatch(program);
registerList(program);
registerDecisions(program);
registerPlan(program);
registerRollback(program);
registerOverrideFreeze(program);
registerVerify(program);
registerReport(program);
registerWorker(program);
registerDev(program);
registerVerifyDecisions(program);

try {
  await program.parseAsync(process.argv);
} catch (caught) {
  const error = notAuthorized(caught) ?? caught;
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
