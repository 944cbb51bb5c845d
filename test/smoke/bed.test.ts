import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { toolPath } from '../../src/tools/locate.ts';
import { helmEnv, pushChart } from '../support/fixtures/charts.ts';
import { pushImage, regctl, type PushedImage } from '../support/fixtures/images.ts';
import { generateKeyPair, signAndAttest, type KeyPair } from '../support/fixtures/signing.ts';
import { uniqueProject } from '../support/release-bed.ts';

// Proves each part of the test bed is real: cosign really verifies (and really refuses), helm really pulls,
// the destination registry really wants credentials.
describe('test bed: registries, cosign and helm are real', () => {
  let key: KeyPair;
  let other: KeyPair;
  const cosign = (args: string[]) => execa(toolPath('cosign'), args, { reject: false });

  beforeAll(async () => {
    const dir = join(inject('workDir'), `bed-keys-${process.pid}`);
    key = await generateKeyPair(dir);
    other = await generateKeyPair(dir, 'other');
  });

  for (const format of ['legacy', 'bundle'] as const) {
    it(`cosign verify and verify-attestation pass on a ${format}-signed image and fail on an unsigned one or with another key`, async () => {
      const name = uniqueProject(`bed-${format}`);
      const signed: PushedImage = await pushImage({
        registry: inject('sourceRegistry'),
        repository: `bed/${name}`,
        tag: 'v1.0.0',
      });
      await signAndAttest(signed, {
        key,
        format,
        attestations: ['slsaprovenance', 'spdxjson', 'vuln'],
        workDir: join(inject('workDir'), name),
        perPlatform: false,
      });
      const ref = `${signed.ref}@${signed.digest}`;
      expect((await cosign(['verify', '--key', key.publicKey, '--insecure-ignore-tlog=true', ref])).exitCode).toBe(0);
      for (const type of ['slsaprovenance', 'spdxjson', 'vuln']) {
        expect(
          (
            await cosign([
              'verify-attestation',
              '--key',
              key.publicKey,
              '--insecure-ignore-tlog=true',
              '--type',
              type,
              ref,
            ])
          ).exitCode,
          type,
        ).toBe(0);
      }
      expect(
        (await cosign(['verify', '--key', other.publicKey, '--insecure-ignore-tlog=true', ref])).exitCode,
      ).not.toBe(0);

      const tags = (await regctl(inject('sourceRegistry'), ['tag', 'ls', signed.ref])).split('\n');
      const digestTag = signed.digest.replace(':', '-');
      if (format === 'legacy') expect(tags).toEqual(expect.arrayContaining([`${digestTag}.sig`, `${digestTag}.att`]));
      else expect(tags).toContain(digestTag);

      const unsigned = await pushImage({
        registry: inject('sourceRegistry'),
        repository: `bed/${name}-unsigned`,
        tag: 'v1.0.0',
      });
      expect(
        (
          await cosign([
            'verify',
            '--key',
            key.publicKey,
            '--insecure-ignore-tlog=true',
            `${unsigned.ref}@${unsigned.digest}`,
          ])
        ).exitCode,
      ).not.toBe(0);
    });
  }

  it('helm pulls the fixture chart', async () => {
    const name = uniqueProject('bedchart');
    await pushChart({ registry: inject('sourceRegistry'), repositoryPrefix: 'bed/charts', name, version: '0.3.1' });
    const dir = mkdtempSync(join(tmpdir(), 'bed-helm-'));
    await execa(
      toolPath('helm'),
      [
        'pull',
        '--plain-http',
        `oci://${inject('sourceRegistry')}/bed/charts/${name}`,
        '--version',
        '0.3.1',
        '--destination',
        dir,
      ],
      { env: helmEnv(dir) },
    );
    expect(readdirSync(dir)).toEqual([`${name}-0.3.1.tgz`]);
  });

  it('the destination registry refuses a push without credentials and accepts one with them', async () => {
    const name = uniqueProject('bedauth');
    const anonymous = await pushImage({
      registry: inject('destinationRegistry'),
      repository: `bed/${name}`,
      tag: 'v1.0.0',
    }).then(
      () => 'pushed',
      (error: Error) => error.message,
    );
    expect(anonymous).toMatch(/unauthorized|401/i);
    const withCredentials = await pushImage({
      registry: inject('destinationRegistry'),
      repository: `bed/${name}`,
      tag: 'v1.0.0',
      dockerConfigDir: inject('dockerConfigDir'),
    });
    expect(withCredentials.digest).toMatch(/^sha256:/);
  });
});
