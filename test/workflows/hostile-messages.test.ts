import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { toolPath } from '../../src/tools/locate.ts';
import { approveUpdate, rejectUpdate, rollbackStatusQuery, statusQuery } from '../../src/workflows/messages.ts';
import type { rollback } from '../../src/workflows/rollback.ts';
import {
  hostilePayloads,
  refusedUpdate,
  sendSignal,
  workflowTaskFailures,
  wrongTypes,
} from '../support/hostile-payloads.ts';
import {
  planFor,
  recordHistory,
  startPublicRelease,
  uniqueProject,
  useReleaseBed,
  waitForPhase,
} from '../support/release-bed.ts';

// Issue 16, finding 1: `temporal workflow signal --name approve` with no --input (what the UI's signal form sends
// with an empty body) failed the workflow task on every retry, and the release could never be decided again.
// Every message of every workflow now parses its payload first; anything malformed is refused, naming the field.

const releaseUpdates = ['approve', 'reject', 'retry', 'abort', 'report-check', 'override-freeze'];
// A 3 MiB update never reaches a validator's answer: the worker's rejection echoes the request, over the server's
// 2 MiB blob limit, so the server fails that speculative task and the update (nothing is written to history).
const shapeRefusal =
  /needs a JSON object payload|: (comment|reason|detail|name): |required|due to unexpected workflow task failure/i;

describe('hostile message payloads', () => {
  const bed = useReleaseBed();
  const temporal = (args: string[]) =>
    execa(toolPath('temporal'), [...args, '--address', inject('temporalAddress')], { reject: false });

  it('refuses every malformed update and signal of a release, records the signals, and the release then approves', async () => {
    const project = uniqueProject('hostile');
    const { handle } = await startPublicRelease(bed, project, 'v1.0.0');
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-approval');

    for (const name of releaseUpdates) {
      for (const { label, args } of hostilePayloads) {
        const refusal = await refusedUpdate(handle, name, args);
        expect(refusal, `${name} with ${label}`).toMatch(shapeRefusal);
      }
      const wrong = wrongTypes[name];
      if (wrong) expect(await refusedUpdate(handle, name, [wrong.payload])).toMatch(wrong.field);
    }
    for (const name of ['approve', 'reject']) {
      for (const { args } of hostilePayloads) await sendSignal(handle, name, args);
      await sendSignal(handle, name, [wrongTypes[name]?.payload]);
      // The Temporal CLI with no --input, as in the finding.
      const sent = await temporal(['workflow', 'signal', '--workflow-id', handle.workflowId, '--name', name]);
      expect(sent.exitCode, sent.stderr).toBe(0);
    }

    const status = await handle.query(statusQuery);
    expect(status.phase).toBe('awaiting-approval');
    const refusals = status.decisions.filter((d) => d.kind === 'refused' && d.via === 'signal').map((d) => d.refusal);
    expect(refusals).toEqual(
      expect.arrayContaining([
        'approve needs a JSON object payload, e.g. {"approver": "alice", "digests": ["app@sha256:..."]}; got nothing',
        'reject needs a JSON object payload, e.g. {"by": "alice", "reason": "..."}; got nothing',
        expect.stringMatching(/^approve needs a JSON object payload.*got null$/),
        expect.stringMatching(/^approve needs a JSON object payload.*got an array$/),
        expect.stringMatching(/^reject needs a JSON object payload.*got string$/),
        expect.stringMatching(/^approve: approver: /),
        expect.stringMatching(/^reject: (by|reason): /),
        expect.stringMatching(/^reject: reason: Too big/),
      ]),
    );
    expect(status.decisions.filter((d) => d.kind !== 'refused')).toEqual([]);
    expect(await workflowTaskFailures(handle)).toEqual([]);

    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
    expect(await workflowTaskFailures(handle)).toEqual([]);
    await recordHistory(handle, 'hostile-payloads-refused-promoted');

    // The rollback's gate (approve and reject updates, the approve signal) parses the same way.
    const rolling = await bed.env.client.workflow.start<typeof rollback>('rollback', {
      taskQueue: bed.taskQueue,
      workflowId: `rollback:${project}:v1.0.0:${randomUUID()}`,
      args: [{ plan: planFor(bed, project), toVersion: 'v1.0.0', by: 'oncall', reason: 'hostile payloads' }],
    });
    await waitForPhase(rolling, ['awaiting-approval']);
    for (const name of ['approve', 'reject'])
      for (const { args } of hostilePayloads) expect(await refusedUpdate(rolling, name, args)).toMatch(shapeRefusal);
    for (const { args } of hostilePayloads) await sendSignal(rolling, 'approve', args);
    expect(
      await temporal(['workflow', 'signal', '--workflow-id', rolling.workflowId, '--name', 'approve']),
    ).toMatchObject({
      exitCode: 0,
    });
    const rollbackStatus = await rolling.query(rollbackStatusQuery);
    expect(rollbackStatus.phase).toBe('awaiting-approval');
    expect(rollbackStatus.decisions.map((d) => d.refusal)).toContainEqual(expect.stringMatching(/got nothing$/));
    await rolling.executeUpdate(rejectUpdate, { args: [{ by: 'alice', reason: 'only a test' }] });
    expect((await rolling.result()).phase).toBe('rejected');
    expect(await workflowTaskFailures(rolling)).toEqual([]);
  });

  it('the floating-tags owner refuses malformed move requests and keeps running', async () => {
    const handle = await bed.env.client.workflow.start('floatingTags', {
      taskQueue: bed.taskQueue,
      workflowId: `floating-tags:hostile/${randomUUID()}`,
    });
    for (const { args } of hostilePayloads)
      expect(await refusedUpdate(handle, 'move-floating-tags', args)).toMatch(
        /needs a JSON object payload|move-floating-tags: |due to unexpected workflow task failure/,
      );
    const wrong = wrongTypes['move-floating-tags'];
    expect(await refusedUpdate(handle, 'move-floating-tags', [wrong?.payload])).toMatch(wrong?.field ?? /./);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await workflowTaskFailures(handle)).toEqual([]);
    await handle.terminate('test done');
  });
});
