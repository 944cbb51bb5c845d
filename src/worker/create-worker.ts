import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import { purgeDeadAuthFolders } from '../tools/auth-folders.ts';
import { defaultTaskQueue } from '../workflows/messages.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** A shipgate worker: the release and floating-tags workflows plus every activity, on one task queue. */
export async function createShipgateWorker(options: {
  connection: NativeConnection;
  client: Client;
  namespace?: string;
  taskQueue?: string;
  extra?: Partial<WorkerOptions>;
}): Promise<Worker> {
  const taskQueue = options.taskQueue ?? defaultTaskQueue;
  // Credentials a killed worker on this host left in its auth folder never outlive it past this start.
  purgeDeadAuthFolders();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue,
    workflowsPath,
    activities: createActivities({ client: options.client, taskQueue }),
    // Heartbeat details reach the server at most this often (default: 80% of the heartbeat timeout, ~48 s), so
    // `shipgate watch` and the UI see a copy's bytes move every second or two. Heartbeats are not history events.
    maxHeartbeatThrottleInterval: '1 second',
    ...options.extra,
  });
}
