import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

export interface TemporalSettings {
  address: string;
  namespace: string;
  connectionOptions: ReturnType<typeof loadClientConnectConfig>['connectionOptions'];
}

/**
 * Connection settings the standard Temporal way (@temporalio/envconfig): TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS variables and TOML profiles (TEMPORAL_PROFILE), so the same CLI
 * and worker talk to a dev server, a self-hosted cluster or Temporal Cloud.
 */
export function temporalSettings(): TemporalSettings {
  const config = loadClientConnectConfig();
  const address = config.connectionOptions.address ?? '127.0.0.1:7233';
  return {
    address,
    namespace: config.namespace ?? 'default',
    connectionOptions: { ...config.connectionOptions, address },
  };
}

export class TemporalUnreachable extends Error {}

export function unreachable(settings: TemporalSettings, error: unknown): TemporalUnreachable {
  return new TemporalUnreachable(
    `cannot reach Temporal at ${settings.address} (namespace ${settings.namespace}): ${(error as Error).message}; ` +
      'run `shipgate dev` for a local stack, or set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY for Temporal Cloud)',
    { cause: error },
  );
}

export async function connectClient(settings = temporalSettings()): Promise<Client> {
  try {
    const connection = await Connection.connect({ ...settings.connectionOptions, connectTimeout: '5s' });
    return new Client({ connection, namespace: settings.namespace });
  } catch (error) {
    throw unreachable(settings, error);
  }
}
