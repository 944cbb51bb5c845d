import type { Command } from 'commander';
import {
  deadlineKey,
  phaseKey,
  projectKey,
  startedByKey,
  stepKey,
  versionKey,
  waitingSinceKey,
} from '../../workflows/messages.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { listKinds, listQuery, type ListFilters } from '../list-query.ts';
import { printJson, table } from '../output.ts';
import { client } from '../release-handle.ts';

export interface ListedRelease {
  id: string;
  /** The workflow type: release or rollback. */
  kind: string;
  project: string | undefined;
  version: string | undefined;
  phase: string | undefined;
  step: string | undefined;
  startedBy: string | undefined;
  /** Since when it waits at a gate, in a freeze or for attention; absent when it does not wait. */
  waitingSince: string | undefined;
  /** The gate's deadline or the end of the freeze it waits in. */
  deadline: string | undefined;
  status: string;
  startTime: string;
}

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list releases and rollbacks, newest first')
    .option('--awaiting', 'only releases waiting for approval')
    .option('--attention', 'only releases that need attention')
    .option('--phase <phase>', 'only this phase (a release phase, or rolling-back / rolled-back)')
    .option('--project <project>', 'only this project')
    .option('--version <version>', 'only this version (v1.2.3 or 1.2.3)')
    .option('--started-by <name>', 'only those this person (or CI bot) started')
    .option('--since <when>', 'only those started at or after: a date, a time (ISO 8601) or an age (36h, 7d)')
    .option('--until <when>', 'only those started at or before: a date, a time or an age')
    .option('--kind <kind>', `release, rollback or all (${listKinds.join(' | ')})`, 'all')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print as JSON (shape: docs/cli.md)')
    .action(async (options: ListFilters & { limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new CliError('--limit must be a positive whole number', ExitCode.badInput);
      const query = listQuery(options);
      const temporal = await client();
      const releases: ListedRelease[] = [];
      for await (const execution of temporal.workflow.list({ query })) {
        const attributes = execution.typedSearchAttributes;
        releases.push({
          id: execution.workflowId,
          kind: execution.type,
          project: attributes.get(projectKey),
          version: attributes.get(versionKey),
          phase: attributes.get(phaseKey),
          step: attributes.get(stepKey),
          startedBy: attributes.get(startedByKey),
          waitingSince: attributes.get(waitingSinceKey)?.toISOString(),
          deadline: attributes.get(deadlineKey)?.toISOString(),
          status: execution.status.name,
          startTime: execution.startTime.toISOString(),
        });
        if (releases.length >= limit) break;
      }
      if (options.json) return printJson(releases);
      if (releases.length === 0) return console.log('no releases match');
      console.log(
        table(
          ['project', 'version', 'phase', 'step', 'waiting since', 'deadline', 'started', 'id'],
          releases.map((r) => [r.project, r.version, r.phase, r.step, r.waitingSince, r.deadline, r.startTime, r.id]),
        ),
      );
    });
}
