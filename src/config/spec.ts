import type { FloatingTagKind } from '../artifacts/floating-tags.ts';
import type { OciArtifactSpec } from '../artifacts/types.ts';
import type { PromotionKey } from '../artifacts/promotion-record.ts';
import type { FreezeWindow } from './freeze-windows.ts';

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
  };
  smoke: {
    commands: { name: string; run: string[]; timeoutMs: number }[];
    external: { name: string; timeoutMs: number }[];
  };
  promotion: {
    floatingTags: FloatingTagKind[];
    publishRelease: boolean;
    mergePullRequest: number | undefined;
    pins: PinTarget[];
  };
  /** Exactly one of url and urlEnv (the variable on the worker that holds a secret URL). */
  notifications: { url?: string; urlEnv?: string; events: NotificationEvent[] }[];
  /** The promotion key (by variable names) and how notes name its public half; none: no promotion records. */
  evidence: { key: PromotionKey; publicKeyName: string } | undefined;
  freeze: FreezeWindow[];
  /** Activity timing; tests shorten the retry backoff. */
  timing?: { retryInitialMs?: number; retryMaxAttempts?: number; heartbeatTimeoutMs?: number };
}

/** What a release must be signed with: a public key, or keyless (Fulcio certificate identity + OIDC issuer). */
export type VerificationPolicy =
  | {
      kind: 'key';
      /** Path of the PEM public key on the worker, or the variable holding the PEM. */
      publicKeyPath?: string;
      publicKeyEnv?: string;
      /** How release notes refer to the key in the verify command, e.g. "cosign.pub". */
      publicKeyName?: string;
      attestations: string[];
      attestationsPerPlatform?: boolean;
    }
  | {
      kind: 'keyless';
      identity?: string;
      identityRegexp?: string;
      issuer: string;
      attestations: string[];
      attestationsPerPlatform?: boolean;
    };

export interface GenericPackageInput {
  name: string;
  /** Bare semver. */
  version: string;
  files: string[];
  source: ForgeConfig;
  destination: ForgeConfig;
}

export interface PackageFile {
  name: string;
  sha256: string;
  size: number;
}

export interface PinTarget {
  /** Endpoint URL; "{name}" is replaced by the artifact name. */
  url: string;
  tokenEnv: string;
  readBack: boolean;
}

export type NotificationEvent = 'waiting' | 'needs-attention' | 'finished';

/** The forge as the plan names it: where, which project, which environment variable holds the token. */
export interface ForgeConfig {
  kind: 'github' | 'gitlab';
  baseUrl: string;
  project: string;
  tokenEnv: string;
}
