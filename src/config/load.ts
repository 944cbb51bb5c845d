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
    super(
      `${source} is not a valid release plan:\n${issues.map((i) => `  ${source}: ${i.path || '(top level)'}: ${i.message}`).join('\n')}`,
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
  const raw: unknown = document.toJS();
  const secrets = findSecrets(raw, []);
  if (secrets.length > 0) throw new PlanError(source, secrets);
  const result = releasePlanSchema.safeParse(raw ?? {});
  if (!result.success) throw new PlanError(source, result.error.issues.map(describeIssue));
  return result.data;
}

export async function loadPlan(path: string): Promise<ReleasePlan> {
  return parsePlan(await readFile(path, 'utf8'), path);
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
