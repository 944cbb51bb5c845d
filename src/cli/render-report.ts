import type { PromotionRecord, RecordSubject } from '../artifacts/promotion-record.ts';
import { section, shortDigest, table } from './output.ts';

/** The whole record of a release: the promotion record plus what promotion did after it was signed. */
export interface ReleaseReport extends PromotionRecord {
  /** Where this report comes from: the live workflow (Temporal) or a signed record in the registry. */
  source: 'temporal' | 'registry';
  phase?: string;
  subject?: RecordSubject;
  /** Only the live workflow knows these: they happen after the record is signed. */
  tagMoves?: { artifact: string; tag: string; from?: string; to: string; fromVersion?: string }[];
  pins?: { name: string; digest: string; confirmed: boolean }[];
  pullRequest?: { number: number; merged: boolean; sha?: string };
  evidence?: { reference: string; digest: string; pushed: boolean; format: string[] }[];
  /** The key the record verified with (registry reports). */
  verifiedWith?: string;
}

type Style = 'text' | 'markdown';

function grid(style: Style, headers: string[], rows: (string | number | undefined)[][]): string {
  if (style === 'text') return table(headers, rows);
  const cell = (value: string | number | undefined) => String(value ?? '').replaceAll('|', '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** A heading and its table. */
function titledGrid(style: Style, title: string, headers: string[], rows: (string | number | undefined)[][]): string[] {
  return [heading(style, title), grid(style, headers, rows)];
}

function heading(style: Style, title: string): string {
  return style === 'markdown' ? `\n## ${title}\n` : section(title);
}

/** Who approved which digest set, and how (the trusted-approvals method and principal when recorded). */
export function approvals(report: PromotionRecord): string[] {
  return report.decisions
    .filter((d) => d.kind === 'approve' || d.kind === 'override-freeze')
    .map(
      (d) =>
        `${d.kind === 'approve' ? `${d.gate ?? 'promotion'} approved` : 'freeze overridden'} by ${d.by} at ${d.at}` +
        `${d.method ? ` (${d.method})` : ''}${d.comment ? `: ${d.comment}` : ''}`,
    );
}

export function renderReport(report: ReleaseReport, style: Style): string {
  const lines: string[] = [];
  const title = `${report.project} ${report.version}`;
  lines.push(style === 'markdown' ? `# Release record: ${title}` : `release record: ${title}`);
  lines.push(
    `${report.releaseId} (run ${report.runId}), tag ${report.tag}, commit ${report.commitSha}, started by ${report.startedBy}`,
  );
  lines.push(
    report.source === 'registry'
      ? `source: the signed promotion record on ${report.subject?.reference ?? '?'}${report.verifiedWith ? `, verified with ${report.verifiedWith}` : ''} (as signed before floating tags moved)`
      : `source: the release workflow${report.phase ? ` (phase ${report.phase})` : ''}`,
  );
  if (report.release)
    lines.push(`release: ${report.release.state}${report.release.url ? ` ${report.release.url}` : ''}`);
  lines.push(heading(style, 'Approved digest set'), ...report.approvedDigests.map((d) => `- ${d}`));
  lines.push(...approvals(report).map((a) => `- ${a}`));
  if (report.freeze) {
    const f = report.freeze;
    lines.push(
      heading(style, 'Freeze'),
      `held by: ${f.reasons.join('; ')} (from ${f.since} until ${f.until})` +
        (f.overriddenBy
          ? `; overridden by ${f.overriddenBy} (${f.overrideProof ?? 'not authenticated'}): ${f.reason ?? ''}`
          : '; promoted when the window ended'),
    );
  }
  lines.push(
    ...titledGrid(
      style,
      'Artifacts',
      ['name', 'kind', 'digest', 'destination'],
      report.artifacts.map((a) => [a.name, a.kind, a.digest, a.destination]),
    ),
  );
  lines.push(
    ...titledGrid(
      style,
      'Steps',
      ['step', 'state', 'started', 'finished', 'attempts', 'summary'],
      report.steps.map((s) => [s.step, s.state, s.startedAt, s.finishedAt, s.attempts ?? 1, s.summary]),
    ),
  );
  lines.push(
    ...titledGrid(
      style,
      'Verifications',
      ['artifact', 'digest', 'where', 'signature', 'attestations', 'against', 'at'],
      report.verifications.map((v) => [
        v.artifact,
        shortDigest(v.digest),
        v.where,
        v.signature ? 'yes' : 'no',
        v.attestations.join(' ') || '-',
        v.against,
        v.at,
      ]),
    ),
  );
  lines.push(
    ...titledGrid(
      style,
      'Decisions',
      ['at', 'kind', 'by', 'via', 'method', 'comment'],
      report.decisions.map((d) => [d.at, d.kind, d.by, d.via, d.method ?? '', d.refusal ?? d.comment]),
    ),
  );
  if (report.tagMoves?.length)
    lines.push(
      ...titledGrid(
        style,
        'Floating tags',
        ['artifact', 'tag', 'from', 'to'],
        report.tagMoves.map((m) => [m.artifact, m.tag, m.fromVersion ?? shortDigest(m.from), shortDigest(m.to)]),
      ),
    );
  else lines.push(heading(style, 'Floating tags'), `planned: ${report.planned.floatingTags.join(', ') || 'none'}`);
  if (report.pins?.length)
    lines.push(
      ...titledGrid(
        style,
        'Pins',
        ['name', 'digest', 'confirmed'],
        report.pins.map((p) => [p.name, p.digest, p.confirmed ? 'yes' : 'no']),
      ),
    );
  else if (report.planned.pins.length) lines.push(heading(style, 'Pins'), `planned: ${report.planned.pins.join(', ')}`);
  if (report.evidence?.length)
    lines.push(
      ...titledGrid(
        style,
        'Promotion records',
        ['reference', 'formats', 'pushed'],
        report.evidence.map((e) => [e.reference, e.format.join('+'), e.pushed ? 'yes' : 'already there']),
      ),
    );
  return lines.join('\n');
}
