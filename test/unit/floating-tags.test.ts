import { describe, expect, it } from 'vitest';
import { decideFloatingTags } from '../../src/artifacts/floating-tags.ts';
import { compareSemver, parseSemver } from '../../src/artifacts/semver.ts';

const all = ['latest', 'minor', 'major'] as const;

function moved(version: string, tags: Record<string, string>, options = {}) {
  return decideFloatingTags(version, [...all], new Map(Object.entries(tags)), options)
    .filter((d) => d.move)
    .map((d) => d.tag);
}

describe('semver', () => {
  it('orders by semver.org precedence', () => {
    const sorted = [
      '1.0.0',
      '1.0.0-rc.1',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '0.9.9',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      'v1.10.0',
      '1.2.0',
    ]
      .map((v) => ({ v, s: parseSemver(v)! }))
      .sort((a, b) => compareSemver(a.s, b.s))
      .map((x) => x.v);
    expect(sorted).toEqual([
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.2.0',
      'v1.10.0',
    ]);
  });

  it('rejects what is not a version', () => {
    expect(parseSemver('1.2')).toBeUndefined();
    expect(parseSemver('latest')).toBeUndefined();
    expect(parseSemver('01.2.3')).toBeUndefined();
  });
});

describe('floating tag decisions', () => {
  it('moves every tag for a first release', () => {
    expect(moved('v1.2.3', { 'v1.2.3': 'd123' })).toEqual(['latest', '1.2', '1']);
  });

  it('moves all tags forward for a newer release', () => {
    const tags = { 'v1.2.3': 'd123', latest: 'd123', '1.2': 'd123', '1': 'd123', 'v1.3.0': 'd130' };
    expect(moved('v1.3.0', tags)).toEqual(['latest', '1.3', '1']);
  });

  it('a backport moves only its own minor tag, never latest', () => {
    const tags = {
      'v1.2.4': 'd124',
      'v1.3.0': 'd130',
      latest: 'd130',
      '1.3': 'd130',
      '1.2': 'd124',
      '1': 'd130',
      'v1.2.5': 'd125',
    };
    expect(moved('v1.2.5', tags)).toEqual(['1.2']);
  });

  it('a prerelease moves nothing', () => {
    expect(moved('v2.0.0-rc.1', { latest: 'd1', 'v1.0.0': 'd1', 'v2.0.0-rc.1': 'd2' })).toEqual([]);
  });

  it('is idempotent: promoting the same version again moves nothing', () => {
    const tags = { 'v1.2.3': 'd', latest: 'd', '1.2': 'd', '1': 'd' };
    expect(moved('v1.2.3', tags)).toEqual([]);
  });

  it('a published but never promoted higher version does not block', () => {
    const tags = { 'v1.2.0': 'a', latest: 'a', '1.2': 'a', '1': 'a', 'v1.4.0': 'c', 'v1.3.0': 'b' };
    expect(moved('v1.3.0', tags)).toEqual(['latest', '1.3', '1']);
  });

  it('rollback may move backwards only when asked', () => {
    const tags = { 'v1.2.0': 'a', 'v1.3.0': 'b', latest: 'b', '1': 'b' };
    expect(moved('v1.2.0', tags)).toEqual(['1.2']);
    // A rollback moves existing tags back only: it creates no tag (1.2 does not exist here).
    expect(moved('v1.2.0', tags, { allowBackwards: true })).toEqual(['latest', '1']);
  });

  it('a rollback never moves a tag forward: that would be a promotion without its gate', () => {
    const tags = { 'v1.2.0': 'a', 'v1.3.0': 'b', latest: 'a', '1': 'a', '1.3': 'b' };
    expect(moved('v1.3.0', tags, { allowBackwards: true })).toEqual([]);
    const reasons = decideFloatingTags('v1.3.0', ['latest'], new Map(Object.entries(tags)), { allowBackwards: true });
    expect(reasons[0]?.reason).toMatch(/a rollback never moves a tag forward/);
  });
});
