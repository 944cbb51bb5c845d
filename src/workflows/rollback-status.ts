import type { TagMove } from '../artifacts/floating-tags.ts';
import type { SignedStatement } from '../config/decision-types.ts';
import type { ReleasePlan } from '../config/plan.ts';
import type { Decision } from './messages.ts';
import type { GateStatus } from './status.ts';

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
  artifacts: { name: string; digest: string; verifiedAgainst?: string }[];
  gate?: GateStatus;
  decisions: Decision[];
  moves: (TagMove & { artifact: string })[];
  pins: { name: string; digest: string; confirmed: boolean }[];
}
