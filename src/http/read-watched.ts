/** What a watched body reports to: bytes as they arrive, and an abort when the transfer is given up (a stall). */
export interface BodyWatch {
  bytes: (count: number) => void;
  signal: AbortSignal;
}

/**
 * A response body read chunk by chunk, each counted, and cancelled when the watch aborts (its reason is thrown):
 * a connection that goes silent is caught by the watch's idle limit instead of a long request timeout.
 */
export async function readWatched(response: Response, watch: BodyWatch): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const cancel = () => void reader.cancel(watch.signal.reason).catch(() => undefined);
  watch.signal.addEventListener('abort', cancel, { once: true });
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (watch.signal.aborted) throw watch.signal.reason;
      if (done) break;
      chunks.push(value);
      watch.bytes(value.byteLength);
    }
  } catch (error) {
    throw watch.signal.aborted ? watch.signal.reason : error;
  } finally {
    watch.signal.removeEventListener('abort', cancel);
  }
  return Buffer.concat(chunks);
}
