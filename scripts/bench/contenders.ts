// The four copiers the bench times, each copying the whole release to one destination: shipgate's engine
// (copyOciArtifact per artifact, all at once, as the publish step schedules them), a sequential regctl script,
// the same regctl copies in parallel, and the complete-copy floor (scripts/bench/floor).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ResolvedOciArtifact } from '../../src/artifacts/types.ts';
import { toolPath } from '../../src/tools/locate.ts';
import type { EngineReply, EngineRequest } from './engine-child.ts';

export type Contender = 'engine' | 'script' | 'parallel' | 'floor';
export const contenders: Contender[] = ['engine', 'script', 'parallel', 'floor'];

export const describeContender: Record<Contender, string> = {
  engine:
    'shipgate engine: copyOciArtifact per artifact, all at once as publish.ts runs them, a fresh process per cold copy',
  script: 'sequential script: regctl image copy --referrers --digest-tags per artifact, one after another',
  parallel: 'parallel regctl: the same regctl copies, all at once',
  floor:
    'complete-copy floor: scripts/bench/floor (Go, stream blobs, monolithic PUT, 8 at a time, manifests and tags once)',
};

/** Where the copies go: a counting proxy in front of a fresh registry behind htpasswd. */
export interface CopyTarget {
  /** The proxy's host:port: every copier writes here. */
  host: string;
  sourceHost: string;
  credentials: { username: string; password: string };
  /** Scratch space for regctl's config. */
  dir: string;
}

/** Environment variables the engine's plan-style endpoint names for the destination credentials. */
export const credentialEnv = { usernameEnv: 'BENCH_USER', passwordEnv: 'BENCH_PASS' };

export async function runContender(
  contender: Contender,
  artifacts: ResolvedOciArtifact[],
  target: CopyTarget,
  tools: { floor: string; engine?: EngineProcess | undefined },
): Promise<void> {
  if (contender === 'engine') {
    if (!tools.engine) throw new Error('the engine contender needs an engine process (startEngine)');
    await tools.engine.copy({
      artifacts: artifacts.map((artifact) => toTarget(artifact, target)),
      env: {
        [credentialEnv.usernameEnv]: target.credentials.username,
        [credentialEnv.passwordEnv]: target.credentials.password,
      },
    });
    return;
  }
  if (contender === 'floor') {
    await execa(
      tools.floor,
      [
        '-src',
        `http://${target.sourceHost}`,
        '-dst',
        `http://${target.host}`,
        '-user',
        target.credentials.username,
        ...artifacts.map((a) => `${a.source.repository}@${a.digest}=${a.source.repository}:${a.tag}`),
      ],
      { env: { FLOOR_PASSWORD: target.credentials.password } },
    );
    return;
  }
  const env = regctlEnv(target);
  const copy = (artifact: ResolvedOciArtifact) =>
    execa(
      toolPath('regctl'),
      [
        '--host',
        `reg=${target.sourceHost},tls=disabled`,
        '--host',
        `reg=${target.host},tls=disabled`,
        'image',
        'copy',
        '--referrers',
        '--digest-tags',
        `${target.sourceHost}/${artifact.source.repository}@${artifact.digest}`,
        `${target.host}/${artifact.source.repository}:${artifact.tag}`,
      ],
      { env },
    );
  if (contender === 'parallel') {
    await Promise.all(artifacts.map(copy));
    return;
  }
  for (const artifact of artifacts) await copy(artifact);
}

/** The resolved artifact with its destination at the target (same repository path as the source). */
export function toTarget(artifact: ResolvedOciArtifact, target: CopyTarget): ResolvedOciArtifact {
  return {
    ...artifact,
    destination: {
      endpoint: { host: target.host, plainHttp: true, ...credentialEnv },
      repository: artifact.source.repository,
    },
  };
}

function regctlEnv(target: CopyTarget): Record<string, string> {
  const dockerConfig = join(target.dir, 'docker');
  mkdirSync(dockerConfig, { recursive: true });
  const auth = Buffer.from(`${target.credentials.username}:${target.credentials.password}`).toString('base64');
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [target.host]: { auth } } }));
  return { DOCKER_CONFIG: dockerConfig, REGCTL_CONFIG: join(target.dir, 'regctl.json') };
}

/** The engine in a process of its own, ready to copy (its start, module loading included, is not timed). */
export interface EngineProcess {
  pid: number;
  copy: (request: EngineRequest) => Promise<void>;
  stop: () => Promise<void>;
}

export async function startEngine(): Promise<EngineProcess> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'engine-child.ts'), [], { stdio: 'inherit' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const reply = (): Promise<EngineReply> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`the engine process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (message: EngineReply) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
  const ready = await reply();
  if (!ready.ok) throw new Error(ready.error);
  return {
    pid: child.pid ?? 0,
    copy: async (request) => {
      const done = reply();
      child.send(request);
      const result = await done;
      if (!result.ok) throw new Error(`engine copy failed: ${result.error}`);
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
