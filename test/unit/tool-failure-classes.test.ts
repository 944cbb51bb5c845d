import { describe, expect, it } from 'vitest';
import { isRegistryTrouble } from '../../src/activities/cosign-checks.ts';
import { rootCause } from '../../src/errors.ts';
import { classifyToolFailure } from '../../src/tools/run.ts';
import type { ToolStderrSample } from '../support/collect-tool-stderr.ts';
import samples from './tool-stderr.samples.json' with { type: 'json' };

// What regctl, cosign and helm really printed for each kind of trouble, provoked against loopback registries through
// the fault proxy (test/support/collect-tool-stderr.ts writes the samples). Every sample must land in its class:
// transient ones are retried, permanent ones stop for a person, a corrupt blob is DigestMismatch (not "EOF": issue
// 16 #5), and cosign's verdicts stay verdicts while registry trouble behind cosign is thrown, not read as a verdict.
const table = samples as ToolStderrSample[];

describe('tool failure classes over real stderr', () => {
  it('covers every class for every tool', () => {
    const classes = (tool: string) => new Set(table.filter((s) => s.tool === tool).map((s) => s.expected));
    for (const tool of ['regctl', 'cosign', 'helm'])
      for (const type of ['RegistryUnauthorized', 'RegistryForbidden', 'SourceArtifactMissing', 'Transient'])
        expect(classes(tool)).toContain(type);
    expect(classes('regctl')).toContain('DigestMismatch');
    expect(classes('helm')).toContain('DigestMismatch');
    expect(classes('cosign')).toContain('verdict');
  });

  it.each(table.filter((s) => s.expected !== 'verdict').map((s) => [`${s.tool}: ${s.case}`, s] as const))(
    '%s',
    (_, sample) => {
      const failure = rootCause(classifyToolFailure(sample.tool, 'copy of app', sample.stderr));
      expect(failure.type).toBe(sample.expected);
      expect(failure.nonRetryable).toBe(sample.expected !== 'Transient');
      if (
        sample.tool === 'cosign' &&
        ['RegistryUnauthorized', 'RegistryForbidden', 'Transient'].includes(sample.expected)
      )
        expect(isRegistryTrouble(sample.stderr)).toBe(true);
    },
  );

  it.each(table.filter((s) => s.expected === 'verdict').map((s) => [`${s.tool}: ${s.case}`, s] as const))(
    '%s is a verdict, not registry trouble',
    (_, sample) => {
      expect(isRegistryTrouble(sample.stderr)).toBe(false);
      expect(rootCause(classifyToolFailure(sample.tool, 'x', sample.stderr)).nonRetryable).toBe(true);
    },
  );

  it('a digest mismatch names both digests', () => {
    const sample = table.find((s) => s.tool === 'regctl' && s.case.startsWith('corrupt blob'));
    const expected = /expected (sha256:[0-9a-f]{64})/.exec(sample?.stderr ?? '')?.[1];
    const got = /calculated (sha256:[0-9a-f]{64})/.exec(sample?.stderr ?? '')?.[1];
    expect(expected && got).toBeTruthy();
    const failure = rootCause(classifyToolFailure('regctl', 'copy of app', sample?.stderr ?? ''));
    expect(failure.message).toContain(`expected ${expected}, got ${got}`);
    expect(failure.details).toEqual([{ expected, got }]);
    const manifest = table.find((s) => s.case === 'corrupt manifest');
    expect(rootCause(classifyToolFailure('regctl', 'copy', manifest?.stderr ?? '')).message).toMatch(
      /expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}/,
    );
  });
});
