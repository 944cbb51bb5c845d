import { formatSemver, parseSemver } from '../artifacts/semver.ts';
import type { OciArtifactSpec } from '../artifacts/types.ts';
import type { IdentityPolicy } from './decision-types.ts';
import { canonicalPollSpec } from './canonical-plan.ts';
import { boundedDuration } from './durations.ts';
import type { IdentityPlan } from './identity-schema.ts';
import { freezeWindowsOf } from './freeze-windows.ts';
import { policyFor } from './derive-policy.ts';
import { genericPackageSpec } from './package-plan.ts';
import { pinTarget } from './pin-plan.ts';
import { pullRequestRule } from './pull-request-plan.ts';
import type { ReleaseInput } from './release-input.ts';
import { renderSourceTag } from './source-tag.ts';
import type { ForgeConfig, ReleaseSpec, VerificationPolicy } from './spec.ts';
import type { RegistryEndpoint } from '../artifacts/types.ts';

/**
 * The workflow's view of a release, derived from the plan: pure and deterministic (the workflow calls it),
 * so the same input always gives the same spec on replay. `sourceTags: false` leaves the source tags out, for
 * work at the destination only (rollback), which has no commit or build number to render them with.
 */
export function deriveSpec(input: ReleaseInput, options: { sourceTags?: boolean } = {}): ReleaseSpec {
  const { plan } = input;
  const parsed = parseSemver(input.version);
  if (!parsed) throw new Error(`version "${input.version}" is not a semantic version`);
  const version = formatSemver(parsed);
  const source: RegistryEndpoint = plan.registries.source;
  const destination: RegistryEndpoint = plan.registries.destination;
  const imageTag = (template: string | undefined): string =>
    (template ?? 'v{version}').replaceAll('{version}', version);
  const values = { version, commitSha: input.commitSha, ...(input.build ? { build: input.build } : {}) };
  // The tag the build carries in the source registry; unset: the version tag itself.
  const sourceTag = (template: string | undefined): { sourceTag?: string } => {
    const chosen = template ?? plan.sourceTag;
    return chosen && options.sourceTags !== false ? { sourceTag: renderSourceTag(chosen, values) } : {};
  };
  const policies: Record<string, VerificationPolicy> = {};
  const oci = (
    kind: OciArtifactSpec['kind'],
    entry: { name: string; source: string; destination: string; sourceTag?: string | undefined },
    tag: string,
  ): OciArtifactSpec => ({
    kind,
    name: entry.name,
    source: { endpoint: source, repository: entry.source },
    destination: { endpoint: destination, repository: entry.destination },
    tag,
    ...sourceTag(entry.sourceTag),
  });

  const ociArtifacts: OciArtifactSpec[] = [
    ...plan.images.map((image) => oci('image', image, imageTag(image.tag))),
    ...plan.charts.map((chart) => oci('chart', chart, version)),
    ...plan.packages.flatMap((pkg) => (pkg.kind === 'oci' ? [oci('oci-package', pkg, version)] : [])),
  ];

  const forge: ForgeConfig | undefined = plan.forge;
  const generic = plan.packages.flatMap((pkg) =>
    pkg.kind === 'gitlab-generic' ? [genericPackageSpec(pkg, forge, version)] : [],
  );

  for (const image of plan.images) policies[image.name] = policyFor(plan, 'image', image.verify);
  for (const chart of plan.charts) policies[chart.name] = policyFor(plan, 'chart', chart.verify);
  for (const pkg of plan.packages)
    if (pkg.kind === 'oci') policies[pkg.name] = policyFor(plan, 'oci-package', pkg.verify);

  return {
    project: plan.project,
    version,
    tag: `v${version}`,
    commitSha: input.commitSha,
    startedBy: input.startedBy,
    oci: ociArtifacts,
    generic,
    policy: policyFor(plan, 'image'),
    policies,
    forge,
    canonicalCheck: plan.canonical.check && forge !== undefined,
    ...canonicalPoll(plan, forge),
    // Plans from before onReject existed keep their tags, as those releases always did.
    onReject: plan.onReject ?? 'keep-version-tags',
    gate: {
      sync: plan.gate.mode,
      approvers: plan.gate.approvers,
      allowSelfApproval: plan.gate.allowSelfApproval,
      deadlineMs: boundedDuration(plan.gate.deadline, 'gateDeadline'),
      identity: identityPolicy(plan.gate.identity),
      required: plan.gate.required ?? 1,
      groups: Object.entries(plan.gate.groups ?? {}).map(([name, group]) => ({ name, ...group })),
      ...(plan.gate.remindBefore ? { remindBeforeMs: boundedDuration(plan.gate.remindBefore, 'gateDeadline') } : {}),
    },
    smoke: {
      commands: plan.smoke.commands.map((c) => ({
        name: c.name,
        run: c.run,
        timeoutMs: boundedDuration(c.timeout, 'smokeTimeout'),
      })),
      external: plan.smoke.external.map((c) => ({
        name: c.name,
        timeoutMs: boundedDuration(c.timeout, 'externalCheckTimeout'),
      })),
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
    evidence: plan.evidence ? { key: plan.evidence.key, publicKeyName: plan.evidence.publicKeyName } : undefined,
    freeze: freezeWindowsOf(plan.freeze ?? []),
    ...(input.timing || plan.timing?.stallTimeout
      ? {
          timing: {
            ...input.timing,
            ...(plan.timing?.stallTimeout
              ? { stallTimeoutMs: boundedDuration(plan.timing.stallTimeout, 'heartbeat') }
              : {}),
          },
        }
      : {}),
  };
}

/**
 * The plan's identity rules for the workflow. A plan without gate.identity only exists in releases started
 * before identities were checked (their histories replay as they ran); every plan parsed now has one.
 */
export function identityPolicy(identity: IdentityPlan | undefined): IdentityPolicy {
  if (!identity) return { mode: 'unauthenticated' };
  const signers = identity.sshAllowedSigners;
  return {
    mode: identity.mode,
    // An allowed-signers line always holds spaces (principal, key type, key); a path here does not.
    ...(signers ? { sshAllowedSigners: /\s/.test(signers.trim()) ? { inline: signers } : { path: signers } } : {}),
    ...(identity.oidc
      ? {
          oidc: {
            audience: identity.oidc.audience,
            skewSeconds: identity.oidc.skew,
            maxAgeSeconds: identity.oidc.maxLifetime,
            issuers: identity.oidc.issuers.map((issuer) => ({ ...issuer, claims: { ...issuer.claims } })),
          },
        }
      : {}),
  };
}

/** The sync gate's re-poll schedule (sync-gate.ts), when there is a forge to ask. */
function canonicalPoll(plan: ReleaseInput['plan'], forge: ForgeConfig | undefined): Pick<ReleaseSpec, 'canonicalPoll'> {
  const poll = forge ? canonicalPollSpec(plan.canonical) : undefined;
  return poll ? { canonicalPoll: poll } : {};
}
