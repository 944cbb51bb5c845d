import { FailureTypes, isNetworkError, parseRetryAfter, permanent, transient, type FailureType } from '../errors.ts';

export interface HttpAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface JsonRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /** Statuses the caller handles itself (e.g. 404 = "not there yet", 405 = "not mergeable"). */
  expect?: number[];
  /** Names the call in messages, e.g. "GitHub commit lookup". */
  what: string;
  /** The hint for a 401/403, e.g. which token variable to fix. */
  authHint: string;
  forbiddenType?: FailureType;
}

/**
 * One call to a forge or control plane. Classifies as the durability rules say: 5xx, 429 and network errors
 * are transient (Retry-After honoured); 401/403 are permanent with a hint naming the credential; any other
 * unexpected status is permanent and quotes the body, so nothing fails quietly.
 */
export async function jsonRequest<T>(request: JsonRequest): Promise<HttpAnswer<T>> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    if (isNetworkError(error))
      throw transient(`${request.what}: ${request.method} ${request.url}: ${(error as Error).message}`);
    throw error;
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the message
  }
  if (response.ok || request.expect?.includes(response.status)) {
    return { status: response.status, body: body as T, headers: response.headers };
  }
  const quoted = typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body).slice(0, 300);
  const message = `${request.what}: ${request.method} ${request.url} answered ${response.status}: ${quoted}`;
  if (response.status === 401) throw permanent(FailureTypes.forgeUnauthorized, `${message}; ${request.authHint}`);
  if (response.status === 403)
    throw permanent(request.forbiddenType ?? FailureTypes.forgeForbidden, `${message}; ${request.authHint}`);
  if (response.status === 429 || response.status >= 500) {
    throw transient(message, parseRetryAfter(response.headers.get('retry-after')));
  }
  throw permanent(FailureTypes.forgeRejected, message);
}

/** Reads a secret the plan names by environment variable; the value never leaves the activity. */
export function secretFromEnv(variable: string, field: string): string {
  const value = process.env[variable];
  if (!value) {
    throw permanent(
      FailureTypes.invalidInput,
      `${field}: environment variable ${variable} is not set on the worker; export it where the shipgate worker runs`,
    );
  }
  return value;
}
