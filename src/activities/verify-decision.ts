import { parseStatement } from '../config/decision-statement.ts';
import type { IdentityPolicy, SignedStatement, VerifiedDecision } from '../config/decision-types.ts';
import { FailureTypes, permanent, transient } from '../errors.ts';
import { IssuerUnreachable, verifyOidcToken } from '../identity/oidc-token.ts';
import { ProofRefused } from '../identity/proof-refused.ts';
import { allowedSignersText, verifySshSignature } from '../identity/ssh-signature.ts';

export interface VerifyDecisionInput {
  signed: SignedStatement;
  identity: IdentityPolicy;
  /** The workflow's release id, for single use of OIDC tokens across releases. */
  releaseId: string;
}

export interface VerifyDecisionResult {
  verified: VerifiedDecision;
  /** OIDC: the token's id (jti or sha256), which the workflow records so it is honoured once. */
  tokenId?: string;
}

// Tokens this worker process has accepted, and for which release: a token presented for a second release is
// refused. The release workflow also records token ids in its history, so a token is honoured once per release
// whichever worker checks it; across releases on several worker processes, the tokens' short lifetime bounds it.
const usedTokens = new Map<string, { releaseId: string; expiresAt: number }>();

function methodAllowed(identity: IdentityPolicy, kind: 'ssh' | 'oidc'): boolean {
  if (identity.mode === 'signed-or-oidc') return true;
  return identity.mode === (kind === 'ssh' ? 'signed' : 'oidc');
}

/**
 * Checks a decision's proof and says whose it is: an SSH signature over the statement by the person it names,
 * under a key the plan's allowed-signers list gives them, or a CI OIDC token whose person claim names them.
 * Runs in an activity so the result is recorded in the release's history. Refusals are permanent and say
 * which check failed; an unreachable issuer is retried.
 */
export async function verifyDecision(input: VerifyDecisionInput): Promise<VerifyDecisionResult> {
  try {
    return await check(input);
  } catch (error) {
    if (error instanceof ProofRefused) throw permanent(FailureTypes.decisionRefused, error.message, { check: error.check });
    if (error instanceof IssuerUnreachable) throw transient(error.message);
    throw error;
  }
}

async function check({ signed, identity, releaseId }: VerifyDecisionInput): Promise<VerifyDecisionResult> {
  const statement = parseStatement(signed?.statement);
  if (typeof statement === 'string') throw new ProofRefused('statement', statement);
  const kind = signed.proof?.kind;
  if (kind !== 'ssh' && kind !== 'oidc') throw new ProofRefused('proof', 'a proof is required: an SSH signature or an OIDC token');
  if (!methodAllowed(identity, kind))
    throw new ProofRefused('proof', `gate.identity is ${identity.mode}: an ${kind === 'ssh' ? 'SSH signature' : 'OIDC token'} does not count`);
  if (signed.proof.kind === 'ssh') {
    const allowedSigners = await allowedSignersText(identity.sshAllowedSigners ?? {});
    const { fingerprint } = await verifySshSignature({
      message: signed.statement,
      signature: signed.proof.signature,
      principal: statement.person,
      allowedSigners,
      at: statement.time,
    });
    return {
      verified: { principal: statement.person, method: 'ssh', fingerprint, statement: signed.statement, proof: signed.proof },
    };
  }
  if (!identity.oidc) throw new ProofRefused('issuer', 'the plan lists no gate.identity.oidc issuers');
  const token = await verifyOidcToken(signed.proof.token, identity.oidc, Date.now());
  if (token.person !== statement.person)
    throw new ProofRefused(
      `claim person`,
      `the token is ${token.person}'s (${token.issuer}), but the statement names ${statement.person}`,
    );
  const now = Date.now();
  for (const [id, use] of usedTokens) if (use.expiresAt < now - 3_600_000) usedTokens.delete(id);
  const earlier = usedTokens.get(token.tokenId);
  if (earlier && earlier.releaseId !== releaseId)
    throw new ProofRefused('single use', `this token was already used for ${earlier.releaseId}; run the CI job again for a fresh one`);
  usedTokens.set(token.tokenId, { releaseId, expiresAt: token.expiresAt });
  return {
    verified: {
      principal: token.person,
      method: 'oidc',
      issuer: token.issuer,
      subject: token.subject,
      statement: signed.statement,
      proof: signed.proof,
    },
    tokenId: token.tokenId,
  };
}
