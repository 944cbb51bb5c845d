// CPU time per side, read from /proc: the copier (the engine's process, or this process and the children it
// waited for: regctl, the floor) and each registry process (found by the config path on its command line). Linux only.
import { readdirSync, readFileSync } from 'node:fs';
import { execaSync } from 'execa';

const ticksPerSecond = Number(execaSync('getconf', ['CLK_TCK']).stdout.trim()) || 100;

/** utime, stime, cutime, cstime of a process, in seconds. */
function times(pid: number | 'self'): { own: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3; utime is field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const at = (field: number): number => Number(fields[field - 3]) / ticksPerSecond;
  return { own: at(14) + at(15), children: at(16) + at(17) };
}

/** CPU seconds this process and its reaped children have used so far. */
export function copierCpu(): number {
  const { own, children } = times('self');
  return own + children;
}

/** CPU seconds a running process has used so far (0 when it is gone); with its reaped children when asked. */
export function processCpu(pid: number, withChildren = false): number {
  try {
    const { own, children } = times(pid);
    return withChildren ? own + children : own;
  } catch {
    return 0;
  }
}

/** The pid of the process whose command line contains `needle` (a registry's config path). */
export function pidByCommandLine(needle: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(needle)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no process with ${needle} on its command line`);
}
