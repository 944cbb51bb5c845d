import type { Command } from 'commander';
import type { Phase } from '../../workflows/status.ts';
import { endPhases, exitForStatus, followMode, followRelease, gatePhases } from '../follow-release.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { asCliError, client, releaseIdFrom } from '../release-handle.ts';

/** Where `watch` stops: the release waits for a person (gate, freeze, needs-attention) or has ended. */
const stops: Phase[] = [...gatePhases, 'frozen', 'needs-attention', ...endPhases];

export function registerWatch(program: Command): void {
  program
    .command('watch')
    .description(
      'follow a release until it waits for a person or ends: phase, step and each copy’s bytes, blobs, rate and ETA',
    )
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .option('--json', 'print a JSON line per change (shape: docs/cli.md)')
    .action(async (release: string[], options: { json?: boolean }) => {
      const id = releaseIdFrom(release);
      if (id.startsWith('rollback:'))
        throw new CliError(`watch follows releases; for a rollback: shipgate status ${id}`, ExitCode.badInput);
      const temporal = await client();
      const handle = temporal.workflow.getHandle(id);
      const status = await followRelease(handle, stops, followMode(options)).catch((error: unknown) => {
        throw asCliError(error, handle.workflowId);
      });
      // Waiting at a gate or frozen is where a watched release is meant to arrive; the rest as `start --wait`.
      exitForStatus(status, gatePhases.includes(status.phase) || status.phase === 'frozen' ? status.phase : 'promoted');
    });
}
