import { transient } from '../errors.ts';

interface Active {
  size: number;
  done: number;
}

/**
 * Watches the byte flow of one artifact's blob transfers. Every chunk that moves is counted (`onBytes`, which the
 * copy activity turns into throttled heartbeats); when transfers are running and no byte has moved for `idleMs`,
 * every transfer is aborted with a transient failure that names the artifact, the silent blob and how long it was
 * silent, so a stalled connection is retried within about the idle time instead of hanging until a tool timeout.
 */
export class TransferWatch {
  private readonly controller = new AbortController();
  private readonly active = new Map<string, Active>();
  private lastByteAt = Date.now();
  private readonly timer: NodeJS.Timeout;
  private readonly what: string;
  private readonly from: string;
  readonly idleMs: number;
  private readonly onBytes: (bytes: number) => void;

  /** `what` names the artifact (e.g. `image "gateway"`), `from` the source repository. */
  constructor(what: string, from: string, idleMs: number, onBytes: (bytes: number) => void) {
    this.what = what;
    this.from = from;
    this.idleMs = idleMs;
    this.onBytes = onBytes;
    this.timer = setInterval(() => this.check(), Math.max(100, Math.min(1_000, idleMs / 4)));
    this.timer.unref();
  }

  /** Aborted when a stall is detected (its reason is the failure to throw) or when the copy gives up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `key` names the transfer in messages: `blob sha256:...`, `file gateway-linux-amd64`. */
  start(key: string, size: number): void {
    if (this.active.size === 0) this.lastByteAt = Date.now();
    this.active.set(key, { size, done: 0 });
  }

  bytes(key: string, count: number): void {
    this.lastByteAt = Date.now();
    const entry = this.active.get(key);
    if (entry) entry.done += count;
    this.onBytes(count);
  }

  /** Bytes of a blob that were counted and must be taken back (a transfer that failed and will be redone). */
  finish(key: string): number {
    const done = this.active.get(key)?.done ?? 0;
    this.active.delete(key);
    return done;
  }

  abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.active.size === 0 || this.controller.signal.aborted) return;
    const silentMs = Date.now() - this.lastByteAt;
    if (silentMs < this.idleMs) return;
    const [key, entry] = [...this.active].sort((a, b) => a[1].done / a[1].size - b[1].done / b[1].size)[0] ?? [];
    const others = this.active.size > 1 ? ` (and ${this.active.size - 1} more in flight)` : '';
    this.abort(
      transient(
        `${this.what}: no byte moved for ${(silentMs / 1000).toFixed(1)} s on ${key} (${entry?.done ?? 0} of ${entry?.size ?? 0} bytes) from ${this.from}${others}; ` +
          `the transfer stalled (idle limit ${(this.idleMs / 1000).toFixed(0)} s): retrying carries on with what was already sent`,
      ),
    );
  }
}
