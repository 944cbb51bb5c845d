import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/common';

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
  /** A decision's statement or proof did not pass: wrong key, bad token, replayed, not allowed. */
  decisionRefused: 'DecisionRefused',
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

/** Which failure type each kind of unexpected HTTP answer becomes; 5xx and 429 are always transient. */
export interface HttpFailureTypes {
  unauthorized: FailureType;
  forbidden: FailureType;
  /** Unset: a 404 is classified as `otherwise`. */
  notFound?: FailureType;
  otherwise: FailureType;
}

/**
 * The one HTTP status classification (registries, forges, control planes, webhooks, package APIs): 429 and 5xx
 * are transient and honour Retry-After; 401, 403, 404 and any other unexpected status are permanent, typed as the
 * caller's service says. `message` is what a person reads; the caller adds the hint that fits the status.
 */
export function httpFailure(
  status: number,
  message: string,
  types: HttpFailureTypes,
  retryAfter?: string | null,
): ApplicationFailure {
  if (status === 429 || status >= 500) return transient(message, parseRetryAfter(retryAfter ?? null));
  if (status === 401) return permanent(types.unauthorized, message);
  if (status === 403) return permanent(types.forbidden, message);
  if (status === 404 && types.notFound) return permanent(types.notFound, message);
  return permanent(types.otherwise, message);
}

/** Retry-After is either delay-seconds or an HTTP date. */
function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
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

export interface RootCause {
  type: string;
  message: string;
  nonRetryable: boolean;
  /** The failure's details, when it is an ApplicationFailure that carries some. */
  details?: unknown[];
}

/** Errors that only say where a failure happened; the real one is their cause. Client errors go by name, so
 * this file stays importable from workflow code (no @temporalio/client). */
const wrapperNames = new Set(['WorkflowFailedError', 'WorkflowUpdateFailedError']);

function isWrapper(error: Error): boolean {
  return error instanceof ActivityFailure || error instanceof ChildWorkflowFailure || wrapperNames.has(error.name);
}

/**
 * The failure behind Temporal's wrappers (a failed workflow or update <- a failed activity or child <- the real
 * failure): its type, message and whether a retry could help. Used by the workflow to record a failed step and by
 * the CLI and the floating-tag hand-over to report the real failure rather than "activity task failed".
 */
export function rootCause(error: unknown): RootCause {
  let current: unknown = error;
  while (current instanceof Error && isWrapper(current) && current.cause instanceof Error) current = current.cause;
  if (current instanceof ApplicationFailure) {
    return {
      type: current.type ?? 'Error',
      message: current.message,
      nonRetryable: current.nonRetryable === true,
      ...(current.details?.length ? { details: [...current.details] } : {}),
    };
  }
  if (current instanceof Error) return { type: current.name, message: current.message, nonRetryable: false };
  return { type: 'Error', message: String(current), nonRetryable: false };
}
