import { forgeFor } from '../forge/index.ts';
import type { ForgeConfig } from '../config/spec.ts';

export interface CanonicalCheck {
  public: boolean;
  url?: string;
  detail: string;
}

/**
 * Smart sync (seed 000): is the release commit already on the canonical (public) repository? Found: the
 * release may sync on its own. Not found: it waits for a person. A 401/403 is not "not found": it fails with a
 * hint about token scope or the CI job-token allowlist, because a wrong answer here would publish too early.
 */
export async function checkCommitIsPublic(input: { forge: ForgeConfig; commitSha: string }): Promise<CanonicalCheck> {
  const found = await forgeFor(input.forge).commitIsPublic(input.commitSha);
  const where = `${input.forge.kind} ${input.forge.project}`;
  return found.public
    ? { ...found, detail: `commit ${input.commitSha.slice(0, 12)} is on ${where}` }
    : {
        public: false,
        detail: `commit ${input.commitSha.slice(0, 12)} is not on ${where} yet (private or security release)`,
      };
}
