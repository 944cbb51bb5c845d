import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { secretFromEnv } from '../http/secret-from-env.ts';
import { assertNotOption, runTool } from '../tools/run.ts';

import type { PromotionKey } from '../artifacts/promotion-record.ts';

export interface LoadedPromotionKey {
  /** The encrypted private key's path (not secret); cosign decrypts it with COSIGN_PASSWORD from `env`. */
  path: string;
  /** The public half, derived from the private key into a private folder. */
  publicKey: string;
  env: Record<string, string>;
}

/** Reads the key's variables on the worker and derives the public half (`cosign public-key`) into `dir`. */
export async function loadPromotionKey(
  key: PromotionKey,
  dir: string,
  env: Record<string, string>,
): Promise<LoadedPromotionKey> {
  const path = secretFromEnv(key.pathEnv, "evidence.key.pathEnv (the promotion key's file path)");
  const password = secretFromEnv(key.passwordEnv, "evidence.key.passwordEnv (the promotion key's password)");
  const withPassword = { ...env, COSIGN_PASSWORD: password };
  const derived = await runTool('cosign', ['public-key', '--key', assertNotOption(path, 'promotion key path')], {
    env: withPassword,
    what: `reading the promotion key named by ${key.pathEnv}`,
  });
  const publicKey = join(dir, 'promotion.pub');
  await writeFile(publicKey, derived.stdout, { mode: 0o600 });
  return { path, publicKey, env: withPassword };
}
