import { FailureTypes, permanent } from '../errors.ts';
import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import type { ForgeConfig } from '../config/spec.ts';

export type AutoMergeOutcome = { kind: 'enabled' } | { kind: 'clean' } | { kind: 'refused'; message: string };

/** api.github.com -> api.github.com/graphql; GHES https://host/api/v3 -> https://host/api/graphql. */
export function graphqlUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/$/, '');
  return /\/api\/v3$/.test(base) ? base.replace(/\/api\/v3$/, '/api/graphql') : `${base}/graphql`;
}

const mutation = `mutation($id: ID!) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id }) { pullRequest { number autoMergeRequest { enabledAt } } }
}`;

/**
 * Turns on GitHub auto-merge (GraphQL enablePullRequestAutoMerge; REST has no such call), so GitHub merges the
 * PR once its required checks and reviews pass. GitHub refuses when the PR is already mergeable now ("clean
 * status"): the caller merges it directly then. `pull` is the state the caller already read (its node_id).
 */
export async function enableAutoMerge(
  config: ForgeConfig,
  pull: { number: number; nodeId?: string | undefined },
): Promise<AutoMergeOutcome> {
  const token = secretFromEnv(config.tokenEnv, 'forge.tokenEnv');
  const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' };
  const authHint = `check that the token in ${config.tokenEnv} has pull requests: write on ${config.project}, and that the repository allows auto-merge`;
  if (!pull.nodeId)
    throw permanent(
      FailureTypes.forgeRejected,
      `GitHub pull request ${pull.number} has no node_id; cannot enable auto-merge`,
    );
  const answer = await jsonRequest<{ data?: unknown; errors?: { message: string }[] }>({
    method: 'POST',
    url: graphqlUrl(config.baseUrl),
    headers,
    body: { query: mutation, variables: { id: pull.nodeId } },
    what: 'GitHub enablePullRequestAutoMerge',
    authHint,
  });
  const message = answer.body.errors?.map((e) => e.message).join('; ');
  if (!message) return { kind: 'enabled' };
  if (/clean status/i.test(message)) return { kind: 'clean' };
  return { kind: 'refused', message };
}
