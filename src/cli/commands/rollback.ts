import type { WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import { digestSetSha256 } from '../../config/decision-statement.ts';
import { describeProof } from '../../config/decision-types.ts';
import {
  approveUpdate,
  defaultTaskQueue,
  phaseKey,
  projectKey,
  rollbackStatusQuery,
  rollbackWorkflowType,
  startedByKey,
  versionKey,
} from '../../workflows/messages.ts';
import type { rollback } from '../../workflows/rollback.ts';
import type { RollbackInput, RollbackStatus } from '../../workflows/status.ts';
import { rootCause } from '../../errors.ts';
import { signedStatement, withProofOptions, type ProofOptions } from '../decision-proof.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printJson, shortDigest, table } from '../output.ts';
import { asCliError, client } from '../release-handle.ts';
import { claimed, proofFor } from '../send-decision.ts';
import { userName } from '../user.ts';
import { normalizeVersion } from '../versions.ts';
import { loadPlanForCli } from '../load-plan.ts';

type Options = ProofOptions & {
  to: string;
  reason: string;
  plan: string;
  taskQueue: string;
  yes?: boolean;
  json?: boolean;
};

/** Polls until the rollback waits at its gate or has ended (a refusal ends it before the gate). */
async function atGate(handle: WorkflowHandle<typeof rollback>): Promise<RollbackStatus | undefined> {
  for (;;) {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return undefined;
    const current = await handle.query(rollbackStatusQuery);
    if (current.gate) return current;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function failure(error: unknown, project: string, version: string): CliError {
  return new CliError(`rollback of ${project} to ${version} refused: ${rootCause(error).message}`, ExitCode.refused);
}

export function registerRollback(program: Command): void {
  const command = program
    .command('rollback')
    .description('go back to a promoted version: verified again, approved at its own gate, tags moved back, re-pinned')
    .argument('<project>', 'the project, as in the plan')
    .requiredOption('--to <version>', 'the promoted version to go back to')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--plan <path>', 'the release plan', 'shipgate.yaml')
    .option('--as <name>', 'who rolls back')
    .option('-y, --yes', "approve the rollback's gate with your own proof (--key / --id-token-env) right away")
    .option('--task-queue <name>', 'worker task queue', process.env.SHIPGATE_TASK_QUEUE ?? defaultTaskQueue)
    .option('--json', 'print the result as JSON');
  withProofOptions(command).action(async (project: string, options: Options) => {
    const toVersion = normalizeVersion(options.to);
    const plan = await loadPlanForCli(options.plan);
    if (plan.project !== project)
      throw new CliError(`the plan ${options.plan} is for ${plan.project}, not ${project}`, ExitCode.badInput);
    const workflowId = `rollback:${project}:${toVersion}:${new Date().toISOString()}`;
    const starter = await signedStatement(
      {
        release: workflowId,
        run: 'new',
        gate: 'start',
        digests: digestSetSha256([`rollback@${toVersion}`]),
        decision: 'start',
      },
      options,
    );
    const input: RollbackInput = {
      plan,
      toVersion,
      by: options.as ?? userName(),
      reason: options.reason,
      ...(starter ? { starter } : {}),
    };
    const temporal = await client();
    const handle = await temporal.workflow.start<typeof rollback>(rollbackWorkflowType, {
      taskQueue: options.taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: [
        { key: projectKey, value: project },
        { key: versionKey, value: toVersion },
        { key: phaseKey, value: 'rolling-back' },
        { key: startedByKey, value: input.by },
      ],
      staticSummary: `rollback ${project} to ${toVersion}: ${options.reason}`,
    });
    const waiting = await atGate(handle).catch((error: unknown) => {
      throw failure(error, project, toVersion);
    });
    if (waiting && options.yes) {
      const signed = await proofFor(handle, waiting, 'approve', options);
      const decision = await handle
        .executeUpdate(approveUpdate, { args: [{ approver: claimed(options, signed), ...(signed ? { signed } : {}) }] })
        .catch((error: unknown) => {
          throw asCliError(error, workflowId);
        });
      if (!options.json)
        console.error(
          `approved by ${decision.by} (${decision.verified ? describeProof(decision.verified) : 'not authenticated'})`,
        );
    }
    const now = waiting ? await handle.query(rollbackStatusQuery) : undefined;
    if (now?.gate) {
      const message = `${workflowId} waits for approval (${now.gate.needs ?? 'one approval'}): shipgate approve ${workflowId} --key FILE`;
      if (options.json) return printJson({ id: workflowId, ...now });
      console.log(message);
      return;
    }
    const status = await handle.result().catch((error: unknown) => {
      throw failure(error, project, toVersion);
    });
    if (options.json) return printJson({ id: workflowId, ...status });
    if (status.phase !== 'rolled-back')
      throw new CliError(`${workflowId} ended ${status.phase}`, ExitCode.releaseStopped);
    console.log(`${project} rolled back to ${toVersion} (from ${status.fromRelease ?? '?'}): ${status.reason}`);
    console.log(
      table(
        ['artifact', 'tag', 'from', 'to'],
        status.moves.map((m) => [m.artifact, m.tag, m.fromVersion ?? shortDigest(m.from), shortDigest(m.to)]),
      ),
    );
    if (status.pins.length)
      console.log(
        table(
          ['pinned', 'digest', 'confirmed'],
          status.pins.map((p) => [p.name, p.digest, p.confirmed ? 'yes' : 'no']),
        ),
      );
  });
}
