import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, it } from 'vitest';
import { repoRoot } from '../../src/tools/locate.ts';
import { minimalPlan } from '../support/minimal-plan.ts';

// Issue 16, finding 7: docs/cli.md promises that bad input is exit 2 with one `shipgate: <message>` line naming
// the argument or field, and a stack trace only with --debug. None of these needs (or reaches) Temporal: the
// address below answers nothing, so a command that tried to connect would end with exit 3, not 2.

const commit = 'a'.repeat(40);
// The port must be refused first; should it not be, the unknown topology still stops `dev` before it starts a server.
const nothingStarts = ['--topology', 'none'];
const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]']
  .concat(['b', 'c', 'd', 'e', 'f'].map((key, i) => `${key}: &${key} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`))
  .join('\n');

describe('CLI bad input: exit 2, one line, the field or argument named, no stack', () => {
  let dir: string;
  const plan = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipgate-bad-input-'));
  });
  const start = (path: string) => ['start', '--version', '1.0.0', '--commit', commit, '--plan', path];

  const cases: [string, () => string[], RegExp][] = [
    ['a YAML alias bomb', () => start(plan('bomb.yaml', bomb)), /bomb\.yaml .*YAML: Excessive alias count/],
    [
      'an unresolved alias',
      () => start(plan('alias.yaml', 'project: *nope\n')),
      /alias\.yaml .*Unresolved alias.*nope/,
    ],
    ['--plan a directory', () => start(dir), /--plan .* is a directory/],
    [
      'a 3 MiB plan',
      () => start(plan('big.yaml', `${minimalPlan()}# ${'x'.repeat(3 * 1024 * 1024)}\n`)),
      /big\.yaml is 3\.0 MiB \(\d+ bytes\); the limit is 1\.0 MiB/,
    ],
    [
      'a gate deadline past its cap',
      () =>
        start(plan('deadline.yaml', minimalPlan('{ mode: manual, identity: unauthenticated, deadline: 20000000w }'))),
      /gate\.deadline: at most 90d; 20000000w is longer/,
    ],
    [
      'a forge project that leaves its repository',
      () =>
        start(
          plan(
            'escape.yaml',
            `${minimalPlan()}forge: { kind: github, baseUrl: https://api.github.com, project: ../../escape, tokenEnv: GH_TOKEN }\n`,
          ),
        ),
      /forge\.project: .*"\.\." segment/,
    ],
    [
      'dev --port 70000',
      () => ['dev', '--port', '70000', ...nothingStarts],
      /--port takes a port number from 1 to 65535, not "70000"/,
    ],
    ['dev --ui-port 0', () => ['dev', '--ui-port', '0', ...nothingStarts], /--ui-port takes a port number/],
    [
      'a release id with a bad version',
      () => ['status', 'release:acme/app:banana'],
      /version "banana" is not a semantic/,
    ],
    ['a release id without a version', () => ['status', 'release:acme/app'], /"release:acme\/app" is not a release id/],
    ['an extra argument to status', () => ['status', 'acme/app', '1.0.0', 'extra'], /too many arguments: extra/],
    ['an extra argument to approve', () => ['approve', 'acme/app', '1.0.0', 'x', '--yes'], /too many arguments: x/],
    ['an extra argument to list', () => ['list', 'extra'], /too many arguments for 'list'/],
    ['an extra argument to verify', () => ['verify', 'a', 'b', '--key', 'k.pub'], /too many arguments for 'verify'/],
  ];

  // Concurrently: each case is a separate CLI process.
  for (const [label, args, named] of cases)
    it.concurrent(label, async ({ expect }) => {
      const result = await execa(join(repoRoot, 'bin', 'shipgate'), args(), {
        reject: false,
        stdin: 'ignore',
        env: { TEMPORAL_ADDRESS: '127.0.0.1:9', SHIPGATE_USER: 'ci-bot' },
      });
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^shipgate: /);
      expect(lines[0]).toMatch(named);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.exitCode, result.stderr).toBe(2);
    });
});
