import { FailureTypes, isNetworkError, permanent, transient } from '../errors.ts';
import { outsideBase } from './url-path.ts';

/**
 * fetch with a timeout; with `within`, only to URLs below that base (no credential ever goes elsewhere), where a network-level failure (reset, refused, timed out) becomes a transient failure
 * that names the call (`what`, e.g. "GET registry.example/acme/app"). Status codes are the caller's to classify,
 * with `httpFailure` from src/errors.ts.
 */
export async function send(
  url: string | URL,
  init: RequestInit,
  what: string,
  timeoutMs: number,
  /** The base URL the request must stay below (the configured API); a URL that leaves it is refused, unsent. */
  within?: string,
): Promise<Response> {
  const outside = within === undefined ? undefined : outsideBase(url, within);
  if (outside)
    throw permanent(FailureTypes.invalidInput, `${what}: refused to send: ${outside}; check the plan's URL values`);
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (isNetworkError(error)) throw transient(`${what}: ${(error as Error).message}`);
    throw error;
  }
}
