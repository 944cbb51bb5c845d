import { NativeConnection } from '@temporalio/worker';
import { temporalSettings, unreachable } from '../temporal/connect.ts';

/** The worker's own connection (native), from the same settings the CLI's client uses. */
export async function connectWorkerConnection(settings = temporalSettings()): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(settings.connectionOptions);
  } catch (error) {
    throw unreachable(settings, error);
  }
}
