import { describe, expect, it } from 'vitest';
import { deriveSpec } from '../../src/config/derive.ts';
import { durationCaps } from '../../src/config/durations.ts';
import { parsePlan } from '../../src/config/load.ts';
import { isoAfter } from '../../src/workflows/workflow-time.ts';
import { minimalPlan } from '../support/minimal-plan.ts';
import { issuesOf } from '../support/plan-issues.ts';

// Issue 16, findings 2 and 6: plan values that passed the check and then broke a release (a deadline past Date's
// range) or reached a URL or a command line as something else (`..`, `--help`).

const withHost = (host: string) =>
  minimalPlan().replace('host: 127.0.0.1:5000, plainHttp: true', `host: ${JSON.stringify(host)}, plainHttp: true`);
const withForge = (project: string) =>
  minimalPlan() +
  `forge: { kind: github, baseUrl: https://api.github.com, project: ${JSON.stringify(project)}, tokenEnv: GH_TOKEN }\n`;
const withFiles = (files: string[], project = 'security/app') =>
  minimalPlan() +
  `packages:
  - { name: cli, kind: gitlab-generic, files: ${JSON.stringify(files)}, sourceProject: ${JSON.stringify(project)}, destinationProject: acme/app, gitlabUrl: https://gitlab.example/api/v4, sourceAuth: { tokenEnv: GL_TOKEN }, destinationAuth: { tokenEnv: GL_TOKEN } }
`;

describe('hostile plan values', () => {
  it('refuses a gate deadline past its cap at load, naming the field and the cap (finding 2)', () => {
    const plan = minimalPlan('{ mode: manual, identity: unauthenticated, deadline: 20000000w }');
    expect(issuesOf(plan)).toEqual([`gate.deadline: at most ${durationCaps.gateDeadline.text}; 20000000w is longer`]);
    expect(issuesOf(minimalPlan('{ mode: manual, identity: unauthenticated, remindBefore: 91d }'))).toEqual([
      'gate.remindBefore: at most 90d; 91d is longer',
    ]);
    const smoke = `smoke:\n  commands: [{ name: t, run: ['true'], timeout: 99999999999999999999w }]\n  external: [{ name: e, timeout: 15d }]\n`;
    expect(issuesOf(minimalPlan() + smoke)).toEqual([
      expect.stringMatching(/^smoke\.commands\[0\]\.timeout: at most 6h; /),
      'smoke.external[0].timeout: at most 14d; 15d is longer',
    ]);
    expect(parsePlan(minimalPlan('{ mode: manual, identity: unauthenticated, deadline: 90d }')).gate.deadline).toBe(
      '90d',
    );
  });

  it('bounds durations in the workflow too, for a plan that never went through the check (finding 2)', () => {
    const plan = parsePlan(minimalPlan());
    plan.gate.deadline = '20000000w';
    const spec = deriveSpec({ plan, version: '1.0.0', commitSha: 'a'.repeat(40), startedBy: 'ci' });
    expect(spec.gate.deadlineMs).toBe(durationCaps.gateDeadline.ms);
    expect(() => isoAfter(spec.gate.deadlineMs)).not.toThrow();
    expect(isoAfter(Number.MAX_VALUE)).toBe('never');
  });

  it.each(['--help', '-x', '..', '.', 'registry..example', '-registry.example', 'a/../b', 'https://registry.example'])(
    'refuses registries.source.host %j (finding 6)',
    (host) => {
      expect(issuesOf(withHost(host))).toEqual([expect.stringMatching(/^registries\.source\.host: a registry host/)]);
    },
  );

  it('still accepts hosts with ports, IPs and dashes inside labels', () => {
    for (const host of ['127.0.0.1:5000', 'localhost', 'registry-1.docker.io', 'ghcr.io'])
      expect(parsePlan(withHost(host)).registries.source.host).toBe(host);
  });

  it.each(['../../escape', 'acme/..', './app', 'acme/-app', '-acme/app'])(
    'refuses forge.project %j (finding 3)',
    (project) => {
      expect(issuesOf(withForge(project))).toEqual([expect.stringMatching(/^forge\.project: /)]);
    },
  );

  it.each([['..'], ['.'], ['-rf'], ['ok', '..']])('refuses packages[].files %j (finding 6)', (...files) => {
    expect(issuesOf(withFiles(files))).toEqual([expect.stringMatching(/^packages\[0\]\.files\[\d\]: /)]);
  });

  it.each(['..', 'security/../../admin', '-x'])('refuses a package project %j', (project) => {
    expect(issuesOf(withFiles(['cli'], project))).toEqual([expect.stringMatching(/^packages\[0\]\.sourceProject: /)]);
  });

  it('refuses a project with dot segments', () => {
    expect(issuesOf(minimalPlan().replace('project: acme/app', 'project: acme/../app'))).toEqual([
      expect.stringMatching(/^project: "acme\/\.\.\/app" has a "\.\." segment/),
    ]);
  });

  it('accepts the usual names, .github included', () => {
    expect(parsePlan(withForge('acme/.github')).forge?.project).toBe('acme/.github');
    expect(parsePlan(withFiles(['gateway-linux-amd64', 'SHA256SUMS.txt'])).packages[0]).toMatchObject({
      files: ['gateway-linux-amd64', 'SHA256SUMS.txt'],
    });
  });
});
