import type { Command } from 'commander';
import { TemporalUnreachable } from '../../temporal/connect.ts';
import { CliError, ExitCode } from '../exit-codes.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a shipgate worker (connection from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / profiles); JSON logs')
    .option('--task-queue <name>', 'task queue (default: shipgate, or $SHIPGATE_TASK_QUEUE)')
    .option(
      '--max-activities <n>',
      'activities (copies, verifications, ...) this worker runs at once (default: $SHIPGATE_MAX_ACTIVITIES, else 100)',
      process.env.SHIPGATE_MAX_ACTIVITIES,
    )
    .option(
      '--max-tools <n>',
      'tool processes (regctl, cosign, helm, ssh-keygen) this worker runs at once (default: $SHIPGATE_MAX_TOOLS, else 4)',
      process.env.SHIPGATE_MAX_TOOLS,
    )
    .action(async (options: { taskQueue?: string; maxActivities?: string; maxTools?: string }) => {
      const maxActivities = wholeNumber(options.maxActivities, '--max-activities (or SHIPGATE_MAX_ACTIVITIES)');
      const maxToolProcesses = wholeNumber(options.maxTools, '--max-tools (or SHIPGATE_MAX_TOOLS)');
      // Loaded here, not at CLI start: the worker runtime and every activity are only for this command.
      const { runWorker } = await import('../../worker/main.ts');
      await runWorker({
        ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
        ...(maxActivities ? { maxActivities } : {}),
        ...(maxToolProcesses ? { maxToolProcesses } : {}),
      }).catch((error: unknown) => {
        if (error instanceof TemporalUnreachable) throw new CliError(error.message, ExitCode.unreachable);
        throw error;
      });
    });
}

function wholeNumber(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1))
    throw new CliError(`${what} "${value}" must be a whole number of at least 1`, ExitCode.badInput);
  return n;
}
