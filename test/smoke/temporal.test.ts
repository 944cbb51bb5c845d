import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ping } from '../support/workflows/ping.ts';
import { connectTestEnvironment, uniqueTaskQueue } from '../support/temporal.ts';
import { phaseKey, projectKey, versionKey } from '../../src/workflows/messages.ts';

describe('test bed: Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await connectTestEnvironment();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow and its activity on a worker inside the test process', async () => {
    const taskQueue = uniqueTaskQueue('smoke');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('../support/workflows/ping.ts', import.meta.url)),
      activities: { echo: (text: string) => Promise.resolve(text.toUpperCase()) },
    });
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof ping>('ping', {
        taskQueue,
        workflowId: uniqueTaskQueue('ping'),
        args: ['hello'],
      }),
    );
    expect(result).toBe('pong: HELLO');
  });

  it("has shipgate's search attributes registered", async () => {
    const response = await env.client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const custom = Object.keys(response.customAttributes ?? {});
    expect(custom).toEqual(expect.arrayContaining([projectKey.name, versionKey.name, phaseKey.name]));
  });
});
