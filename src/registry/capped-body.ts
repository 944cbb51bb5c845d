import { FailureTypes, permanent } from '../errors.ts';

/** Registries refuse manifests over 4 MiB on push (distribution, regctl, containerd): shipgate reads none larger. */
export const manifestLimitBytes = 4 * 1024 * 1024;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The refusal for a manifest over the limit; `details.manifestTooLarge` lets a caller name the artifact. */
export function manifestTooLarge(where: string, size: number, limit = manifestLimitBytes, declared = true) {
  const seen = declared ? `${size} bytes (${mib(size)})` : `more than ${limit} bytes (reading stopped at ${size})`;
  return permanent(
    FailureTypes.invalidInput,
    `${where}: the manifest is ${seen}, over the ${mib(limit)} (${limit} bytes) manifest limit that registries accept; ` +
      'rebuild the artifact with a smaller manifest (fewer layers or annotations)',
    { manifestTooLarge: true, size, limit },
  );
}

/**
 * The body of a response, read as a stream and stopped as soon as it passes `limit` bytes (a declared
 * Content-Length over the limit is refused before reading anything): a hostile registry cannot make shipgate
 * buffer more than the limit.
 */
export async function readCapped(response: Response, where: string, limit = manifestLimitBytes): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw manifestTooLarge(where, declared, limit);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw manifestTooLarge(where, total, limit, false);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
