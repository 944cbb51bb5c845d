import type { DecisionStatement, StatementGate } from './decision-types.ts';
import { sha256Hex } from './sha256.ts';

// The canonical text of a decision statement: fixed header, fixed field order, one "key: value" per line.
// Pure (no Node built-ins): the workflow parses and checks it, the CLI renders it, ssh-keygen signs its bytes.

const header = 'shipgate decision v1';
const fields = ['release', 'run', 'gate', 'digests', 'decision', 'person', 'time', 'nonce'] as const;
/** Login names as GitLab, GitHub (including "name[bot]") and allowed-signers principals spell them. */
export const personPattern = /^[A-Za-z0-9._@+[\]-]+$/;
const gates: StatementGate[] = ['sync', 'promotion', 'attention', 'check', 'start', 'rollback', 'freeze'];

/** The sha256 a statement names for a digest set: sorted, de-duplicated, one `name@sha256:...` per line. */
export function digestSetSha256(digests: string[]): string {
  return sha256Hex([...new Set(digests)].sort().join('\n'));
}

export function renderStatement(statement: DecisionStatement): string {
  for (const field of fields) {
    const value = statement[field];
    if (typeof value !== 'string' || value === '' || /[\r\n]/.test(value) || value.trim() !== value)
      throw new Error(`statement field "${field}" must be a non-empty single line without surrounding spaces`);
  }
  return `${header}\n${fields.map((field) => `${field}: ${statement[field]}`).join('\n')}\n`;
}

/** Parses a statement, or says what is wrong with it. Only the exact canonical text is accepted. */
export function parseStatement(text: unknown): DecisionStatement | string {
  if (typeof text !== 'string')
    return 'statement is required: the signed decision text (shipgate approve --print-signal shows one)';
  const lines = text.split('\n');
  if (lines[0] !== header) return `statement must start with "${header}"`;
  const values: Record<string, string> = {};
  for (const [index, field] of fields.entries()) {
    const line = lines[index + 1] ?? '';
    const prefix = `${field}: `;
    if (!line.startsWith(prefix)) return `statement line ${index + 2} must be "${prefix}..."`;
    values[field] = line.slice(prefix.length);
  }
  const parsed = values as unknown as DecisionStatement;
  if (!personPattern.test(parsed.person))
    return `statement person "${parsed.person}" must be a login name (letters, digits, . _ @ + - [ ])`;
  if (!gates.includes(parsed.gate)) return `statement gate "${parsed.gate}" is not one of ${gates.join(', ')}`;
  if (!/^[0-9a-f]{64}$/.test(parsed.digests)) return 'statement digests must be a sha256 in hex';
  if (Number.isNaN(Date.parse(parsed.time))) return `statement time "${parsed.time}" is not an ISO 8601 time`;
  if (!/^[0-9a-f]{16,64}$/.test(parsed.nonce)) return 'statement nonce must be 16 to 64 hex digits';
  // Only the canonical rendering counts, so two different texts never carry the same meaning.
  if (renderStatement(parsed) !== text) return 'statement is not in canonical form (fields, order, final newline)';
  return parsed;
}

/** What a statement must say to count here and now. */
export interface StatementExpectation {
  release: string;
  run: string;
  gate: StatementGate;
  digests: string[];
  decision: string;
  /** Workflow time, ISO. */
  now: string;
  /** How far the statement's time may lie ahead of workflow time (clock skew) and behind it. */
  maxFutureMs: number;
  maxAgeMs: number;
  usedNonces: ReadonlySet<string>;
}

/** Why a statement does not fit this release, run, gate, digest set and decision; undefined when it fits. */
export function statementMismatch(statement: DecisionStatement, expected: StatementExpectation): string | undefined {
  if (statement.release !== expected.release)
    return `the statement is for ${statement.release}, not ${expected.release}; sign a statement for this release`;
  if (statement.run !== expected.run)
    return `the statement is for run ${statement.run}, not the current run ${expected.run} of ${expected.release}`;
  if (statement.gate !== expected.gate)
    return `the statement is for gate "${statement.gate}", but "${expected.gate}" is open`;
  if (statement.digests !== digestSetSha256(expected.digests))
    return 'the statement names a different digest set than the one published; review the current digests (shipgate status) and sign again';
  if (statement.decision !== expected.decision)
    return `the statement says "${statement.decision}", not "${expected.decision}"`;
  const at = Date.parse(statement.time);
  const now = Date.parse(expected.now);
  if (at - now > expected.maxFutureMs) return `the statement time ${statement.time} lies in the future`;
  if (now - at > expected.maxAgeMs) return `the statement time ${statement.time} is too old; sign a fresh statement`;
  if (expected.usedNonces.has(statement.nonce)) return 'the statement was already used (same nonce); sign a new one';
  return undefined;
}
