import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { FailureTypes, httpFailure, rootCause } from '../../src/errors.ts';

const types = {
  unauthorized: FailureTypes.registryUnauthorized,
  forbidden: FailureTypes.registryForbidden,
  notFound: FailureTypes.sourceArtifactMissing,
  otherwise: FailureTypes.toolFailed,
};

describe('httpFailure: the one HTTP status classification', () => {
  it('retries 429 and 5xx, honouring Retry-After', () => {
    for (const status of [429, 500, 502, 503]) {
      expect(httpFailure(status, 'x', types)).toMatchObject({ type: 'Transient', nonRetryable: false });
    }
    expect(httpFailure(503, 'x', types, '7').nextRetryDelay).toBe(7000);
  });

  it("makes 401, 403, 404 and anything else permanent with the caller's types", () => {
    expect(httpFailure(401, 'x', types)).toMatchObject({ type: 'RegistryUnauthorized', nonRetryable: true });
    expect(httpFailure(403, 'x', types)).toMatchObject({ type: 'RegistryForbidden', nonRetryable: true });
    expect(httpFailure(404, 'x', types)).toMatchObject({ type: 'SourceArtifactMissing', nonRetryable: true });
    expect(httpFailure(418, 'x', types)).toMatchObject({ type: 'ToolFailed', nonRetryable: true });
    expect(httpFailure(404, 'x', { ...types, notFound: undefined })).toMatchObject({ type: 'ToolFailed' });
  });
});

describe("rootCause: the failure behind Temporal's wrappers", () => {
  const tampered = ApplicationFailure.create({
    type: 'TagTampered',
    message: 'v1 now points at sha256:b',
    nonRetryable: true,
    details: [{ artifact: 'app' }],
  });
  const activity = (cause: Error) =>
    new ActivityFailure('activity failed', 'moveFloatingTags', '1', RetryState.NON_RETRYABLE_FAILURE, undefined, cause);

  it('unwraps an activity failure inside a failed update or a failed workflow', () => {
    const update = new WorkflowUpdateFailedError('Workflow Update failed', activity(tampered));
    expect(rootCause(update)).toEqual({
      type: 'TagTampered',
      message: 'v1 now points at sha256:b',
      nonRetryable: true,
      details: [{ artifact: 'app' }],
    });
    const workflow = new WorkflowFailedError(
      'Workflow execution failed',
      activity(tampered),
      RetryState.NON_RETRYABLE_FAILURE,
    );
    expect(rootCause(workflow)).toMatchObject({ type: 'TagTampered', nonRetryable: true });
  });

  it('names a failure that is not an application failure by its class, and a plain value as Error', () => {
    const timeout = new TimeoutFailure('heartbeat timeout', undefined, TimeoutType.HEARTBEAT);
    expect(rootCause(activity(timeout))).toEqual({
      type: 'TimeoutFailure',
      message: 'heartbeat timeout',
      nonRetryable: false,
    });
    expect(rootCause(new Error('connection refused'))).toMatchObject({ type: 'Error', message: 'connection refused' });
    expect(rootCause('boom')).toEqual({ type: 'Error', message: 'boom', nonRetryable: false });
  });

  it('stops at the first application failure: its own cause is detail, not the reason', () => {
    const outer = ApplicationFailure.create({
      type: 'PinRejected',
      message: 'pin refused',
      cause: new Error('socket'),
    });
    expect(rootCause(activity(outer))).toMatchObject({ type: 'PinRejected', message: 'pin refused' });
  });
});
