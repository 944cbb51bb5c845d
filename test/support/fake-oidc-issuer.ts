import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';

// An OIDC issuer as GitLab and GitHub Actions run one for CI ID tokens: a discovery document at
// ISSUER/.well-known/openid-configuration naming jwks_uri, a JWKS of RSA public keys, and RS256 tokens.
// Keys can be rotated (the JWKS then holds only the new key), so a verifier's cache must fetch again.

export interface FakeIssuer {
  url: string;
  /** A signed ID token; claims merge over iss/iat/exp/jti defaults (exp 5 minutes from now). */
  token: (claims: Record<string, unknown>, options?: { key?: 'current' | 'stranger' }) => string;
  rotate: () => void;
  /** Discovery and JWKS requests served, to see the cache at work. */
  jwksFetches: () => number;
}

export interface IssuerRoutes {
  issuer: FakeIssuer;
  /** Answers a GET under the issuer's path, or undefined when the path is not the issuer's. */
  answer: (path: string) => { status: number; body: unknown } | undefined;
}

interface Key {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function newKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicKey };
}

export function fakeIssuer(url: string, path: string): IssuerRoutes {
  let current = newKey();
  const stranger = newKey();
  let fetches = 0;
  const issuer: FakeIssuer = {
    url,
    token: (claims, options = {}) => {
      const key = options.key === 'stranger' ? stranger : current;
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'RS256', typ: 'JWT', kid: key.kid };
      const payload = { iss: url, iat: now, nbf: now, exp: now + 300, jti: randomUUID(), ...claims };
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const signingInput = `${encode(header)}.${encode(payload)}`;
      return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
    },
    rotate: () => {
      current = newKey();
    },
    jwksFetches: () => fetches,
  };
  return {
    issuer,
    answer: (requested) => {
      if (requested === `${path}/.well-known/openid-configuration`)
        return {
          status: 200,
          body: {
            issuer: url,
            jwks_uri: `${url}/oauth/discovery/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            response_types_supported: ['id_token'],
            subject_types_supported: ['public', 'pairwise'],
          },
        };
      if (requested === `${path}/oauth/discovery/keys`) {
        fetches++;
        const jwk = current.publicKey.export({ format: 'jwk' });
        return { status: 200, body: { keys: [{ ...jwk, kid: current.kid, use: 'sig', alg: 'RS256' }] } };
      }
      return undefined;
    },
  };
}
