import { FailureTypes, httpFailure, type FailureType } from '../errors.ts';
import { send } from './send.ts';

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
  /** The configured API base the URL must stay below (send() refuses anything else, unsent). */
  within?: string;
  /** Names the call in messages, e.g. "GitHub commit lookup". */
  what: string;
  /** The hint for a 401/403, e.g. which token variable to fix. */
  authHint: string;
  /** Failure types for a 401 and a 403 (default ForgeUnauthorized, ForgeForbidden), e.g. PinRejected for a pin. */
  unauthorizedType?: FailureType;
  forbiddenType?: FailureType;
}

/**
 * One JSON call to a forge, control plane or webhook. Classifies as the durability rules say: 5xx, 429 and
 * network errors are transient (Retry-After honoured); 401/403 are permanent with a hint naming the credential;
 * any other unexpected status is permanent and quotes the body, so nothing fails quietly.
 */
export async function jsonRequest<T>(request: JsonRequest): Promise<HttpAnswer<T>> {
  const response = await send(
    request.url,
    {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    },
    `${request.what}: ${request.method} ${request.url}`,
    // Inside the 45 s a short step has (src/workflows/release-run.ts): a hung request fails transient, then is retried.
    30_000,
    request.within,
  );
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
  const auth = response.status === 401 || response.status === 403;
  throw httpFailure(
    response.status,
    auth ? `${message}; ${request.authHint}` : message,
    {
      unauthorized: request.unauthorizedType ?? FailureTypes.forgeUnauthorized,
      forbidden: request.forbiddenType ?? FailureTypes.forgeForbidden,
      otherwise: FailureTypes.forgeRejected,
    },
    response.headers.get('retry-after'),
  );
}
