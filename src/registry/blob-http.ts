import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { transient } from '../errors.ts';

/**
 * node:http for the bulk path (blob bodies): keep-alive agents shared by every copy in the worker, so a blob
 * transfer reuses a warm connection instead of a new TCP (and TLS) handshake, and Node streams end to end with a
 * large buffer, which move bytes with far less overhead than web streams.
 */
const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 32, scheduling: 'lifo' as const };
const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };

/** The buffer of the hashing stream between source and destination (Node's default is 16 KiB). */
export const streamChunkBytes = 1024 * 1024;

export interface RawRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** Starts a request and hands back the request stream (for a body) and the response to come. */
export function openRequest(request: RawRequest): { body: http.ClientRequest; response: Promise<IncomingMessage> } {
  const transport = request.url.protocol === 'https:' ? https : http;
  const body = transport.request(request.url, {
    method: request.method,
    headers: request.headers,
    agent: agents[request.url.protocol === 'https:' ? 'https:' : 'http:'],
    signal: request.signal,
  });
  body.setNoDelay(true);
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    body.once('response', resolve);
    body.once('error', (error) => reject(networkFailure(request, error, request.signal)));
  });
  // The rejection is read by whoever awaits the response; a body-stream failure must not surface twice.
  response.catch(() => undefined);
  return { body, response };
}

/** A network failure is transient, unless the request was aborted on purpose: then the abort's reason is thrown. */
export function networkFailure(
  request: Pick<RawRequest, 'method' | 'url'>,
  error: unknown,
  signal: AbortSignal,
): Error {
  // The watch aborts with the failure to report (a stall, or the first failure of a sibling transfer).
  if (signal.aborted) return signal.reason as Error;
  return transient(`${request.method} ${request.url.host}${request.url.pathname}: ${(error as Error).message}`);
}

/** Reads (a bounded piece of) an error body, for a message, and frees the connection. */
export async function drain(response: IncomingMessage, keep = 400): Promise<string> {
  let text = '';
  try {
    for await (const chunk of response) if (text.length < keep) text += String(chunk);
  } catch {
    // The body of a failed answer is only a hint.
  }
  return text.slice(0, keep);
}

export function header(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
