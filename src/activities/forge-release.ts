import { forgeFor } from '../forge/index.ts';
import type { ForgeRelease, ReleaseDraft } from '../forge/types.ts';
import type { ForgeConfig } from '../config/spec.ts';

/**
 * Drafts the release (publish phase). Looks first: an existing release for the tag is returned as it is, so
 * a retried or restarted publish never creates a second one. GitLab has no draft releases: the draft is
 * returned unsaved and publishRelease creates it on promotion, so nothing is public before approval.
 */
export async function draftRelease(input: { forge: ForgeConfig; draft: ReleaseDraft }): Promise<ForgeRelease> {
  const forge = forgeFor(input.forge);
  const existing = await forge.findRelease(input.draft.tag);
  if (existing) return existing;
  if (!forge.supportsDrafts) return { id: '', tag: input.draft.tag, state: 'draft', body: input.draft.body };
  return forge.createRelease(input.draft, true);
}

/** Publishes the drafted release (promote phase); already published is success. */
export async function publishRelease(input: { forge: ForgeConfig; draft: ReleaseDraft }): Promise<ForgeRelease> {
  const forge = forgeFor(input.forge);
  const existing = await forge.findRelease(input.draft.tag);
  if (existing?.state === 'published') return existing;
  if (existing) return forge.publishRelease(existing);
  return forge.createRelease(input.draft, false);
}
