import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface LocalSigners {
  /** Private key file per person: pass it as `--key`, or set SHIPGATE_SIGNING_KEY. */
  keys: Record<string, string>;
  /** The allowed-signers file naming every person's public key: gate.identity.sshAllowedSigners. */
  allowedSigners: string;
}

/**
 * Throwaway SSH signing keys for local use (the demo, `shipgate dev`), made once per state directory, and the
 * allowed-signers file that lists them, so local releases use signed approvals, the safe way, from the start.
 */
export async function localSigners(dir: string, people: string[]): Promise<LocalSigners> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys: Record<string, string> = {};
  const lines: string[] = [];
  for (const person of people) {
    if (!/^[A-Za-z0-9._-]+$/.test(person))
      throw new Error(`"${person}" is not a name an allowed-signers file can hold`);
    const path = join(dir, person);
    if (!existsSync(path))
      await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${person}@shipgate-local`, '-f', path]);
    keys[person] = path;
    const [type, key] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
    lines.push(`${person} ${type ?? ''} ${key ?? ''}`);
  }
  const allowedSigners = join(dir, 'allowed_signers');
  writeFileSync(allowedSigners, `${lines.join('\n')}\n`);
  return { keys, allowedSigners };
}
