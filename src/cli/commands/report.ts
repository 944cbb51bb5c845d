import { defaultPayloadConverter } from '@temporalio/common';
import type { Command } from 'commander';
import { deriveSpec } from '../../config/derive.ts';
import type { ReleaseInput } from '../../config/release-input.ts';
import { promotionRecordOf } from '../../workflows/promotion-record-of.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printJson } from '../output.ts';
import { verifiedRecords } from '../promotion-records.ts';
import { asCliError, client, releaseIdFrom, releaseStatus } from '../release-handle.ts';
import { renderReport, type ReleaseReport } from '../render-report.ts';

/** The record from the live workflow: its status, built into the same record the attestation carries. */
async function reportFromTemporal(release: string[]): Promise<ReleaseReport> {
  // Named first, so a bad release name is exit 2 without reaching Temporal.
  const releaseId = releaseIdFrom(release);
  const temporal = await client();
  const handle = temporal.workflow.getHandle(releaseId);
  const status = await releaseStatus(handle);
  const history = await handle.fetchHistory().catch((error: unknown) => {
    throw asCliError(error, handle.workflowId);
  });
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (!payload) throw new CliError(`${handle.workflowId}: its history has no start input`, ExitCode.failure);
  const input = defaultPayloadConverter.fromPayload<ReleaseInput>(payload);
  const runId = (await handle.describe()).runId;
  const record = promotionRecordOf(status, deriveSpec(input), { releaseId: handle.workflowId, runId });
  return {
    ...record,
    source: 'temporal',
    phase: status.phase,
    tagMoves: status.tagMoves,
    pins: status.pins,
    ...(status.pullRequest ? { pullRequest: status.pullRequest } : {}),
    ...(status.evidence ? { evidence: status.evidence } : {}),
  };
}

async function reportFromRegistry(ref: string, key: string): Promise<ReleaseReport> {
  const [latest] = await verifiedRecords(ref, key);
  if (!latest) throw new CliError(`${ref}: no promotion record`, ExitCode.notVerified);
  const { subject, ...record } = latest.predicate.shipgate;
  return { ...record, source: 'registry', subject, verifiedWith: key };
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'print the whole record of a release: steps, verifications, decisions, tag moves, pins; from the workflow, or from the signed record in the registry',
    )
    .argument('[release...]', 'PROJECT VERSION, or a release id')
    .option(
      '--from-registry <ref>',
      'rebuild the record from the promotion record on host/repo@sha256:... (no Temporal)',
    )
    .option('--key <path>', 'with --from-registry: the promotion public key, e.g. shipgate.pub')
    .option('--json', 'print the record as JSON')
    .option('--markdown', 'print the record as Markdown (for a ticket or an audit file)')
    .action(
      async (
        release: string[],
        options: { fromRegistry?: string; key?: string; json?: boolean; markdown?: boolean },
      ) => {
        if (options.json && options.markdown) throw new CliError('say one of --json or --markdown', ExitCode.badInput);
        let report: ReleaseReport;
        if (options.fromRegistry) {
          if (release.length > 0)
            throw new CliError('give either a release or --from-registry REF, not both', ExitCode.badInput);
          if (!options.key)
            throw new CliError(
              '--from-registry needs --key: the promotion public key (e.g. shipgate.pub)',
              ExitCode.badInput,
            );
          report = await reportFromRegistry(options.fromRegistry, options.key);
        } else {
          report = await reportFromTemporal(release).catch((error: unknown) => {
            if (error instanceof CliError && error.exitCode === ExitCode.notFound)
              throw new CliError(
                `${error.message}; if its history is gone, rebuild the record with: shipgate report --from-registry HOST/REPO@sha256:... --key shipgate.pub`,
                ExitCode.notFound,
              );
            throw error;
          });
        }
        if (options.json) printJson(report);
        else console.log(renderReport(report, options.markdown ? 'markdown' : 'text'));
      },
    );
}
