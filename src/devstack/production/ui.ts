import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request as forward } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { toolPath } from '../../tools/locate.ts';
import { freePort, startProcess, waitUntil } from '../processes.ts';
import type { StackCertificates } from './certificates.ts';

export interface TemporalUi {
  url: string;
  stop: () => Promise<void>;
}

/**
 * The Temporal web UI server (the version the temporal CLI embeds) on the mTLS frontend. The UI has no login of its
 * own here, so a loopback proxy in front of it adds a short-lived token to every request: whoever reaches the port
 * acts with that token's permissions, as with the dev server's UI (loopback only).
 */
export async function startTemporalUi(options: {
  dir: string;
  port: number;
  frontend: string;
  namespace: string;
  certificates: StackCertificates;
  token: () => string;
}): Promise<TemporalUi> {
  const innerPort = await freePort();
  const url = `http://127.0.0.1:${options.port}`;
  mkdirSync(join(options.dir, 'config'), { recursive: true });
  writeFileSync(
    join(options.dir, 'config', 'shipgate.yaml'),
    stringify({
      temporalGrpcAddress: options.frontend,
      host: '127.0.0.1',
      port: innerPort,
      enableUi: true,
      defaultNamespace: options.namespace,
      notifyOnNewVersion: false,
      cors: { allowOrigins: [url], cookieInsecure: true },
      tls: {
        caFile: options.certificates.caCert,
        certFile: options.certificates.clientCert,
        keyFile: options.certificates.clientKey,
        serverName: options.certificates.serverName,
        enableHostVerification: true,
      },
    }),
  );
  const ui = startProcess(toolPath('temporal-ui-server'), [
    '--root',
    options.dir,
    '--config',
    'config',
    '--env',
    'shipgate',
    'start',
  ]);
  const proxy = createServer((incoming, outgoing) => {
    const upstream = forward(
      {
        host: '127.0.0.1',
        port: innerPort,
        path: incoming.url,
        method: incoming.method,
        headers: { ...incoming.headers, authorization: `Bearer ${options.token()}` },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => outgoing.writeHead(502).end(`web UI server: ${error.message}`));
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(options.port, '127.0.0.1', () => resolve());
  });
  const stopProxy = (): Promise<void> => new Promise((resolve) => proxy.close(() => resolve()));
  try {
    await waitUntil(`Temporal web UI on ${url}`, async () => (await fetch(url)).status === 200, ui);
  } catch (error) {
    await Promise.all([ui.stop(), stopProxy()]);
    throw error;
  }
  return { url, stop: async () => void (await Promise.all([ui.stop(), stopProxy()])) };
}
