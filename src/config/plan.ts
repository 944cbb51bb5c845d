import { z } from 'zod';
import { groupsSchema, identityProblems, identitySchema } from './identity-schema.ts';
import { durationPattern, parseDuration } from './durations.ts';
import { durationUpTo, envName, httpUrl, name, registryHost, safeSegments } from './fields.ts';
import { genericPackageIssues, genericPackagePlan } from './package-plan.ts';
import { pinPlan } from './pin-plan.ts';
import { evidenceSchema, freezeSchema } from './promotion-evidence-plan.ts';
import { artifactVerifySchema, policySchema } from './policy-schema.ts';
import { canonicalSchema } from './canonical-plan.ts';
import { pullRequestPlan } from './pull-request-plan.ts';
import { sourceTagSchema } from './source-tag.ts';

// The release plan (shipgate.yaml). Strict objects everywhere: a typo is an error that names the key.
// Secrets are never in the plan: it names environment variables (…Env) and files, and the worker reads them.

// OCI distribution spec repository name grammar.
const repository = z.string().regex(/^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/, {
  error: 'a repository path in lower case, e.g. "acme/gateway" (OCI name grammar; no tag, no registry host)',
});
const host = registryHost;

const registry = z
  .strictObject({
    host,
    /** Plain HTTP; only for loopback or lab registries. */
    plainHttp: z.boolean().default(false),
    usernameEnv: envName.optional(),
    passwordEnv: envName.optional(),
  })
  .refine((r) => Boolean(r.usernameEnv) === Boolean(r.passwordEnv), {
    error:
      'give both usernameEnv and passwordEnv (e.g. REGISTRY_USER and REGISTRY_PASSWORD), or neither to use the docker auth file',
  });

const image = z.strictObject({
  name,
  source: repository,
  destination: repository,
  /** Version tag template; "{version}" is the bare semver. */
  tag: z
    .string()
    .regex(/^v?\{version\}$/, {
      error:
        'the version tag template is "v{version}" (the default, as pushed by most projects) or "{version}"; variant tags such as "{version}-alpine" are not supported because latest, X.Y and X are derived from the version',
    })
    .default('v{version}'),
  sourceTag: sourceTagSchema.optional(),
  verify: artifactVerifySchema.optional(),
});

const chart = z.strictObject({
  name,
  source: repository,
  destination: repository,
  sourceTag: sourceTagSchema.optional(),
  verify: artifactVerifySchema.optional(),
});

const ociPackage = z.strictObject({
  name,
  kind: z.literal('oci'),
  source: repository,
  destination: repository,
  sourceTag: sourceTagSchema.optional(),
  verify: artifactVerifySchema.optional(),
});
const pkg = z.discriminatedUnion('kind', [ociPackage, genericPackagePlan], {
  error: 'kind must be "oci" (files stored as an OCI artifact) or "gitlab-generic" (GitLab generic package registry)',
});

const forge = z.strictObject({
  kind: z.enum(['github', 'gitlab'], { error: 'kind must be "github" or "gitlab"' }),
  baseUrl: httpUrl,
  project: safeSegments(
    z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)+$|^\d+$/, {
      error: 'owner/repo (GitHub), group/project or a numeric id (GitLab)',
    }),
  ),
  tokenEnv: envName,
});

const gate = z.strictObject({
  mode: z
    .enum(['auto-when-public', 'manual'], {
      error:
        'mode must be "auto-when-public" (sync on its own when the commit is public) or "manual" (always wait for a sync go)',
    })
    .default('auto-when-public'),
  approvers: z.array(z.string().min(1)).default([]),
  allowSelfApproval: z.boolean().default(false),
  deadline: durationUpTo('gateDeadline').default('14d'),
  /** How decisions prove who made them; see src/config/identity-schema.ts. */
  identity: identitySchema,
  /** How many distinct people must approve. */
  required: z.number().int().min(1).default(1),
  groups: groupsSchema,
  /** Send the reminder event this long before the deadline, e.g. 1d. */
  remindBefore: durationUpTo('gateDeadline').optional(),
});

