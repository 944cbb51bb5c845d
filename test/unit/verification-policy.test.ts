import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  checkPlacement,
  missingPlatforms,
  type CheckResult,
  type Target,
} from '../../src/activities/attestation-placement.ts';
import { contentPolicyErrors } from '../../src/activities/cosign-checks.ts';
import { cachedChecks } from '../../src/activities/verification-cache.ts';
import {
  printedFiles,
  shellLine,
  verifyAttestationArgs,
  verifySignatureArgs,
} from '../../src/activities/cosign-command.ts';
import { deriveSpec } from '../../src/config/derive.ts';
import { issuesOf } from '../support/plan-issues.ts';
import { branchIdentitiesAccepted } from '../../src/config/identity-regexp.ts';
import { parsePlan, planWarnings } from '../../src/config/load.ts';

const seeds = ['seed-000', 'seed-001', 'seed-002', 'seed-003', 'seed-004'] as const;
const example = (name: string) => readFileSync(new URL(`../../examples/${name}.yaml`, import.meta.url), 'utf8');
const sha = '0123456789abcdef0123456789abcdef01234567';

const withPolicy = (policy: string, extra = '') => `
project: acme/app
registries:
  source: { host: 127.0.0.1:5000, plainHttp: true }
  destination: { host: registry.example }
images:
  - { name: app, source: staging/app, destination: acme/app${extra} }
policy:
${policy}
gate: { mode: manual, identity: unauthenticated }
`;

describe('the seed plans (examples/seed-000.yaml ... seed-004.yaml) load through the real loader', () => {
  it.each(seeds)('%s parses and derives a release spec', (seed) => {
    const plan = parsePlan(example(seed), `${seed}.yaml`);
    const spec = deriveSpec({ plan, version: 'v1.2.3', commitSha: sha, startedBy: 'ci' });
    expect(spec.oci.length).toBeGreaterThan(0);
    for (const artifact of spec.oci) expect(spec.policies[artifact.name]).toBeDefined();
  });

  it.each(seeds)('docs/configuration.md shows %s as it is', (seed) => {
    const docs = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(docs).toContain(`### \`examples/${seed}.yaml\`\n`);
    expect(docs).toContain(example(seed));
  });

  it('seed 000 verifies nothing (nobody signs), seed 001 places SBOMs on platforms and requires both arches', () => {
    const s0 = deriveSpec({ plan: parsePlan(example('seed-000')), version: '1.5.3', commitSha: sha, startedBy: 'ci' });
    expect(Object.values(s0.policies).map((p) => p.mode)).toEqual(['off', 'off']);
    const s1 = deriveSpec({ plan: parsePlan(example('seed-001')), version: '1.0.0', commitSha: sha, startedBy: 'ci' });
    expect(s1.policies.gmc).toMatchObject({
      kind: 'keyless',
      mode: 'require',
      tlog: 'require',
      sct: 'require',
      platforms: ['linux/amd64', 'linux/arm64'],
      attestations: [{ type: 'spdxjson', on: 'platforms', policies: [] }],
    });
    // Plan-level attestations are image requirements: the chart needs its signature only.
    expect(s1.policies['actions-gateway']).toMatchObject({ attestations: [], platforms: [] });
    expect(planWarnings(parsePlan(example('seed-001')))).toEqual([]);
  });

  it('seed 004 resolves the sha-<commit> staging tag and writes v1.2.3 only at the destination, with content policies', () => {
    const plan = parsePlan(example('seed-004'));
    const spec = deriveSpec({ plan, version: 'v1.2.3', commitSha: sha, startedBy: 'ci' });
    expect(spec.oci[0]).toMatchObject({ sourceTag: 'sha-0123456', tag: 'v1.2.3' });
    expect(spec.policies.compass?.attestations).toEqual([
      { type: 'slsaprovenance', on: 'index', policies: ['policies/builder-is-release-workflow.cue'] },
      { type: 'spdxjson', on: 'index', policies: [] },
      { type: 'vuln', on: 'index', policies: ['policies/no-critical.rego'] },
    ]);
    // Its staging identity is the main branch on purpose, and the loader says so.
    expect(planWarnings(plan).join('\n')).toMatch(/accepts signatures made from a branch/);
  });
});

