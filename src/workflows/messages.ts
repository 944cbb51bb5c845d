import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ReleaseStatus } from './status.ts';
import type { RollbackStatus } from './rollback.ts';

// Every message a release workflow answers, defined once: the CLI and the workflow import these, so their
// names cannot drift. The Temporal UI can send the signals by name ("approve", "reject") with a JSON body.

export interface ApproveRequest {
  /** Who approves; checked against the plan's approvers. */
  approver: string;
  comment?: string;
  /**
   * The digest set the approver looked at (`name@sha256:...`, any order). An approval for another set than the
   * one published, e.g. from a stale terminal, is refused.
   */
  digests: string[];
  /** Which gate: the manual sync of a private commit, or the promotion approval. Default: whichever is open. */
  gate?: GateKind;
}

export interface RejectRequest {
  by: string;
  reason: string;
}

export interface RetryRequest {
  by: string;
  comment?: string;
  /** At publish-release, when the draft is gone: create the release again from the notes made at publish. */
  recreateDraft?: boolean;
}

export interface AbortRequest {
  by: string;
  reason: string;
}

export interface CheckReport {
  name: string;
  passed: boolean;
  by?: string;
  detail?: string;
  url?: string;
}

export type GateKind = 'sync' | 'promotion';

export interface Decision {
  kind: 'approve' | 'reject' | 'retry' | 'abort' | 'refused' | 'check' | 'expired';
  gate?: GateKind;
  by: string;
  at: string;
  comment?: string;
  digests?: string[];
  /** For refused signals: why the policy refused it. */
  refusal?: string;
  via: 'update' | 'signal' | 'timer';
}

export const approveUpdate = defineUpdate<Decision, [ApproveRequest]>('approve');
export const rejectUpdate = defineUpdate<Decision, [RejectRequest]>('reject');
export const retryUpdate = defineUpdate<Decision, [RetryRequest]>('retry');
export const abortUpdate = defineUpdate<Decision, [AbortRequest]>('abort');
export const reportCheckUpdate = defineUpdate<Decision, [CheckReport]>('report-check');

/** Signal twins of approve and reject, for the UI's "send signal" and tools that can only signal. */
export const approveSignal = defineSignal<[ApproveRequest]>('approve');
export const rejectSignal = defineSignal<[RejectRequest]>('reject');

export const statusQuery = defineQuery<ReleaseStatus>('status');
export const rollbackStatusQuery = defineQuery<RollbackStatus>('status');

export const releaseWorkflowType = 'release';
export const rollbackWorkflowType = 'rollback';
export const defaultTaskQueue = 'shipgate';

/** One release, one workflow: CI starting the same release twice gets the running one. */
export function releaseWorkflowId(project: string, version: string): string {
  return `release:${project}:${version}`;
}
