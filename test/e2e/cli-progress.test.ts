import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { repoRoot } from '../../src/tools/locate.ts';
import { startSlowLink } from '../support/slow-link.ts';
import { commitSha, planFor, signedLargeImage, uniqueProject, useReleaseBed } from '../support/release-bed.ts';

const MiB = 1024 * 1024;

// A 200 MiB image copied under `shipgate start --wait` on a pseudo-terminal (script(1) gives the CLI a TTY): the
// progress line is redrawn with moving byte counts, and the heartbeats behind it stay out of the history.
describe('copy progress on a terminal', () => {
  const bed = useReleaseBed();

  it('start --wait redraws a progressing line for a 200 MiB copy; the history stays small', async () => {
    const project = uniqueProject('progress');
    // Two platforms, two 50 MiB layers each.
    await signedLargeImage(bed, project, 'v1.0.0', 50 * MiB);
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const planPath = join(mkdtempSync(join(tmpdir(), 'shipgate-progress-')), 'plan.yaml');
    // Uploads to the destination at 40 MiB/s: about five seconds of copy to watch, on any machine.
    const link = await startSlowLink(bed.destination, 40 * MiB);
    onTestFinished(() => link.close());
    writeFileSync(planPath, JSON.stringify(planFor({ ...bed, destination: link.host }, project))); // JSON is YAML
    const command = [
      join(repoRoot, 'bin', 'shipgate'),
      ...['start', '--plan', planPath, '--version', 'v1.0.0', '--commit', sha, '--wait', 'awaiting-approval'],
    ].join(' ');
    const started = Date.now();
    const run = await execa('script', ['-qec', command, '/dev/null'], {
      reject: false,
      stdin: 'ignore',
      env: {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        SHIPGATE_TASK_QUEUE: bed.taskQueue,
        SHIPGATE_USER: 'ci-bot',
      },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    expect(run.exitCode, run.stdout).toBe(0);

    // What the terminal drew: lines redrawn in place after \r and "erase line".
    const drawn = run.stdout
      .split(/\r|\n/)
      .map((line) => line.replace(/\x1b\[K/g, '').trim()) // eslint-disable-line no-control-regex
      .filter(Boolean);
    const figures = new Set(
      drawn.flatMap((line) => {
        const match = /(\d+(?:\.\d)? (?:B|KiB|MiB))\/(\d+\.\d MiB) \d+% \d+\/\d+ blobs/.exec(line);
        return match && Number.parseFloat(match[2] ?? '') >= 200 ? [match[1]] : [];
      }),
    );
    console.log(`200 MiB copy under start --wait: ${seconds}s, progress figures drawn: ${[...figures].join(', ')}`);
    expect(figures.size, drawn.join('\n')).toBeGreaterThanOrEqual(2);
    // At 40 MiB/s the copy lasts at least 5 s: some line shows it part-way (a 50 MiB layer or more, not all).
    const partWay = [...figures].some((figure) => /MiB$/.test(figure ?? '') && Number.parseFloat(figure ?? '') < 200);
    expect(partWay, drawn.join('\n')).toBe(true);
    expect(drawn.at(-1)).toMatch(/awaiting-approval/);

    const history = await bed.env.client.workflow.getHandle(`release:${project}:1.0.0`).fetchHistory();
    const events = history.events?.length ?? 0;
    console.log(`history of the release at its gate: ${events} events`);
    expect(events).toBeLessThan(300);
  });
});
