import type { Command } from 'commander';
import { phaseKey, projectKey, versionKey } from '../../workflows/messages.ts';
import { releaseWorkflowType } from '../../workflows/messages.ts';
import { phases } from '../../workflows/status.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printJson, table } from '../output.ts';
import { client } from '../release-handle.ts';

export interface ListedRelease {
  id: string;
  project: string | undefined;
  version: string | undefined;
  phase: string | undefined;
  status: string;
  startTime: string;
}

/** The visibility query behind `shipgate list`; the same one works in the Temporal UI's search box. */
function listQuery(options: { awaiting?: boolean; attention?: boolean; project?: string; phase?: string }): string {
  const clauses = [`WorkflowType = '${releaseWorkflowType}'`];
  const phase = options.awaiting ? 'awaiting-approval' : options.attention ? 'needs-attention' : options.phase;
  if (phase && !(phases as readonly string[]).includes(phase))
    throw new CliError(`--phase "${phase}" is not a phase; use one of: ${phases.join(', ')}`, ExitCode.badInput);
  if (phase) clauses.push(`${phaseKey.name} = '${phase}'`);
  if (options.project) {
    if (/['\\]/.test(options.project))
      throw new CliError('--project may not contain quotes or backslashes', ExitCode.badInput);
    clauses.push(`${projectKey.name} = '${options.project}'`);
  }
  return clauses.join(' AND ');
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list releases, newest first')
    .option('--awaiting', 'only releases waiting for approval')
    .option('--attention', 'only releases that need attention')
    .option('--phase <phase>', 'only releases in this phase')
    .option('--project <project>', 'only this project')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print as JSON (shape: docs/cli.md)')
    .action(
      async (options: {
        awaiting?: boolean;
        attention?: boolean;
        phase?: string;
        project?: string;
        limit: string;
        json?: boolean;
      }) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new CliError('--limit must be a positive whole number', ExitCode.badInput);
        const temporal = await client();
        const releases: ListedRelease[] = [];
        for await (const execution of temporal.workflow.list({ query: listQuery(options) })) {
          releases.push({
            id: execution.workflowId,
            project: execution.typedSearchAttributes.get(projectKey),
            version: execution.typedSearchAttributes.get(versionKey),
            phase: execution.typedSearchAttributes.get(phaseKey),
            status: execution.status.name,
            startTime: execution.startTime.toISOString(),
          });
          if (releases.length >= limit) break;
        }
        if (options.json) return printJson(releases);
        if (releases.length === 0) return console.log('no releases match');
        console.log(
          table(
            ['project', 'version', 'phase', 'started', 'id'],
            releases.map((r) => [r.project, r.version, r.phase, r.startTime, r.id]),
          ),
        );
      },
    );
}
