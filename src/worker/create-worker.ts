import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { purgeDeadAuthFolders } from '../tools/auth-folders.ts';
import { defaultTaskQueue } from '../workflows/messages.ts';
import { toolProcessCap } from '../tools/tool-slots.ts';
import { workflowBundle } from './workflow-bundle.ts';

export { workflowsPath } from './workflow-bundle.ts';

/**
 * A shipgate worker: the release and floating-tags workflows plus every activity, on one task queue. The workflows
 * come from the prebuilt bundle for the current sources (see workflow-bundle.ts), not bundled at start.
 */
export async function createShipgateWorker(options: {
  connection: NativeConnection;
  client: Client;
  namespace?: string;
  taskQueue?: string;
  /** Tool processes (regctl, cosign, helm, ssh-keygen) this worker runs at once; default $SHIPGATE_MAX_TOOLS or 4. */
  maxToolProcesses?: number;
  extra?: Partial<WorkerOptions>;
}): Promise<Worker> {
  const taskQueue = options.taskQueue ?? defaultTaskQueue;
  if (options.maxToolProcesses !== undefined) toolProcessCap.resize(options.maxToolProcesses);
  // Credentials a killed worker on this host left in its auth folder never outlive it past this start.
  purgeDeadAuthFolders();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ client: options.client, taskQueue }),
    // Heartbeat details reach the server at most this often (default: 80% of the heartbeat timeout, ~48 s), so
    // `shipgate watch` and the UI see a copy's bytes move every second or two. Heartbeats are not history events.
    maxHeartbeatThrottleInterval: '1 second',
    ...options.extra,
  });
}
