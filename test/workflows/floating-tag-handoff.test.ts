import { describe, expect, inject, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { sendFloatingTagMove } from '../../src/activities/send-floating-tag-move.ts';
import type { MoveFloatingTagsInput } from '../../src/artifacts/floating-tags.ts';
import { approveUpdate, floatingTagsWorkflowId, type TagMoveRequest } from '../../src/workflows/messages.ts';
import { pushImage } from '../support/fixtures/images.ts';
import {
  recordHistory,
  scheduledActivities,
  startPublicRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';

// The hand-off by signal: the tag owner moves once per request id, answers a re-sent request again without moving,
// and answers a failed move with the real failure (type, not retryable) for the release to park on.
describe('floating-tag hand-off by signal', () => {
  const bed = useReleaseBed();

  const destinationOf = (repository: string): MoveFloatingTagsInput['destination'] => ({
    endpoint: { host: bed.destination, plainHttp: true, usernameEnv: 'DEST_USER', passwordEnv: 'DEST_PASS' },
    repository,
  });

  /** The owner's history, once `done` says it has got that far. */
  async function ownerHistoryWhen(handle: WorkflowHandle, done: (events: HistoryEvents) => boolean) {
    for (let i = 0; i < 300; i++) {
      const events = (await handle.fetchHistory()).events ?? [];
      if (done(events)) return events;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the floating-tags workflow ${handle.workflowId} did not get there in 60 s`);
  }
  type HistoryEvents = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>;
  const answers = (events: HistoryEvents) =>
    events.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes);
  const moves = (events: HistoryEvents) =>
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'moveFloatingTags');
  const answerText = (event: HistoryEvents[number] | undefined) =>
    Buffer.from(
      event?.signalExternalWorkflowExecutionInitiatedEventAttributes?.input?.payloads?.[0]?.data ?? [],
    ).toString('utf8');

  it('a re-sent request is answered again without a second move; a new request id moves again', async () => {
    const repository = `prod/${uniqueProject('handoff')}`;
    const image = await pushImage({
      registry: bed.destination,
      repository,
      tag: 'v1.0.0',
      dockerConfigDir: inject('dockerConfigDir'),
    });
    const send = sendFloatingTagMove({ client: bed.env.client, taskQueue: bed.taskQueue });
    const input = {
      name: 'app',
      destination: destinationOf(repository),
      versionTag: image.tag,
      digest: image.digest,
      kinds: ['latest' as const],
    };
    // No such release: the owner's answer goes nowhere, which it must survive (a release aborted meanwhile).
    const request: TagMoveRequest = { requestId: 'run-1/app/1', replyTo: `gone-${repository}`, input };
    const owner = bed.env.client.workflow.getHandle(floatingTagsWorkflowId(bed.destination, repository));

    await send(request);
    await ownerHistoryWhen(owner, (events) => answers(events).length === 1);
    await send(request);
    let events = await ownerHistoryWhen(owner, (e) => answers(e).length === 2);
    expect(moves(events)).toHaveLength(1);
    expect(answerText(answers(events)[1])).toBe(answerText(answers(events)[0]));
    expect(JSON.parse(answerText(answers(events)[0]))).toMatchObject({
      requestId: 'run-1/app/1',
      result: { moves: [{ tag: 'latest', to: image.digest }] },
    });
    expect((await bed.destinationClient.headManifest(repository, 'latest'))?.digest).toBe(image.digest);

    await send({ ...request, requestId: 'run-1/app/2' });
    events = await ownerHistoryWhen(owner, (e) => answers(e).length === 3);
    expect(moves(events)).toHaveLength(2);
  });

  it('a tampered version tag comes back as the failure itself: TagTampered, not retryable', async () => {
    const repository = `prod/${uniqueProject('handoff-tamper')}`;
    const send = sendFloatingTagMove({ client: bed.env.client, taskQueue: bed.taskQueue });
    await send({
      requestId: 'run-1/app/1',
      replyTo: `gone-${repository}`,
      input: {
        name: 'app',
        destination: destinationOf(repository),
        versionTag: 'v1.0.0',
        digest: `sha256:${'a'.repeat(64)}`,
        kinds: ['latest'],
      },
    });
    const owner = bed.env.client.workflow.getHandle(floatingTagsWorkflowId(bed.destination, repository));
    const events = await ownerHistoryWhen(owner, (e) => answers(e).length === 1);
    expect(JSON.parse(answerText(answers(events)[0]))).toMatchObject({
      requestId: 'run-1/app/1',
      failure: { type: 'TagTampered', nonRetryable: true },
    });
  });

  it('a release hands its tags over by signal: no activity waits for the owner, and the tags move once', async () => {
    const project = uniqueProject('handoff-release');
    const { image, handle } = await startPublicRelease(bed, project, 'v2.1.0', {
      promotion: { floatingTags: ['latest', 'minor', 'major'], publishRelease: false, pins: [] },
    });
    const gate = await waitForPhase(handle, 'awaiting-approval');
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: gate.gate?.digests ?? [] }] });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.phase).toBe('promoted');
    expect(done.tagMoves.map((move) => move.tag).sort()).toEqual(['2', '2.1', 'latest']);
    const activities = await scheduledActivities(handle);
    expect(activities).toContain('sendFloatingTagMove');
    expect(activities).not.toContain('requestFloatingTagMove');
    const replies = ((await handle.fetchHistory()).events ?? []).filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'floating-tag-move-reply',
    );
    expect(replies).toHaveLength(1);
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(image.digest);
    await recordHistory(handle, 'floating-tags-by-signal-promoted');
  });
});
