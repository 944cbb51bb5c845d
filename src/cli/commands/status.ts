import type { Command } from 'commander';
import { describeProof } from '../../config/decision-types.ts';
import type { ArtifactStatus, ReleaseStatus } from '../../workflows/status.ts';
import { copiesNow } from '../follow-release.ts';
import { copyRecord, formatBytes, formatDuration, type CopyFigures } from '../progress-format.ts';
import { printJson, section, shortDigest, table } from '../output.ts';
import { client, releaseIdFrom, releaseStatus } from '../release-handle.ts';
import { syncAndCleanupLines } from '../render-sync-and-cleanup.ts';

function copiedCell(copied: ArtifactStatus['copied']): string {
  if (!copied) return '-';
  return copied.alreadyPresent ? 'already there' : `${copied.blobs} blobs, ${formatBytes(copied.bytes)}`;
}

function renderCopies(copies: CopyFigures[]): string[] {
  if (!copies.length) return [];
  return [
    section('Copying now'),
    table(
      ['artifact', 'phase', 'bytes', 'blobs', 'rate', 'eta'],
      copies.map((c) => [
        c.label,
        c.phase,
        `${formatBytes(c.bytesDone)}/${formatBytes(c.bytesTotal)}${c.percent === undefined ? '' : ` (${c.percent}%)`}`,
        `${c.blobsDone}/${c.blobsTotal}`,
        c.bytesPerSecond === undefined ? '-' : `${formatBytes(c.bytesPerSecond)}/s`,
        c.etaSeconds === undefined ? '-' : formatDuration(c.etaSeconds),
      ]),
    ),
  ];
}

