// A per-worker cap on tool processes (regctl, cosign, helm, ssh-keygen). A hundred releases on one worker would
// otherwise start a hundred cosign and regctl processes at once: the machine thrashes, every call slows down, and
// activities miss their heartbeat timeout. Calls beyond the cap queue here, first come first served.

/** The cap when nothing sets one: $SHIPGATE_MAX_TOOLS, else 4. */
export function defaultToolCap(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SHIPGATE_MAX_TOOLS;
  if (raw === undefined || raw === '') return 4;
  const cap = Number(raw);
  if (!Number.isInteger(cap) || cap < 1)
    throw new Error(`SHIPGATE_MAX_TOOLS "${raw}" must be a whole number of at least 1 (tool processes per worker)`);
  return cap;
}

export class ToolSlots {
  #limit: number;
  #running = 0;
  readonly #queue: (() => void)[] = [];
  /**
   * Called every few seconds while a call waits for a slot. The activity layer sets it to re-send the running
   * activity's last heartbeat, so time spent queued never counts against a heartbeat timeout.
   */
  whileWaiting: (() => void) | undefined;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Changes the cap (a worker option); calls already waiting start as slots allow. */
  resize(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`tool process cap ${limit} must be a whole number of at least 1`);
    this.#limit = limit;
    this.#startWaiting();
  }

  /** Runs fn once a slot is free and frees the slot when it settles. */
  async run<T>(fn: () => Promise<T>, waitingEveryMs = 5_000): Promise<T> {
    if (this.#running >= this.#limit) await this.#wait(waitingEveryMs);
    else this.#running++;
    try {
      return await fn();
    } finally {
      this.#running--;
      this.#startWaiting();
    }
  }

  #wait(everyMs: number): Promise<void> {
    this.whileWaiting?.();
    const timer = setInterval(() => this.whileWaiting?.(), everyMs);
    return new Promise<void>((resolve) => {
      this.#queue.push(() => {
        clearInterval(timer);
        resolve();
      });
    });
  }

  #startWaiting(): void {
    while (this.#running < this.#limit) {
      const next = this.#queue.shift();
      if (!next) return;
      this.#running++;
      next();
    }
  }
}

/** The one cap for this process: runTool and ssh-keygen calls go through it. */
export const toolProcessCap = new ToolSlots(defaultToolCap());
