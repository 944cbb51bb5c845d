import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/config/load.ts';
import { issuesOf } from '../support/plan-issues.ts';
import { deriveSpec } from '../../src/config/derive.ts';
import { renderJson, renderString, valueAt, type PinFields } from '../../src/config/pin-template.ts';
import { notificationBody, type NotificationContent } from '../../src/activities/notification-body.ts';

const base = `
project: acme/app
registries:
  source: { host: 127.0.0.1:5000, plainHttp: true }
  destination: { host: registry.example }
images:
  - { name: codex, source: staging/codex, destination: acme/codex }
packages:
  - { name: cli, kind: gitlab-generic, files: [a, b], sourceProject: sec/app, destinationProject: acme/app }
policy:
  key: { path: ./cosign.pub }
forge: { kind: gitlab, baseUrl: https://gitlab.example/api/v4, project: acme/app, tokenEnv: GL_TOKEN }
gate: { mode: manual, identity: unauthenticated }
`;

const fields: PinFields = {
  name: 'codex',
  kind: 'image',
  digest: `sha256:${'a'.repeat(64)}`,
  version: '1.2.3',
  tag: 'v1.2.3',
  commit: 'c'.repeat(40),
  notes: 'approved by alice',
  project: 'acme/app',
};

describe('pin templates', () => {
  it("takes seed 003's API as a template and derives it for the workflow without the secret", () => {
    const plan = parsePlan(`${base}
promotion:
  pins:
    - for: [codex]
      request:
        url: https://cp.example/cp/admin/runtime-image/promote
        headers: { authorization: "Bearer \${CP_ADMIN_API_TOKEN}" }
        body: { template_name: "{name}", image_digest: "{digest}", git_sha: "{commit}", notes: "{notes}" }
      readBack:
        url: https://cp.example/cp/admin/runtime-image
        digestPath: "pins[template_name={name}].image_digest"
`);
    const spec = deriveSpec({ plan, version: '1.2.3', commitSha: 'c'.repeat(40), startedBy: 'ci' });
    const pin = spec.promotion.pins[0];
    expect(pin?.request).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer ${CP_ADMIN_API_TOKEN}' } });
    expect(pin?.readBack?.headers).toEqual(pin?.request.headers);
    expect(renderJson(pin?.request.body ?? null, fields)).toEqual({
      template_name: 'codex',
      image_digest: fields.digest,
      git_sha: fields.commit,
      notes: 'approved by alice',
    });
    const listed = {
      pins: [
        { template_name: 'hermes', image_digest: 'x' },
        { template_name: 'codex', image_digest: fields.digest },
      ],
    };
    expect(valueAt(listed, pin?.readBack?.digestPath ?? '', fields)).toBe(fields.digest);
    expect(valueAt(listed, 'pins[template_name=autogen].image_digest', fields)).toBeUndefined();
    expect(valueAt([{ name: 'codex', digest: 'd' }], '[name={name}].digest', fields)).toBe('d');
  });

  it('keeps the short form as the template it stands for', () => {
    const plan = parsePlan(`${base}
promotion:
  pins: [{ url: "https://cp.example/pins/{name}", tokenEnv: PIN_TOKEN }]
`);
    const pin = deriveSpec({ plan, version: '1.2.3', commitSha: 'c'.repeat(40), startedBy: 'ci' }).promotion.pins[0];
    expect(pin?.request.headers).toEqual({ authorization: 'Bearer ${PIN_TOKEN}' });
    expect(pin?.readBack).toMatchObject({ url: 'https://cp.example/pins/{name}', digestPath: 'digest' });
  });

  it('refuses a literal credential, unknown fields, a bad path, and pins of unknown or multi-file artifacts', () => {
    const issues = issuesOf(`${base}
promotion:
  pins:
    - for: [nope, cli]
      request:
        url: https://cp.example/{nmae}
        headers: { Authorization: "Bearer abc123", X-Api-Key: "\${lower}" }
        body: { a: "{digest}" }
      readBack: { url: https://cp.example/x, digestPath: "pins[=x" }
`);
    expect(issues.join('\n')).toContain('unknown field {nmae}');
    expect(issues.join('\n')).toContain('Authorization holds a credential: name the worker variable');
    expect(issues.join('\n')).toContain('${lower} is not a variable name');
    expect(issues.join('\n')).toContain('is not a JSON path');
    expect(issues.join('\n')).toContain('no image, chart or package is named "nope"');
    expect(issues.join('\n')).toContain('package "cli" has 2 files');
  });

  it('percent-encodes values in URLs, so an artifact name cannot add a path or a query', () => {
    expect(renderString('https://cp.example/pins/{name}', { ...fields, name: '../admin?x=1' }, true)).toBe(
      'https://cp.example/pins/..%2Fadmin%3Fx%3D1',
    );
  });
});

describe('release PR rule', () => {
  it('--pr wins over the plan, head takes the version, at most one rule', () => {
    const plan = parsePlan(`${base}
promotion: { mergePullRequest: { head: "release/{version}" } }
`);
    const derive = (pullRequest?: number) =>
      deriveSpec({
        plan,
        version: 'v2.0.0',
        commitSha: 'c'.repeat(40),
        startedBy: 'ci',
        ...(pullRequest ? { pullRequest } : {}),
      }).promotion.pullRequest;
    expect(derive()).toEqual({ head: 'release/2.0.0', autoMerge: false });
    expect(derive(12)).toEqual({ number: 12, autoMerge: false });
    expect(issuesOf(`${base}\npromotion: { mergePullRequest: { number: 3, label: release } }\n`).join()).toContain(
      'give at most one of number, head or label',
    );
  });
});

describe('chat notification bodies', () => {
  const content: NotificationContent = {
    event: 'waiting',
    project: 'acme/app',
    version: '1.2.3',
    phase: 'awaiting-approval',
    message: 'acme/app 1.2.3 waits for approval',
    workflowId: 'release:acme/app:1.2.3',
    actors: ['alice', 'bob'],
    link: 'https://temporal.example/namespaces/default/workflows/release%3Aacme',
  };

  it('Slack: text plus header, section and a button to the UI', () => {
    const body = notificationBody('slack', content) as { text: string; blocks: Record<string, unknown>[] };
    expect(body.text).toContain('waits for a decision');
    expect(body.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'actions']);
    expect(JSON.stringify(body.blocks)).toContain('*Who must act:* alice, bob');
    expect(JSON.stringify(body.blocks)).toContain(content.link);
  });

  it('Teams: an Adaptive Card in a message attachment with an Open URL action', () => {
    const body = notificationBody('teams', content) as { attachments: { content: Record<string, unknown> }[] };
    expect(body.attachments[0]?.content).toMatchObject({
      type: 'AdaptiveCard',
      actions: [{ type: 'Action.OpenUrl', url: content.link }],
    });
  });

  it('Discord: content within 2000 characters, one embed, and no mentions even for a hostile message', () => {
    const hostile = { ...content, event: 'needs-attention' as const, message: `@everyone ${'x'.repeat(5000)}` };
    const body = notificationBody('discord', hostile) as {
      content: string;
      embeds: { description: string; url: string }[];
      allowed_mentions: unknown;
    };
    expect(body.content.length).toBeLessThanOrEqual(2000);
    expect(body.embeds[0]?.description.length).toBeLessThanOrEqual(4096);
    expect(body.embeds[0]?.url).toBe(content.link);
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});
