import type { Command } from 'commander';
import { digestSetSha256, parseStatement } from '../../config/decision-statement.ts';
import { identityPolicy } from '../../config/derive.ts';
import type { IdentityPolicy } from '../../config/decision-types.ts';
import { proveStatement } from '../../identity/prove-statement.ts';
import { ProofRefused } from '../../identity/proof-refused.ts';
import type { Decision } from '../../workflows/messages.ts';
import type { ReleaseStatus } from '../../workflows/status.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printJson, table } from '../output.ts';
import { client, releaseIdFrom, releaseStatus } from '../release-handle.ts';
import { loadPlanForCli } from '../load-plan.ts';

export interface DecisionAudit {
  at: string;
  kind: Decision['kind'];
  by: string;
  method: string;
  ok: boolean;
  detail: string;
}

/**
 * Checks every recorded decision again, away from the worker: the proof against the plan's allowed signers or
 * the issuer's keys (at the statement's time), the statement against the release it is recorded in, and the
 * recorded person against the proven one.
 */
export async function auditDecisions(
  releaseId: string,
  status: ReleaseStatus,
  identity: IdentityPolicy,
): Promise<DecisionAudit[]> {
  const audits: DecisionAudit[] = [];
  for (const decision of status.decisions) {
    const base = { at: decision.at, kind: decision.kind, by: decision.by };
    const verified = decision.verified;
    if (!verified || verified.method === 'unauthenticated' || !verified.proof) {
      // Made by the workflow itself (deadline, a re-poll that found the commit public): nothing to prove.
      if (!['refused', 'expired', 'auto-sync'].includes(decision.kind))
        audits.push({ ...base, method: 'none', ok: false, detail: 'not authenticated: no proof was recorded' });
      continue;
    }
    const statement = parseStatement(verified.statement);
    if (typeof statement === 'string') {
      audits.push({ ...base, method: verified.method, ok: false, detail: statement });
      continue;
    }
    const problems: string[] = [];
    if (statement.release !== releaseId) problems.push(`statement is for ${statement.release}`);
    if (statement.person !== decision.by)
      problems.push(`recorded as ${decision.by}, statement names ${statement.person}`);
    if (decision.digests && statement.digests !== digestSetSha256(decision.digests))
      problems.push('statement names another digest set than the one recorded');
    try {
      const { verified: again } = await proveStatement(
        { statement: verified.statement, proof: verified.proof },
        identity,
        Date.parse(statement.time),
      );
      if (again.principal !== verified.principal)
        problems.push(`proof shows ${again.principal}, recorded ${verified.principal}`);
      if (verified.fingerprint && again.fingerprint !== verified.fingerprint)
        problems.push('another key fingerprint than recorded');
    } catch (error) {
      if (!(error instanceof ProofRefused)) throw error;
      problems.push(error.message);
    }
    const how =
      verified.method === 'ssh'
        ? `ssh ${verified.fingerprint ?? ''}`
        : `oidc ${verified.issuer ?? ''} ${verified.subject ?? ''}`;
    audits.push({
      ...base,
      method: how.trim(),
      ok: problems.length === 0,
      detail: problems.join('; ') || statement.decision,
    });
  }
  return audits;
}

export function registerVerifyDecisions(program: Command): void {
  program
    .command('verify-decisions')
    .description("check a release's recorded decisions again: each statement and its SSH signature or OIDC token")
    .argument('<release...>', 'PROJECT VERSION, or a release id')
    .option('--plan <path>', 'the release plan naming gate.identity (allowed signers, issuers)', 'shipgate.yaml')
    .option('--json', 'print each decision and its result as JSON')
    .action(async (release: string[], options: { plan: string; json?: boolean }) => {
      const plan = await loadPlanForCli(options.plan);
      const identity = identityPolicy(plan.gate.identity);
      // Named first, so a bad release name is exit 2 without reaching Temporal.
      const releaseId = releaseIdFrom(release);
      const temporal = await client();
      const handle = temporal.workflow.getHandle(releaseId);
      const status = await releaseStatus(handle);
      const audits = await auditDecisions(handle.workflowId, status, identity);
      if (options.json) printJson(audits);
      else
        console.log(
          table(
            ['at', 'kind', 'by', 'proof', 'result'],
            audits.map((a) => [a.at, a.kind, a.by, a.method, `${a.ok ? 'ok' : 'FAILED'}: ${a.detail}`]),
          ),
        );
      const failed = audits.filter((a) => !a.ok);
      if (failed.length > 0)
        throw new CliError(`${failed.length} of ${audits.length} decisions do not verify`, ExitCode.refused);
    });
}
