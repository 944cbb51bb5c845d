import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  digestSetSha256,
  parseStatement,
  renderStatement,
  statementMismatch,
} from '../../src/config/decision-statement.ts';
import type { DecisionStatement } from '../../src/config/decision-types.ts';
import { sha256Hex } from '../../src/config/sha256.ts';

const digests = [`app@sha256:${'a'.repeat(64)}`, `chart@sha256:${'b'.repeat(64)}`];
const statement: DecisionStatement = {
  release: 'release:acme/gateway:1.4.0',
  run: 'run-1',
  gate: 'promotion',
  digests: digestSetSha256(digests),
  decision: 'approve',
  person: 'alice',
  time: '2026-11-26T11:00:00.000Z',
  nonce: '0123456789abcdef0123456789abcdef',
};
const expected = {
  release: statement.release,
  run: 'run-1',
  gate: 'promotion' as const,
  digests: [...digests].reverse(),
  decision: 'approve',
  now: '2026-11-26T11:01:00.000Z',
  maxFutureMs: 300_000,
  maxAgeMs: 3_600_000,
  usedNonces: new Set<string>(),
};

describe('decision statements', () => {
  it('the workflow-safe sha256 agrees with node:crypto, for ASCII, multi-byte text and block boundaries', () => {
    for (const text of ['', 'abc', 'ü€𝄞 release', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'q'.repeat(1000)])
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('renders and parses back only the canonical text', () => {
    const text = renderStatement(statement);
    expect(parseStatement(text)).toEqual(statement);
    expect(parseStatement(text.replace('person: alice', 'person:  alice'))).toMatch(/login name/);
    expect(parseStatement(text.trimEnd())).toMatch(/canonical/);
    expect(parseStatement(text.replace('gate: promotion', 'gate: anything'))).toMatch(/gate "anything"/);
    expect(parseStatement(`${text}extra: 1\n`)).toMatch(/canonical/);
    expect(() => renderStatement({ ...statement, person: 'alice\nperson: bob' })).toThrow(/person/);
  });

  it('fits its own release, run, gate, digest set (any order) and decision, and nothing else', () => {
    expect(statementMismatch(statement, expected)).toBeUndefined();
    expect(statementMismatch(statement, { ...expected, release: 'release:acme/other:1.4.0' })).toMatch(
      /is for release:acme\/gateway/,
    );
    expect(statementMismatch(statement, { ...expected, run: 'run-2' })).toMatch(/run run-1, not the current run run-2/);
    expect(statementMismatch(statement, { ...expected, gate: 'sync' })).toMatch(/gate "promotion"/);
    expect(statementMismatch(statement, { ...expected, digests: [digests[0] ?? ''] })).toMatch(/different digest set/);
    expect(statementMismatch(statement, { ...expected, decision: 'reject' })).toMatch(/says "approve"/);
    expect(statementMismatch(statement, { ...expected, now: '2026-11-26T13:00:00.000Z' })).toMatch(/too old/);
    expect(statementMismatch(statement, { ...expected, now: '2026-11-26T10:00:00.000Z' })).toMatch(/future/);
    expect(statementMismatch(statement, { ...expected, usedNonces: new Set([statement.nonce]) })).toMatch(
      /already used/,
    );
  });
});
