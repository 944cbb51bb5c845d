import { eachBounded, Slots } from './bounded.ts';
import { transferBlob, type Blob, type BlobRoute } from './blob-transfer.ts';

/** Blob transfers in flight per worker process, across every artifact being copied. */
export const blobSlots = new Slots(8);

/**
 * Sends blobs source -> destination, at most `blobSlots` at a time across the worker; the first failure (a stall
 * the watch detected, corrupt bytes, a refusal) aborts the others and is thrown once all have stopped.
 */
export async function sendBlobs(route: BlobRoute, blobs: Blob[], done: (blob: Blob) => void): Promise<void> {
  try {
    await eachBounded(
      blobs,
      blobSlots,
      async (blob) => {
        await transferBlob(route, blob);
        done(blob);
      },
      (error) => route.watch.abort(error),
    );
  } finally {
    route.watch.stop();
  }
}
