import { describe, expect, it } from 'vitest';
import type { CopySample } from '../../src/client/pending-copies.ts';
import {
  copyFigures,
  copyRecord,
  fitLine,
  formatBytes,
  formatCopy,
  formatDuration,
  progressLine,
} from '../../src/cli/progress-format.ts';

const MiB = 1024 * 1024;
const sample = (bytesDone: number, atMs: number, extra: Partial<CopySample['progress']> = {}): CopySample => ({
  key: 'copy-1',
  label: 'app',
  atMs,
  progress: { phase: 'copying', blobsDone: 1, blobsTotal: 4, bytesDone, bytesTotal: 200 * MiB, ...extra },
});

describe('copy progress, as status, watch and start --wait show it', () => {
  it('formats sizes and durations for one terminal line', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(200 * MiB)).toBe('200.0 MiB');
    expect(formatBytes(3 * 1024 * MiB)).toBe('3.0 GiB');
    expect(formatDuration(7.4)).toBe('7s');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(3720)).toBe('1h02m');
  });

  it("takes the copier's own rate when it measured one, and the ETA from the bytes left", () => {
    const figures = copyFigures(sample(50 * MiB, 1_000, { bytesPerSecond: 10 * MiB }));
    expect(figures).toMatchObject({ percent: 25, bytesPerSecond: 10 * MiB, etaSeconds: 15 });
    expect(formatCopy(figures)).toBe('app 50.0 MiB/200.0 MiB 25% 1/4 blobs 10.0 MiB/s ETA 15s');
  });

  it('computes a rate from two heartbeats of the same copy when the copier gave none', () => {
    const figures = copyFigures(sample(100 * MiB, 6_000), sample(50 * MiB, 1_000));
    expect(figures.bytesPerSecond).toBe(10 * MiB);
    expect(figures.etaSeconds).toBe(10);
    // Another copy's sample, the same instant, or counts going backwards (a new attempt) give no rate.
    expect(copyFigures(sample(100 * MiB, 6_000), { ...sample(50 * MiB, 1_000), key: 'copy-2' }).bytesPerSecond).toBe(
      undefined,
    );
    expect(copyFigures(sample(100 * MiB, 6_000), sample(50 * MiB, 6_000)).bytesPerSecond).toBe(undefined);
    expect(copyFigures(sample(10 * MiB, 6_000), sample(50 * MiB, 1_000)).bytesPerSecond).toBe(undefined);
    expect(formatCopy(copyFigures(sample(10 * MiB, 6_000)))).toBe('app 10.0 MiB/200.0 MiB 5% 1/4 blobs');
  });

  it('says planning and checking instead of a rate, and joins copies on one line', () => {
    const planning = copyFigures(sample(0, 1, { phase: 'planning', bytesTotal: 0, blobsTotal: 0 }));
    expect(formatCopy(planning)).toBe('app planning');
    const checking = copyFigures(sample(200 * MiB, 1, { phase: 'checking', blobsDone: 4 }));
    expect(formatCopy(checking)).toBe('app 200.0 MiB/200.0 MiB 100% 4/4 blobs checking');
    expect(progressLine('acme 1.0.0: publishing (copy)', [planning, checking])).toBe(
      'acme 1.0.0: publishing (copy): app planning | app 200.0 MiB/200.0 MiB 100% 4/4 blobs checking',
    );
    expect(progressLine('acme 1.0.0: publishing (verify-source)', [])).toBe('acme 1.0.0: publishing (verify-source)');
  });

  it('fits the redrawn line to the terminal and gives JSON lines numbers', () => {
    expect(fitLine('x'.repeat(100), 40)).toHaveLength(39);
    expect(fitLine('short', 40)).toBe('short');
    expect(fitLine('x'.repeat(100), undefined)).toHaveLength(100);
    expect(copyRecord(copyFigures(sample(100 * MiB, 6_000), sample(50 * MiB, 1_000)))).toEqual({
      artifact: 'app',
      phase: 'copying',
      bytesDone: 100 * MiB,
      bytesTotal: 200 * MiB,
      blobsDone: 1,
      blobsTotal: 4,
      bytesPerSecond: 10 * MiB,
      etaSeconds: 10,
    });
  });
});
