import { createHash, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { OidcIssuerPolicy } from '../config/decision-types.ts';
import { ProofRefused } from './proof-refused.ts';

// CI OIDC ID tokens (GitLab id_tokens, GitHub Actions) as proof of who pressed the button: signature against the
// issuer's JWKS (found through its discovery document, cached, fetched again for an unknown key id: rotation),
// exp/nbf/iat with a small skew, audience, and the claims the plan requires.

export interface OidcPolicy {
  audience: string;
  skewSeconds: number;
  maxAgeSeconds: number;
  issuers: OidcIssuerPolicy[];
}

export interface VerifiedToken {
  issuer: string;
  subject: string;
  person: string;
  /** jti, or the token's sha256 when it has none: what single use is tracked by. */
  tokenId: string;
  expiresAt: number;
  claims: Record<string, unknown>;
}

/** Failure to reach the issuer: worth retrying, unlike a refused token. */
export class IssuerUnreachable extends Error {}

interface Jwks {
  keys: (JsonWebKey & { kid?: string })[];
}
const jwksCache = new Map<string, { jwks: Jwks; fetchedAt: number }>();
const cacheMs = 10 * 60_000;

/** A claim as text: strings and numbers as they are, anything else as JSON. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function decodePart(part: string | undefined, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ProofRefused('token format', `the ID token's ${what} is not base64url JSON; pass the raw JWT`);
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(15_000), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new IssuerUnreachable(`cannot reach ${url}: ${(error as Error).message}`);
  }
  if (response.status >= 500 || response.status === 429)
    throw new IssuerUnreachable(`${url} answered ${response.status}`);
  if (!response.ok) throw new ProofRefused('issuer', `${url} answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

async function fetchJwks(issuer: string): Promise<Jwks> {
  const discovery = await getJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (discovery.issuer !== issuer)
    throw new ProofRefused('issuer', `the discovery document of ${issuer} names issuer ${String(discovery.issuer)}`);
  if (typeof discovery.jwks_uri !== 'string')
    throw new ProofRefused('issuer', `the discovery document of ${issuer} has no jwks_uri`);
  const jwks = await getJson(discovery.jwks_uri);
  if (!Array.isArray(jwks.keys)) throw new ProofRefused('issuer', `${discovery.jwks_uri} has no keys`);
  const fresh = { keys: jwks.keys as Jwks['keys'] };
  jwksCache.set(issuer, { jwks: fresh, fetchedAt: Date.now() });
  return fresh;
}

/** The issuer's key for a key id: from the cache, else fetched again (the issuer may have rotated its keys). */
async function keyFor(issuer: string, kid: string | undefined): Promise<KeyObject> {
  const pick = (jwks: Jwks) => jwks.keys.find((key) => (kid === undefined ? jwks.keys.length === 1 : key.kid === kid));
  const cached = jwksCache.get(issuer);
  let jwk = cached && Date.now() - cached.fetchedAt < cacheMs ? pick(cached.jwks) : undefined;
  jwk ??= pick(await fetchJwks(issuer));
  if (!jwk) throw new ProofRefused('signature', `no key ${kid ?? '(no kid)'} in the JWKS of ${issuer}`);
  return createPublicKey({ key: jwk, format: 'jwk' });
}

const algorithms: Record<string, { hash: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { hash: 'sha256' },
  ES256: { hash: 'sha256', dsaEncoding: 'ieee-p1363' },
};

export async function verifyOidcToken(token: string, policy: OidcPolicy, nowMs: number): Promise<VerifiedToken> {
  const parts = token.trim().split('.');
  if (parts.length !== 3) throw new ProofRefused('token format', 'an ID token is a JWT: three base64url parts');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodePart(headerPart, 'header');
  const claims = decodePart(payloadPart, 'payload');
  const issuer = text(claims.iss);
  const issuerPolicy = policy.issuers.find((listed) => listed.url === issuer);
  if (!issuerPolicy)
    throw new ProofRefused(
      'issuer',
      `issuer "${issuer}" is not listed in gate.identity.oidc.issuers (${policy.issuers.map((i) => i.url).join(', ') || 'none'})`,
    );
  const algorithm = algorithms[String(header.alg)];
  if (!algorithm)
    throw new ProofRefused('signature', `algorithm "${String(header.alg)}" is not accepted (RS256, ES256)`);
  const key = await keyFor(issuer, typeof header.kid === 'string' ? header.kid : undefined);
  const signed = verify(
    algorithm.hash,
    Buffer.from(`${headerPart}.${payloadPart}`),
    algorithm.dsaEncoding ? { key, dsaEncoding: algorithm.dsaEncoding } : key,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!signed) throw new ProofRefused('signature', `the token's signature does not verify against ${issuer}'s keys`);

  const now = nowMs / 1000;
  const skew = policy.skewSeconds;
  const exp = Number(claims.exp);
  const iat = Number(claims.iat);
  if (!Number.isFinite(exp)) throw new ProofRefused('exp', 'the token has no exp claim');
  if (now > exp + skew) throw new ProofRefused('exp', `the token expired at ${new Date(exp * 1000).toISOString()}`);
  if (claims.nbf !== undefined && now + skew < Number(claims.nbf))
    throw new ProofRefused('nbf', `the token is not valid before ${new Date(Number(claims.nbf) * 1000).toISOString()}`);
  if (!Number.isFinite(iat)) throw new ProofRefused('iat', 'the token has no iat claim');
  if (iat > now + skew) throw new ProofRefused('iat', 'the token was issued in the future');
  if (exp - iat > policy.maxAgeSeconds)
    throw new ProofRefused('exp', `the token lives ${exp - iat}s, longer than the ${policy.maxAgeSeconds}s accepted`);
  const audiences = Array.isArray(claims.aud) ? claims.aud.map(text) : [text(claims.aud)];
  if (!audiences.includes(policy.audience))
    throw new ProofRefused('aud', `the token is for audience ${audiences.join(', ')}, not ${policy.audience}`);
  for (const [claim, wanted] of Object.entries(issuerPolicy.claims)) {
    const actual = claims[claim];
    if (actual === undefined || text(actual) !== wanted)
      throw new ProofRefused(`claim ${claim}`, `the token says ${claim}=${text(actual)}, the plan requires ${wanted}`);
  }
  const person = claims[issuerPolicy.personClaim];
  if (typeof person !== 'string' || person === '')
    throw new ProofRefused(
      `claim ${issuerPolicy.personClaim}`,
      `the token has no ${issuerPolicy.personClaim} claim naming a person`,
    );
  return {
    issuer,
    subject: text(claims.sub),
    person,
    tokenId: typeof claims.jti === 'string' ? claims.jti : createHash('sha256').update(token).digest('hex'),
    expiresAt: exp * 1000,
    claims,
  };
}
