import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { rootCause } from '../errors.ts';
import { connectClient, TemporalUnreachable } from '../temporal/connect.ts';
import { releaseWorkflowId, statusQuery } from '../workflows/messages.ts';
import type { ReleaseStatus } from '../workflows/status.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { notAuthorized } from './not-authorized.ts';
import { normalizeVersion } from './versions.ts';

/** `PROJECT VERSION`, or one argument that is already a release or rollback id ("release:acme/gateway:1.2.3"). */
export function releaseIdFrom(args: string[]): string {
  const [first, second] = args;
  if (args.length > 2)
    throw new CliError(
      `too many arguments: ${args.slice(2).join(' ')}; name the release as PROJECT VERSION or its id release:PROJECT:VERSION`,
      ExitCode.badInput,
    );
  // The id form validates its version as PROJECT VERSION does (release:P:banana is bad input, not "not found").
  if (first?.startsWith('release:') && second === undefined) {
    const [, project, version, ...rest] = first.split(':');
    if (!project || version === undefined || rest.length > 0)
      throw new CliError(`"${first}" is not a release id: release:PROJECT:VERSION`, ExitCode.badInput);
    return releaseWorkflowId(project, normalizeVersion(version));
  }
  if (first?.startsWith('rollback:') && second === undefined) return first;
  if (!first || !second) {
    throw new CliError(
      'name the release: PROJECT VERSION (e.g. acme/gateway 1.2.3) or its id release:PROJECT:VERSION',
      ExitCode.badInput,
    );
  }
  return releaseWorkflowId(first, normalizeVersion(second));
}

export async function client(): Promise<Client> {
  try {
    return await connectClient();
  } catch (error) {
    // A frontend that answers but refuses the credentials is reachable: say what to fix (exit 8), not "unreachable".
    if (error instanceof TemporalUnreachable)
      throw notAuthorized(error) ?? new CliError(error.message, ExitCode.unreachable);
    throw error;
  }
}

export async function releaseStatus(handle: WorkflowHandle): Promise<ReleaseStatus> {
  try {
    return await handle.query(statusQuery);
  } catch (error) {
    throw asCliError(error, handle.workflowId);
  }
}

/** Maps Temporal's answers to the CLI's exit codes and words. */
export function asCliError(error: unknown, workflowId: string): unknown {
  // An update sent to a release that has ended answers "not found" with this text: it exists, it is over.
  if (error instanceof Error && /already completed/i.test(error.message)) {
    return new CliError(`${workflowId} has already ended; see: shipgate status ${workflowId}`, ExitCode.refused);
  }
  if (error instanceof WorkflowNotFoundError) {
    return new CliError(`no release ${workflowId}; list releases with: shipgate list`, ExitCode.notFound);
  }
  if (error instanceof WorkflowUpdateFailedError) {
    return new CliError(`refused: ${rootCause(error).message}`, ExitCode.refused);
  }
  return error;
}
