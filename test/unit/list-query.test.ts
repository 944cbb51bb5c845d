import { describe, expect, it } from 'vitest';
import { listQuery, parseWhen } from '../../src/cli/list-query.ts';
import { listedPhases } from '../../src/workflows/messages.ts';
import { phases, rollbackSearchPhases } from '../../src/workflows/status.ts';

const now = Date.parse('2026-11-26T12:00:00Z');

describe('shipgate list: the visibility query', () => {
  it('lists releases and rollbacks by default; --kind narrows to one workflow type', () => {
    expect(listQuery({}, now)).toBe(`WorkflowType IN ('release', 'rollback')`);
    expect(listQuery({ kind: 'release' }, now)).toBe(`WorkflowType IN ('release')`);
    expect(listQuery({ kind: 'rollback' }, now)).toBe(`WorkflowType IN ('rollback')`);
    expect(() => listQuery({ kind: 'deploy' }, now)).toThrow(
      /--kind "deploy" is not a kind; use one of: release, rollback, all/,
    );
  });

  it('accepts every phase the workflows set, rolling-back included, from the one list in the contract', () => {
    expect(listedPhases).toEqual(expect.arrayContaining([...phases, ...rollbackSearchPhases]));
    expect(listQuery({ phase: 'rolling-back' }, now)).toContain(`ShipgatePhase = 'rolling-back'`);
    expect(listQuery({ awaiting: true }, now)).toContain(`ShipgatePhase = 'awaiting-approval'`);
    expect(() => listQuery({ phase: 'waiting' }, now)).toThrow(
      /--phase "waiting" is not a phase; use one of: .*rolling-back/,
    );
  });

  it('filters by version (normalized), starter and start time', () => {
    const query = listQuery(
      { project: 'acme/gateway', version: 'v1.2.3', startedBy: 'ci-bot', since: '7d', until: '2026-11-26T11:00:00Z' },
      now,
    );
    expect(query).toBe(
      [
        `WorkflowType IN ('release', 'rollback')`,
        `ShipgateProject = 'acme/gateway'`,
        `ShipgateVersion = '1.2.3'`,
        `ShipgateStartedBy = 'ci-bot'`,
        `StartTime >= '2026-11-19T12:00:00.000Z'`,
        `StartTime <= '2026-11-26T11:00:00.000Z'`,
      ].join(' AND '),
    );
    expect(() => listQuery({ version: 'latest' }, now)).toThrow(/version "latest" is not a semantic version/);
  });

  it('refuses values that would end the quoted string and widen the query', () => {
    expect(() => listQuery({ startedBy: `x' OR ShipgatePhase != '` }, now)).toThrow(
      /--started-by may not contain quotes/,
    );
    expect(() => listQuery({ project: `a\\' OR 1=1` }, now)).toThrow(/--project may not contain quotes/);
    expect(() => listQuery({ since: `2026-01-01' OR 'a'='a` }, now)).toThrow(/--since .* is neither a date/);
  });

  it('reads --since/--until as dates, times or ages, and refuses an empty window', () => {
    expect(parseWhen('--since', '36h', now).toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(parseWhen('--since', '90m', now).toISOString()).toBe('2026-11-26T10:30:00.000Z');
    expect(parseWhen('--since', '2026-11-01', now).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(() => parseWhen('--until', 'yesterday', now)).toThrow(/--until "yesterday" is neither a date/);
    expect(() => parseWhen('--until', '2026-13-45', now)).toThrow(/--until "2026-13-45"/);
    expect(() => listQuery({ since: '1d', until: '2d' }, now)).toThrow(
      /--since .* is after --until .*: nothing can match/,
    );
  });
});
