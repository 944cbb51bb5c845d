/** A counting semaphore: at most `size` functions run at once, the rest wait in order. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/**
 * Runs fn over every item within `slots`; on the first failure `onFailure` is told (to abort the rest) and,
 * once everything has settled (nothing keeps running behind the caller's back), that first failure is thrown.
 */
export async function eachBounded<T>(
  items: readonly T[],
  slots: Slots,
  fn: (item: T) => Promise<void>,
  onFailure: (error: unknown) => void = () => undefined,
): Promise<void> {
  let failed = false;
  let first: unknown;
  await Promise.all(
    items.map((item) =>
      slots
        .run(async () => {
          if (!failed) await fn(item);
        })
        .catch((error: unknown) => {
          if (failed) return;
          failed = true;
          first = error;
          onFailure(error);
        }),
    ),
  );
  if (failed) throw first;
}
