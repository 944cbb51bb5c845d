import type { Command } from 'commander';
import { runWorker } from '../../worker/main.ts';
import { TemporalUnreachable } from '../../temporal/connect.ts';
import { CliError, ExitCode } from '../exit-codes.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a shipgate worker (connection from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / profiles); JSON logs')
    .option('--task-queue <name>', 'task queue (default: shipgate, or $SHIPGATE_TASK_QUEUE)')
    .action(async (options: { taskQueue?: string }) => {
      await runWorker(options.taskQueue ? { taskQueue: options.taskQueue } : {}).catch((error: unknown) => {
        if (error instanceof TemporalUnreachable) throw new CliError(error.message, ExitCode.unreachable);
        throw error;
      });
    });
}
