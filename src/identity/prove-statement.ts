import { parseStatement } from '../config/decision-statement.ts';
import type { IdentityPolicy, SignedStatement, VerifiedDecision } from '../config/decision-types.ts';
import { verifyOidcToken } from './oidc-token.ts';
import { ProofRefused } from './proof-refused.ts';
import { allowedSignersText, verifySshSignature } from './ssh-signature.ts';

function methodAllowed(identity: IdentityPolicy, kind: 'ssh' | 'oidc'): boolean {
  if (identity.mode === 'signed-or-oidc') return true;
  return identity.mode === (kind === 'ssh' ? 'signed' : 'oidc');
}

/**
 * Whose statement this is, by its proof: an SSH signature over the statement by the person it names, under a
 * key the allowed-signers list gives them, or a CI OIDC token whose person claim names them. `atMs` is when
 * the token must have been valid: now for the worker, the statement's time for an audit later.
 * Throws ProofRefused naming the check that failed.
 */
export async function proveStatement(
  signed: SignedStatement,
  identity: IdentityPolicy,
  atMs: number,
): Promise<{ verified: VerifiedDecision; tokenId?: string; expiresAt?: number }> {
  const statement = parseStatement(signed?.statement);
  if (typeof statement === 'string') throw new ProofRefused('statement', statement);
  const kind = signed.proof?.kind;
  if (kind !== 'ssh' && kind !== 'oidc')
    throw new ProofRefused('proof', 'a proof is required: an SSH signature or an OIDC token');
  if (!methodAllowed(identity, kind))
    throw new ProofRefused(
      'proof',
      `gate.identity is ${identity.mode}: an ${kind === 'ssh' ? 'SSH signature' : 'OIDC token'} does not count`,
    );
  if (signed.proof.kind === 'ssh') {
    const allowedSigners = await allowedSignersText(identity.sshAllowedSigners ?? {});
    const { fingerprint } = await verifySshSignature({
      message: signed.statement,
      signature: signed.proof.signature,
      principal: statement.person,
      allowedSigners,
      at: statement.time,
    });
    const verified: VerifiedDecision = {
      principal: statement.person,
      method: 'ssh',
      fingerprint,
      statement: signed.statement,
      proof: signed.proof,
    };
    return { verified };
  }
  if (!identity.oidc) throw new ProofRefused('issuer', 'the plan lists no gate.identity.oidc issuers');
  const token = await verifyOidcToken(signed.proof.token, identity.oidc, atMs);
  if (token.person !== statement.person)
    throw new ProofRefused(
      'claim person',
      `the token is ${token.person}'s (${token.issuer}), but the statement names ${statement.person}`,
    );
  const verified: VerifiedDecision = {
    principal: token.person,
    method: 'oidc',
    issuer: token.issuer,
    subject: token.subject,
    statement: signed.statement,
    proof: signed.proof,
  };
  return { verified, tokenId: token.tokenId, expiresAt: token.expiresAt };
}
