import {
  listedPhases,
  phaseKey,
  projectKey,
  releaseWorkflowType,
  rollbackWorkflowType,
  startedByKey,
  versionKey,
} from '../workflows/messages.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { normalizeVersion } from './versions.ts';

export interface ListFilters {
  awaiting?: boolean;
  attention?: boolean;
  phase?: string;
  project?: string;
  version?: string;
  startedBy?: string;
  since?: string;
  until?: string;
  kind?: string;
}

export const listKinds = ['release', 'rollback', 'all'] as const;

const units: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`/`--until`: an ISO date or time (2026-11-26, 2026-11-26T10:00:00Z), or an age such as 90m, 36h, 7d, 2w. */
export function parseWhen(option: string, text: string, now = Date.now()): Date {
  const age = /^([1-9][0-9]{0,5})([mhdw])$/.exec(text);
  if (age) return new Date(now - Number(age[1]) * (units[age[2] ?? 'd'] ?? 0));
  const at = /^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(text) ? new Date(text) : undefined;
  if (!at || Number.isNaN(at.getTime()))
    throw new CliError(
      `${option} "${text}" is neither a date (2026-11-26 or 2026-11-26T10:00:00Z) nor an age (90m, 36h, 7d, 2w)`,
      ExitCode.badInput,
    );
  return at;
}

/** A value put into the query between single quotes: quotes and backslashes could end it early, so they are refused. */
function quoted(option: string, value: string): string {
  if (/['"\\]/.test(value) || value.length > 200)
    throw new CliError(
      `${option} may not contain quotes or backslashes (or run past 200 characters)`,
      ExitCode.badInput,
    );
  return `'${value}'`;
}

/**
 * The visibility query behind `shipgate list`; the same one works in the Temporal UI's search box. Only what
 * both the dev server's and the production topology's SQL visibility accept: =, IN, >= and <= on keywords and
 * times, joined with AND.
 */
export function listQuery(filters: ListFilters, now = Date.now()): string {
  const kind = filters.kind ?? 'all';
  if (!(listKinds as readonly string[]).includes(kind))
    throw new CliError(`--kind "${kind}" is not a kind; use one of: ${listKinds.join(', ')}`, ExitCode.badInput);
  const types = kind === 'all' ? [releaseWorkflowType, rollbackWorkflowType] : [kind];
  const clauses = [`WorkflowType IN (${types.map((type) => `'${type}'`).join(', ')})`];
  const phase = filters.awaiting ? 'awaiting-approval' : filters.attention ? 'needs-attention' : filters.phase;
  if (phase !== undefined && !listedPhases.includes(phase))
    throw new CliError(`--phase "${phase}" is not a phase; use one of: ${listedPhases.join(', ')}`, ExitCode.badInput);
  if (phase) clauses.push(`${phaseKey.name} = '${phase}'`);
  if (filters.project !== undefined) clauses.push(`${projectKey.name} = ${quoted('--project', filters.project)}`);
  if (filters.version !== undefined) clauses.push(`${versionKey.name} = '${normalizeVersion(filters.version)}'`);
  if (filters.startedBy !== undefined)
    clauses.push(`${startedByKey.name} = ${quoted('--started-by', filters.startedBy)}`);
  const since = filters.since === undefined ? undefined : parseWhen('--since', filters.since, now);
  const until = filters.until === undefined ? undefined : parseWhen('--until', filters.until, now);
  if (since && until && since > until)
    throw new CliError(
      `--since ${since.toISOString()} is after --until ${until.toISOString()}: nothing can match`,
      ExitCode.badInput,
    );
  if (since) clauses.push(`StartTime >= '${since.toISOString()}'`);
  if (until) clauses.push(`StartTime <= '${until.toISOString()}'`);
  return clauses.join(' AND ');
}
