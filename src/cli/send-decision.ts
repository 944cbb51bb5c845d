import type { WorkflowHandle } from '@temporalio/client';
import type { Command } from 'commander';
import type { UpdateDefinition } from '@temporalio/common';
import { digestSetSha256 } from '../config/decision-statement.ts';
import { describeProof, type SignedStatement } from '../config/decision-types.ts';
import { statementTarget, type DecisionKind } from '../workflows/decision-rules.ts';
import type { Decision } from '../workflows/messages.ts';
import type { DecisionSubject } from '../workflows/status.ts';
import { signedStatement, type ProofOptions } from './decision-proof.ts';
import { printJson } from './output.ts';
import { asCliError, client, releaseIdFrom, releaseStatus } from './release-handle.ts';
import { userName } from './user.ts';

// The common path of a decision from the CLI: read the release, sign the statement for this decision as the
// release stands (run, gate, digest set), send it, print what the release recorded.

/** The signed statement for a decision on this release (or rollback) as it stands now (its run, gate and digest set). */
export async function proofFor(
  handle: WorkflowHandle,
  status: DecisionSubject,
  kind: DecisionKind,
  options: ProofOptions,
  check?: { name: string; passed: boolean },
): Promise<SignedStatement | undefined> {
  const { runId } = await handle.describe();
  const target = statementTarget(status, kind, check);
  return signedStatement(
    {
      release: handle.workflowId,
      run: runId,
      gate: target.gate,
      digests: digestSetSha256(target.digests),
      decision: target.decision,
    },
    options,
  );
}

/** Who the request names: --as, else the person the proof will name. */
export function claimed(options: ProofOptions, signed: SignedStatement | undefined): string {
  const person = signed ? /\nperson: (.*)\n/.exec(signed.statement)?.[1] : undefined;
  return person ?? options.as ?? userName();
}

/**
 * Reads the release, signs the statement for this decision as the release stands, sends the update and prints
 * the recorded decision: the common path of reject, retry, abort, report-check and override-freeze.
 */
export async function sendDecision<T>(
  release: string[],
  kind: DecisionKind,
  options: ProofOptions & { json?: boolean; printSignal?: boolean },
  update: UpdateDefinition<Decision, [T]>,
  request: (by: string, signed: { signed?: SignedStatement }) => T,
  check?: { name: string; passed: boolean },
): Promise<void> {
  // Named first, so a bad release name is exit 2 without reaching Temporal.
  const releaseId = releaseIdFrom(release);
  const temporal = await client();
  const handle = temporal.workflow.getHandle(releaseId);
  const signed = await proofFor(handle, await releaseStatus(handle), kind, options, check);
  const body = request(claimed(options, signed), signed ? { signed } : {});
  if (options.printSignal) return printSignal(handle.workflowId, update.name, body);
  const decision = await handle.executeUpdate(update, { args: [body] }).catch((error: unknown) => {
    throw asCliError(error, handle.workflowId);
  });
  printDecision(decision, options.json);
}

/** Adds --print-signal: the decision's body (signed statement included) for the Temporal UI's signal form. */
export function withPrintSignal(command: Command): Command {
  return command.option(
    '--print-signal',
    'print the decision (signed statement included) as the JSON body of its signal, to send from the Temporal UI, instead of sending it',
  );
}

/** The body to paste into the Temporal UI's "Send a Signal" form; the how-to goes to stderr, the JSON to stdout. */
export function printSignal(workflowId: string, name: string, body: unknown): void {
  console.error(`paste into the Temporal UI: ${workflowId} → Send a Signal → name "${name}", input:`);
  printJson(body);
}

export function printDecision(decision: Decision, json: boolean | undefined): void {
  if (json) printJson(decision);
  else
    console.log(
      `${decision.kind} recorded: by ${decision.by} (${decision.verified ? describeProof(decision.verified) : 'not authenticated'}) at ${decision.at}${decision.comment ? ` (${decision.comment})` : ''}`,
    );
}
