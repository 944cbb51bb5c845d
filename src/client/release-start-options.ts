import type { WorkflowStartOptions } from '@temporalio/client';
import type { ReleaseInput } from '../config/release-input.ts';
import { phaseKey, projectKey, releaseWorkflowId, startedByKey, versionKey } from '../workflows/messages.ts';
import type { release } from '../workflows/release.ts';

/**
 * How a release is started, for the CLI and the tests alike: one workflow id per project and version; starting
 * a running one again joins it (USE_EXISTING), and starting one that has ended is refused (REJECT_DUPLICATE: a
 * released version is never released twice). Search attributes and the summary make it findable in the web UI.
 */
export function releaseStartOptions(input: ReleaseInput, taskQueue: string): WorkflowStartOptions<typeof release> {
  const version = input.version.replace(/^v/, '');
  return {
    taskQueue,
    workflowId: releaseWorkflowId(input.plan.project, version),
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: projectKey, value: input.plan.project },
      { key: versionKey, value: version },
      { key: phaseKey, value: 'publishing' },
      { key: startedByKey, value: input.startedBy },
    ],
    staticSummary: `release ${input.plan.project} ${version} (${input.commitSha.slice(0, 12)})`,
  };
}
