import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the per-activity auth files of this worker process live: one folder per process, named for its owner
 * (`shipgate-auth-w<pid>-<start>`), so a worker that starts can tell folders of live workers on the same host from
 * those a killed worker left behind, and purge only the latter (purgeDeadAuthFolders). A kill -9 skips every
 * `finally`; this is what keeps a killed worker's credentials from outliving it on disk.
 */
const prefix = 'shipgate-auth-';
const owned = /^shipgate-auth-w(\d+)-(\d+)$/;
let root: string | undefined;

/** The process start time in clock ticks since boot (Linux), so a reused pid is not taken for the owner; else 0. */
function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), field 22 overall is the start time.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return process.platform === 'linux' ? undefined : 0;
  }
}

function isAlive(pid: number, ticks: number): boolean {
  if (process.platform === 'linux') return startTicks(pid) === ticks;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process's auth folder (created 0700 on first use); activities make their own folders inside it. */
export function workerAuthRoot(): string {
  if (!root) {
    root = join(tmpdir(), `${prefix}w${process.pid}-${startTicks(process.pid) ?? 0}`);
    // A folder of a previous process with the same pid and start time cannot exist; one of ours is reused as is.
    mkdirSync(root, { recursive: true, mode: 0o700 });
    process.once('exit', () => {
      if (root) rmSync(root, { recursive: true, force: true });
    });
  }
  return root;
}

/**
 * Removes the auth folders in TMPDIR whose owner process is gone (killed, crashed), and folders of the old layout
 * (one `shipgate-auth-XXXXXX` per activity, no owner: left by versions before per-worker folders). Folders of live
 * workers on the same host are left alone. Returns the removed paths. Called when a worker starts.
 */
export function purgeDeadAuthFolders(dir = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    const match = owned.exec(name);
    if (match && (isAlive(Number(match[1]), Number(match[2])) || path === root)) continue;
    try {
      if (!statSync(path).isDirectory()) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone already (another worker purged it first), or not ours to remove: nothing to do.
    }
  }
  return removed;
}
