import type { ReleaseStatus } from '../workflows/status.ts';
import { section, table } from './output.ts';

/** Status lines for the re-polling sync gate (while it waits) and the clean end of an unpromoted release. */
export function syncAndCleanupLines(status: ReleaseStatus): string[] {
  const lines: string[] = [];
  const canonical = status.canonical;
  if (status.gate?.kind === 'sync' && canonical?.nextPollAt)
    lines.push(
      `smart sync: ${canonical.detail}; asked again ${canonical.polls ?? 0} times${canonical.lastPolledAt ? ` (last ${canonical.lastPolledAt})` : ''}, next at ${canonical.nextPollAt}; goes on by itself once the commit is public`,
    );
  const cleanup = status.cleanup;
  if (cleanup?.items.length)
    lines.push(
      section(`Clean end (${cleanup.outcome}, ${cleanup.at})`),
      table(
        ['what', 'target', 'action', 'why'],
        cleanup.items.map((item) => [item.what, item.target, item.action, item.reason]),
      ),
    );
  return lines;
}
