import { isNetworkError, transient } from '../errors.ts';

/**
 * fetch with a timeout, where a network-level failure (reset, refused, timed out) becomes a transient failure
 * that names the call (`what`, e.g. "GET registry.example/acme/app"). Status codes are the caller's to classify,
 * with `httpFailure` from src/errors.ts.
 */
export async function send(url: string | URL, init: RequestInit, what: string, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (isNetworkError(error)) throw transient(`${what}: ${(error as Error).message}`);
    throw error;
  }
}
