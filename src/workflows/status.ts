import type { Decision, GateKind } from './messages.ts';
import type { TagMove } from '../artifacts/floating-tags.ts';

/** Where a release is; also the ShipgatePhase search attribute, so the UI can list e.g. all awaiting-approval. */
export type Phase =
  | 'publishing'
  | 'awaiting-sync'
  | 'awaiting-approval'
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
  'promoting',
  'needs-attention',
  'promoted',
  'rejected',
  'expired',
  'aborted',
];

export const finalPhases: Phase[] = ['promoted', 'rejected', 'expired', 'aborted'];

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
}

export interface VerificationRecord {
  digest: string;
  where: 'source' | 'destination';
  signature: boolean;
  attestations: string[];
  /** The public key fingerprint or keyless identity it was checked against. */
  against: string;
  at: string;
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
}
