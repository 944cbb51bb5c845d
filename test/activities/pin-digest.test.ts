import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinDigest } from '../../src/activities/pin-digest.ts';
import { pinTarget } from '../../src/config/pin-plan.ts';
import { startFakeForge, type FakeForge } from '../support/fake-forge.ts';
import { uniqueProject } from '../support/release-bed.ts';

// The control plane's answers to a refused token, as docs/configuration.md promises: PinRejected, not retried,
// and the message names the variable to fix (never the token itself).
describe('pinDigest: a refused token', () => {
  let forge: FakeForge;
  beforeAll(async () => {
    forge = await startFakeForge();
  });
  afterAll(async () => {
    await forge?.close();
  });

  const pin = (name: string, tokenEnv: string) =>
    pinDigest({
      target: pinTarget({ url: `${forge.pinsUrl}/{name}`, tokenEnv, readBack: true }),
      fields: {
        name,
        kind: 'image',
        digest: `sha256:${'c'.repeat(64)}`,
        version: '1.0.0',
        tag: 'v1.0.0',
        commit: 'a'.repeat(40),
        notes: '',
        project: 'acme/app',
      },
    }).catch((e: unknown) => e);

  it('a 401 (a token the control plane does not know) is PinRejected, naming the token variable', async () => {
    process.env.PIN_STALE_TOKEN = 'stale-token-value';
    const name = uniqueProject('pin401');
    const error = await pin(name, 'PIN_STALE_TOKEN');
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'PinRejected', nonRetryable: true });
    expect((error as Error).message).toMatch(/answered 401.*check the control-plane token in PIN_STALE_TOKEN/);
    expect((error as Error).message).not.toContain('stale-token-value');
    expect(forge.pins().has(name)).toBe(false);
  });

  it('a 403 (a token without the right to pin) is PinRejected too', async () => {
    process.env.PIN_GOOD_TOKEN = 'forge-token';
    const name = uniqueProject('pin403');
    forge.failAlways({ method: 'POST', pathPrefix: `/pins/${name}` }, { status: 403, body: { error: 'forbidden' } });
    const error = await pin(name, 'PIN_GOOD_TOKEN');
    expect(error).toMatchObject({ type: 'PinRejected', nonRetryable: true });
    expect((error as Error).message).toMatch(/answered 403.*PIN_GOOD_TOKEN/);
  });

  it('a ${VAR} written in the URL or body is sent as written: only header values read worker secrets', async () => {
    process.env.PIN_GOOD_TOKEN = 'forge-token';
    process.env.PIN_LEAK_SECRET = 'leak-secret-value';
    const name = uniqueProject('pinleak');
    const target = pinTarget({ url: `${forge.pinsUrl}/{name}`, tokenEnv: 'PIN_GOOD_TOKEN', readBack: true });
    target.request.url = `${forge.pinsUrl}/{name}?t=\${PIN_LEAK_SECRET}`;
    target.request.body = { name: '{name}', digest: '{digest}', version: '${PIN_LEAK_SECRET}' };
    const result = await pinDigest({
      target,
      fields: {
        name,
        kind: 'image',
        digest: `sha256:${'d'.repeat(64)}`,
        version: '1.0.0',
        tag: 'v1.0.0',
        commit: 'a'.repeat(40),
        notes: '',
        project: 'acme/app',
      },
    });
    expect(result.confirmed).toBe(true);
    const sent = forge.calls.filter((call) => call.path === `/pins/${name}`);
    expect(sent.map((call) => call.method)).toContain('POST');
    expect(JSON.stringify(sent)).not.toContain('leak-secret-value');
    expect(forge.pins().get(name)?.version).toBe('${PIN_LEAK_SECRET}');
  });
});
