import type { Client } from '@temporalio/client';
import { attestPromotion } from './attest-promotion.ts';
import { checkCommitIsPublic } from './check-canonical.ts';
import { deleteDraftRelease, deleteVersionTag } from './clean-end.ts';
import { checkPromotionRecord } from './check-promotion-record.ts';
import { copyOciArtifact } from './copy-oci-artifact.ts';
import { draftRelease, publishRelease } from './forge-release.ts';
import { copyGenericPackage, resolveGenericPackage } from './generic-package.ts';
import { findPullRequest } from './find-pull-request.ts';
import { mergePullRequest } from './merge-pull-request.ts';
import { moveFloatingTags } from './move-floating-tags.ts';
import { notify } from './notify.ts';
import { pinDigest } from './pin-digest.ts';
import { uploadReleaseAssets } from './release-assets.ts';
import { resolveOciArtifact } from './resolve-oci-artifact.ts';
import { runSmokeCommand } from './smoke-command.ts';
import { verifyArtifact } from './verify-signatures.ts';
import { requestFloatingTagMove } from './request-floating-tag-move.ts';
import { verifyDecision } from './verify-decision.ts';
import { readReleaseOutcome } from './read-release-outcome.ts';

/**
 * Every activity the worker registers. The copy activities share one implementation but keep their own
 * names, so the Temporal UI reads like the release: copyImage, copyChart, copyOciPackage.
 */
export function createActivities(deps: { client: Client; taskQueue: string }) {
  return {
    resolveOciArtifact,
    resolveGenericPackage,
    verifyArtifact,
    checkCommitIsPublic,
    copyImage: copyOciArtifact,
    copyChart: copyOciArtifact,
    copyOciPackage: copyOciArtifact,
    copyGenericPackage,
    draftRelease,
    uploadReleaseAssets,
    runSmokeCommand,
    moveFloatingTags,
    requestFloatingTagMove: requestFloatingTagMove(deps),
    publishRelease,
    findPullRequest,
    mergePullRequest,
    pinDigest,
    attestPromotion,
    checkPromotionRecord,
    notify,
    verifyDecision,
    readReleaseOutcome: readReleaseOutcome(deps),
    deleteDraftRelease,
    deleteVersionTag,
  };
}

export type Activities = ReturnType<typeof createActivities>;
