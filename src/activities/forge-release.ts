import { FailureTypes, permanent } from '../errors.ts';
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

export interface PublishReleaseInput {
  forge: ForgeConfig;
  draft: ReleaseDraft;
  /** The id of the draft made at publish; on a forge with drafts, promotion publishes exactly that one. */
  draftId?: string;
  /** A person decided (retry --recreate-draft) that a missing draft is created again, published. */
  recreateDraft?: boolean;
}

/**
 * Publishes the drafted release (promote phase, seed 002: "validate that the draft release exists"). Our
 * draft already published is success (a retried attempt, or a person who published it early). A missing
 * draft, or a release for the tag that is not our draft, needs a person: shipgate never quietly makes a new
 * published release in its place, unless the retry says --recreate-draft.
 */
export async function publishRelease(input: PublishReleaseInput): Promise<ForgeRelease> {
  const forge = forgeFor(input.forge);
  const existing = await forge.findRelease(input.draft.tag);
  if (!forge.supportsDrafts) return existing ?? forge.createRelease(input.draft, false);
  const ours = !input.draftId || existing?.id === input.draftId;
  if (existing && ours) return existing.state === 'published' ? existing : forge.publishRelease(existing);
  if (existing) {
    throw permanent(
      FailureTypes.draftReleaseMissing,
      `release ${input.draft.tag} in ${input.forge.project} is ${existing.state === 'published' ? 'published' : 'a draft'} with id ${existing.id}, not the draft ${input.draftId} made at publish; someone replaced it: check it, delete it and retry with --recreate-draft, or abort`,
    );
  }
  if (input.recreateDraft) return forge.createRelease(input.draft, false);
  throw permanent(
    FailureTypes.draftReleaseMissing,
    `the draft release ${input.draft.tag} (id ${input.draftId}) is gone from ${input.forge.project}; restore it and retry, or retry with --recreate-draft to publish the release from the notes made at publish`,
  );
}
