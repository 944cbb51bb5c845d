import { createInterface } from 'node:readline/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Command } from 'commander';
import {
  abortUpdate,
  approveUpdate,
  rejectUpdate,
  retryUpdate,
  reportCheckUpdate,
  type Decision,
} from '../../workflows/messages.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printJson, table } from '../output.ts';
import { asCliError, client, releaseIdFrom, releaseStatus } from '../release-handle.ts';
import { userName } from '../user.ts';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function printDecision(decision: Decision, json: boolean | undefined): void {
  if (json) printJson(decision);
  else
    console.log(
      `${decision.kind} recorded: by ${decision.by} at ${decision.at}${decision.comment ? ` (${decision.comment})` : ''}`,
    );
}

/** The release a command names, as a handle on the workflow. */
async function handleFor(release: string[]): Promise<WorkflowHandle> {
  const temporal = await client();
  return temporal.workflow.getHandle(releaseIdFrom(release));
}

/** Sends one decision as an update; a refusal comes back as the CLI's error, the recorded decision is printed. */
async function decide<A>(
  handle: WorkflowHandle,
  update: UpdateDefinition<Decision, [A]>,
  request: A,
  json: boolean | undefined,
): Promise<void> {
  const decision = await handle.executeUpdate(update, { args: [request] }).catch((error: unknown) => {
    throw asCliError(error, handle.workflowId);
  });
  printDecision(decision, json);
}

export function registerDecisions(program: Command): void {
  program
    .command('approve')
    .description('approve the open gate (sync go or promotion) for the exact digest set shown')
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .option(
      '--as <name>',
      'who approves (default: $SHIPGATE_USER, $GITHUB_ACTOR, $GITLAB_USER_LOGIN or the login name)',
    )
    .option('--comment <text>', 'why, for the record')
    .option('-y, --yes', 'do not ask for confirmation (scripts)')
    .option('--json', 'print the recorded decision as JSON')
    .action(async (release: string[], options: { as?: string; comment?: string; yes?: boolean; json?: boolean }) => {
      const handle = await handleFor(release);
      const status = await releaseStatus(handle);
      if (!status.gate) {
        throw new CliError(
          `${status.project} ${status.version} is not waiting for approval (phase: ${status.phase})`,
          ExitCode.refused,
        );
      }
      const digests = status.gate.digests;
      if (!options.json) {
        console.error(
          `${status.project} ${status.version}: ${status.gate.kind === 'sync' ? 'sync go' : 'promotion'} of`,
        );
        console.error(
          table(
            ['artifact', 'digest'],
            digests.map((entry) => entry.split('@') as [string, string]),
          ),
        );
        const pr = status.pullRequest;
        if (status.gate.kind === 'promotion' && pr && !pr.merged)
          console.error(`on approval: merges release PR #${pr.number}${pr.url ? ` (${pr.url})` : ''}`);
      }
      if (!options.yes) {
        if (!process.stdin.isTTY)
          throw new CliError('refusing to approve without confirmation: pass --yes in scripts', ExitCode.badInput);
        if (!(await confirm('Approve exactly these digests? [y/N] ')))
          throw new CliError('not approved', ExitCode.refused);
      }
      const approval = {
        approver: options.as ?? userName(),
        digests,
        gate: status.gate.kind,
        ...(options.comment ? { comment: options.comment } : {}),
      };
      await decide(handle, approveUpdate, approval, options.json);
    });

  endingDecision(program, 'reject', 'reject the release at its gate: nothing is promoted', 'who rejects', rejectUpdate);
  program
    .command('retry')
    .description('run a release that needs attention again from the step that failed')
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .option('--as <name>', 'who retries')
    .option('--comment <text>', 'what was fixed')
    .option(
      '--recreate-draft',
      'when the drafted release is gone: publish the release again from the notes made at publish',
    )
    .option('--json', 'print the recorded decision as JSON')
    .action(
      async (
        release: string[],
        options: { as?: string; comment?: string; recreateDraft?: boolean; json?: boolean },
      ) => {
        const retry = {
          by: options.as ?? userName(),
          ...(options.comment ? { comment: options.comment } : {}),
          ...(options.recreateDraft ? { recreateDraft: true } : {}),
        };
        await decide(await handleFor(release), retryUpdate, retry, options.json);
      },
    );

  endingDecision(
    program,
    'abort',
    'end a release that waits at a gate or needs attention; what was done stays recorded',
    'who aborts',
    abortUpdate,
  );
  program
    .command('report-check')
    .description('report the result of an external smoke check the plan declares')
    .argument('<name>', 'the check name (smoke.external[].name)')
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .option('--pass', 'the check passed')
    .option('--fail', 'the check failed')
    .option('--detail <text>', 'a line of detail, e.g. a run URL')
    .option('--as <name>', 'who reports')
    .option('--json', 'print the recorded decision as JSON')
    .action(
      async (
        name: string,
        release: string[],
        options: { pass?: boolean; fail?: boolean; detail?: string; as?: string; json?: boolean },
      ) => {
        if (Boolean(options.pass) === Boolean(options.fail))
          throw new CliError('say exactly one of --pass or --fail', ExitCode.badInput);
        const report = {
          name,
          passed: Boolean(options.pass),
          by: options.as ?? userName(),
          ...(options.detail ? { detail: options.detail } : {}),
        };
        await decide(await handleFor(release), reportCheckUpdate, report, options.json);
      },
    );
}

/** reject and abort: the same command shape (a reason, who), a different update. */
function endingDecision(
  program: Command,
  name: string,
  description: string,
  asHelp: string,
  update: UpdateDefinition<Decision, [{ by: string; reason: string }]>,
): void {
  program
    .command(name)
    .description(description)
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--as <name>', asHelp)
    .option('--json', 'print the recorded decision as JSON')
    .action(async (release: string[], options: { reason: string; as?: string; json?: boolean }) => {
      const request = { by: options.as ?? userName(), reason: options.reason };
      await decide(await handleFor(release), update, request, options.json);
    });
}
