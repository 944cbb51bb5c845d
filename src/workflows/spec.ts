import type { FloatingTagKind } from '../artifacts/floating-tags.ts';
import type { OciArtifactSpec } from '../artifacts/types.ts';
import type { GenericPackageInput } from '../activities/generic-package.ts';
import type { NotificationEvent, NotificationFormat } from '../activities/notify.ts';
import type { PinTarget } from '../config/pin-template.ts';
import type { PullRequestRule } from '../config/pull-request-plan.ts';
import type { VerificationPolicy } from '../activities/verify-signatures.ts';
import type { ForgeConfig } from '../forge/types.ts';

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
  policy: VerificationPolicy;
  forge: ForgeConfig | undefined;
  /** Whether to look the commit up on the canonical repository (smart sync). */
  canonicalCheck: boolean;
  gate: {
    /** auto-when-public: sync on its own when the commit is public; manual: always wait for a sync go. */
    sync: 'auto-when-public' | 'manual';
    approvers: string[];
    allowSelfApproval: boolean;
    deadlineMs: number;
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
  /** Activity timing; tests shorten the retry backoff. */
  timing?: { retryInitialMs?: number; retryMaxAttempts?: number; heartbeatTimeoutMs?: number };
}
