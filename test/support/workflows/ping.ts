import { proxyActivities } from '@temporalio/workflow';

// A trivial workflow for the test-bed smoke test: one activity round trip through a real worker.
const { echo } = proxyActivities<{ echo: (text: string) => Promise<string> }>({ startToCloseTimeout: '10s' });

export async function ping(text: string): Promise<string> {
  return `pong: ${await echo(text)}`;
}
