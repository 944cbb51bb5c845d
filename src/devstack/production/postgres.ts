import { chmodSync, chownSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { freePort, retryOnPortConflict, startProcess, waitUntil } from '../processes.ts';

/**
 * The PostgreSQL major version of the production topology: Debian 12's, which scripts/setup installs
 * (postgresql-15); docker-compose.yml runs the same major (test/unit/versions.test.ts).
 */
export const postgresMajor = 15;

export interface LocalPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The major version that runs (e.g. 15), for the connection details and the version check. */
  major: number;
  stop: () => Promise<void>;
}

export interface LocalPostgresOptions {
  /** Folder for the data directory; a second start on the same folder keeps the databases. */
  stateDir: string;
  port?: number;
  /** false for throwaway test stacks: no fsync, so a run does not wait on the disk. */
  durable?: boolean;
}

/** Debian's PostgreSQL of the pinned major (/usr/lib/postgresql/15/bin), or $SHIPGATE_PG_BIN. */
export function postgresBinDir(): { dir: string; major: number } {
  const dir = process.env.SHIPGATE_PG_BIN ?? join('/usr/lib/postgresql', String(postgresMajor), 'bin');
  if (!existsSync(join(dir, 'initdb'))) {
    throw new Error(
      `PostgreSQL ${postgresMajor} is not installed (no ${dir}/initdb): run ./scripts/setup (apt-get install postgresql-${postgresMajor}), or set SHIPGATE_PG_BIN to its bin folder`,
    );
  }
  return { dir, major: postgresMajor };
}

/**
 * PostgreSQL refuses to run as root. As root we run it as Debian's `postgres` user (or `nobody`), through setpriv,
 * which execs in place so that stopping the process stops PostgreSQL itself.
 */
async function runAs(): Promise<{ uid: number; gid: number; prefix: string[] } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    const id = await execa('id', ['-u', user], { reject: false });
    const gid = await execa('id', ['-g', user], { reject: false });
    if (id.exitCode === 0 && gid.exitCode === 0) {
      const [u, g] = [Number(id.stdout), Number(gid.stdout)];
      return { uid: u, gid: g, prefix: ['setpriv', `--reuid=${u}`, `--regid=${g}`, '--clear-groups', '--'] };
    }
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run PostgreSQL as');
}

/**
 * The server user must reach its folder: folders on the way that are ours and closed to others (a mkdtemp folder is
 * 0700) get the others' execute bit, so they can be passed through but still not listed.
 */
function allowTraversal(dir: string): void {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const stat = statSync(current);
    if (stat.uid === process.getuid?.() && (stat.mode & 0o001) === 0) chmodSync(current, (stat.mode & 0o7777) | 0o001);
    if (dirname(current) === current) return;
  }
}

/** Starts PostgreSQL on 127.0.0.1 only (its socket in the state folder), creating the cluster on first start. */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  return retryOnPortConflict(() => startOnce(options));
}

async function startOnce(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const { dir, major } = postgresBinDir();
  const user = 'temporal';
  const password = 'temporal';
  const home = join(options.stateDir, 'postgres');
  const data = join(home, 'data');
  mkdirSync(home, { recursive: true });
  const owner = await runAs();
  const prefix = owner?.prefix ?? [];
  if (owner) {
    allowTraversal(options.stateDir);
    chownSync(home, owner.uid, owner.gid);
  }
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const pwfile = join(home, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    const [command = '', ...args] = [
      ...prefix,
      join(dir, 'initdb'),
      '-D',
      data,
      '-U',
      user,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
    ];
    const initdb = await execa(command, args, { reject: false, all: true });
    if (initdb.exitCode !== 0) throw new Error(`initdb ${data} failed:\n${initdb.all}`);
  }
  const port = options.port ?? (await freePort());
  const settings = [
    `listen_addresses=127.0.0.1`,
    `port=${port}`,
    `unix_socket_directories=${home}`,
    'max_connections=200',
    ...(options.durable === false ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ].flatMap((setting) => ['-c', setting]);
  const [command = '', ...args] = [...prefix, join(dir, 'postgres'), '-D', data, ...settings];
  const proc = startProcess(command, args);
  const ready = async (): Promise<boolean> =>
    (await execa(join(dir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { reject: false })).exitCode === 0;
  await waitUntil(`PostgreSQL on 127.0.0.1:${port}`, ready, proc).catch((error: unknown) => {
    // PostgreSQL says "Address already in use"; retryOnPortConflict looks for the lower-case words.
    if (/address already in use/i.test(String(error))) throw new Error(`address already in use: 127.0.0.1:${port}`);
    throw error;
  });
  return { host: '127.0.0.1', port, user, password, major, stop: proc.stop };
}
