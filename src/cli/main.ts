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

const program = new Command('shipgate')
  .description('Durable releases on Temporal: publish by digest, wait for a person, promote.')
  .showHelpAfterError('(run shipgate --help for usage)')
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
    console.error(`shipgate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = ExitCode.failure;
  }
}
