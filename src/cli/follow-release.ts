import type { WorkflowHandle } from '@temporalio/client';
import { pendingCopies, type CopySample } from '../client/pending-copies.ts';
import { statusQuery } from '../workflows/messages.ts';
import type { Phase, ReleaseStatus } from '../workflows/status.ts';
import { ExitCode } from './exit-codes.ts';
import { copyFigures, copyRecord, fitLine, progressLine, type CopyFigures } from './progress-format.ts';

/** tty: one line redrawn in place; plain: a line per change (progress at most every few seconds); json: JSON lines. */
export type FollowMode = 'tty' | 'plain' | 'json' | 'quiet';

export const endPhases: Phase[] = ['promoted', 'rejected', 'expired', 'aborted'];
export const gatePhases: Phase[] = ['awaiting-sync', 'awaiting-approval'];

export function followMode(options: { json?: boolean; quiet?: boolean }, out = process.stdout): FollowMode {
  return options.quiet ? 'quiet' : options.json ? 'json' : out.isTTY ? 'tty' : 'plain';
}

const plainProgressEveryMs = 5_000;
const pollMs = 500;

/** The last two distinct heartbeats of each copy, so a rate can be had when the copier did not measure one. */
class CopySamples {
  private readonly last = new Map<string, { previous?: CopySample; current: CopySample }>();

  figures(samples: CopySample[]): CopyFigures[] {
    return samples.map((sample) => {
      const seen = this.last.get(sample.key);
      if (!seen || sample.atMs > seen.current.atMs)
        this.last.set(sample.key, { previous: seen?.current, current: sample });
      const now = this.last.get(sample.key);
      return copyFigures(now?.current ?? sample, now?.previous);
    });
  }
}

/**
 * Follows a release until it reaches one of `stops`, showing its phase and step and, while it copies, each copy's
 * bytes, blobs, rate and ETA (read from the pending activities' heartbeat details, which are not history events).
 */
export async function followRelease(
  handle: WorkflowHandle,
  stops: Phase[],
  mode: FollowMode,
  out: NodeJS.WriteStream = process.stdout,
): Promise<ReleaseStatus> {
  const samples = new CopySamples();
  let lastWhere = '';
  let lastLine = '';
  let lastPlainProgress = 0;
  for (;;) {
    const status = await handle.query(statusQuery);
    const copying = status.currentStep === 'copy' && !stops.includes(status.phase);
    const figures = copying ? samples.figures(await pendingCopies(handle).catch(() => [])) : [];
    const where = `${status.project} ${status.version}: ${status.phase}${status.currentStep ? ` (${status.currentStep})` : ''}`;
    const line = progressLine(where, figures);
    const changed = line !== lastLine;
    if (mode === 'tty' && changed) {
      // A new phase or step keeps the previous line; progress redraws the current one in place.
      if (lastWhere && where !== lastWhere) out.write('\n');
      out.write(`\r\x1b[K${fitLine(line, out.columns)}`);
    } else if (mode === 'plain' && changed) {
      const now = Date.now();
      if (where !== lastWhere || now - lastPlainProgress >= plainProgressEveryMs) {
        out.write(`${new Date(now).toISOString()} ${line}\n`);
        if (figures.length) lastPlainProgress = now;
      }
    } else if (mode === 'json' && changed) {
      const record = { at: new Date().toISOString(), id: handle.workflowId, phase: status.phase };
      out.write(
        `${JSON.stringify({ ...record, step: status.currentStep ?? null, copies: figures.map(copyRecord) })}\n`,
      );
    }
    lastLine = line;
    lastWhere = where;
    if (stops.includes(status.phase)) {
      if (mode === 'tty') out.write('\n');
      if (status.phase === 'needs-attention' && (mode === 'tty' || mode === 'plain'))
        out.write(`needs attention: ${status.attention?.message}\n`);
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * The copies in flight now, for `status`: a rate needs two heartbeats when the copier measured none, so then the
 * details are read twice, a few seconds apart (the copier heartbeats every 2 s).
 */
export async function copiesNow(handle: WorkflowHandle, secondLookMs = 2_500): Promise<CopyFigures[]> {
  const samples = new CopySamples();
  const first = samples.figures(await pendingCopies(handle));
  if (first.every((copy) => copy.bytesPerSecond !== undefined || copy.phase !== 'copying')) return first;
  await new Promise((resolve) => setTimeout(resolve, secondLookMs));
  return samples.figures(await pendingCopies(handle));
}

/** Exit codes of a followed release: reached the target (or either gate when a gate was the target) is 0. */
export function exitForStatus(status: ReleaseStatus, target: Phase): void {
  if (status.phase === target || (gatePhases.includes(target) && gatePhases.includes(status.phase))) return;
  if (status.phase === 'needs-attention') process.exitCode = ExitCode.needsAttention;
  else if (['rejected', 'expired', 'aborted'].includes(status.phase)) process.exitCode = ExitCode.releaseStopped;
}
