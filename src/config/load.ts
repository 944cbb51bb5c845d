import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { branchIdentitiesAccepted } from './identity-regexp.ts';
import { releasePlanSchema, type ReleasePlan } from './plan.ts';

export interface PlanIssue {
  path: string;
  message: string;
}

/** Every problem of a plan at once, each naming the field path and what to write instead. */
export class PlanError extends Error {
  readonly issues: PlanIssue[];

  constructor(source: string, issues: PlanIssue[]) {
    // One problem is one line (the CLI's `shipgate: <message>`); several are listed one per line.
    super(
      issues.length === 1
        ? `${source} is not a valid release plan: ${issues[0]?.path || '(top level)'}: ${issues[0]?.message ?? ''}`
        : `${source} is not a valid release plan:\n${issues.map((i) => `  ${source}: ${i.path || '(top level)'}: ${i.message}`).join('\n')}`,
    );
    this.issues = issues;
  }
}

const secretKeys = /^(token|password|secret|apiKey|api_key|privateKey|auth)$/i;

export function parsePlan(text: string, source = 'shipgate.yaml'): ReleasePlan {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new PlanError(
      source,
      document.errors.map((error) => {
        const at = error.linePos?.[0];
        return {
          path: at ? `line ${at.line}, column ${at.col}` : '',
          message: `YAML syntax: ${error.message.split('\n')[0]}`,
        };
      }),
    );
  }
  let raw: unknown;
  try {
    // yaml refuses more than 100 alias expansions (an alias bomb) and aliases without an anchor: both bad input.
    raw = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new PlanError(source, [{ path: '', message: `YAML: ${(error as Error).message.split('\n')[0] ?? ''}` }]);
  }
  const secrets = findSecrets(raw, []);
  if (secrets.length > 0) throw new PlanError(source, secrets);
  const result = releasePlanSchema.safeParse(raw ?? {});
  if (!result.success) throw new PlanError(source, result.error.issues.map(describeIssue));
  return result.data;
}

/**
 * The largest plan, as a file and as the JSON that travels in the release's workflow input: Temporal refuses
 * payloads over 2 MiB, and the input shares that with the rest of the start request, so half of it.
 */
export const planSizeLimit = 1024 * 1024;

export async function loadPlan(path: string): Promise<ReleasePlan> {
  const text = await readFile(path, 'utf8');
  const tooBig = planSizeProblem(path, Buffer.byteLength(text));
  if (tooBig) throw new PlanError(path, [{ path: '', message: tooBig }]);
  const plan = parsePlan(text, path);
  const expanded = planSizeProblem(`${path} (expanded, as JSON)`, Buffer.byteLength(JSON.stringify(plan)));
  if (expanded) throw new PlanError(path, [{ path: '', message: expanded }]);
  return plan;
}

/** "X is 3.0 MiB; the limit is 1 MiB ..." when over the limit, else undefined. */
export function planSizeProblem(what: string, bytes: number): string | undefined {
  if (bytes <= planSizeLimit) return undefined;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${what} is ${mib(bytes)} (${bytes} bytes); the limit is ${mib(planSizeLimit)}, since the plan travels in the release's workflow input and Temporal refuses payloads over 2 MiB: split the plan or move long values (policies, allowed signers) into files`;
}

/** What is allowed but probably not meant: the CLI prints these when it loads a plan. */
export function planWarnings(plan: ReleasePlan): string[] {
  const warnings: string[] = [];
  const pattern = plan.policy.keyless?.identityRegexp;
  const branches = pattern ? branchIdentitiesAccepted(pattern) : [];
  if (pattern && branches.length > 0) {
    warnings.push(
      `policy.keyless.identityRegexp also accepts signatures made from a branch, e.g. ${branches[0]}; anchor it to tags (…@refs/tags/v.*$) so only a tagged release workflow can sign`,
    );
  }
  return warnings;
}

function describeIssue(issue: z.core.$ZodIssue): PlanIssue {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return {
      path,
      message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: check the spelling (docs/configuration.md lists every field)`,
    };
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return { path, message: `required: ${issue.message.replace(/^Invalid input: /, '')}` };
  }
  return { path, message: issue.message };
}

export function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

function findSecrets(value: unknown, path: PropertyKey[]): PlanIssue[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => findSecrets(item, [...path, index]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    secretKeys.test(key)
      ? [
          {
            path: formatPath([...path, key]),
            message: `secrets never go in the plan: name an environment variable instead (e.g. tokenEnv: GITHUB_TOKEN)`,
          },
        ]
      : findSecrets(child, [...path, key]),
  );
}
