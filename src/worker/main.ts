import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { connectClient, temporalSettings } from '../temporal/connect.ts';
import { connectWorkerConnection } from './connect.ts';
import { createShipgateWorker } from './create-worker.ts';
import { defaultTaskQueue } from '../workflows/messages.ts';

/** Structured JSON logs, one object a line, for log shippers. */
function installJsonLogging(): void {
  const logger = new DefaultLogger((process.env.SHIPGATE_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO', (entry) => {
    process.stdout.write(
      JSON.stringify({
        time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
        level: entry.level,
        message: entry.message,
        ...entry.meta,
      }) + '\n',
    );
  });
  Runtime.install({
    logger,
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });
}

/** Runs a worker until SIGINT/SIGTERM; running activities get 30 s to finish before exit. */
export async function runWorker(
  options: { taskQueue?: string; maxActivities?: number; maxToolProcesses?: number } = {},
): Promise<void> {
  installJsonLogging();
  const settings = temporalSettings();
  const [connection, client] = await Promise.all([connectWorkerConnection(settings), connectClient(settings)]);
  const worker = await createShipgateWorker({
    connection,
    client,
    namespace: settings.namespace,
    taskQueue: options.taskQueue ?? process.env.SHIPGATE_TASK_QUEUE ?? defaultTaskQueue,
    ...(options.maxToolProcesses ? { maxToolProcesses: options.maxToolProcesses } : {}),
    // On SIGTERM (a deploy), running activities get this long to finish before they are cancelled; a copy that
    // does not make it is resumed by the next worker from what is already at the destination.
    extra: {
      shutdownGraceTime: '30s',
      ...(options.maxActivities ? { maxConcurrentActivityTaskExecutions: options.maxActivities } : {}),
    },
  });
  await worker.run();
  await connection.close();
  await client.connection.close();
}
