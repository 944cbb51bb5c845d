import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { personPattern } from '../config/decision-statement.ts';
import { toolProcessCap } from '../tools/tool-slots.ts';
import { ProofRefused } from './proof-refused.ts';

// SSH signatures over decision statements, as git signs commits: `ssh-keygen -Y sign -n shipgate`, checked with
// `ssh-keygen -Y verify` against an allowed-signers file (git's gpg.ssh.allowedSignersFile format).

export const signatureNamespace = 'shipgate';

/** The allowed-signers text a plan names: a file on the worker, or the lines themselves. */
export async function allowedSignersText(source: { path?: string; inline?: string }): Promise<string> {
  if (source.inline) return source.inline.endsWith('\n') ? source.inline : `${source.inline}\n`;
  if (source.path) {
    try {
      return await readFile(source.path, 'utf8');
    } catch (error) {
      throw new ProofRefused(
        'allowed signers',
        `cannot read gate.identity.sshAllowedSigners ${source.path} on the worker: ${(error as Error).message}`,
      );
    }
  }
  throw new ProofRefused('allowed signers', 'the plan names no gate.identity.sshAllowedSigners');
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'shipgate-ssh-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `20261126110000`: the form ssh-keygen's verify-time option takes (UTC). */
function sshTime(iso: string): string {
  return iso.replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * Checks that `signature` is `principal`'s signature over `message` under a key the allowed-signers list gives
 * that principal (honouring valid-after/valid-before at `at`). Returns the key fingerprint (SHA256:...).
 */
export async function verifySshSignature(input: {
  message: string;
  signature: string;
  principal: string;
  allowedSigners: string;
  /** The time the key must have been valid at (the statement's time); ISO. */
  at: string;
}): Promise<{ fingerprint: string }> {
  if (!personPattern.test(input.principal) || input.principal.startsWith('-'))
    throw new ProofRefused(
      'principal',
      `"${input.principal}" is not a principal name an allowed-signers file can hold`,
    );
  if (!input.signature.includes('-----BEGIN SSH SIGNATURE-----'))
    throw new ProofRefused(
      'ssh signature',
      'the proof is not an armored SSH signature (-----BEGIN SSH SIGNATURE-----)',
    );
  return inTempDir(async (dir) => {
    const signers = join(dir, 'allowed_signers');
    const sig = join(dir, 'statement.sig');
    await writeFile(signers, input.allowedSigners);
    await writeFile(sig, input.signature);
    const args = ['-Y', 'verify', '-f', signers, '-I', input.principal, '-n', signatureNamespace, '-s', sig];
    args.push('-O', `verify-time=${sshTime(input.at)}`);
    const result = await sshKeygen(args, { input: input.message, timeout: 30_000 });
    if (result.exitCode !== 0) {
      const known = await principalsFor(signers, sig, input.message);
      throw new ProofRefused(
        'ssh signature',
        known.includes(input.principal)
          ? `signed with a key of ${input.principal}, but not over this statement (changed after signing) or outside the key's valid-after/valid-before`
          : known.length > 0
            ? `the statement names ${input.principal}, but it is signed with a key of ${known.join(', ')}`
            : `not a valid signature by ${input.principal}: the key is not in the allowed-signers list`,
      );
    }
    const fingerprint = /key (SHA256:[A-Za-z0-9+/=]+)/.exec(`${result.stdout}\n${result.stderr}`)?.[1];
    if (!fingerprint) throw new ProofRefused('ssh signature', `ssh-keygen gave no key fingerprint: ${result.stdout}`);
    return { fingerprint };
  });
}

/**
 * ssh-keygen under the worker's tool process cap; execa is loaded on first use, so the CLI commands that never
 * sign (status, list) do not pay for it at start.
 */
async function sshKeygen(
  args: string[],
  options: { input: string; timeout: number },
): Promise<{ exitCode?: number; stdout: string; stderr: string }> {
  const { execa } = await import('execa');
  return toolProcessCap.run(() => execa('ssh-keygen', args, { ...options, reject: false }));
}

/** The principals whose keys made a signature (`ssh-keygen -Y find-principals`), to say whose key it was. */
async function principalsFor(signers: string, sig: string, message: string): Promise<string[]> {
  const result = await sshKeygen(['-Y', 'find-principals', '-f', signers, '-s', sig], {
    input: message,
    timeout: 30_000,
  });
  return result.exitCode === 0 ? result.stdout.split('\n').filter(Boolean) : [];
}

/**
 * Signs a statement with a private key file, or with the ssh-agent when `keyFile` is a public key
 * (like git's user.signingkey): `ssh-keygen -Y sign -n shipgate -f KEY`, message on stdin, signature on stdout.
 */
export async function signWithSsh(message: string, keyFile: string): Promise<string> {
  if (keyFile.startsWith('-')) throw new Error(`--key "${keyFile}" starts with "-"`);
  const result = await sshKeygen(['-Y', 'sign', '-n', signatureNamespace, '-f', keyFile], {
    input: message,
    timeout: 60_000,
  });
  if (result.exitCode !== 0 || !result.stdout.includes('BEGIN SSH SIGNATURE'))
    throw new Error(
      `ssh-keygen could not sign with ${keyFile}: ${result.stderr.trim() || result.stdout.trim()}${keyFile.endsWith('.pub') ? ' (a .pub key signs through the ssh-agent: is SSH_AUTH_SOCK set and the key added?)' : ''}`,
    );
  return `${result.stdout.trim()}\n`;
}