const smoke = z.strictObject({
  commands: z
    .array(
      z.strictObject({
        name,
        run: z.array(z.string()).min(1, { error: 'the command as an argument list, e.g. ["sh", "-c", "..."]' }),
        timeout: durationUpTo('smokeTimeout').default('5m'),
      }),
    )
    .default([]),
  external: z.array(z.strictObject({ name, timeout: durationUpTo('externalCheckTimeout').default('2h') })).default([]),
});

const promotion = z.strictObject({
  floatingTags: z
    .array(z.enum(['latest', 'minor', 'major'], { error: 'latest, minor (X.Y) or major (X)' }))
    .default(['latest', 'minor', 'major']),
  publishRelease: z.boolean().default(true),
  mergePullRequest: pullRequestPlan.optional(),
  pins: z.array(pinPlan).default([]),
});

const notifications = z.strictObject({
  webhooks: z
    .array(
      z
        .strictObject({
          url: httpUrl.optional(),
          /** A variable holding the URL, for webhooks whose URL is itself the secret (Slack, Teams, Discord). */
          urlEnv: envName.optional(),
          /** The body the service accepts: Slack (text + blocks), Teams (an Adaptive Card), Discord (content + embed). */
          format: z
            .enum(['generic', 'slack', 'teams', 'discord'], {
              error: "format must be slack, teams, discord or generic (shipgate's own JSON)",
            })
            .default('generic'),
          events: z
            .array(z.enum(['waiting', 'reminder', 'needs-attention', 'finished']))
            .min(1)
            .default(['waiting', 'reminder', 'needs-attention', 'finished']),
        })
        .refine((hook) => Boolean(hook.url) !== Boolean(hook.urlEnv), {
          error:
            'give exactly one of url or urlEnv; use urlEnv (e.g. SLACK_WEBHOOK_URL) when the URL carries a secret, so it never enters workflow history',
        }),
    )
    .default([]),
});

