import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { inject } from 'vitest';
import { repoRoot } from '../../src/tools/locate.ts';

/**
 * Real `shipgate worker` processes on a task queue of their own, with the variables the bed's plans name, for
 * tests that kill one with SIGKILL. killAll() in afterAll ends whatever is left.
 */
export function workerProcesses(extraEnv: Record<string, string> = {}) {
  const workers: ResultPromise[] = [];
  const start = (taskQueue: string): ResultPromise => {
    const worker = execa(join(repoRoot, 'bin', 'shipgate'), ['worker', '--task-queue', taskQueue], {
      reject: false,
      stdin: 'ignore',
      env: {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        SHIPGATE_LOG_LEVEL: 'WARN',
        DEST_USER: inject('destinationUsername'),
        DEST_PASS: inject('destinationPassword'),
        FORGE_TOKEN: 'forge-token',
        PIN_TOKEN: 'forge-token',
        ...extraEnv,
      },
    });
    workers.push(worker);
    return worker;
  };
  const killAll = (): void => {
    for (const worker of workers) worker.kill('SIGKILL');
  };
  return { start, killAll };
}
