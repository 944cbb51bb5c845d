import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';

const oversized = (fields: string[]) => Object.fromEntries(fields.map((field) => [field, 'x'.repeat(10_000)]));

/** What a hostile or careless sender puts in a message: each must be refused, none may fail a workflow task. */
export const hostilePayloads: { label: string; args: unknown[] }[] = [
  { label: 'no payload', args: [] },
  { label: 'null', args: [null] },
  { label: 'a string', args: ['approve it'] },
  { label: 'an array', args: [['alice']] },
  {
    label: 'an oversized field',
    args: [{ approver: 'alice', by: 'alice', name: 'x', passed: true, ...oversized(['comment', 'reason', 'detail']) }],
  },
  { label: 'a 3 MiB payload', args: [{ by: 'alice', comment: 'x'.repeat(3 * 1024 * 1024) }] },
];

/** Wrong field types, per message: the refusal must name the field. */
export const wrongTypes: Record<string, { payload: unknown; field: RegExp }> = {
  approve: { payload: { approver: 42, digests: 'app@sha256:0' }, field: /approver/ },
  reject: { payload: { by: ['alice'], reason: 7 }, field: /by|reason/ },
  retry: { payload: { by: 'alice', recreateDraft: 'yes' }, field: /recreateDraft/ },
  abort: { payload: { by: 'alice', reason: { why: 1 } }, field: /reason/ },
  'report-check': { payload: { name: 5, passed: 'yes' }, field: /name|passed/ },
  'override-freeze': { payload: { by: 'alice', reason: 12 }, field: /reason/ },
  'move-floating-tags': {
    payload: { name: 'app', digest: 'sha256:../../x', kinds: ['all'] },
    field: /destination|digest|kinds/,
  },
};

/** Sends an update that must be refused (by its validator, or by the server for an over-limit payload). */
export async function refusedUpdate(handle: WorkflowHandle, name: string, args: unknown[]): Promise<string> {
  // The args tuple is whatever the sender chose, so the typed overloads do not apply.
  const error = await handle.executeUpdate(name, { args: args as [unknown] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `${name} with ${JSON.stringify(args).slice(0, 80)} must be refused`).toBeInstanceOf(Error);
  if (error instanceof WorkflowUpdateFailedError) return String((error.cause as Error).message);
  const cause = (error as { cause?: { details?: string; message?: string } }).cause;
  return `${String(error)}: ${cause?.details ?? cause?.message ?? ''}`;
}

/** Sends a signal; an over-limit payload may be refused by the server itself, which is fine. */
export async function sendSignal(handle: WorkflowHandle, name: string, args: unknown[]): Promise<void> {
  await handle.signal(name, ...args).catch((error: unknown) => {
    const cause = (error as { cause?: { details?: string } }).cause;
    expect(`${String(error)}: ${cause?.details ?? ''}`).toMatch(/size|limit|too large|exceeds/i);
  });
}

/** Workflow task failures in a history: a malformed message must never cause one. */
export async function workflowTaskFailures(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event) =>
    event.workflowTaskFailedEventAttributes ? [event.workflowTaskFailedEventAttributes.failure?.message ?? '?'] : [],
  );
}
