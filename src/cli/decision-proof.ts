import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { renderStatement } from '../config/decision-statement.ts';
import type { DecisionStatement, SignedStatement, StatementGate } from '../config/decision-types.ts';
import { signWithSsh } from '../identity/ssh-signature.ts';
import { CliError, ExitCode } from './exit-codes.ts';
import { userName } from './user.ts';

// Builds the signed statement a decision carries: the canonical text (release, run, gate, digest-set sha256,
// decision, person, time, nonce) plus a proof: an SSH signature (--key, or the ssh-agent with a .pub key), or
// a CI OIDC ID token read from the variable --id-token-env names.

export interface ProofOptions {
  as?: string;
  key?: string;
  idTokenEnv?: string;
}

/** Adds --key and --id-token-env to a command. */
export function withProofOptions(command: Command): Command {
  return command
    .option(
      '--key <file>',
      'sign the decision with this SSH key (a .pub key signs through the ssh-agent, like git user.signingkey; default $SHIPGATE_SIGNING_KEY)',
    )
    .option(
      '--id-token-env <VAR>',
      'prove the decision with the CI OIDC ID token in this variable (GitLab id_tokens, GitHub Actions)',
    );
}

/** Person claims of the CI issuers shipgate documents, to name the person when --as is not given. */
const personClaims = ['user_login', 'actor'];

function tokenPerson(token: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    for (const claim of personClaims) if (typeof claims[claim] === 'string') return claims[claim];
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The signed statement for a decision, or undefined when no proof was asked for (the release then refuses it
 * unless its plan says gate.identity: unauthenticated).
 */
export async function signedStatement(
  target: { release: string; run: string; gate: StatementGate; digests: string; decision: string },
  options: ProofOptions,
): Promise<SignedStatement | undefined> {
  const key = options.key ?? process.env.SHIPGATE_SIGNING_KEY;
  if (key && options.idTokenEnv) throw new CliError('give --key or --id-token-env, not both', ExitCode.badInput);
  let token: string | undefined;
  if (options.idTokenEnv) {
    token = process.env[options.idTokenEnv];
    if (!token)
      throw new CliError(
        `--id-token-env ${options.idTokenEnv}: the variable is empty; in CI, request an ID token into it (GitLab: id_tokens; GitHub: permissions id-token: write)`,
        ExitCode.badInput,
      );
  }
  if (!key && !token) return undefined;
  const person = options.as ?? (token ? tokenPerson(token) : undefined) ?? userName();
  const statement: DecisionStatement = {
    ...target,
    person,
    time: new Date().toISOString(),
    nonce: randomBytes(16).toString('hex'),
  };
  const text = renderStatement(statement);
  if (token) return { statement: text, proof: { kind: 'oidc', token } };
  try {
    return { statement: text, proof: { kind: 'ssh', signature: await signWithSsh(text, key ?? '') } };
  } catch (error) {
    throw new CliError(`--key: ${(error as Error).message}`, ExitCode.badInput);
  }
}
