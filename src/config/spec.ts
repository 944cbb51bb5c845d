import type { FloatingTagKind } from '../artifacts/floating-tags.ts';
import type { OciArtifactSpec } from '../artifacts/types.ts';
import type { IdentityPolicy } from './decision-types.ts';
import type { PromotionKey } from '../artifacts/promotion-record.ts';
import type { FreezeWindow } from './freeze-windows.ts';
import type { VerificationPolicy } from './verification-policy.ts';
import type { PinTarget } from './pin-template.ts';
import type { PullRequestRule } from './pull-request-plan.ts';

export type { PinTarget } from './pin-template.ts';
export type { PullRequestRule } from './pull-request-plan.ts';

// The vocabulary of a release, made where the plan is made: the workflows, activities and adapters import
// these types from here, so imports only run down.

/**
 * Everything one release does, derived from the plan, the version, the commit and who started it
 * (src/config/derive.ts). Pure data without secrets: it is the workflow's view of the plan.
 */
export interface ReleaseSpec {
  project: string;
  /** Bare semver, "1.2.3". */
  version: string;
  /** The git tag, "v1.2.3". */
  tag: string;
  commitSha: string;
  startedBy: string;
  oci: OciArtifactSpec[];
  generic: GenericPackageInput[];
  /** The plan's default policy (an image without overrides). */
  policy: VerificationPolicy;
  /** The policy of each OCI artifact by name, with its own mode, attestations and platforms. */
  policies: Record<string, VerificationPolicy>;
  forge: ForgeConfig | undefined;
  /** Whether to look the commit up on the canonical repository (smart sync). */
  canonicalCheck: boolean;
  /** While waiting at the sync gate for a private commit, ask again on this schedule (sync-gate.ts); absent: never. */
  canonicalPoll?: { intervalMs: number; backoff: number; maxIntervalMs: number };
  /** What an unpromoted end (rejected, expired, aborted) does with the version tags this release pushed. */
  onReject: 'keep-version-tags' | 'delete-version-tags';
  gate: {
    /** auto-when-public: sync on its own when the commit is public; manual: always wait for a sync go. */
    sync: 'auto-when-public' | 'manual';
    approvers: string[];
    allowSelfApproval: boolean;
    deadlineMs: number;
    /** How decisions prove who made them. */
    identity: IdentityPolicy;
    /** Distinct people who must approve. */
    required: number;
    /** Groups of which at least `required` members must be among the approvers (two-person rules). */
    groups: { name: string; members: string[]; required: number }[];
    /** Remind (the reminder event) this long before the deadline; undefined: no reminder. */
    remindBeforeMs?: number;
  };
  smoke: {
    commands: { name: string; run: string[]; timeoutMs: number }[];
    external: { name: string; timeoutMs: number }[];
  };
  promotion: {
    floatingTags: FloatingTagKind[];
    publishRelease: boolean;
    /** The release PR to merge: its number, or how to find it at publish time. */
    pullRequest: PullRequestRule | undefined;
    pins: PinTarget[];
  };
  /** Exactly one of url and urlEnv (the variable on the worker that holds a secret URL). */
  notifications: { url?: string; urlEnv?: string; format: NotificationFormat; events: NotificationEvent[] }[];
  /** The promotion key (by variable names) and how notes name its public half; none: no promotion records. */
  evidence: { key: PromotionKey; publicKeyName: string } | undefined;
  freeze: FreezeWindow[];
  /** Activity timing; tests shorten the retry backoff. */
  timing?: {
    retryInitialMs?: number;
    retryMaxAttempts?: number;
    heartbeatTimeoutMs?: number;
    /** A copy that moves no byte for this long fails as retryable (plan timing.stallTimeout; default 60 s). */
    stallTimeoutMs?: number;
  };
}

export type { VerificationPolicy } from './verification-policy.ts';

export interface GenericPackageInput {
  name: string;
  /** Bare semver. */
  version: string;
  files: string[];
  source: ForgeConfig;
  /** The canonical GitLab project; absent when the files go only to the GitHub release. */
  destination?: ForgeConfig;
  /** Also upload the files to the drafted GitHub release as assets. */
  releaseAssets?: boolean;
}

export interface PackageFile {
  name: string;
  sha256: string;
  size: number;
}

export type NotificationEvent = 'waiting' | 'needs-attention' | 'finished' | 'reminder';
/** Which service's webhook body: Slack, Microsoft Teams (Workflows), Discord, or shipgate's own JSON. */
export type NotificationFormat = 'generic' | 'slack' | 'teams' | 'discord';

/** The forge as the plan names it: where, which project, which environment variable holds the token. */
export interface ForgeConfig {
  kind: 'github' | 'gitlab';
  baseUrl: string;
  project: string;
  tokenEnv: string;
  /** GitLab: the header the token goes in; default JOB-TOKEN for CI_JOB_TOKEN, else PRIVATE-TOKEN. */
  tokenHeader?: GitlabTokenHeader;
}

export type GitlabTokenHeader = 'PRIVATE-TOKEN' | 'JOB-TOKEN' | 'Deploy-Token';
