import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does to one matching request, instead of (or while) passing it on:
 * - status: answers with this status itself (5xx, 429 with Retry-After, 401, 403, 404), the upstream never sees it;
 * - reset: passes the answer on, then resets the connection (TCP RST) after `afterBytes` of the body;
 * - stall: passes `afterBytes` of the body on, then sends nothing more and keeps the connection open;
 * - corrupt: passes the answer on with one body byte flipped (same length, so only a digest check catches it), only
 *   for bodies of at least `minLength` bytes when set (image layers, not signatures);
 * - slow: passes the answer on at `bytesPerSecond`;
 * - hold: the upstream handles the request, its answer is held back `ms` (a side effect done, its answer in flight).
 */
export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'corrupt'; minLength?: number }
  | { kind: 'slow'; bytesPerSecond: number }
  | { kind: 'hold'; ms: number };

export interface FaultRule {
  method?: string;
  path: RegExp;
  fault: Fault;
  /** How many matching requests get the fault (default: all of them). */
  times?: number;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  status: number;
  fault?: Fault['kind'];
  bodyBytes: number;
}

export interface FaultProxy {
  /** host:port, for image references and plans. */
  host: string;
  url: string;
  /** Adds a rule; the first matching rule with uses left applies. Returns a function that removes it. */
  inject: (rule: FaultRule) => () => void;
  clear: () => void;
  /** Every request answered so far, in order. */
  log: ProxiedRequest[];
  /** Body bytes passed to clients for paths matching re, so far (answers in flight included). */
  bytesServed: (re: RegExp) => number;
  close: () => Promise<void>;
}

interface ActiveRule extends FaultRule {
  left: number;
}

/**
 * A fault-injecting HTTP proxy on loopback in front of one upstream (a registry, the fake forge). It passes every
 * request on unchanged, Host header included, so the registry's Location headers point back at the proxy.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const rules: ActiveRule[] = [];
  const log: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const take = (req: IncomingMessage): Fault | undefined => {
    const rule = rules.find((r) => r.left > 0 && r.path.test(req.url ?? '') && (!r.method || r.method === req.method));
    if (!rule) return undefined;
    rule.left--;
    return rule.fault;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const fault = take(req);
    const entry: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: 0,
      bodyBytes: 0,
      ...(fault ? { fault: fault.kind } : {}),
    };
    log.push(entry);
    if (fault?.kind === 'status') {
      req.resume();
      entry.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.body ?? JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `injected ${fault.status}` }] }));
      return;
    }
    const upstreamReq = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        entry.status = upstreamRes.statusCode ?? 502;
        void (fault?.kind === 'hold' ? pause(fault.ms) : Promise.resolve()).then(() => answer(upstreamRes));
      },
    );
    const answer = (upstreamRes: IncomingMessage): void => {
      if (res.destroyed) return;
      res.writeHead(entry.status, upstreamRes.rawHeaders);
      const length = Number(upstreamRes.headers['content-length'] ?? 0);
      const untouched = fault?.kind === 'corrupt' && length < (fault.minLength ?? 0);
      if (req.method === 'HEAD' || !fault || fault.kind === 'hold' || untouched) {
        upstreamRes.on('data', (chunk: Buffer) => (entry.bodyBytes += chunk.length));
        upstreamRes.pipe(res);
        return;
      }
      void pass(upstreamRes, res, fault, entry);
    };
    upstreamReq.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(upstreamReq);
  };

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  /** Passes a body on with a fault applied, chunk by chunk. */
  const pass = async (from: IncomingMessage, to: ServerResponse, fault: Fault, entry: ProxiedRequest) => {
    let flipped = false;
    for await (const data of from) {
      let chunk = data as Buffer;
      if (to.destroyed) return;
      if (fault.kind === 'corrupt' && !flipped && chunk.length > 0) {
        chunk = Buffer.from(chunk);
        chunk[chunk.length >> 1] = (chunk[chunk.length >> 1] ?? 0) ^ 0xff;
        flipped = true;
      }
      if (fault.kind === 'reset' || fault.kind === 'stall') {
        const room = fault.afterBytes - entry.bodyBytes;
        if (room <= chunk.length) {
          if (room > 0) to.write(chunk.subarray(0, room));
          entry.bodyBytes += Math.max(0, room);
          if (fault.kind === 'reset') {
            // Let the bytes leave first, then RST: the client sees a reset mid-body.
            await pause(50);
            to.socket?.resetAndDestroy();
          }
          // stall: nothing more, connection left open until the client gives up or the proxy closes.
          from.destroy();
          return;
        }
      }
      if (fault.kind === 'slow') {
        for (let at = 0; at < chunk.length; at += 16 * 1024) {
          const piece = chunk.subarray(at, at + 16 * 1024);
          if (to.destroyed) return;
          to.write(piece);
          entry.bodyBytes += piece.length;
          await pause((piece.length / fault.bytesPerSecond) * 1000);
        }
        continue;
      }
      entry.bodyBytes += chunk.length;
      if (!to.write(chunk)) await new Promise((resolve) => to.once('drain', resolve));
    }
    to.end();
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    inject: (rule) => {
      const active = { ...rule, left: rule.times ?? Infinity };
      rules.push(active);
      return () => {
        const at = rules.indexOf(active);
        if (at >= 0) rules.splice(at, 1);
      };
    },
    clear: () => {
      rules.length = 0;
    },
    log,
    bytesServed: (re) => log.filter((e) => re.test(e.path)).reduce((sum, e) => sum + e.bodyBytes, 0),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
