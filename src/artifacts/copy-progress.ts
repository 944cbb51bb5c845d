/**
 * What a copy activity reports in its heartbeat details while it runs, and what the CLI (`status`, `watch`,
 * `start --wait`) and the Temporal UI's pending-activity view show. One shape, shared by the activity that
 * writes it and every reader: change it here only.
 */
export interface CopyProgress {
  /** The artifact's name in the plan (e.g. "gateway"). */
  artifact?: string;
  phase: 'planning' | 'copying' | 'checking';
  blobsDone: number;
  blobsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** Milliseconds since the epoch when these counts were taken (the reader computes rate and ETA from two). */
  at?: number;
  /** Bytes per second over the last few seconds, as the copier measured it. */
  bytesPerSecond?: number;
}
