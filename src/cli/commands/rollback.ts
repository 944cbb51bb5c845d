import type { Command } from 'commander';
import { defaultTaskQueue, rollbackWorkflowType } from '../../workflows/messages.ts';
import { phaseKey, projectKey, versionKey } from '../../workflows/messages.ts';
import type { rollback } from '../../workflows/rollback.ts';
import type { RollbackInput } from '../../workflows/status.ts';
import { rootCause } from '../../errors.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printJson, shortDigest, table } from '../output.ts';
import { client } from '../release-handle.ts';
import { userName } from '../user.ts';
import { normalizeVersion } from '../versions.ts';
import { loadPlanForCli } from '../load-plan.ts';

export function registerRollback(program: Command): void {
  program
    .command('rollback')
    .description(
      're-point the floating tags at a previously promoted version, after verifying it again; recorded like a release',
    )
    .argument('<project>', 'the project, as in the plan')
    .requiredOption('--to <version>', 'the previously promoted version to go back to')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--plan <path>', 'the release plan', 'shipgate.yaml')
    .option('--as <name>', 'who rolls back')
    .option('--task-queue <name>', 'worker task queue', process.env.SHIPGATE_TASK_QUEUE ?? defaultTaskQueue)
    .option('--json', 'print the result as JSON')
    .action(
      async (
        project: string,
        options: { to: string; reason: string; plan: string; as?: string; taskQueue: string; json?: boolean },
      ) => {
        const toVersion = normalizeVersion(options.to);
        const plan = await loadPlanForCli(options.plan);
        if (plan.project !== project)
          throw new CliError(`the plan ${options.plan} is for ${plan.project}, not ${project}`, ExitCode.badInput);
        const input: RollbackInput = { plan, toVersion, by: options.as ?? userName(), reason: options.reason };
        const temporal = await client();
        const workflowId = `rollback:${project}:${toVersion}:${new Date().toISOString()}`;
        const status = await temporal.workflow
          .execute<typeof rollback>(rollbackWorkflowType, {
            taskQueue: options.taskQueue,
            workflowId,
            args: [input],
            typedSearchAttributes: [
              { key: projectKey, value: project },
              { key: versionKey, value: toVersion },
              { key: phaseKey, value: 'rolling-back' },
            ],
            staticSummary: `rollback ${project} to ${toVersion}: ${options.reason}`,
          })
          .catch((error: unknown) => {
            throw new CliError(
              `rollback of ${project} to ${toVersion} failed: ${rootCause(error).message}`,
              ExitCode.refused,
            );
          });
        if (options.json) return printJson({ id: workflowId, ...status });
        console.log(`${project} rolled back to ${toVersion} by ${status.by}: ${status.reason}`);
        console.log(
          table(
            ['artifact', 'tag', 'from', 'to'],
            status.moves.map((m) => [m.artifact, m.tag, m.fromVersion ?? shortDigest(m.from), shortDigest(m.to)]),
          ),
        );
      },
    );
}