describe('policy rules of the plan', () => {
  const keyless = (regexp: string) =>
    `  keyless: { identityRegexp: '${regexp}', issuer: https://token.actions.githubusercontent.com }`;

  it('refuses an identity regexp that is not anchored at both ends', () => {
    for (const pattern of [
      'https://github.com/acme/app/.github/workflows/publish.yml@refs/tags/v.*',
      '^https://github.com/acme/app/.github/workflows/publish.yml@refs/tags/v.*',
      'https://github.com/acme/app/.github/workflows/publish.yml@refs/tags/v.*$',
      '^https://github.com/acme/app@refs/tags/v1\\$',
    ]) {
      expect(issuesOf(withPolicy(keyless(pattern))), pattern).toEqual([
        expect.stringMatching(/^policy\.keyless\.identityRegexp: the identity regexp must be anchored at both ends/),
      ]);
    }
  });

  it('warns when an identity regexp would accept a branch ref, and not when it is anchored to tags', () => {
    const tagOnly = '^https://github.com/acme/app/\\.github/workflows/publish\\.yml@refs/tags/v.*$';
    expect(branchIdentitiesAccepted(tagOnly)).toEqual([]);
    expect(planWarnings(parsePlan(withPolicy(keyless(tagOnly))))).toEqual([]);
    for (const loose of [
      '^https://github.com/complytime/.*$',
      '^https://github.com/acme/app/\\.github/workflows/publish\\.yml@.*$',
      '^https://github.com/acme/app/\\.github/workflows/publish\\.yml@refs/(tags|heads)/.*$',
      '^https://github.com/acme/app/\\.github/workflows/publish\\.yml@refs/.+$',
    ]) {
      expect(branchIdentitiesAccepted(loose), loose).not.toEqual([]);
      expect(planWarnings(parsePlan(withPolicy(keyless(loose))))[0], loose).toMatch(/@refs\/heads\//);
    }
  });

  it('needs a signer unless every artifact is off; content policies must be .cue or .rego', () => {
    expect(issuesOf(withPolicy('  mode: require'))).toEqual([expect.stringMatching(/^policy: give exactly one of/)]);
    expect(issuesOf(withPolicy('  mode: off', ', verify: { mode: warn }'))).toEqual([
      expect.stringMatching(/^policy: give exactly one of/),
    ]);
    expect(parsePlan(withPolicy('  mode: off')).policy.mode).toBe('off');
    expect(issuesOf(withPolicy('  key: { path: k.pub }\n  attestations: [{ type: vuln, policy: p.json }]'))).toEqual([
      expect.stringMatching(/^policy\.attestations\[0\]/),
    ]);
    expect(issuesOf(withPolicy('  key: { path: k.pub }\n  attestations: [{ type: vuln, on: manifest }]'))).toEqual([
      expect.stringMatching(/^policy\.attestations\[0\]/),
    ]);
  });

  it('source tag templates: known placeholders only, {build} needs a build number', () => {
    expect(issuesOf(withPolicy('  key: { path: k.pub }', ", sourceTag: 'sha-{sha}'"))).toEqual([
      expect.stringMatching(/^images\[0\]\.sourceTag: unknown placeholder \{sha\}/),
    ]);
    const plan = parsePlan(withPolicy('  key: { path: k.pub }', ", sourceTag: '{version}-b{build}'"));
    expect(() => deriveSpec({ plan, version: '1.0.0', commitSha: sha, startedBy: 'ci' })).toThrow(/--build/);
    // Rollback works at the destination only: no source tags, so no build number needed.
    expect(
      deriveSpec({ plan, version: '1.0.0', commitSha: sha, startedBy: 'ci' }, { sourceTags: false }).oci[0]?.sourceTag,
    ).toBeUndefined();
    expect(deriveSpec({ plan, version: '1.0.0', commitSha: sha, startedBy: 'ci', build: '77' }).oci[0]).toMatchObject({
      sourceTag: '1.0.0-b77',
      tag: 'v1.0.0',
    });
  });

  it('per-artifact overrides: mode, attestations and platforms', () => {
    const plan = parsePlan(`
project: acme/app
registries:
  source: { host: 127.0.0.1:5000, plainHttp: true }
  destination: { host: registry.example }
images:
  - { name: app, source: staging/app, destination: acme/app, verify: { mode: warn, platforms: [linux/amd64] } }
charts:
  - { name: chart, source: staging/chart, destination: acme/chart, verify: { mode: off } }
policy:
  key: { path: keys/cosign.pub }
  attestationsPerPlatform: true
  attestations: [spdxjson, { type: vuln, on: either }]
gate: { mode: manual, identity: unauthenticated }
`);
    const spec = deriveSpec({ plan, version: '1.0.0', commitSha: sha, startedBy: 'ci' });
    expect(spec.policies.app).toMatchObject({
      mode: 'warn',
      platforms: ['linux/amd64'],
      attestations: [
        { type: 'spdxjson', on: 'both' },
        { type: 'vuln', on: 'either' },
      ],
    });
    expect(spec.policies.chart).toMatchObject({ mode: 'off', attestations: [] });
  });
});

describe('verification building blocks', () => {
  const keyPolicy = {
    kind: 'key' as const,
    publicKeyPath: '/etc/shipgate/release.pub',
    publicKeyName: 'release.pub',
    mode: 'require' as const,
    tlog: 'ignore' as const,
    attestations: [],
    platforms: [],
  };

  it('the printed command is the argument list that ran, with files by name', () => {
    const ref = 'registry.example/acme/app@sha256:abc';
    expect(verifySignatureArgs(keyPolicy, { key: '/tmp/x/cosign.pub' }, ref)).toEqual([
      'verify',
      '--key',
      '/tmp/x/cosign.pub',
      '--insecure-ignore-tlog=true',
      ref,
    ]);
    expect(shellLine('cosign', verifySignatureArgs(keyPolicy, printedFiles(keyPolicy), ref))).toBe(
      `cosign verify --key release.pub --insecure-ignore-tlog=true ${ref}`,
    );
    const keyless = {
      kind: 'keyless' as const,
      identityRegexp: '^https://github.com/acme/app/x@refs/tags/v.*$',
      issuer: 'https://token.actions.githubusercontent.com',
      certificateChain: '/etc/shipgate/fulcio-chain.pem',
      sct: 'ignore' as const,
      mode: 'require' as const,
      tlog: 'require' as const,
      attestations: [],
      platforms: [],
    };
    const requirement = { type: 'vuln', on: 'index' as const, policies: ['policies/no-critical.rego'] };
    expect(
      shellLine('cosign', verifyAttestationArgs(keyless, printedFiles(keyless, requirement), requirement, ref)),
    ).toBe(
      `cosign verify-attestation --certificate-identity-regexp '^https://github.com/acme/app/x@refs/tags/v.*$' --certificate-oidc-issuer https://token.actions.githubusercontent.com --certificate-chain fulcio-chain.pem --insecure-ignore-sct=true --type vuln --policy no-critical.rego ${ref}`,
    );
  });

  it('placement: index, platforms, either and both', async () => {
    const index: Target = { digest: 'sha256:i', role: 'index' };
    const platforms: Target[] = [
      { digest: 'sha256:a', role: 'linux/amd64' },
      { digest: 'sha256:b', role: 'linux/arm64' },
    ];
    // The placement asks for a set of digests at once (one cosign call) and reads each digest's answer.
    const each =
      (answer: (t: Target) => CheckResult) =>
      (targets: Target[]): Promise<Map<string, CheckResult>> =>
        Promise.resolve(new Map(targets.map((t) => [t.digest, answer(t)])));
    const onPlatformsOnly = each((t) => (t.role === 'index' ? { passed: false, reason: 'none' } : { passed: true }));
    expect((await checkPlacement('platforms', index, platforms, onPlatformsOnly)).problems).toEqual([]);
    expect((await checkPlacement('either', index, platforms, onPlatformsOnly)).problems).toEqual([]);
    expect((await checkPlacement('index', index, platforms, onPlatformsOnly)).problems).toEqual([
      { target: index, reason: 'none' },
    ]);
    expect((await checkPlacement('both', index, platforms, onPlatformsOnly)).problems).toHaveLength(1);
    const onIndexOnly = each((t) => (t.role === 'index' ? { passed: true } : { passed: false, reason: 'none' }));
    expect((await checkPlacement('platforms', index, platforms, onIndexOnly)).problems).toHaveLength(2);
    expect((await checkPlacement('either', index, platforms, onIndexOnly)).passedOn).toEqual([index]);
    // A single manifest has no platforms: every placement means the manifest itself.
    expect((await checkPlacement('platforms', index, [], onIndexOnly)).problems).toEqual([]);
    expect(missingPlatforms(['linux/amd64', 'linux/s390x'], [{ platform: 'linux/amd64' }])).toEqual(['linux/s390x']);
  });

  it('reads the content policy errors cosign lists', () => {
    const stderr = [
      'will be validating against Rego policies: [p.rego]',
      'There are 1 number of errors occurred during the validation:',
      '',
      '- expression value, false, is not true',
      'Error: 1 validation errors occurred',
    ].join('\n');
    expect(contentPolicyErrors(stderr)).toEqual(['expression value, false, is not true']);
  });
});

describe('the verification cache of a pass', () => {
  const a: Target = { digest: 'sha256:a', role: 'linux/amd64' };
  const b: Target = { digest: 'sha256:b', role: 'linux/arm64' };
  const counting = (answer: (t: Target) => CheckResult) => {
    const asked: string[][] = [];
    const check = (targets: Target[]) => {
      asked.push(targets.map((t) => t.digest));
      return Promise.resolve(new Map(targets.map((t) => [t.digest, answer(t)])));
    };
    return { asked, check };
  };

  it('answers a digest reached twice in one pass once, even when asked concurrently; another pass asks again', async () => {
    const { asked, check } = counting(() => ({ passed: true }));
    const scope = `wf/run-${Math.random()}/source/verify\nreg/app\nfp`;
    const [first, second] = await Promise.all([cachedChecks(scope, [a, b], check), cachedChecks(scope, [b], check)]);
    expect(first.results.get('sha256:b')).toEqual({ passed: true });
    expect(second).toMatchObject({ cached: 1 });
    expect(asked).toEqual([['sha256:a', 'sha256:b']]);
    // The destination pass, the re-verify and a check outside an activity (no scope) are never answered from it.
    await cachedChecks(scope.replace('/source/verify', '/destination/reverify'), [a], check);
    await cachedChecks(undefined, [a], check);
    expect(asked).toHaveLength(3);
  });

  it('keeps no refusal: a digest refused once is asked again (a retry must see the fix)', async () => {
    let signed = false;
    const { asked, check } = counting(() => (signed ? { passed: true } : { passed: false, reason: 'no signatures' }));
    const scope = `wf/run-${Math.random()}/destination/verify\nreg/app\nfp`;
    expect((await cachedChecks(scope, [a], check)).results.get('sha256:a')).toMatchObject({ passed: false });
    signed = true;
    expect((await cachedChecks(scope, [a], check)).results.get('sha256:a')).toEqual({ passed: true });
    expect(asked).toHaveLength(2);
  });
});
