import type { Command } from 'commander';
import { overrideFreezeUpdate } from '../../workflows/messages.ts';
import { printJson } from '../output.ts';
import { asCliError, client, releaseIdFrom } from '../release-handle.ts';
import { userName } from '../user.ts';

export function registerOverrideFreeze(program: Command): void {
  program
    .command('override-freeze')
    .description('let a frozen release promote now; only people the freeze window names, with a reason for the record')
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .requiredOption('--reason <text>', 'why this release may promote during the freeze (recorded and signed)')
    .option('--as <name>', 'who lifts the freeze')
    .option('--json', 'print the recorded decision as JSON')
    .action(async (release: string[], options: { reason: string; as?: string; json?: boolean }) => {
      const temporal = await client();
      const handle = temporal.workflow.getHandle(releaseIdFrom(release));
      const decision = await handle
        .executeUpdate(overrideFreezeUpdate, { args: [{ by: options.as ?? userName(), reason: options.reason }] })
        .catch((error: unknown) => {
          throw asCliError(error, handle.workflowId);
        });
      if (options.json) printJson(decision);
      else console.log(`freeze lifted for this release by ${decision.by} at ${decision.at}: ${decision.comment ?? ''}`);
    });
}
