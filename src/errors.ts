import { ApplicationFailure } from '@temporalio/common';

/**
 * Stable failure types. Permanent ones need a person (fix credentials, re-sign, pick another version);
 * transient ones are retried with backoff by Temporal.
 */
export const FailureTypes = {
  invalidInput: 'InvalidInput',
  registryUnauthorized: 'RegistryUnauthorized',
  registryForbidden: 'RegistryForbidden',
  sourceArtifactMissing: 'SourceArtifactMissing',
  tagConflict: 'TagConflict',
  tagTampered: 'TagTampered',
  digestMismatch: 'DigestMismatch',
  verificationFailed: 'VerificationFailed',
  forgeUnauthorized: 'ForgeUnauthorized',
  forgeForbidden: 'ForgeForbidden',
  forgeRejected: 'ForgeRejected',
  notMergeable: 'NotMergeable',
  pullRequestNotFound: 'PullRequestNotFound',
  draftReleaseMissing: 'DraftReleaseMissing',
  pinRejected: 'PinRejected',
  packageChecksumMismatch: 'PackageChecksumMismatch',
  smokeCheckFailed: 'SmokeCheckFailed',
  smokeCheckTimedOut: 'SmokeCheckTimedOut',
  toolFailed: 'ToolFailed',
  transient: 'Transient',
} as const;
export type FailureType = (typeof FailureTypes)[keyof typeof FailureTypes];

/** A failure no retry can fix: the release goes to needs-attention until a person acts. */
export function permanent(type: FailureType, message: string, details?: Record<string, unknown>): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] });
}

/** A failure worth retrying (5xx, 429, resets, timeouts); `retryAfterMs` honours a server's Retry-After. */
export function transient(message: string, retryAfterMs?: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureTypes.transient,
    message,
    nonRetryable: false,
    ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
  });
}

/** Retry-After is either delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Network-level errors from fetch (resets, refused, timeouts) are transient. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as Error & { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as Error & { code?: string }).code;
  return (
    error.name === 'TimeoutError' ||
    error.name === 'AbortError' ||
    (error instanceof TypeError && error.message === 'fetch failed') ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'].includes(
      code ?? '',
    )
  );
}
