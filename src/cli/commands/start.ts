import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ReleaseInput } from '../../config/release-input.ts';
import { defaultTaskQueue, releaseWorkflowId, releaseWorkflowType } from '../../workflows/messages.ts';
import type { Phase } from '../../workflows/status.ts';
import type { release } from '../../workflows/release.ts';
import { releaseStartOptions } from '../../client/release-start-options.ts';
import { digestSetSha256 } from '../../config/decision-statement.ts';
import { signedStatement, withProofOptions, type ProofOptions } from '../decision-proof.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { endPhases, exitForStatus, followMode, followRelease, gatePhases } from '../follow-release.ts';
import { printJson } from '../output.ts';
import { checkBuild, checkCommit, checkSourceTags, loadPlanForCli } from '../load-plan.ts';
import { client } from '../release-handle.ts';
import { temporalSettings } from '../../temporal/connect.ts';
import { userName } from '../user.ts';
import { normalizeVersion } from '../versions.ts';

const waitTargets: Phase[] = ['awaiting-sync', 'awaiting-approval', 'promoted'];

/** The release's page in the Temporal web UI, in the namespace envconfig resolves (variables or profile). */
function uiLink(workflowId: string, namespace = temporalSettings().namespace): string | undefined {
  const base = process.env.SHIPGATE_UI_URL ?? process.env.TEMPORAL_UI_URL;
  return base
    ? `${base.replace(/\/$/, '')}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`
    : undefined;
}

export function registerStart(program: Command): void {
  const start = program
    .command('start')
    .description(
      'start a release (from CI): publish by digest, then wait at the gate; idempotent per project and version',
    )
    .requiredOption('--version <version>', 'the release version, e.g. v1.2.3')
    .requiredOption('--commit <sha>', 'the full 40-hex commit SHA being released')
    .option('--plan <path>', 'the release plan', 'shipgate.yaml')
    .option('--pr <number>', 'the release pull request (GitHub) or merge request (GitLab) merged at promotion')
    .option(
      '--as <name>',
      'who starts it (default: $SHIPGATE_USER, $GITHUB_ACTOR, $GITLAB_USER_LOGIN or the login name)',
    )
    .option('--task-queue <name>', 'worker task queue', process.env.SHIPGATE_TASK_QUEUE ?? defaultTaskQueue)
    .option('--wait <phase>', `wait until the release reaches a phase: ${waitTargets.join(', ')}`)
    .option('--build <number>', 'a build number, for source tag templates with {build} (plan: sourceTag)')
    .option('--json', 'print the result as JSON');
  // With --key or --id-token-env (the CI job's token), the starter is proven, so "no self-approval" holds.
  withProofOptions(start).action(
    async (
      options: ProofOptions & {
        version: string;
        commit: string;
        build?: string;
        plan: string;
        as?: string;
        taskQueue: string;
        wait?: string;
        json?: boolean;
        pr?: string;
      },
    ) => {
      const version = normalizeVersion(options.version);
      checkCommit(options.commit);
      if (options.wait && !waitTargets.includes(options.wait as Phase)) {
        throw new CliError(`--wait must be one of ${waitTargets.join(', ')}`, ExitCode.badInput);
      }
      if (options.pr !== undefined && !/^[1-9][0-9]{0,9}$/.test(options.pr)) {
        throw new CliError(
          `--pr "${options.pr}" must be a pull or merge request number, e.g. --pr 42`,
          ExitCode.badInput,
        );
      }
      const plan = await loadPlanForCli(options.plan);
      if (options.pr !== undefined && !plan.forge) {
        throw new CliError(
          `--pr needs a forge in ${options.plan} (forge: kind, baseUrl, project, tokenEnv)`,
          ExitCode.badInput,
        );
      }
      const starter = await signedStatement(
        {
          release: releaseWorkflowId(plan.project, version),
          run: 'new',
          gate: 'start',
          digests: digestSetSha256([`commit@${options.commit}`]),
          decision: 'start',
        },
        options,
      );
      const input: ReleaseInput = {
        ...(starter ? { starter } : {}),
        plan,
        version,
        commitSha: options.commit,
        startedBy: options.as ?? userName(),
        ...(options.pr !== undefined ? { pullRequest: Number(options.pr) } : {}),
        ...(options.build ? { build: checkBuild(options.build) } : {}),
      };
      // The source tags are rendered here first, so a template that needs --build fails before anything starts.
      checkSourceTags(input);
      const temporal = await client();
      const workflowId = releaseWorkflowId(plan.project, version);
      // Only to say so: USE_EXISTING makes the start itself idempotent.
      const alreadyRunning = await temporal.workflow
        .getHandle(workflowId)
        .describe()
        .then((d) => d.status.name === 'RUNNING')
        .catch(() => false);
      const handle = await temporal.workflow
        .start<typeof release>(releaseWorkflowType, releaseStartOptions(input, options.taskQueue))
        .catch((error: unknown) => {
          if (error instanceof WorkflowExecutionAlreadyStartedError) {
            throw new CliError(
              `${workflowId} already ran and ended; a released version is never released twice: bump the version (shipgate status ${plan.project} ${version})`,
              ExitCode.refused,
            );
          }
          throw error;
        });
      const describe = await handle.describe();
      const link = uiLink(workflowId);
      const summary = { id: workflowId, runId: describe.runId, project: plan.project, version, ui: link ?? null };
      if (!options.json) {
        console.log(`release ${workflowId}${alreadyRunning ? ' (already started: this is the existing run)' : ''}`);
        if (link) console.log(`ui: ${link}`);
      }
      if (!options.wait) {
        if (options.json) printJson(summary);
        return;
      }
      // Waiting for a gate stops at either gate: a public commit skips the sync gate, and a private one must not keep
      // a CI job waiting for a person's sync go when it asked to wait only until the release needs a decision.
      const target = options.wait as Phase;
      const stops: Phase[] = [
        ...(gatePhases.includes(target) ? gatePhases : [target]),
        'needs-attention',
        ...endPhases,
      ];
      // --json keeps stdout for the one result object; the progress is for people (and `shipgate watch --json`).
      const status = await followRelease(handle, stops, followMode({ quiet: options.json }));
      if (options.json) printJson({ ...summary, status });
      exitForStatus(status, target);
    },
  );
}
