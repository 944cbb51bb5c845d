import type { CopyProgress } from '../artifacts/copy-progress.ts';
import { heartbeat } from './context.ts';

/**
 * A copy's progress, heartbeated from the byte counts as they move: at most every `everyMs` (Temporal throttles
 * heartbeats too; they are not history events), and at once on a phase change. No byte moving means no heartbeat.
 */
export class CopyHeartbeat {
  readonly progress: CopyProgress;
  private readonly everyMs: number;
  private lastAt = 0;
  private lastBytes = 0;

  constructor(artifact: string, everyMs = 2_000) {
    this.everyMs = everyMs;
    this.progress = { artifact, phase: 'planning', blobsDone: 0, blobsTotal: 0, bytesDone: 0, bytesTotal: 0 };
  }

  set(change: Partial<CopyProgress>): void {
    Object.assign(this.progress, change);
    this.beat(true);
  }

  bytes(count: number): void {
    this.progress.bytesDone += count;
    this.beat(false);
  }

  blobDone(): void {
    this.progress.blobsDone++;
    this.beat(false);
  }

  private beat(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastAt < this.everyMs) return;
    const elapsed = (now - this.lastAt) / 1000;
    if (this.lastAt > 0 && elapsed > 0)
      this.progress.bytesPerSecond = Math.max(0, Math.round((this.progress.bytesDone - this.lastBytes) / elapsed));
    this.progress.at = now;
    this.lastAt = now;
    this.lastBytes = this.progress.bytesDone;
    heartbeat({ ...this.progress });
  }
}
