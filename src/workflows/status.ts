import type { TagMove } from '../artifacts/floating-tags.ts';
import type { ReleasePlan } from '../config/plan.ts';
import type { SignedStatement, VerifiedDecision } from '../config/decision-types.ts';
import type { VerifyMode } from '../config/verification-policy.ts';

/** Where a release is; also the ShipgatePhase search attribute, so the UI can list e.g. all awaiting-approval. */
export type Phase =
  | 'publishing'
  | 'awaiting-sync'
  | 'awaiting-approval'
  | 'frozen'
  | 'promoting'
  | 'needs-attention'
  | 'promoted'
  | 'rejected'
  | 'expired'
  | 'aborted';

export const phases: readonly Phase[] = [
  'publishing',
  'awaiting-sync',
  'awaiting-approval',
  'frozen',
  'promoting',
  'needs-attention',
  'promoted',
  'rejected',
  'expired',
  'aborted',
];

/** What a rollback sets ShipgatePhase to: rolling-back until it ends, then how it ended. */
export const rollbackSearchPhases = ['rolling-back', 'rolled-back', 'rejected', 'expired'] as const;
export type RollbackSearchPhase = (typeof rollbackSearchPhases)[number];

export type StepName =
  | 'resolve'
  | 'verify-source'
  | 'check-canonical'
  | 'sync-gate'
  | 'copy'
  | 'verify-destination'
  | 'find-pr'
  | 'draft-release'
  | 'smoke'
  | 'approval-gate'
  | 'reverify'
  | 'attest'
  | 'floating-tags'
  | 'publish-release'
  | 'merge-pr'
  | 'pin';

export interface StepRecord {
  step: StepName;
  state: 'running' | 'done' | 'failed' | 'skipped';
  startedAt: string;
  finishedAt?: string;
  summary?: string;
  /** How many times the step ran (retries after needs-attention included). */
  attempts?: number;
}

export interface VerificationRecord {
  digest: string;
  where: 'source' | 'destination';
  signature: boolean;
  attestations: string[];
  /** The public key fingerprint or keyless identity it was checked against. */
  against: string;
  at: string;
  /** sha256 of each attestation payload that verified (the VSA's input attestations). */
  attestationDigests?: { type: string; sha256: string }[];
}

/** The latest verification of an artifact under its mode: warn failures and off are stated, never hidden. */
export interface VerificationSummary {
  mode: VerifyMode;
  where: 'source' | 'destination';
  outcome: 'verified' | 'failed' | 'not-verified';
  problems: string[];
  /** The cosign commands that ran (files by name), as the release notes print them. */
  commands: string[];
}

export interface ArtifactStatus {
  name: string;
  kind: string;
  /** host/repo:tag at the source and destination. */
  source: string;
  destination: string;
  digest?: string;
  platforms?: { platform: string; digest: string }[];
  files?: { name: string; sha256?: string; digest?: string; size: number }[];
  verifications: VerificationRecord[];
  verification?: VerificationSummary;
  copied?: { blobs: number; bytes: number; alreadyPresent: boolean };
}

export interface GateStatus {
  kind: GateKind;
  openedAt: string;
  deadline: string;
  approvers: string[];
  allowSelfApproval: boolean;
  digests: string[];
  /** Distinct people whose approval of this gate counted so far. */
  approvals?: string[];
  /** What the gate still needs (quorum, groups), in words; absent when one approval suffices. */
  needs?: string;
}

export interface Attention {
  step: StepName;
  type: string;
  message: string;
  at: string;
  attempt: number;
}

export interface CheckStatus {
  name: string;
  kind: 'command' | 'external';
  state: 'pending' | 'passed' | 'failed';
  detail?: string;
}

