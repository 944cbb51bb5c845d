import type { CopyProgress } from '../artifacts/copy-progress.ts';
import type { CopySample } from '../client/pending-copies.ts';

// Pure presentation of copy progress for `status`, `watch` and `start --wait`: sizes, rate, ETA, one line.

export interface CopyFigures {
  label: string;
  phase: CopyProgress['phase'];
  bytesDone: number;
  bytesTotal: number;
  blobsDone: number;
  blobsTotal: number;
  percent: number | undefined;
  bytesPerSecond: number | undefined;
  etaSeconds: number | undefined;
}

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${byteUnits[unit]}`;
}

/** 42s, 3m05s, 1h02m: short enough for one terminal line. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Figures for one copy: the copier's own rate when it measured one, else the rate between the previous sample of
 * the same copy and this one; the ETA from that rate and the bytes still to send.
 */
export function copyFigures(sample: CopySample, previous?: CopySample): CopyFigures {
  const p = sample.progress;
  let rate = p.bytesPerSecond;
  if (rate === undefined && previous && previous.key === sample.key && sample.atMs > previous.atMs) {
    const moved = p.bytesDone - previous.progress.bytesDone;
    if (moved >= 0) rate = (moved * 1000) / (sample.atMs - previous.atMs);
  }
  const left = Math.max(0, p.bytesTotal - p.bytesDone);
  return {
    label: sample.label,
    phase: p.phase,
    bytesDone: p.bytesDone,
    bytesTotal: p.bytesTotal,
    blobsDone: p.blobsDone,
    blobsTotal: p.blobsTotal,
    percent: p.bytesTotal > 0 ? Math.floor((p.bytesDone * 100) / p.bytesTotal) : undefined,
    bytesPerSecond: rate,
    etaSeconds: rate && rate > 0 ? left / rate : left === 0 ? 0 : undefined,
  };
}

/** "app 120.0 MiB/200.0 MiB 60% 3/5 blobs 12.1 MiB/s ETA 7s" (planning and checking say so instead). */
export function formatCopy(f: CopyFigures): string {
  if (f.phase === 'planning' && f.bytesTotal === 0) return `${f.label} planning`;
  const parts = [
    f.label,
    `${formatBytes(f.bytesDone)}/${formatBytes(f.bytesTotal)}`,
    ...(f.percent === undefined ? [] : [`${f.percent}%`]),
    `${f.blobsDone}/${f.blobsTotal} blobs`,
  ];
  if (f.phase === 'checking') return [...parts, 'checking'].join(' ');
  if (f.bytesPerSecond !== undefined) parts.push(`${formatBytes(f.bytesPerSecond)}/s`);
  if (f.etaSeconds !== undefined && f.bytesDone < f.bytesTotal) parts.push(`ETA ${formatDuration(f.etaSeconds)}`);
  return parts.join(' ');
}

/** The one line `watch` and `start --wait` draw: where the release is, then every copy in flight. */
export function progressLine(where: string, copies: CopyFigures[]): string {
  return copies.length ? `${where}: ${copies.map(formatCopy).join(' | ')}` : where;
}

/** Fits a line to the terminal's width, so redrawing it with \r never leaves a wrapped tail behind. */
export function fitLine(line: string, columns: number | undefined): string {
  if (!columns || line.length < columns) return line;
  return `${line.slice(0, Math.max(0, columns - 2))}…`;
}

/** What a JSON line of `watch --json` carries about one copy (numbers, not words). */
export function copyRecord(f: CopyFigures): Record<string, unknown> {
  return {
    artifact: f.label,
    phase: f.phase,
    bytesDone: f.bytesDone,
    bytesTotal: f.bytesTotal,
    blobsDone: f.blobsDone,
    blobsTotal: f.blobsTotal,
    ...(f.bytesPerSecond === undefined ? {} : { bytesPerSecond: Math.round(f.bytesPerSecond) }),
    ...(f.etaSeconds === undefined ? {} : { etaSeconds: Math.round(f.etaSeconds) }),
  };
}
