import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { localPromotionKey } from '../../src/devstack/promotion-key.ts';
import { toolPath } from '../../src/tools/locate.ts';

// The demo's promotion key: made once per state directory, so a rerun signs with the key earlier records verify with.
describe('localPromotionKey', () => {
  it('makes a cosign key pair once, keeps its password private, and signs what its public half verifies', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'promotion-key-')), 'key');
    const first = await localPromotionKey(dir);
    const again = await localPromotionKey(dir);
    expect(again).toEqual(first);
    expect(readFileSync(again.publicKey, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(statSync(join(dir, 'password')).mode & 0o077).toBe(0);

    const blob = join(dir, 'blob');
    writeFileSync(blob, 'promotion record');
    const cosign = toolPath('cosign');
    const signed = await execa(
      cosign,
      [
        'sign-blob',
        '--key',
        first.privateKey,
        '--tlog-upload=false',
        '--use-signing-config=false',
        '--bundle',
        `${blob}.bundle`,
        '-y',
        blob,
      ],
      { env: { COSIGN_PASSWORD: first.password } },
    );
    expect(signed.exitCode).toBe(0);
    const verify = (key: string) =>
      execa(cosign, ['verify-blob', '--key', key, '--insecure-ignore-tlog=true', '--bundle', `${blob}.bundle`, blob], {
        reject: false,
      });
    expect((await verify(first.publicKey)).exitCode).toBe(0);
    // A key made elsewhere does not verify it: the test can fail.
    const other = await localPromotionKey(join(dir, 'other'));
    expect((await verify(other.publicKey)).exitCode).not.toBe(0);
  });
});
