import { createPrivateKey, generateKeyPairSync, createHash, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

/**
 * A token issuer for the Temporal server's default JWT claim mapper: an RSA key kept in the state folder, its JWKS
 * served on loopback (the server's `jwtKeyProvider.keySourceURIs`), and tokens minted with node:crypto whose
 * `permissions` claim holds `namespace:role` entries (`default:read`, `default:write`, `temporal-system:admin`).
 */
export interface JwtIssuer {
  jwksUrl: string;
  /** A signed RS256 token for `subject` with these permissions, valid for `ttlSeconds` (default 12 hours). */
  mint: (subject: string, permissions: string[], ttlSeconds?: number) => string;
  stop: () => Promise<void>;
}

export const permissionsClaimName = 'permissions';

export async function startJwtIssuer(options: { stateDir: string; port?: number }): Promise<JwtIssuer> {
  const key = loadOrCreateKey(options.stateDir);
  const jwk = { ...key.publicJwk, kid: key.kid, alg: 'RS256', use: 'sig' };
  const body = JSON.stringify({ keys: [jwk] });
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else response.writeHead(404).end();
  });
  await listen(server, options.port ?? 0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('JWKS server has no port');
  return {
    jwksUrl: `http://127.0.0.1:${address.port}/.well-known/jwks.json`,
    mint: (subject, permissions, ttlSeconds = 12 * 3600) => {
      const now = Math.floor(Date.now() / 1000);
      const header = encode({ alg: 'RS256', typ: 'JWT', kid: key.kid });
      const payload = encode({ sub: subject, [permissionsClaimName]: permissions, iat: now, exp: now + ttlSeconds });
      const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key.privateKey).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function loadOrCreateKey(stateDir: string): { privateKey: KeyObject; publicJwk: object; kid: string } {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const file = join(stateDir, 'jwt-signing-key.pem');
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicJwk = privateKey.export({ format: 'jwk' });
  const { n = '', e = '', kty } = publicJwk;
  const kid = createHash('sha256').update(`${e}.${n}`).digest('base64url').slice(0, 16);
  return { privateKey, publicJwk: { kty, n, e }, kid };
}

function encode(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
