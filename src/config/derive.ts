import { formatSemver, parseSemver } from '../artifacts/semver.ts';
import type { OciArtifactSpec } from '../artifacts/types.ts';
import { parseDuration } from './durations.ts';
import { genericPackageSpec } from './package-plan.ts';
import { pinTarget } from './pin-plan.ts';
import { pullRequestRule } from './pull-request-plan.ts';
import type { ReleaseInput } from './release-input.ts';
import type { ForgeConfig, ReleaseSpec, VerificationPolicy } from './spec.ts';
import type { RegistryEndpoint } from '../artifacts/types.ts';

/**
 * The workflow's view of a release, derived from the plan: pure and deterministic (the workflow calls it),
 * so the same input always gives the same spec on replay.
 */
export function deriveSpec(input: ReleaseInput): ReleaseSpec {
  const { plan } = input;
  const parsed = parseSemver(input.version);
  if (!parsed) throw new Error(`version "${input.version}" is not a semantic version`);
  const version = formatSemver(parsed);
  const source: RegistryEndpoint = plan.registries.source;
  const destination: RegistryEndpoint = plan.registries.destination;
  const imageTag = (template: string | undefined): string =>
    (template ?? 'v{version}').replaceAll('{version}', version);

  const oci: OciArtifactSpec[] = [
    ...plan.images.map((image): OciArtifactSpec => ({
      kind: 'image',
      name: image.name,
      source: { endpoint: source, repository: image.source },
      destination: { endpoint: destination, repository: image.destination },
      tag: imageTag(image.tag),
    })),
    ...plan.charts.map((chart): OciArtifactSpec => ({
      kind: 'chart',
      name: chart.name,
      source: { endpoint: source, repository: chart.source },
      destination: { endpoint: destination, repository: chart.destination },
      tag: version,
    })),
    ...plan.packages.flatMap((pkg): OciArtifactSpec[] =>
      pkg.kind === 'oci'
        ? [
            {
              kind: 'oci-package',
              name: pkg.name,
              source: { endpoint: source, repository: pkg.source },
              destination: { endpoint: destination, repository: pkg.destination },
              tag: version,
            },
          ]
        : [],
    ),
  ];

  const forge: ForgeConfig | undefined = plan.forge;
  const generic = plan.packages.flatMap((pkg) =>
    pkg.kind === 'gitlab-generic' ? [genericPackageSpec(pkg, forge, version)] : [],
  );

  const policy: VerificationPolicy = plan.policy.key
    ? {
        kind: 'key',
        ...(plan.policy.key.path
          ? { publicKeyPath: plan.policy.key.path, publicKeyName: baseName(plan.policy.key.path) }
          : {}),
        ...(plan.policy.key.env ? { publicKeyEnv: plan.policy.key.env } : {}),
        attestations: plan.policy.attestations,
        attestationsPerPlatform: plan.policy.attestationsPerPlatform ?? false,
      }
    : {
        kind: 'keyless',
        ...(plan.policy.keyless?.identity ? { identity: plan.policy.keyless.identity } : {}),
        ...(plan.policy.keyless?.identityRegexp ? { identityRegexp: plan.policy.keyless.identityRegexp } : {}),
        issuer: plan.policy.keyless?.issuer ?? '',
        attestations: plan.policy.attestations,
        attestationsPerPlatform: plan.policy.attestationsPerPlatform ?? false,
      };

  return {
    project: plan.project,
    version,
    tag: `v${version}`,
    commitSha: input.commitSha,
    startedBy: input.startedBy,
    oci,
    generic,
    policy,
    forge,
    canonicalCheck: plan.canonical.check && forge !== undefined,
    gate: {
      sync: plan.gate.mode,
      approvers: plan.gate.approvers,
      allowSelfApproval: plan.gate.allowSelfApproval,
      deadlineMs: parseDuration(plan.gate.deadline),
      ...(plan.gate.remindBefore ? { remindBeforeMs: parseDuration(plan.gate.remindBefore) } : {}),
    },
    smoke: {
      commands: plan.smoke.commands.map((c) => ({ name: c.name, run: c.run, timeoutMs: parseDuration(c.timeout) })),
      external: plan.smoke.external.map((c) => ({ name: c.name, timeoutMs: parseDuration(c.timeout) })),
    },
    promotion: {
      floatingTags: plan.promotion.floatingTags,
      publishRelease: plan.promotion.publishRelease,
      pullRequest: pullRequestRule(plan.promotion.mergePullRequest, input.pullRequest, version),
      pins: plan.promotion.pins.map(pinTarget),
    },
    notifications: plan.notifications.webhooks.map((hook) => ({
      ...(hook.url ? { url: hook.url } : { urlEnv: hook.urlEnv ?? '' }),
      format: hook.format,
      events: hook.events,
    })),
    ...(input.timing ? { timing: input.timing } : {}),
  };
}

function baseName(path: string): string {
  return path.split('/').at(-1) ?? path;
}
