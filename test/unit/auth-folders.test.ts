import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { purgeDeadAuthFolders, workerAuthRoot } from '../../src/tools/auth-folders.ts';

// Several workers on one host share TMPDIR: a starting worker removes only the folders of owners that are gone.
describe('worker auth folders', () => {
  it('purges folders of dead owners and of the old per-activity layout, never a live worker’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-purge-'));
    const live = join(dir, `shipgate-auth-w${process.pid}-${liveTicks()}`);
    const dead = await execa('sh', ['-c', 'echo $$']);
    const deadFolder = join(dir, `shipgate-auth-w${dead.stdout.trim()}-1`);
    // Same pid as a live process but another start time: the pid was reused, its owner is gone.
    const reused = join(dir, `shipgate-auth-w${process.pid}-1`);
    const legacy = join(dir, 'shipgate-auth-Ab12Cd');
    for (const folder of [live, deadFolder, reused, legacy]) {
      mkdirSync(join(folder, 'activity-x'), { recursive: true });
      writeFileSync(join(folder, 'activity-x', 'config.json'), '{"auths":{}}');
    }
    writeFileSync(join(dir, 'shipgate-auth-not-a-folder'), '');
    expect(purgeDeadAuthFolders(dir).sort()).toEqual([deadFolder, legacy, reused].sort());
    expect(existsSync(join(live, 'activity-x', 'config.json'))).toBe(true);
    expect(existsSync(join(dir, 'shipgate-auth-not-a-folder'))).toBe(true);
  });

  it('names this process’s folder for its pid and start time', () => {
    expect(workerAuthRoot()).toMatch(new RegExp(`shipgate-auth-w${process.pid}-${liveTicks()}$`));
    expect(purgeDeadAuthFolders()).not.toContain(workerAuthRoot());
  });
});

function liveTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}
