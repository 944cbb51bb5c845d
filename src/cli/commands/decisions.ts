import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { withProofOptions, type ProofOptions } from '../decision-proof.ts';
import { abortUpdate, approveUpdate, rejectUpdate, retryUpdate, reportCheckUpdate } from '../../workflows/messages.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { table } from '../output.ts';
import { asCliError, client, releaseIdFrom, releaseStatus } from '../release-handle.ts';
import { claimed, printDecision, printSignal, proofFor, sendDecision, withPrintSignal } from '../send-decision.ts';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

const withDecisionOptions = (command: Command): Command => withPrintSignal(withProofOptions(command));

export function registerDecisions(program: Command): void {
  const approve = program
    .command('approve')
    .description('approve the open gate (sync go or promotion) for the exact digest set shown')
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .option(
      '--as <name>',
      'who approves (default: $SHIPGATE_USER, $GITHUB_ACTOR, $GITLAB_USER_LOGIN or the login name)',
    )
    .option('--comment <text>', 'why, for the record')
    .option('-y, --yes', 'do not ask for confirmation (scripts)')
    .option('--json', 'print the recorded decision as JSON');
  withPrintSignal(withProofOptions(approve)).action(
    async (
      release: string[],
      options: ProofOptions & { comment?: string; yes?: boolean; json?: boolean; printSignal?: boolean },
    ) => {
      // Named first, so a bad release name is exit 2 without reaching Temporal.
      const releaseId = releaseIdFrom(release);
      const temporal = await client();
      const handle = temporal.workflow.getHandle(releaseId);
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
          `${status.project} ${status.version}: ${status.gate.kind === 'sync' ? 'sync go' : status.gate.kind} of`,
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
      const signed = await proofFor(handle, status, 'approve', options);
      const request = {
        approver: claimed(options, signed),
        digests,
        gate: status.gate.kind,
        ...(options.comment ? { comment: options.comment } : {}),
        ...(signed ? { signed } : {}),
      };
      if (options.printSignal) return printSignal(handle.workflowId, approveUpdate.name, request);
      const decision = await handle.executeUpdate(approveUpdate, { args: [request] }).catch((error: unknown) => {
        throw asCliError(error, handle.workflowId);
      });
      printDecision(decision, options.json);
    },
  );

  withDecisionOptions(
    program
      .command('reject')
      .description('reject the release at its gate: nothing is promoted')
      .argument('<release...>', 'PROJECT VERSION, or a release id')
      .requiredOption('--reason <text>', 'why, for the record')
      .option('--as <name>', 'who rejects')
      .option('--json', 'print the recorded decision as JSON'),
  ).action((release: string[], options: ProofOptions & { reason: string; json?: boolean; printSignal?: boolean }) =>
    sendDecision(release, 'reject', options, rejectUpdate, (by, signed) => ({ by, reason: options.reason, ...signed })),
  );

  withDecisionOptions(
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
      .option('--json', 'print the recorded decision as JSON'),
  ).action(
    (
      release: string[],
      options: ProofOptions & { comment?: string; recreateDraft?: boolean; json?: boolean; printSignal?: boolean },
    ) =>
      sendDecision(release, 'retry', options, retryUpdate, (by, signed) => ({
        by,
        ...(options.comment ? { comment: options.comment } : {}),
        ...(options.recreateDraft ? { recreateDraft: true } : {}),
        ...signed,
      })),
  );

  withDecisionOptions(
    program
      .command('abort')
      .description('end a release that waits at a gate or needs attention; what was done stays recorded')
      .argument('<release...>', 'PROJECT VERSION, or a release id')
      .requiredOption('--reason <text>', 'why, for the record')
      .option('--as <name>', 'who aborts')
      .option('--json', 'print the recorded decision as JSON'),
  ).action((release: string[], options: ProofOptions & { reason: string; json?: boolean; printSignal?: boolean }) =>
    sendDecision(release, 'abort', options, abortUpdate, (by, signed) => ({ by, reason: options.reason, ...signed })),
  );

  withDecisionOptions(
    program
      .command('report-check')
      .description('report the result of an external smoke check the plan declares')
      .argument('<name>', 'the check name (smoke.external[].name)')
      .argument('<release...>', 'PROJECT VERSION, or a release id')
      .option('--pass', 'the check passed')
      .option('--fail', 'the check failed')
      .option('--detail <text>', 'a line of detail, e.g. a run URL')
      .option('--as <name>', 'who reports')
      .option('--json', 'print the recorded decision as JSON'),
  ).action(
    async (
      name: string,
      release: string[],
      options: ProofOptions & {
        pass?: boolean;
        fail?: boolean;
        detail?: string;
        json?: boolean;
        printSignal?: boolean;
      },
    ) => {
      if (Boolean(options.pass) === Boolean(options.fail))
        throw new CliError('say exactly one of --pass or --fail', ExitCode.badInput);
      const passed = Boolean(options.pass);
      await sendDecision(
        release,
        'check',
        options,
        reportCheckUpdate,
        (by, signed) => ({ name, passed, by, ...(options.detail ? { detail: options.detail } : {}), ...signed }),
        { name, passed },
      );
    },
  );
}
