import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MoveFloatingTagsInput, MoveFloatingTagsResult } from '../artifacts/floating-tags.ts';
import type { SignedStatement } from '../config/decision-types.ts';
import {
  phases,
  rollbackSearchPhases,
  type Decision,
  type GateKind,
  type ReleaseStatus,
  type RollbackStatus,
} from './status.ts';

export type { DecisionProof, SignedStatement, VerifiedDecision } from '../config/decision-types.ts';

export type { Decision, GateKind } from './status.ts';

// Every message shipgate's workflows answer (release, rollback, floating tags) and every search attribute
// they set, defined once: the CLI and the workflow import these, so their
// names cannot drift. The Temporal UI can send the signals by name ("approve", "reject") with a JSON body.

// Each request may carry `signed`: the canonical statement and its proof (SSH signature or CI OIDC token). Unless
// the plan's gate.identity is unauthenticated it is required, and the person is the one the proof shows.

export interface ApproveRequest {
  /** Who approves; checked against the plan's approvers. With a signed statement, optional (the statement names them). */
  approver?: string;
  comment?: string;
  /**
   * The digest set the approver looked at (`name@sha256:...`, any order). An approval for another set than the
   * one published, e.g. from a stale terminal, is refused.
   */
  digests?: string[];
  signed?: SignedStatement;
  /** Which gate: the manual sync of a private commit, or the promotion approval. Default: whichever is open. */
  gate?: GateKind;
}

export interface RejectRequest {
  by?: string;
  signed?: SignedStatement;
  reason: string;
}

export interface RetryRequest {
  by?: string;
  signed?: SignedStatement;
  comment?: string;
  /** At publish-release, when the draft is gone: create the release again from the notes made at publish. */
  recreateDraft?: boolean;
}

export interface AbortRequest {
  by?: string;
  signed?: SignedStatement;
  reason: string;
}

export interface CheckReport {
  name: string;
  passed: boolean;
  by?: string;
  detail?: string;
  url?: string;
  signed?: SignedStatement;
}

/**
 * Lifts a freeze window for this release only; recorded as a decision of its own, with the reason. Proven like
 * every decision: a statement for gate "freeze", decision "override-freeze", over the digest set that promotes.
 */
export interface OverrideFreezeRequest {
  by?: string;
  signed?: SignedStatement;
  reason: string;
}

export const approveUpdate = defineUpdate<Decision, [ApproveRequest]>('approve');
export const rejectUpdate = defineUpdate<Decision, [RejectRequest]>('reject');
export const retryUpdate = defineUpdate<Decision, [RetryRequest]>('retry');
export const abortUpdate = defineUpdate<Decision, [AbortRequest]>('abort');
export const reportCheckUpdate = defineUpdate<Decision, [CheckReport]>('report-check');
export const overrideFreezeUpdate = defineUpdate<Decision, [OverrideFreezeRequest]>('override-freeze');

/**
 * Signal twins of every decision, for the Temporal UI's "Send a Signal" form and tools that can only signal: same
 * name, same body, same checks and proofs as the update (`shipgate DECISION --print-signal` prints the body). A
 * refused signal is recorded as a refused decision; it never fails the workflow.
 */
export const approveSignal = defineSignal<[ApproveRequest]>('approve');
export const rejectSignal = defineSignal<[RejectRequest]>('reject');
export const retrySignal = defineSignal<[RetryRequest]>('retry');
export const abortSignal = defineSignal<[AbortRequest]>('abort');
export const reportCheckSignal = defineSignal<[CheckReport]>('report-check');
export const overrideFreezeSignal = defineSignal<[OverrideFreezeRequest]>('override-freeze');

export const statusQuery = defineQuery<ReleaseStatus>('status');
export const rollbackStatusQuery = defineQuery<RollbackStatus>('status');

export const moveTagsUpdate = defineUpdate<MoveFloatingTagsResult, [MoveFloatingTagsInput]>('move-floating-tags');

export const releaseWorkflowType = 'release';
export const rollbackWorkflowType = 'rollback';
export const floatingTagsWorkflowType = 'floatingTags';
export const defaultTaskQueue = 'shipgate';

// Custom search attributes, registered on the server by `shipgate dev` and the test harness, so the
// Temporal web UI can list releases by project, version and phase (e.g. all releases awaiting approval).
export const projectKey = defineSearchAttributeKey('ShipgateProject', 'KEYWORD');
export const versionKey = defineSearchAttributeKey('ShipgateVersion', 'KEYWORD');
export const phaseKey = defineSearchAttributeKey('ShipgatePhase', 'KEYWORD');
// What `shipgate list` filters and shows without asking each workflow: who started it (set at start), the step,
// since when it waits (gate, freeze, needs-attention) and until when (gate deadline, end of the freeze).
export const startedByKey = defineSearchAttributeKey('ShipgateStartedBy', 'KEYWORD');
export const stepKey = defineSearchAttributeKey('ShipgateStep', 'KEYWORD');
export const waitingSinceKey = defineSearchAttributeKey('ShipgateWaitingSince', 'DATETIME');
export const deadlineKey = defineSearchAttributeKey('ShipgateDeadline', 'DATETIME');
export const searchAttributeKeys = [
  projectKey,
  versionKey,
  phaseKey,
  startedByKey,
  stepKey,
  waitingSinceKey,
  deadlineKey,
] as const;

/** The Temporal CLI's name of a search attribute's type (`--type Keyword`, `--search-attribute Name=Datetime`). */
export function searchAttributeCliType(key: (typeof searchAttributeKeys)[number]): 'Keyword' | 'Datetime' {
  return key.type === 'DATETIME' ? 'Datetime' : 'Keyword';
}

/** Every value the workflows set ShipgatePhase to: a release's phases and a rollback's (`shipgate list --phase`). */
export const listedPhases: readonly string[] = [...new Set<string>([...phases, ...rollbackSearchPhases])];

/** One release, one workflow: CI starting the same release twice gets the running one. */
export function releaseWorkflowId(project: string, version: string): string {
  return `release:${project}:${version}`;
}

/** One workflow per destination repository owns its floating tags. */
export function floatingTagsWorkflowId(host: string, repository: string): string {
  return `floating-tags:${host}/${repository}`;
}
