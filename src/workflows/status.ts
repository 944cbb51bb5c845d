import type { TagMove } from '../artifacts/floating-tags.ts';
import type { ReleasePlan } from '../config/plan.ts';
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
  phase: Phase;
  currentStep?: StepName;
  steps: StepRecord[];
  artifacts: ArtifactStatus[];
  canonical?: { public: boolean; url?: string; detail: string };
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
}

export interface FreezeStatus {
  reasons: string[];
  since: string;
  until: string;
  overrideBy: string[];
  overriddenBy?: string;
  reason?: string;
}

export type GateKind = 'sync' | 'promotion';

export interface Decision {
  kind: 'approve' | 'reject' | 'retry' | 'abort' | 'refused' | 'check' | 'expired' | 'override-freeze';
  gate?: GateKind;
  by: string;
  at: string;
  comment?: string;
  digests?: string[];
  /** For refused signals: why the policy refused it. */
  refusal?: string;
  via: 'update' | 'signal' | 'timer';
}

export interface RollbackInput {
  plan: ReleasePlan;
  /** The previously promoted version the floating tags go back to. */
  toVersion: string;
  by: string;
  reason: string;
}

export interface RollbackStatus {
  project: string;
  toVersion: string;
  by: string;
  reason: string;
  phase: 'verifying' | 'moving-tags' | 'rolled-back';
  artifacts: { name: string; digest: string; verifiedAgainst?: string; promotedBy?: string }[];
  moves: (TagMove & { artifact: string })[];
  /** Rollback re-pins with the plan's pin templates (seed 001: rollback = re-pin the previous digests). */
  pins: { name: string; digest: string; confirmed: boolean; url: string }[];
}
