import { parseSemver } from '../artifacts/semver.ts';
import { refAtTag, type OciLocation } from '../artifacts/types.ts';
import { FailureTypes, permanent } from '../errors.ts';
import { forgeFor } from '../forge/index.ts';
import { RegistryClient } from '../registry/client.ts';
import { withToolAuth } from '../tools/auth-env.ts';
import { assertNotOption, runTool } from '../tools/run.ts';
import type { ForgeConfig } from '../config/spec.ts';

// The clean end of a release that was not promoted (rejected, expired, aborted): its draft release and, when the
// plan says so, the version tags it pushed. Each looks first and touches only what is still this release's.

export interface CleanupResult {
  action: 'deleted' | 'kept' | 'failed' | 'none';
  reason: string;
}

/**
 * Deletes the draft this release made, and only that: a release for the tag with another id, or one that is
 * published, is left alone and said so. GitLab has no drafts: nothing was created there before promotion.
 */
export async function deleteDraftRelease(input: {
  forge: ForgeConfig;
  tag: string;
  draftId: string;
}): Promise<CleanupResult> {
  const forge = forgeFor(input.forge);
  if (!forge.supportsDrafts || !input.draftId)
    return { action: 'none', reason: 'no draft on the forge: GitLab releases are only created on promotion' };
  const existing = await forge.findRelease(input.tag);
  if (!existing) return { action: 'none', reason: `no release ${input.tag} in ${input.forge.project}: already gone` };
  if (existing.id !== input.draftId)
    return {
      action: 'kept',
      reason: `release ${input.tag} has id ${existing.id}, not this release's draft ${input.draftId}: someone else's, left alone`,
    };
  if (existing.state !== 'draft')
    return { action: 'kept', reason: `release ${input.tag} (${existing.id}) is published, not a draft: left alone` };
  await forge.deleteRelease(existing);
  return { action: 'deleted', reason: `draft ${existing.id} deleted from ${input.forge.project}` };
}

export interface DeleteVersionTagInput {
  name: string;
  destination: OciLocation;
  /** The version tag (v1.2.3 or 1.2.3): never a floating tag. */
  tag: string;
  /** This release's digest: the tag is deleted only while it still points here. */
  digest: string;
  /** False when the tag already held the digest before this release's copy: then it is not this release's. */
  pushedByThisRelease: boolean;
}

/**
 * Removes a version tag this release pushed, by the tag (never by digest: that would drop every other tag on the
 * same manifest, a floating tag of an older version included). regctl tag delete uses the registry's tag-delete
 * API (OCI distribution `DELETE /v2/<name>/manifests/<tag>`, which distribution v3 serves) and, where a registry
 * has none, pushes a unique placeholder manifest under the tag and deletes that by digest. A registry that
 * deletes neither tags nor manifests keeps the placeholder: the tag no longer serves this release's digest, and
 * the result says to remove it by hand. A tag re-pointed to another digest meanwhile is left alone.
 */
export async function deleteVersionTag(input: DeleteVersionTagInput): Promise<CleanupResult> {
  const ref = refAtTag(input.destination, input.tag);
  if (!parseSemver(input.tag.replace(/^v/, '')))
    throw permanent(
      FailureTypes.invalidInput,
      `${ref}: "${input.tag}" is not a version tag; only version tags are removed`,
    );
  if (!input.pushedByThisRelease)
    return {
      action: 'kept',
      reason: `${ref} already held ${input.digest} before this release copied it: not this release's to delete`,
    };
  const client = new RegistryClient(input.destination.endpoint);
  const before = await client.headManifest(input.destination.repository, input.tag);
  if (!before) return { action: 'none', reason: `${ref} is already gone` };
  if (before.digest !== input.digest)
    return {
      action: 'kept',
      reason: `${ref} now points at ${before.digest}, not this release's ${input.digest}: someone re-pointed it, left alone`,
    };
  await withToolAuth([input.destination.endpoint], (auth) =>
    runTool('regctl', [...auth.regctlHostFlags, 'tag', 'delete', assertNotOption(ref, 'destination reference')], {
      env: auth.env,
      what: `deletion of ${ref}`,
    }),
  );
  const after = await client.headManifest(input.destination.repository, input.tag);
  if (!after) return { action: 'deleted', reason: `${ref} (${input.digest}) deleted` };
  return {
    action: 'failed',
    reason: `${ref} still exists (now ${after.digest}): the registry deletes neither tags nor manifests, so regctl left a placeholder under it; remove it by hand`,
  };
}
