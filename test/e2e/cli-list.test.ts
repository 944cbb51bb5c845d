import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ListedRelease } from '../../src/cli/commands/list.ts';
import { repoRoot } from '../../src/tools/locate.ts';
import { phaseKey, projectKey, rollbackWorkflowType, startedByKey, versionKey } from '../../src/workflows/messages.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  uniqueProject,
  useReleaseBed,
  waitForPhase,
} from '../support/release-bed.ts';

// `shipgate list` as a process against the dev server's visibility store: each filter narrows to what it names.
describe('shipgate list filters', () => {
  const bed = useReleaseBed();
  const project = uniqueProject('list');
  const rollbackId = `rollback:${project}:1.0.0:test`;
  afterAll(async () => {
    await bed.env.client.workflow
      .getHandle(rollbackId)
      .terminate('test over')
      .catch(() => undefined);
  });

  const shipgate = (args: string[]) =>
    execa(join(repoRoot, 'bin', 'shipgate'), args, {
      reject: false,
      stdin: 'ignore',
      env: { TEMPORAL_ADDRESS: inject('temporalAddress') },
    });
  const ids = async (...args: string[]): Promise<string[]> => {
    const result = await shipgate(['list', '--project', project, '--json', ...args]);
    expect(result.stderr).toBe('');
    return (JSON.parse(result.stdout) as ListedRelease[]).map((r) => r.id).sort();
  };

  it('filters by kind, phase (rolling-back too), version, starter and start time; the table shows step, waiting since and deadline', async () => {
    const plan = planFor(bed, project);
    const start = async (version: string, by: string) => {
      await signedImage(bed, `staging/${project}`, `v${version}`);
      const sha = commitSha(`${project}${version}`);
      bed.forge.seedGithubCommit(`acme/${project}`, sha);
      const handle = await startRelease(bed, plan, `v${version}`, sha, by);
      await waitForPhase(handle, 'awaiting-approval');
      return handle.workflowId;
    };
    const first = await start('1.0.0', 'ci-bot');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await start('1.1.0', 'dana');
    // What `shipgate rollback` starts, on a task queue no worker serves: it stays rolling-back, as the CLI set it.
    await bed.env.client.workflow.start(rollbackWorkflowType, {
      taskQueue: `nobody-${project}`,
      workflowId: rollbackId,
      args: [],
      typedSearchAttributes: [
        { key: projectKey, value: project },
        { key: versionKey, value: '1.0.0' },
        { key: phaseKey, value: 'rolling-back' },
        { key: startedByKey, value: 'erin' },
      ],
    });
    // Visibility follows the workflows a moment later.
    for (let i = 0; i < 100 && (await ids()).length < 3; i++) await new Promise((r) => setTimeout(r, 200));

    expect(await ids()).toEqual([first, second, rollbackId].sort());
    expect(await ids('--kind', 'release')).toEqual([first, second].sort());
    expect(await ids('--kind', 'rollback')).toEqual([rollbackId]);
    expect(await ids('--phase', 'rolling-back')).toEqual([rollbackId]);
    expect(await ids('--awaiting')).toEqual([first, second].sort());
    expect(await ids('--version', 'v1.1.0')).toEqual([second]);
    expect(await ids('--version', '1.0.0', '--kind', 'release')).toEqual([first]);
    expect(await ids('--started-by', 'dana')).toEqual([second]);
    expect(await ids('--started-by', 'erin')).toEqual([rollbackId]);
    expect(await ids('--since', between)).toEqual([second, rollbackId].sort());
    expect(await ids('--until', between)).toEqual([first]);
    expect(await ids('--since', '1h', '--kind', 'release')).toEqual([first, second].sort());

    const listed = JSON.parse(
      (await shipgate(['list', '--project', project, '--version', '1.1.0', '--json'])).stdout,
    ) as ListedRelease[];
    expect(listed).toEqual([
      expect.objectContaining({
        kind: 'release',
        phase: 'awaiting-approval',
        step: 'approval-gate',
        startedBy: 'dana',
      }),
    ]);
    expect(Date.parse(listed[0]?.deadline ?? '')).toBeGreaterThan(Date.parse(listed[0]?.waitingSince ?? ''));
    const table = await shipgate(['list', '--project', project, '--kind', 'release']);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^PROJECT\s+VERSION\s+PHASE\s+STEP\s+WAITING SINCE\s+DEADLINE\s+STARTED\s+ID$/,
    );
    expect(table.stdout).toMatch(
      new RegExp(`1\\.1\\.0\\s+awaiting-approval\\s+approval-gate\\s+\\d{4}-\\S+\\s+\\d{4}-\\S+`),
    );

    const bad = await shipgate(['list', '--phase', 'rolled-forward']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--phase "rolled-forward" is not a phase; use one of: .*rolling-back/);
  });
});
