// The vocabulary of trusted decisions, defined once: the workflow, the activities, the CLI, the audit
// (`shipgate verify-decisions`) and the promotion attestations import these plain JSON types.

/**
 * What a statement is about: a gate of a release, a needs-attention decision, an external check, a start, or
 * lifting the freeze window that holds a release's promotion.
 */
export type StatementGate = 'sync' | 'promotion' | 'attention' | 'check' | 'start' | 'rollback' | 'freeze';

/** approve, reject, abort, retry, rollback, start, override-freeze, or "check NAME passed|failed". */
export type StatementDecision = string;

/**
 * The canonical statement a person signs (src/config/decision-statement.ts renders and parses it). Bound to one
 * release, one workflow run, one gate and one digest set, so it cannot be replayed anywhere else.
 */
export interface DecisionStatement {
  release: string;
  run: string;
  gate: StatementGate;
  /** sha256 (hex) of the sorted digest set, one `name@sha256:...` per line. */
  digests: string;
  decision: StatementDecision;
  person: string;
  /** ISO 8601, UTC. */
  time: string;
  /** Random hex; a statement is honoured once. */
  nonce: string;
}

/** The proof that goes with a statement. */
export type DecisionProof =
  | { kind: 'ssh'; signature: string }
  /** A CI OIDC ID token; it cannot sign the statement, so the statement's person must be the token's person. */
  | { kind: 'oidc'; token: string };

/** A statement with its proof, as sent in an update or signal (and pasted into the Temporal UI). */
export interface SignedStatement {
  statement: string;
  proof: DecisionProof;
}

/** How a proof was checked. */
export type ProofMethod = 'ssh' | 'oidc' | 'unauthenticated';

/**
 * A decision whose proof the worker checked: who (principal), how (ssh key fingerprint, or OIDC issuer and
 * subject), and the statement and proof themselves, so it can be checked again offline.
 */
export interface VerifiedDecision {
  principal: string;
  method: ProofMethod;
  /** SSH: the signing key's fingerprint, SHA256:... */
  fingerprint?: string;
  /** OIDC: the token's issuer and subject. */
  issuer?: string;
  subject?: string;
  statement: string;
  proof?: DecisionProof;
}

/** The plan's identity rules, as the workflow and the verification activity see them (no secrets). */
export interface IdentityPolicy {
  mode: 'signed' | 'oidc' | 'signed-or-oidc' | 'unauthenticated';
  /** allowed_signers lines (git's gpg.ssh.allowedSignersFile format), read from the plan. */
  sshAllowedSigners?: { path?: string; inline?: string };
  oidc?: {
    audience: string;
    /** Seconds of clock skew allowed on exp/nbf/iat. */
    skewSeconds: number;
    /** Longest accepted token lifetime (exp - iat), seconds. */
    maxAgeSeconds: number;
    issuers: OidcIssuerPolicy[];
  };
}

export interface OidcIssuerPolicy {
  /** The issuer URL exactly as in the token's iss claim; discovery at ISSUER/.well-known/openid-configuration. */
  url: string;
  /** The claim that names the person, e.g. user_login (GitLab) or actor (GitHub). */
  personClaim: string;
  /** Claims that must match exactly, e.g. { project_path: acme/gateway, ref_protected: "true" }. */
  claims: Record<string, string>;
}

/** "ssh key SHA256:..." or "oidc ISSUER sub SUBJECT": how a person was proven, in one line. */
export function describeProof(verified: VerifiedDecision): string {
  if (verified.method === 'ssh') return `ssh key ${verified.fingerprint ?? '?'}`;
  if (verified.method === 'oidc') return `oidc ${verified.issuer ?? '?'} sub ${verified.subject ?? '?'}`;
  return 'not authenticated';
}
