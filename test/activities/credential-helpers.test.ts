import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyOciArtifact } from '../../src/activities/copy-oci-artifact.ts';
import { resolveOciArtifact } from '../../src/activities/resolve-oci-artifact.ts';
import { RegistryClient } from '../../src/registry/client.ts';
import { pushImage } from '../support/fixtures/images.ts';
import { uniqueProject } from '../support/release-bed.ts';

// Registry auth through docker credential helpers (ECR, GCR/GAR, ACR, Docker Desktop, pass all work this way):
// a small docker-credential-* script on PATH answers `get` as the protocol says, against the real
// destination registry, which refuses anonymous pushes.

function writeHelper(bin: string, name: string, body: string): void {
  const path = join(bin, `docker-credential-${name}`);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

describe('registry credentials from docker credential helpers', () => {
  const saved = { path: process.env.PATH, dockerConfig: process.env.DOCKER_CONFIG };
  let root: string;
  let bin: string;
  const destination = () => inject('destinationRegistry');
  const useConfig = (name: string, config: unknown): void => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    process.env.DOCKER_CONFIG = dir;
  };

  beforeAll(() => {
    root = join(inject('workDir'), `cred-helpers-${process.pid}`);
    bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    const user = inject('destinationUsername');
    const password = inject('destinationPassword');
    // Logs what it was asked, answers the destination's credentials for its host, "not found" for others.
    writeHelper(
      bin,
      'shipgate-test',
      `read host; echo "$1 $host" >> "${root}/asked.log"
if [ "$host" = "${destination()}" ]; then printf '{"ServerURL":"%s","Username":"${user}","Secret":"${password}"}' "$host"; exit 0; fi
echo "credentials not found in native keychain"; exit 1`,
    );
    writeHelper(bin, 'wrong', `read host; printf '{"ServerURL":"%s","Username":"${user}","Secret":"nope"}' "$host"`);
    writeHelper(bin, 'broken', 'echo "helper exploded" >&2; exit 3');
    process.env.PATH = `${bin}${delimiter}${saved.path ?? ''}`;
  });
  afterEach(() => {
    if (saved.dockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved.dockerConfig;
  });

  it('credHelpers[host]: the helper is asked for that host, and both the client and the copy tools use its answer', async () => {
    useConfig('cred-helpers', { credHelpers: { [destination()]: 'shipgate-test' } });
    const name = uniqueProject('credhelper');
    const image = await pushImage({ registry: inject('sourceRegistry'), repository: `staging/${name}`, tag: 'v1.0.0' });
    const resolved = await resolveOciArtifact({
      kind: 'image',
      name,
      tag: 'v1.0.0',
      source: { endpoint: { host: inject('sourceRegistry'), plainHttp: true }, repository: `staging/${name}` },
      // No usernameEnv/passwordEnv: credentials come from $DOCKER_CONFIG/config.json.
      destination: { endpoint: { host: destination(), plainHttp: true }, repository: `prod/${name}` },
    });
    const copied = await copyOciArtifact(resolved);
    expect(copied.alreadyPresent).toBe(false);
    const client = new RegistryClient({ host: destination(), plainHttp: true });
    expect((await client.headManifest(`prod/${name}`, 'v1.0.0'))?.digest).toBe(image.digest);
    expect(readFileSync(join(root, 'asked.log'), 'utf8')).toContain(`get ${destination()}`);
  });

  it('credsStore serves every registry; a refused secret is a RegistryUnauthorized that names the helper', async () => {
    useConfig('creds-store-wrong', { credsStore: 'wrong', auths: { [destination()]: {} } });
    const client = new RegistryClient({ host: destination(), plainHttp: true });
    const error = await client.tags('prod/anything').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('RegistryUnauthorized');
    expect((error as ApplicationFailure).message).toContain('docker-credential-wrong');
  });

  it('a helper that fails, is missing, or is named like a path is refused with what to fix; none is run by path', () => {
    useConfig('broken', { credHelpers: { [destination()]: 'broken' } });
    expect(() => new RegistryClient({ host: destination(), plainHttp: true })).toThrow(
      /docker-credential-broken get failed \(exit 3\): helper exploded/,
    );
    useConfig('missing', { credHelpers: { [destination()]: 'not-installed' } });
    expect(() => new RegistryClient({ host: destination(), plainHttp: true })).toThrow(
      /docker-credential-not-installed is not on the worker's PATH/,
    );
    // An attacker-controlled docker config naming "../../tmp/x" must not run ./docker-credential-../../tmp/x.
    useConfig('path', { credsStore: '../bin/shipgate-test' });
    expect(() => new RegistryClient({ host: destination(), plainHttp: true })).toThrow(/is not a helper name/);
  });

  it('"credentials not found" from the helper means anonymous access, as with docker', async () => {
    useConfig('not-found', { credHelpers: { 'other.example': 'wrong' }, credsStore: 'shipgate-test' });
    const name = uniqueProject('anon');
    const image = await pushImage({ registry: inject('sourceRegistry'), repository: `staging/${name}`, tag: 'v1.0.0' });
    // The source registry is anonymous: the store is asked, says "not found", and the pull works without credentials.
    const client = new RegistryClient({ host: inject('sourceRegistry'), plainHttp: true });
    expect((await client.headManifest(`staging/${name}`, 'v1.0.0'))?.digest).toBe(image.digest);
    expect(readFileSync(join(root, 'asked.log'), 'utf8')).toContain(`get ${inject('sourceRegistry')}`);
  });
});
