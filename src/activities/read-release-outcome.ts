import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { FailureTypes, permanent } from '../errors.ts';

export interface ReleaseOutcome {
  releaseId: string;
  commitSha: string;
  /** The images the release promoted, by digest: what a rollback re-points and re-pins. */
  images: { name: string; digest: string }[];
}

/** The parts of a finished release's status a rollback reads (the release workflow's result). */
interface FinishedRelease {
  phase: string;
  commitSha: string;
  artifacts: { name: string; kind: string; digest?: string }[];
}

/**
 * Reads how a release ended, from its own workflow: only a release that ended `promoted` may be rolled back
 * to. A version that was published but rejected, expired, aborted or still waits, or that never had a release,
 * is refused (permanently), so a rollback can never make an unapproved version `latest`.
 */
export function readReleaseOutcome(deps: { client: Client }) {
  return async (input: { releaseId: string }): Promise<ReleaseOutcome> => {
    const handle = deps.client.workflow.getHandle(input.releaseId);
    let state: string;
    try {
      state = (await handle.describe()).status.name;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError)
        throw permanent(
          FailureTypes.decisionRefused,
          `there is no release ${input.releaseId}: a rollback goes only to a version whose release was promoted`,
        );
      throw error;
    }
    if (state !== 'COMPLETED')
      throw permanent(
        FailureTypes.decisionRefused,
        `${input.releaseId} is ${state.toLowerCase()}, not promoted: a rollback goes only to a version whose release was promoted`,
      );
    const finished = (await handle.result()) as FinishedRelease;
    if (finished.phase !== 'promoted')
      throw permanent(
        FailureTypes.decisionRefused,
        `${input.releaseId} ended ${finished.phase}, not promoted: a rollback goes only to a version whose release was promoted`,
      );
    return {
      releaseId: input.releaseId,
      commitSha: finished.commitSha,
      images: finished.artifacts.flatMap((a) =>
        a.kind === 'image' && a.digest ? [{ name: a.name, digest: a.digest }] : [],
      ),
    };
  };
}
