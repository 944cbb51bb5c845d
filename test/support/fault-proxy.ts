import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BlobFault {
  /** The blob digest whose GET is tampered with. */
  digest?: string;
  /** Or any GET whose URL contains this (a package file download). */
  urlIncludes?: string;
  /** Forward this many bytes of the blob, then keep the connection open and send nothing more. */
  stallAfterBytes?: number;
  /** Flip one byte in the middle of the blob (the length stays right, the digest does not). */
  corrupt?: boolean;
  /** Answer GETs of this path with this body instead (a hostile registry), with or without a Content-Length. */
  replace?: { path: string; body: Buffer; mediaType: string; declareLength: boolean };
}

export interface FaultProxy {
  /** host:port to use as the registry host. */
  host: string;
  /** Requests seen, by method ("GET", "HEAD", "PUT", ...). */
  counts: Map<string, number>;
  total: () => number;
  reset: () => void;
  close: () => Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a registry: forwards every request as is (the Host header too, so upload
 * locations point back at the proxy) and counts them; a fault makes it stall or corrupt one blob's body.
 */
export async function startFaultProxy(target: string, fault?: BlobFault): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':');
  const counts = new Map<string, number>();
  const server = http.createServer((request, response) => {
    counts.set(request.method ?? '?', (counts.get(request.method ?? '?') ?? 0) + 1);
    const replace = fault?.replace;
    if (replace && request.method === 'GET' && request.url === replace.path) {
      response.writeHead(200, {
        'content-type': replace.mediaType,
        ...(replace.declareLength ? { 'content-length': String(replace.body.length) } : {}),
      });
      return void response.end(replace.body);
    }
    const upstream = http.request(
      {
        host: targetHost,
        port: Number(targetPort),
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        const url = request.url ?? '';
        const faulty =
          request.method === 'GET' &&
          ((fault?.digest && url.endsWith(`/blobs/${fault.digest}`)) ||
            (fault?.urlIncludes && url.includes(fault.urlIncludes)));
        if (!faulty || !fault) return void answer.pipe(response);
        const size = Number(answer.headers['content-length'] ?? 0);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (fault.stallAfterBytes !== undefined) {
            const room = fault.stallAfterBytes - sent;
            if (room > 0) response.write(chunk.subarray(0, room));
            sent += chunk.length;
            return;
          }
          const middle = Math.floor(size / 2) - sent;
          if (fault.corrupt && middle >= 0 && middle < chunk.length) {
            const copy = Buffer.from(chunk);
            copy[middle] = (copy[middle] ?? 0) ^ 0xff;
            chunk = copy;
          }
          sent += chunk.length;
          response.write(chunk);
        });
        answer.on('end', () => {
          if (fault.stallAfterBytes === undefined) response.end();
        });
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    counts,
    total: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    reset: () => counts.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
