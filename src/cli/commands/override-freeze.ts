import type { Command } from 'commander';
import { overrideFreezeUpdate } from '../../workflows/messages.ts';
import { withProofOptions, type ProofOptions } from '../decision-proof.ts';
import { sendDecision, withPrintSignal } from '../send-decision.ts';

export function registerOverrideFreeze(program: Command): void {
  withPrintSignal(
    withProofOptions(
      program
        .command('override-freeze')
        .description(
          'let a frozen release promote now: a signed decision by a person the freeze window names, with a reason for the record',
        )
        .argument('<release...>', 'PROJECT VERSION, or a release id')
        .requiredOption('--reason <text>', 'why this release may promote during the freeze (recorded and signed)')
        .option('--as <name>', 'who lifts the freeze (the signed statement names them; the proof must show it)')
        .option('--json', 'print the recorded decision as JSON'),
    ),
  ).action((release: string[], options: ProofOptions & { reason: string; json?: boolean; printSignal?: boolean }) =>
    sendDecision(release, 'override-freeze', options, overrideFreezeUpdate, (by, signed) => ({
      by,
      reason: options.reason,
      ...signed,
    })),
  );
}
