import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP relay to a registry that carries uploads at a set rate: a slow network link between the worker and the
 * destination, so a copy lasts long enough to be watched. Bytes pass through unchanged (HTTP, auth, Host).
 */
export async function startSlowLink(
  upstream: string,
  bytesPerSecond: number,
): Promise<{ host: string; close: () => Promise<void> }> {
  const [upstreamHost = '127.0.0.1', upstreamPort = '0'] = upstream.split(':');
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const target = createConnection({ host: upstreamHost, port: Number(upstreamPort) });
    for (const socket of [client, target]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        target.destroy();
      });
    }
    target.pipe(client);
    client.on('data', (chunk: Buffer) => {
      // Hold the sender for as long as this chunk takes at the link's rate.
      client.pause();
      target.write(chunk);
      setTimeout(() => client.resume(), Math.ceil((chunk.length * 1000) / bytesPerSecond));
    });
    client.on('end', () => target.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
