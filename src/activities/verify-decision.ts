import type { IdentityPolicy, SignedStatement, VerifiedDecision } from '../config/decision-types.ts';
import { FailureTypes, permanent, transient } from '../errors.ts';
import { IssuerUnreachable } from '../identity/oidc-token.ts';
import { ProofRefused } from '../identity/proof-refused.ts';
import { proveStatement } from '../identity/prove-statement.ts';

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
    if (error instanceof ProofRefused)
      throw permanent(FailureTypes.decisionRefused, error.message, { check: error.check });
    if (error instanceof IssuerUnreachable) throw transient(error.message);
    throw error;
  }
}

async function check({ signed, identity, releaseId }: VerifyDecisionInput): Promise<VerifyDecisionResult> {
  const now = Date.now();
  const { verified, tokenId, expiresAt } = await proveStatement(signed, identity, now);
  if (!tokenId) return { verified };
  for (const [id, use] of usedTokens) if (use.expiresAt < now - 3_600_000) usedTokens.delete(id);
  const earlier = usedTokens.get(tokenId);
  if (earlier && earlier.releaseId !== releaseId)
    throw new ProofRefused(
      'single use',
      `this token was already used for ${earlier.releaseId}; run the CI job again for a fresh one`,
    );
  usedTokens.set(tokenId, { releaseId, expiresAt: expiresAt ?? now });
  return { verified, tokenId };
}
