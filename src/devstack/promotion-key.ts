import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { toolPath } from '../tools/locate.ts';

export interface LocalPromotionKey {
  /** The cosign private key: what the plan's evidence.key.pathEnv variable holds. */
  privateKey: string;
  /** Its password: what evidence.key.passwordEnv holds. */
  password: string;
  /** The public half consumers check promotion records with (cosign verify-attestation --key). */
  publicKey: string;
}

/**
 * A throwaway cosign key pair for signing promotion records locally (the demo), made once per state directory
 * with a random password kept beside it (mode 0600), so reruns sign with the same key and earlier records
 * still verify.
 */
export async function localPromotionKey(dir: string): Promise<LocalPromotionKey> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKey = join(dir, 'shipgate.key');
  const publicKey = join(dir, 'shipgate.pub');
  const passwordFile = join(dir, 'password');
  if (!existsSync(privateKey) || !existsSync(publicKey) || !existsSync(passwordFile)) {
    const password = randomBytes(24).toString('base64url');
    // --output-key-prefix writes shipgate.key and shipgate.pub in cwd; y answers "overwrite?" after a partial run.
    await execa(toolPath('cosign'), ['generate-key-pair', '--output-key-prefix', 'shipgate'], {
      cwd: dir,
      env: { COSIGN_PASSWORD: password },
      input: 'y\ny\n',
    });
    writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  return { privateKey, publicKey, password: readFileSync(passwordFile, 'utf8') };
}