export interface ReleaseStatus {
  project: string;
  version: string;
  tag: string;
  commitSha: string;
  startedBy: string;
  /** How the starter's identity was proven (SSH key fingerprint, or OIDC issuer and subject); absent: claimed only. */
  startedByProof?: string;
  /** gate.identity's mode; "unauthenticated" means decisions name people but prove nothing. */
  identity?: 'signed' | 'oidc' | 'signed-or-oidc' | 'unauthenticated';
  phase: Phase;
  currentStep?: StepName;
  steps: StepRecord[];
  artifacts: ArtifactStatus[];
  canonical?: CanonicalStatus;
  gate?: GateStatus;
  attention?: Attention;
  decisions: Decision[];
  checks: CheckStatus[];
  release?: { id: string; url?: string; state: 'draft' | 'published' };
  tagMoves: (TagMove & { artifact: string })[];
  pins: { name: string; digest: string; confirmed: boolean; url?: string }[];
  /** The release PR/MR: found (or given) at publish, merged (or auto-merge enabled) at promotion. */
  pullRequest?: {
    number: number;
    merged: boolean;
    sha?: string;
    url?: string;
    head?: string;
    autoMerge?: boolean;
  };
  /** Webhook deliveries that failed after their attempts: never dropped silently. */
  notificationFailures?: { event: string; webhook: string; message: string; at: string }[];
  /** A freeze window held promotion: why, since and until when; an override names who lifted it and why. */
  freeze?: FreezeStatus;
  /** The signed promotion records pushed beside each promoted digest. */
  evidence?: { reference: string; digest: string; pushed: boolean; format: string[] }[];
  /** What a rejected, expired or aborted release removed or left behind, and why (clean-end.ts). */
  cleanup?: CleanupStatus;
}

/** The smart-sync answer; while the sync gate waits, also how often it asked again and when it asks next. */
export interface CanonicalStatus {
  public: boolean;
  url?: string;
  detail: string;
  /** How many times the sync gate asked again (sync-gate.ts). */
  polls?: number;
  lastPolledAt?: string;
  nextPollAt?: string;
}

export interface CleanupItem {
  what: 'draft-release' | 'version-tag';
  /** The release tag, or the artifact's destination reference (host/repo:tag). */
  target: string;
  artifact?: string;
  action: 'deleted' | 'kept' | 'failed' | 'none';
  reason: string;
}

export interface CleanupStatus {
  at: string;
  outcome: 'rejected' | 'expired' | 'aborted';
  items: CleanupItem[];
}

export interface FreezeStatus {
  reasons: string[];
  since: string;
  until: string;
  overrideBy: string[];
  overriddenBy?: string;
  reason?: string;
  /** How the override's person was proven: "ssh key SHA256:...", "oidc ISSUER sub SUBJECT" or "not authenticated". */
  overrideProof?: string;
}

/** What decision rules read of a release or a rollback: who started it, its open gate, its artifacts. */
export interface DecisionSubject {
  phase: string;
  startedBy: string;
  startedByProof?: string;
  gate?: GateStatus;
  artifacts: { name: string; digest?: string; files?: { name: string; sha256?: string }[] }[];
  /** A freeze window holding promotion names who may lift it. */
  freeze?: { overrideBy: string[] };
}

/** The release's two gates, and a rollback's own gate. */
export type GateKind = 'sync' | 'promotion' | 'rollback';

export interface Decision {
  /** auto-sync: the sync gate found the commit public on a re-poll and went on by itself (by "canonical-check"). */
  kind: 'approve' | 'reject' | 'retry' | 'abort' | 'refused' | 'check' | 'expired' | 'override-freeze' | 'auto-sync';
  gate?: GateKind;
  by: string;
  at: string;
  comment?: string;
  digests?: string[];
  /** For refused decisions: why the policy or the proof check refused it. */
  refusal?: string;
  /** Who the proof showed, how it was checked, and the statement and proof themselves (for offline audit). */
  verified?: VerifiedDecision;
  via: 'update' | 'signal' | 'timer';
}

export interface RollbackInput {
  plan: ReleasePlan;
  /** The previously promoted version the floating tags go back to. */
  toVersion: string;
  by: string;
  reason: string;
  /** The starter's signed "start" statement (digests: sha256 of "rollback@VERSION"), so self-approval is judged on a proven name. */
  starter?: SignedStatement;
}

export interface RollbackStatus {
  project: string;
  /** = toVersion; named like a release's so `shipgate approve` reads a rollback's gate as it reads a release's. */
  version: string;
  toVersion: string;
  by: string;
  startedBy: string;
  startedByProof?: string;
  identity: 'signed' | 'oidc' | 'signed-or-oidc' | 'unauthenticated';
  reason: string;
  phase: 'verifying' | 'awaiting-approval' | 'moving-tags' | 'pinning' | 'rolled-back' | 'rejected' | 'expired';
  /** The promoted release this goes back to. */
  fromRelease?: string;
  artifacts: { name: string; digest: string; verifiedAgainst?: string; promotedBy?: string }[];
  gate?: GateStatus;
  decisions: Decision[];
  moves: (TagMove & { artifact: string })[];
  /** Rollback re-pins with the plan's pin templates (seed 001: rollback = re-pin the previous digests). */
  pins: { name: string; digest: string; confirmed: boolean; url: string }[];
}
