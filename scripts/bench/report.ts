// Figures of the copy bench: medians with ranges over paired rounds, and the one summary line.
import type { RequestCounts } from './go-tools.ts';

export interface Measurement {
  wallMs: number;
  /** CPU seconds (user+sys) of the copier: this process and its reaped children (regctl, the floor). */
  copierCpu: number;
  sourceRegistryCpu: number;
  destinationRegistryCpu: number;
  proxyCpu: number;
  requests: RequestCounts;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function withRange(values: number[], digits: number): string {
  const m = median(values).toFixed(digits);
  if (values.length < 2) return m;
  return `${m} [${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}]`;
}

const methods = (counts: RequestCounts): string =>
  Object.entries(counts.byMethod)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([method, n]) => `${method} ${n}`)
    .join(', ');

/** One table line for a copier: medians [range] over the rounds. */
export function row(label: string, runs: Measurement[]): string {
  const pick = (f: (m: Measurement) => number): number[] => runs.map(f);
  const requests = pick((m) => m.requests.total);
  const first = runs[0];
  return [
    label.padEnd(13),
    `wall ${withRange(
      pick((m) => m.wallMs / 1000),
      2,
    )} s`,
    `cpu copier ${withRange(
      pick((m) => m.copierCpu),
      2,
    )} s`,
    `source reg ${median(pick((m) => m.sourceRegistryCpu)).toFixed(2)} s`,
    `dest reg ${median(pick((m) => m.destinationRegistryCpu)).toFixed(2)} s`,
    `proxy ${median(pick((m) => m.proxyCpu)).toFixed(2)} s`,
    `dest requests ${withRange(requests, 0)}${first ? ` (round 1: ${methods(first.requests)})` : ''}`,
  ].join('  ');
}

/** Per-round ratios a/b and their median [range]. */
export function ratios(a: Measurement[], b: Measurement[]): number[] {
  return a.map((m, i) => m.wallMs / (b[i]?.wallMs ?? NaN));
}

export function summaryLine(x: number, y: number, z: number, engineRequests: number, regctlRequests: number): string {
  return `cold/script=${x.toFixed(2)} cold/floor=${y.toFixed(2)} warm/cold=${z.toFixed(2)} requests=${Math.round(engineRequests)}/regctl=${Math.round(regctlRequests)}`;
}
