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
    .action(async (options: { taskQueue?: string; maxActivities?: string }) => {
      const maxActivities = options.maxActivities === undefined ? undefined : Number(options.maxActivities);
      if (maxActivities !== undefined && !(Number.isInteger(maxActivities) && maxActivities >= 1))
        throw new CliError(
          `--max-activities (or SHIPGATE_MAX_ACTIVITIES) "${options.maxActivities}" must be a whole number of at least 1`,
          ExitCode.badInput,
        );
      // Loaded here, not at CLI start: the worker runtime and every activity are only for this command.
      const { runWorker } = await import('../../worker/main.ts');
      await runWorker({
        ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
        ...(maxActivities ? { maxActivities } : {}),
      }).catch((error: unknown) => {
        if (error instanceof TemporalUnreachable) throw new CliError(error.message, ExitCode.unreachable);
        throw error;
      });
    });
}