function renderStatus(status: ReleaseStatus, copies: CopyFigures[]): string {
  const lines = [
    `${status.project} ${status.version}  (${status.tag}, commit ${status.commitSha.slice(0, 12)}, started by ${status.startedBy}${status.startedByProof ? `, proven by ${status.startedByProof}` : ', not proven'})`,
    `phase: ${status.phase}${status.currentStep ? `  step: ${status.currentStep}` : ''}`,
  ];
  if (status.identity === 'unauthenticated')
    lines.push(
      'approvals are NOT authenticated: the plan says gate.identity: unauthenticated, so decisions name people but prove nothing',
    );
  if (status.attention) {
    lines.push(`needs attention at ${status.attention.step} [${status.attention.type}]: ${status.attention.message}`);
    lines.push(
      `  fix the cause, then: shipgate retry ${status.project} ${status.version}   (or: shipgate abort ... --reason)`,
    );
  }
  if (status.freeze) {
    const f = status.freeze;
    lines.push(
      f.overriddenBy
        ? `freeze (${f.reasons.join('; ')}) lifted by ${f.overriddenBy} (${f.overrideProof ?? 'not authenticated'}): ${f.reason ?? ''}`
        : `${status.phase === 'frozen' ? 'frozen' : 'was frozen'} until ${f.until}: ${f.reasons.join('; ')}`,
    );
    if (status.phase === 'frozen' && f.overrideBy.length)
      lines.push(
        status.identity === 'unauthenticated'
          ? `  ${f.overrideBy.join(', ')} may lift it (not authenticated: gate.identity is unauthenticated): shipgate override-freeze ${status.project} ${status.version} --reason "..." --as NAME`
          : `  ${f.overrideBy.join(', ')} may lift it with a signed decision: shipgate override-freeze ${status.project} ${status.version} --reason "..." --key FILE (or --id-token-env VAR)`,
      );
  }
  lines.push(section('Artifacts'));
  lines.push(
    table(
      ['name', 'kind', 'digest', 'destination', 'verified', 'copied'],
      status.artifacts.map((a) => [
        a.name,
        a.kind,
        a.digest ?? (a.files?.length ? `${a.files.length} files` : ''),
        a.destination,
        [...new Set(a.verifications.map((v) => v.where))].join('+') || '-',
        copiedCell(a.copied),
      ]),
    ),
  );
  lines.push(...renderCopies(copies));
  const platforms = status.artifacts.flatMap((a) => (a.platforms ?? []).map((p) => [a.name, p.platform, p.digest]));
  if (platforms.length) lines.push(section('Platforms'), table(['artifact', 'platform', 'digest'], platforms));
  if (status.gate) {
    lines.push(section(status.gate.kind === 'sync' ? 'Waiting for a sync go' : 'Waiting for approval'));
    lines.push(
      `approvers: ${status.gate.approvers.join(', ') || 'anyone'}; self-approval ${status.gate.allowSelfApproval ? 'allowed' : 'forbidden'}`,
    );
    if (status.gate.needs)
      lines.push(`approved so far by ${status.gate.approvals?.join(', ') || 'nobody'}; ${status.gate.needs}`);
    lines.push(`deadline: ${status.gate.deadline}`);
    if (status.gate.kind === 'promotion' && status.pullRequest && !status.pullRequest.merged)
      lines.push(`on approval: merges release PR #${status.pullRequest.number}`);
    lines.push(`digest set: ${status.gate.digests.length} digests (shipgate approve shows them)`);
  }
  if (status.checks.length)
    lines.push(
      section('Checks'),
      table(
        ['check', 'kind', 'state', 'detail'],
        status.checks.map((c) => [c.name, c.kind, c.state, c.detail]),
      ),
    );
  lines.push(
    section('Steps'),
    table(
      ['step', 'state', 'finished', 'summary'],
      status.steps.map((s) => [s.step, s.state, s.finishedAt, s.summary]),
    ),
  );
  if (status.tagMoves.length) {
    lines.push(
      section('Floating tags'),
      table(
        ['artifact', 'tag', 'from', 'to'],
        status.tagMoves.map((m) => [m.artifact, m.tag, m.fromVersion ?? shortDigest(m.from), shortDigest(m.to)]),
      ),
    );
  }
  if (status.evidence?.length)
    lines.push(
      section('Promotion records'),
      table(
        ['reference', 'formats', 'pushed'],
        status.evidence.map((e) => [e.reference, e.format.join('+'), e.pushed ? 'yes' : 'already there']),
      ),
    );
  if (status.release)
    lines.push(`release: ${status.release.state}${status.release.url ? ` ${status.release.url}` : ''}`);
  if (status.pullRequest) {
    const pr = status.pullRequest;
    lines.push(
      `release PR: #${pr.number}${pr.head ? ` (${pr.head})` : ''} ${pr.merged ? 'merged' : pr.autoMerge ? 'auto-merge enabled' : 'open'}${pr.url ? ` ${pr.url}` : ''}`,
    );
  }
  if (status.notificationFailures?.length)
    lines.push(
      section('Notifications not delivered'),
      table(
        ['at', 'event', 'webhook', 'error'],
        status.notificationFailures.map((f) => [f.at, f.event, f.webhook, f.message]),
      ),
    );
  if (status.pins.length)
    lines.push(
      section('Pins'),
      table(
        ['name', 'digest', 'confirmed'],
        status.pins.map((p) => [p.name, p.digest, p.confirmed ? 'yes' : 'no']),
      ),
    );
  lines.push(...syncAndCleanupLines(status));
  if (status.decisions.length) {
    lines.push(
      section('Decisions'),
      table(
        ['at', 'kind', 'by', 'proof', 'via', 'comment'],
        status.decisions.map((d) => [
          d.at,
          d.kind,
          d.by,
          d.verified ? describeProof(d.verified) : '-',
          d.via,
          d.refusal ?? d.comment,
        ]),
      ),
    );
  }
  return lines.join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show where a release is: phase, artifacts by digest, verification, gate, decisions')
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .option('--json', 'print the status as JSON (shape: docs/cli.md)')
    .action(async (release: string[], options: { json?: boolean }) => {
      // Named first, so a bad release name is exit 2 without reaching Temporal.
      const releaseId = releaseIdFrom(release);
      const temporal = await client();
      const handle = temporal.workflow.getHandle(releaseId);
      const status = await releaseStatus(handle);
      // A rollback answers the same query with its own record (RollbackStatus): shown as JSON.
      if ('toVersion' in status) return printJson(status);
      // Copies in flight, from their heartbeat details (with a rate and an ETA); not part of the workflow's record.
      const copies = status.currentStep === 'copy' ? await copiesNow(handle).catch(() => []) : [];
      if (options.json) printJson(copies.length ? { ...status, copying: copies.map(copyRecord) } : status);
      else console.log(renderStatus(status, copies));
    });
}
