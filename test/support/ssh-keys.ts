import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface SshKey {
  principal: string;
  /** Private key file, for --key / signWithSsh. */
  path: string;
  /** "ssh-ed25519 AAAA..." */
  publicKey: string;
}

/** A throwaway ed25519 key for a person, made with ssh-keygen as a person would. */
export async function sshKey(principal: string, dir = mkdtempSync(join(tmpdir(), 'shipgate-keys-'))): Promise<SshKey> {
  const path = join(dir, principal);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', principal, '-f', path]);
  const publicKey = readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return { principal, path, publicKey };
}

/** allowed-signers lines (git's format), optionally with options such as valid-before="20200101". */
export function allowedSigners(keys: (SshKey & { options?: string })[]): string {
  return (
    keys.map((key) => `${key.principal} ${key.options ? `${key.options} ` : ''}${key.publicKey}`).join('\n') + '\n'
  );
}