export const releasePlanSchema = z
  .strictObject({
    project: safeSegments(
      z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, { error: 'a project name in lower case, e.g. acme/gateway' }),
    ),
    registries: z.strictObject({ source: registry, destination: registry }),
    images: z.array(image).default([]),
    charts: z.array(chart).default([]),
    packages: z.array(pkg).default([]),
    /** Default source tag template of every OCI artifact (e.g. sha-{shortCommit}); unset: the version tag. */
    sourceTag: sourceTagSchema.optional(),
    policy: policySchema,
    forge: forge.optional(),
    canonical: canonicalSchema,
    /** What a rejected, expired or aborted release does with the version tags it pushed (clean-end.ts). */
    onReject: z
      .enum(['keep-version-tags', 'delete-version-tags'], {
        error:
          'onReject must be "keep-version-tags" (the default: the tags stay, status says so) or "delete-version-tags" (remove the version tags this release pushed, when they still hold its digest)',
      })
      .default('keep-version-tags'),
    gate: gate.default({
      mode: 'auto-when-public',
      approvers: [],
      allowSelfApproval: false,
      deadline: '14d',
      identity: { mode: 'signed' },
      required: 1,
      groups: {},
    }),
    smoke: smoke.default({ commands: [], external: [] }),
    promotion: promotion.default({ floatingTags: ['latest', 'minor', 'major'], publishRelease: true, pins: [] }),
    notifications: notifications.default({ webhooks: [] }),
    /** Sign a promotion record (SLSA VSA + approvals) beside every promoted digest. */
    evidence: evidenceSchema.optional(),
    /** When promotion may not start (absolute and weekly windows). */
    freeze: freezeSchema,
    /** Transfer tuning: a copy that moves no byte for stallTimeout (default 60s) is failed and retried. */
    timing: z
      .strictObject({
        stallTimeout: durationUpTo('heartbeat')
          .refine((text) => !durationPattern.test(text.trim()) || parseDuration(text) >= 1_000, {
            error: 'at least 1s',
          })
          .optional(),
      })
      .optional(),
  })
  .superRefine((plan, ctx) => {
    const all = [...plan.images, ...plan.charts, ...plan.packages];
    if (all.length === 0)
      ctx.addIssue({ code: 'custom', path: ['images'], message: 'declare at least one image, chart or package' });
    const seen = new Set<string>();
    for (const [list, items] of [
      ['images', plan.images],
      ['charts', plan.charts],
      ['packages', plan.packages],
    ] as const) {
      items.forEach((item, index) => {
        if (seen.has(item.name))
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'name'],
            message: `"${item.name}" is used twice: names must be unique across images, charts and packages`,
          });
        seen.add(item.name);
      });
    }
    plan.packages.forEach((p, index) => {
      if (p.kind === 'gitlab-generic')
        for (const issue of genericPackageIssues(p, plan.forge))
          ctx.addIssue({ code: 'custom', path: ['packages', index, ...issue.path], message: issue.message });
    });
    if (plan.gate.mode === 'auto-when-public' && (!plan.forge || !plan.canonical.check)) {
      ctx.addIssue({
        code: 'custom',
        path: ['gate', 'mode'],
        message: plan.forge
          ? 'auto-when-public needs the canonical check: set canonical.check: true, or gate.mode: manual to always wait for a sync go'
          : 'auto-when-public needs a forge to ask whether the commit is public: add forge, or set gate.mode: manual to always wait for a sync go',
      });
    }
    const checkNames = new Set<string>();
    for (const [list, items] of [
      ['commands', plan.smoke.commands],
      ['external', plan.smoke.external],
    ] as const) {
      items.forEach((check, index) => {
        if (checkNames.has(check.name))
          ctx.addIssue({
            code: 'custom',
            path: ['smoke', list, index, 'name'],
            message: `"${check.name}" is used twice: smoke check names must be unique across commands and external`,
          });
        checkNames.add(check.name);
      });
    }
    for (const [key, message] of identityProblems(plan.gate.identity))
      ctx.addIssue({ code: 'custom', path: ['gate', 'identity', key], message });
    const groupMembers = Object.values(plan.gate.groups).flatMap((group) => group.members);
    const people = new Set([...plan.gate.approvers, ...groupMembers]);
    if (people.size > 0 && plan.gate.required > people.size)
      ctx.addIssue({
        code: 'custom',
        path: ['gate', 'required'],
        message: `${plan.gate.required} approvals are required but the plan names only ${people.size} approvers`,
      });
    const verified = [...plan.images, ...plan.charts, ...plan.packages.flatMap((p) => (p.kind === 'oci' ? [p] : []))]
      .map((item) => item.verify?.mode ?? plan.policy.mode)
      .some((mode) => mode !== 'off');
    if (verified && !plan.policy.key && !plan.policy.keyless) {
      ctx.addIssue({
        code: 'custom',
        path: ['policy'],
        message:
          'give exactly one of policy.key or policy.keyless (who must have signed), or policy.mode: off when nothing is signed',
      });
    }
    if (plan.promotion.mergePullRequest && !plan.forge) {
      ctx.addIssue({
        code: 'custom',
        path: ['promotion', 'mergePullRequest'],
        message: 'merging a pull request needs a forge: add forge',
      });
    }
    plan.promotion.pins.forEach((pin, index) => {
      for (const [at, artifact] of ('for' in pin ? pin.for : []).entries()) {
        const found = all.find((item) => item.name === artifact);
        if (!found)
          ctx.addIssue({
            code: 'custom',
            path: ['promotion', 'pins', index, 'for', at],
            message: `no image, chart or package is named "${artifact}"`,
          });
        else if ('files' in found && found.files.length !== 1)
          ctx.addIssue({
            code: 'custom',
            path: ['promotion', 'pins', index, 'for', at],
            message: `package "${artifact}" has ${found.files.length} files: a pinned package has one file, whose sha256 is its digest`,
          });
      }
    });
  });

export type ReleasePlan = z.infer<typeof releasePlanSchema>;
