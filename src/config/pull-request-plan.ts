import { z } from 'zod';

// promotion.mergePullRequest: which PR (GitHub) or MR (GitLab) a release merges at promotion. A release
// names its own: `shipgate start --pr N`, or the rule here finds it at publish time by head branch or label.

export const pullRequestPlan = z
  .strictObject({
    /** A fixed number: only for plans written per release; prefer --pr or head. */
    number: z.number().int().positive().optional(),
    /** The head (source) branch, "{version}" is the bare semver, e.g. release/{version}. */
    head: z
      .string()
      .regex(/^[A-Za-z0-9._/{}-]+$/, { error: 'a branch name, "{version}" for the version, e.g. release/{version}' })
      .optional(),
    /** A label the release PR carries; exactly one open PR may carry it. */
    label: z.string().min(1).optional(),
    /** GitHub: enable auto-merge (merges once required checks pass) instead of merging now. */
    autoMerge: z.boolean().default(false),
  })
  .refine((rule) => [rule.number, rule.head, rule.label].filter((x) => x !== undefined).length <= 1, {
    error: 'give at most one of number, head or label; with none, each release names its PR: shipgate start --pr N',
  });
export type PullRequestPlan = z.infer<typeof pullRequestPlan>;

/** How a release finds its PR: the number given at start wins over the plan's rule. */
export interface PullRequestRule {
  number?: number;
  head?: string;
  label?: string;
  autoMerge: boolean;
}

export function pullRequestRule(
  plan: PullRequestPlan | undefined,
  givenAtStart: number | undefined,
  version: string,
): PullRequestRule | undefined {
  if (!plan && givenAtStart === undefined) return undefined;
  const autoMerge = plan?.autoMerge ?? false;
  if (givenAtStart !== undefined) return { number: givenAtStart, autoMerge };
  if (plan?.number !== undefined) return { number: plan.number, autoMerge };
  if (plan?.head) return { head: plan.head.replaceAll('{version}', version), autoMerge };
  if (plan?.label) return { label: plan.label, autoMerge };
  return { autoMerge };
}
