// The benchmark's two small Go programs (stdlib only): the complete-copy floor and the counting proxy. Built
// with the machine's `go` into a cache directory keyed by their sources, so an edit rebuilds and a rerun does not.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { startProcess, type RunningProcess } from '../../src/devstack/processes.ts';

export type GoTool = 'floor' | 'countproxy';

const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shipgate', 'bench');

export async function buildGoTool(name: GoTool): Promise<string> {
  const dir = join(import.meta.dirname, name);
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  const binary = join(cacheDir, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  await execa('go', ['build', '-trimpath', '-o', binary, '.'], {
    cwd: dir,
    env: { CGO_ENABLED: '0', GOWORK: 'off', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
  }).catch((error: unknown) => {
    throw new Error(`go build of scripts/bench/${name} failed (Go 1.26 on PATH is needed): ${String(error)}`);
  });
  return binary;
}

export interface RequestCounts {
  total: number;
  byMethod: Record<string, number>;
}

/** A counting reverse proxy in front of a registry: copiers talk to `host`; `counts()` says what they asked. */
export interface CountingProxy {
  host: string;
  pid: number;
  counts: () => Promise<RequestCounts>;
  reset: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startCountingProxy(binary: string, targetUrl: string): Promise<CountingProxy> {
  const proc: RunningProcess = startProcess(binary, ['-target', targetUrl]);
  const host = await firstLine(proc);
  const url = `http://${host}/_bench`;
  return {
    host,
    pid: proc.child.pid ?? 0,
    counts: async () => (await (await fetch(`${url}/counts`)).json()) as RequestCounts,
    reset: async () => {
      await fetch(`${url}/reset`, { method: 'POST' });
    },
    stop: proc.stop,
  };
}

async function firstLine(proc: RunningProcess): Promise<string> {
  const stdout = proc.child.stdout;
  if (!stdout) throw new Error('countproxy: no stdout');
  const lines = createInterface({ input: stdout });
  for await (const line of lines) {
    lines.close();
    return line.trim();
  }
  throw new Error(`countproxy exited before listening: ${proc.output()}`);
}
