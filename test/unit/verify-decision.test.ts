import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDecision, type VerifyDecisionInput } from '../../src/activities/verify-decision.ts';
import { digestSetSha256, renderStatement } from '../../src/config/decision-statement.ts';
import type { IdentityPolicy } from '../../src/config/decision-types.ts';
import { signWithSsh } from '../../src/identity/ssh-signature.ts';
import { startFakeForge, type FakeForge } from '../support/fake-forge.ts';
import type { FakeIssuer } from '../support/fake-oidc-issuer.ts';
import { allowedSigners, sshKey, type SshKey } from '../support/ssh-keys.ts';

// The proof checks as an attacker would try to get around them: each is refused, saying which check failed.
// Real ssh-keygen, real RSA-signed tokens from a local issuer (the fake forge serves discovery and JWKS).

const statementFor = (person: string, overrides: Record<string, string> = {}) =>
  renderStatement({
    release: 'release:acme/gateway:1.4.0',
    run: 'run-1',
    gate: 'promotion',
    digests: digestSetSha256([`app@sha256:${'a'.repeat(64)}`]),
    decision: 'approve',
    person,
    time: new Date().toISOString(),
    nonce: randomBytes(16).toString('hex'),
    ...overrides,
  });

async function refusal(input: VerifyDecisionInput): Promise<string> {
  const error = await verifyDecision(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect((error as ApplicationFailure).type).toBe('DecisionRefused');
  expect((error as ApplicationFailure).nonRetryable).toBe(true);
  return (error as ApplicationFailure).message;
}

describe('verifyDecision: SSH signatures', () => {
  let alice: SshKey;
  let mallory: SshKey;
  let identity: IdentityPolicy;
  beforeAll(async () => {
    [alice, mallory] = await Promise.all([sshKey('alice'), sshKey('mallory')]);
    identity = { mode: 'signed', sshAllowedSigners: { inline: allowedSigners([alice, mallory]) } };
  });

  it("accepts alice's statement signed with alice's key and says which key", async () => {
    const statement = statementFor('alice');
    const signature = await signWithSsh(statement, alice.path);
    const { verified } = await verifyDecision({
      signed: { statement, proof: { kind: 'ssh', signature } },
      identity,
      releaseId: 'r',
    });
    expect(verified).toMatchObject({ principal: 'alice', method: 'ssh', statement });
    expect(verified.fingerprint).toMatch(/^SHA256:/);
  });

  it("refuses a statement naming alice signed with mallory's key (a forged --as), naming whose key it was", async () => {
    const statement = statementFor('alice');
    const signature = await signWithSsh(statement, mallory.path);
    expect(
      await refusal({ signed: { statement, proof: { kind: 'ssh', signature } }, identity, releaseId: 'r' }),
    ).toMatch(/ssh signature: the statement names alice, but it is signed with a key of mallory/);
  });

  it('refuses a signed statement changed afterwards (another digest set)', async () => {
    const statement = statementFor('alice');
    const signature = await signWithSsh(statement, alice.path);
    const changed = statement.replace(/digests: [0-9a-f]+/, `digests: ${digestSetSha256(['app@sha256:other'])}`);
    expect(
      await refusal({ signed: { statement: changed, proof: { kind: 'ssh', signature } }, identity, releaseId: 'r' }),
    ).toMatch(/ssh signature: signed with a key of alice, but not over this statement/);
  });

  it('refuses a key past its valid-before date in the allowed-signers list', async () => {
    const expired: IdentityPolicy = {
      mode: 'signed',
      sshAllowedSigners: { inline: allowedSigners([{ ...alice, options: 'valid-before="20200101"' }]) },
    };
    const statement = statementFor('alice');
    const signature = await signWithSsh(statement, alice.path);
    expect(
      await refusal({ signed: { statement, proof: { kind: 'ssh', signature } }, identity: expired, releaseId: 'r' }),
    ).toMatch(/ssh signature/);
  });

  it('refuses a statement whose person reads as an ssh-keygen option, before ssh-keygen runs', async () => {
    const statement = statementFor('-alice');
    const signature = await signWithSsh(statement, alice.path);
    expect(
      await refusal({ signed: { statement, proof: { kind: 'ssh', signature } }, identity, releaseId: 'r' }),
    ).toMatch(/^principal: "-alice" is not a principal name/);
  });

  it('refuses an OIDC token when the plan asks for signatures', async () => {
    expect(
      await refusal({
        signed: { statement: statementFor('alice'), proof: { kind: 'oidc', token: 'a.b.c' } },
        identity,
        releaseId: 'r',
      }),
    ).toMatch(/gate.identity is signed: an OIDC token does not count/);
  });
});

describe('verifyDecision: CI OIDC tokens', () => {
  let forge: FakeForge;
  let gitlab: FakeIssuer;
  let identity: IdentityPolicy;
  const claims = { user_login: 'alice', sub: 'project_path:acme/gateway:ref_type:branch:ref:main', aud: 'shipgate' };
  const gitlabClaims = { ...claims, project_path: 'acme/gateway', ref_protected: 'true' };
  const check = (token: string, person = 'alice', releaseId = 'release:acme/gateway:1.4.0') =>
    verifyDecision({
      signed: { statement: statementFor(person), proof: { kind: 'oidc', token } },
      identity,
      releaseId,
    });
  const refused = (token: string, person = 'alice', releaseId = 'release:acme/gateway:1.4.0') =>
    refusal({ signed: { statement: statementFor(person), proof: { kind: 'oidc', token } }, identity, releaseId });

  beforeAll(async () => {
    forge = await startFakeForge();
    gitlab = forge.oidcIssuer('gitlab');
    identity = {
      mode: 'oidc',
      oidc: {
        audience: 'shipgate',
        skewSeconds: 30,
        maxAgeSeconds: 3600,
        issuers: [
          {
            url: gitlab.url,
            personClaim: 'user_login',
            claims: { project_path: 'acme/gateway', ref_protected: 'true' },
          },
        ],
      },
    };
  });
  afterAll(async () => {
    await forge?.close();
  });

  it('accepts a fresh token from a listed issuer with the required claims; the person is the user_login claim', async () => {
    const { verified, tokenId } = await check(gitlab.token(gitlabClaims));
    expect(verified).toMatchObject({ principal: 'alice', method: 'oidc', issuer: gitlab.url, subject: claims.sub });
    expect(tokenId).toBeTruthy();
  });

  it('refuses an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refused(gitlab.token({ ...gitlabClaims, iat: now - 900, nbf: now - 900, exp: now - 600 }))).toMatch(
      /^exp: the token expired/,
    );
  });

  it('refuses a token for another audience', async () => {
    expect(await refused(gitlab.token({ ...gitlabClaims, aud: 'https://vault.example' }))).toMatch(
      /^aud: the token is for audience https:\/\/vault.example, not shipgate/,
    );
  });

  it('refuses a token from an issuer the plan does not list, even when it is well signed', async () => {
    const other = forge.oidcIssuer('elsewhere');
    expect(await refused(other.token(gitlabClaims))).toMatch(/^issuer: issuer ".*\/oidc\/elsewhere" is not listed/);
  });

  it('refuses a token from another project or an unprotected ref', async () => {
    expect(await refused(gitlab.token({ ...gitlabClaims, project_path: 'mallory/fork' }))).toMatch(
      /^claim project_path: the token says project_path=mallory\/fork/,
    );
    expect(await refused(gitlab.token({ ...gitlabClaims, ref_protected: 'false' }))).toMatch(/^claim ref_protected/);
  });

  it("refuses bob's token under a statement naming alice", async () => {
    expect(await refused(gitlab.token({ ...gitlabClaims, user_login: 'bob' }))).toMatch(
      /token is bob's .* but the statement names alice/,
    );
  });

  it('refuses a token signed by a key not in the JWKS, and one with alg none', async () => {
    expect(await refused(gitlab.token(gitlabClaims, { key: 'stranger' }))).toMatch(/^signature: no key/);
    const [, payload] = gitlab.token(gitlabClaims).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    expect(await refused(none)).toMatch(/^signature: algorithm "none" is not accepted/);
  });

  it("refuses a genuine token whose claims were changed afterwards (a fork's token rewritten to the project)", async () => {
    const [header, , signature] = gitlab.token({ ...gitlabClaims, project_path: 'mallory/fork' }).split('.');
    const now = Math.floor(Date.now() / 1000);
    const rewritten = Buffer.from(
      JSON.stringify({ iss: gitlab.url, iat: now, nbf: now, exp: now + 300, ...gitlabClaims }),
    ).toString('base64url');
    expect(await refused(`${header}.${rewritten}.${signature}`)).toMatch(
      /^signature: the token's signature does not verify/,
    );
  });

  it('refuses a token that lives longer than the plan accepts, and one issued in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refused(gitlab.token({ ...gitlabClaims, iat: now, exp: now + 7200 }))).toMatch(
      /^exp: the token lives 7200s, longer than the 3600s accepted/,
    );
    expect(await refused(gitlab.token({ ...gitlabClaims, iat: now + 600, nbf: now, exp: now + 900 }))).toMatch(
      /^iat: the token was issued in the future/,
    );
  });

  it('refuses an issuer whose discovery document names another issuer (its keys are not trusted for this URL)', async () => {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: gitlab.url, jwks_uri: `${gitlab.url}/oauth/discovery/keys` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const lookalike = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const [header, , signature] = gitlab.token(gitlabClaims).split('.');
      const now = Math.floor(Date.now() / 1000);
      const payload = Buffer.from(
        JSON.stringify({ iss: lookalike, iat: now, nbf: now, exp: now + 300, ...gitlabClaims }),
      ).toString('base64url');
      const listed: IdentityPolicy = {
        ...identity,
        oidc: { ...identity.oidc!, issuers: [{ url: lookalike, personClaim: 'user_login', claims: {} }] },
      };
      expect(
        await refusal({
          signed: {
            statement: statementFor('alice'),
            proof: { kind: 'oidc', token: `${header}.${payload}.${signature}` },
          },
          identity: listed,
          releaseId: 'r',
        }),
      ).toMatch(/^issuer: the discovery document of http:\/\/127\.0\.0\.1:\d+ names issuer .*\/oidc\/gitlab/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a token already used for another release', async () => {
    const token = gitlab.token(gitlabClaims);
    await check(token, 'alice', 'release:acme/gateway:2.0.0');
    expect(await refused(token, 'alice', 'release:acme/gateway:2.0.1')).toMatch(
      /^single use: this token was already used for release:acme\/gateway:2.0.0/,
    );
  });

  it('follows a key rotation: the cached JWKS is fetched again for an unknown key id', async () => {
    await check(gitlab.token(gitlabClaims));
    const before = gitlab.jwksFetches();
    await check(gitlab.token(gitlabClaims));
    expect(gitlab.jwksFetches()).toBe(before);
    gitlab.rotate();
    const { verified } = await check(gitlab.token(gitlabClaims));
    expect(verified.principal).toBe('alice');
    expect(gitlab.jwksFetches()).toBe(before + 1);
  });
});
