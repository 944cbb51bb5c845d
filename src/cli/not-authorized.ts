import { isGrpcServiceError } from '@temporalio/client';
import { temporalSettings } from '../temporal/connect.ts';
import { CliError, ExitCode } from './exit-codes.ts';

// gRPC status codes (grpc/grpc doc/statuscodes.md) the Temporal frontend answers when namespace authorization says no.
const PERMISSION_DENIED = 7;
const UNAUTHENTICATED = 16;

/**
 * Temporal's namespace authorization (mTLS, JWT claims) decides who may talk to a release at all, before the
 * plan's approval policy decides whose decision counts. A refusal there is not a bug: say what to fix.
 */
export function notAuthorized(error: unknown): CliError | undefined {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (!isGrpcServiceError(cause)) continue;
    const code = Number(cause.code);
    if (code !== PERMISSION_DENIED && code !== UNAUTHENTICATED) continue;
    const namespace = temporalSettings().namespace;
    const what = code === UNAUTHENTICATED ? 'did not accept your credentials' : 'refused this request';
    return new CliError(
      `Temporal ${what} in namespace ${namespace} (${cause.details || 'permission denied'}): the token in ` +
        `TEMPORAL_API_KEY (or your profile's api_key) must grant "${namespace}:write" to start or decide on a ` +
        'release ("read" lets you only look); ask your Temporal administrator, then run again',
      ExitCode.notAuthorized,
    );
  }
  return undefined;
}
