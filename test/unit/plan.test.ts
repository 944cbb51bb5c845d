import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/config/load.ts';
import { deriveSpec } from '../../src/config/derive.ts';
import { issuesOf } from '../support/plan-issues.ts';
import { parseDuration } from '../../src/config/durations.ts';
import { minimalPlan } from '../support/minimal-plan.ts';

const minimal = minimalPlan('{ mode: manual, identity: { mode: signed, sshAllowedSigners: ./allowed_signers } }');

describe('release plan', () => {
  it('parses the documented example', () => {
    const plan = parsePlan(readFileSync(new URL('../../examples/shipgate.yaml', import.meta.url), 'utf8'));
    expect(plan.packages[0]).toMatchObject({
      kind: 'gitlab-generic',
      files: ['gateway-linux-amd64', 'gateway-linux-arm64'],
    });
    expect(plan.policy.keyless?.identityRegexp).toContain('publish.yml@refs/tags/v');
    expect(plan.evidence?.key.pathEnv).toBe('SHIPGATE_PROMOTION_KEY');
    expect(plan.freeze.map((w) => w.reason)).toEqual(['no promotions over the weekend', 'year-end freeze']);
  });

  it('fills defaults for a minimal plan and derives the release spec', () => {
    const plan = parsePlan(minimal);
    expect(plan.gate).toEqual({
      mode: 'manual',
      approvers: [],
      allowSelfApproval: false,
      deadline: '14d',
      identity: { mode: 'signed', sshAllowedSigners: './allowed_signers' },
      required: 1,
      groups: {},
    });
    const spec = deriveSpec({ plan, version: 'v1.2.3', commitSha: 'a'.repeat(40), startedBy: 'ci' });
    expect(spec.version).toBe('1.2.3');
    expect(spec.oci[0]).toMatchObject({ kind: 'image', tag: 'v1.2.3', destination: { repository: 'acme/app' } });
    expect(spec.gate.deadlineMs).toBe(14 * 86_400_000);
    expect(spec.gate.identity).toEqual({ mode: 'signed', sshAllowedSigners: { path: './allowed_signers' } });
    expect(spec.promotion.floatingTags).toEqual(['latest', 'minor', 'major']);
  });

  it('timing.stallTimeout reaches the copy activities as milliseconds; no value keeps the spec without it', () => {
    const base = { version: 'v1.2.3', commitSha: 'a'.repeat(40), startedBy: 'ci' };
    expect(deriveSpec({ plan: parsePlan(minimal), ...base }).timing).toBeUndefined();
    const plan = parsePlan(`${minimal}\ntiming: { stallTimeout: 90s }\n`);
    expect(deriveSpec({ plan, ...base }).timing).toEqual({ stallTimeoutMs: 90_000 });
    expect(issuesOf(`${minimal}\ntiming: { stallTimeout: forever }\n`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^timing\.stallTimeout: a duration such as 90s/)]),
    );
    expect(issuesOf(`${minimal}\ntiming: { stallTimeout: 2h }\n`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^timing\.stallTimeout: at most 30m/)]),
    );
    expect(issuesOf(`${minimal}\ntiming: { stallTimeout: 0s }\n`)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^timing\.stallTimeout: at least 1s/)]),
    );
  });

  it('names the field and the fix for every problem at once', () => {
    const issues = issuesOf(`
project: acme/app
registries:
  source: { host: "https://bad" }
  destination: { host: registry.example, usernameEnv: lower_case }
images:
  - { name: app, source: Staging/App, destination: acme/app, tga: v1 }
policy: {}
gate: { deadline: soon }
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^registries\.source\.host: a registry host\[:port\] without scheme/),
        expect.stringMatching(/^registries\.destination\.usernameEnv: an environment variable name in capitals/),
        expect.stringMatching(/^images\[0\]\.source: a repository path in lower case/),
        expect.stringMatching(/^images\[0\]: unknown key "tga"/),
        expect.stringMatching(/^policy: give exactly one of policy\.key or policy\.keyless/),
        expect.stringMatching(/^gate\.deadline: a duration such as 90s/),
      ]),
    );
  });

  it('refuses secrets written into the plan', () => {
    expect(
      issuesOf(
        minimal + 'forge: { kind: github, baseUrl: https://api.github.com, project: acme/app, token: ghp_abc }\n',
      ),
    ).toEqual([expect.stringMatching(/^forge\.token: secrets never go in the plan/)]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(issuesOf('project: [unclosed\n')[0]).toMatch(/line \d+, column \d+: YAML syntax/);
  });

  it('requires an artifact and unique names', () => {
    expect(issuesOf(minimal.replace(/images:[\s\S]*?policy:/, 'policy:'))).toEqual([
      expect.stringMatching(/^images: declare at least one image/),
    ]);
    expect(issuesOf(minimal + 'charts:\n  - { name: app, source: staging/c, destination: acme/c }\n')).toEqual([
      expect.stringMatching(/^charts\[0\]\.name: "app" is used twice/),
    ]);
  });

  it('refuses plans whose parts cannot work together, naming the field and the fix', () => {
    const withoutGate = minimal.replace(/gate: .*\n/, 'gate: { identity: unauthenticated }\n');
    expect(issuesOf(withoutGate)).toEqual([
      expect.stringMatching(/^gate\.mode: auto-when-public needs a forge to ask whether the commit is public/),
    ]);
    expect(
      issuesOf(
        withoutGate +
          'forge: { kind: github, baseUrl: https://api.github.com, project: acme/app, tokenEnv: GH_TOKEN }\ncanonical: { check: false }\n',
      ),
    ).toEqual([expect.stringMatching(/^gate\.mode: auto-when-public needs the canonical check/)]);
    expect(
      issuesOf(
        minimal.replace('destination: { host: registry.example }', 'destination: { host: r.example, usernameEnv: U }'),
      ),
    ).toEqual([expect.stringMatching(/^registries\.destination: give both usernameEnv and passwordEnv/)]);
    expect(
      issuesOf(minimal.replace('destination: acme/app }', 'destination: acme/app, tag: "{version}-alpine" }')),
    ).toEqual([expect.stringMatching(/^images\[0\]\.tag: the version tag template is "v\{version\}"/)]);
    expect(
      issuesOf(minimal + 'notifications:\n  webhooks:\n    - { url: https://hooks.example/x, urlEnv: HOOK_URL }\n'),
    ).toEqual([expect.stringMatching(/^notifications\.webhooks\[0\]: give exactly one of url or urlEnv/)]);
    expect(
      issuesOf(minimal + 'smoke:\n  commands: [{ name: e2e, run: ["true"] }]\n  external: [{ name: e2e }]\n'),
    ).toEqual([expect.stringMatching(/^smoke\.external\[0\]\.name: "e2e" is used twice/)]);
    expect(
      parsePlan(minimal.replace('destination: acme/app }', 'destination: acme/app, tag: "{version}" }')).images[0]?.tag,
    ).toBe('{version}');
  });

  it('signs approvals unless the plan writes out otherwise, and checks quorum and identity settings', () => {
    const noIdentity = minimal.replace(/gate: .*\n/, 'gate: { mode: manual }\n');
    expect(issuesOf(noIdentity)).toEqual([
      expect.stringMatching(
        /^gate\.identity\.sshAllowedSigners: signed approvals need gate\.identity\.sshAllowedSigners/,
      ),
    ]);
    expect(issuesOf(noIdentity.replace('{ mode: manual }', '{ mode: manual, identity: oidc }'))).toEqual([
      expect.stringMatching(/^gate\.identity\.oidc: oidc approvals need gate\.identity\.oidc/),
    ]);
    expect(
      issuesOf(
        noIdentity.replace(
          '{ mode: manual }',
          '{ mode: manual, identity: unauthenticated, approvers: [a], required: 2 }',
        ),
      ),
    ).toEqual([expect.stringMatching(/^gate\.required: 2 approvals are required but the plan names only 1 approvers/)]);
    const inline = parsePlan(
      noIdentity.replace(
        '{ mode: manual }',
        '{ mode: manual, identity: { mode: signed, sshAllowedSigners: "alice ssh-ed25519 AAAAC3" }, groups: { security: { members: [carol] } } }',
      ),
    );
    const spec = deriveSpec({ plan: inline, version: '1.0.0', commitSha: 'a'.repeat(40), startedBy: 'ci' });
    expect(spec.gate.identity.sshAllowedSigners).toEqual({ inline: 'alice ssh-ed25519 AAAAC3' });
    expect(spec.gate.groups).toEqual([{ name: 'security', members: ['carol'], required: 1 }]);
  });

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('36h')).toBe(36 * 3_600_000);
    expect(() => parseDuration('1 week')).toThrow(/e\.g\. 90s/);
  });
});
