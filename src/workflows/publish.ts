import { ApplicationFailure, condition } from '@temporalio/workflow';
import { FailureTypes } from '../errors.ts';
import { releaseDraft, smokeEnv } from './release-present.ts';
import type { ReleaseRun } from './release-run.ts';

// The publish phase's steps, one function each: the version goes to the destination by digest, verified before
// and after the copy, drafted and smoke-tested; nothing floating moves and nothing is published yet.

export async function resolveArtifacts({ step, eachOnce, activities: a, timeouts, spec, state }: ReleaseRun) {
  await step('resolve', async () => {
    await eachOnce('resolve', spec.oci, async (artifact) => {
      const summary = `resolve ${artifact.kind} ${artifact.name}:${artifact.tag}`;
      state.recordResolvedOci(
        await a.resolveOciArtifact.executeWithOptions({ ...timeouts.short, summary }, [artifact]),
      );
    });
    await eachOnce('resolve', spec.generic, async (pkg) => {
      const summary = `resolve package ${pkg.name} ${pkg.version}`;
      state.recordResolvedPackage(
        pkg.name,
        await a.resolveGenericPackage.executeWithOptions({ ...timeouts.short, summary }, [pkg]),
      );
    });
    return `${state.resolvedCount()} artifacts resolved to digests`;
  });
}

/** Is the release commit already on the canonical repository (seed 000's smart sync)? */
export async function checkCanonical({ step, activities: a, timeouts, spec, state }: ReleaseRun): Promise<boolean> {
  const forge = spec.forge;
  if (!spec.canonicalCheck || !forge) return false;
  await step('check-canonical', async () => {
    const found = await a.checkCommitIsPublic.executeWithOptions(
      { ...timeouts.short, summary: `is ${spec.commitSha.slice(0, 12)} on ${forge.project}?` },
      [{ forge, commitSha: spec.commitSha }],
    );
    state.recordCanonical(found);
    return found.detail;
  });
  return state.status.canonical?.public ?? false;
}

export async function copyArtifacts({ step, eachOnce, activities: a, timeouts, spec, state }: ReleaseRun) {
  await step('copy', async () => {
    await eachOnce('copy', state.resolvedOci(), async (artifact) => {
      const copy = artifact.kind === 'image' ? a.copyImage : artifact.kind === 'chart' ? a.copyChart : a.copyOciPackage;
      const where = `${artifact.name}@${artifact.digest.slice(0, 19)} → ${artifact.destination.endpoint.host}`;
      const stall = spec.timing?.stallTimeoutMs;
      const result = await copy.executeWithOptions(
        { ...timeouts.copy, summary: `copy ${artifact.kind} ${where}` },
        stall ? [artifact, { stallTimeoutMs: stall }] : [artifact],
      );
      state.recordCopy(artifact.name, {
        blobs: result.blobsCopied,
        bytes: result.bytesCopied,
        alreadyPresent: result.alreadyPresent,
      });
    });
    const toGitlab = spec.generic.flatMap((pkg) => (pkg.destination ? [{ ...pkg, destination: pkg.destination }] : []));
    await eachOnce('copy', toGitlab, async (pkg) => {
      const result = await a.copyGenericPackage.executeWithOptions(
        { ...timeouts.copy, summary: `copy package ${pkg.name} ${pkg.version} → ${pkg.destination.project}` },
        [
          {
            ...pkg,
            resolved: state.packageFiles(pkg.name),
            ...(spec.timing?.stallTimeoutMs ? { stallTimeoutMs: spec.timing.stallTimeoutMs } : {}),
          },
        ],
      );
      const uploaded = result.files.filter((f) => f.uploaded);
      state.recordCopy(pkg.name, {
        blobs: uploaded.length,
        bytes: uploaded.reduce((sum, f) => sum + f.size, 0),
        alreadyPresent: uploaded.length === 0,
      });
    });
    return 'copied by digest with signatures and attestations';
  });
}

export async function draftRelease({ step, activities: a, timeouts, spec, state }: ReleaseRun) {
  const forge = spec.forge;
  if (!forge) return;
  await step('draft-release', async () => {
    const created = await a.draftRelease.executeWithOptions(
      { ...timeouts.short, summary: `draft release ${spec.tag}` },
      [{ forge, draft: releaseDraft(spec, state) }],
    );
    state.recordRelease({ id: created.id, state: created.state, ...(created.url ? { url: created.url } : {}) });
    // The second package target: the files, by sha256, as assets of the draft (GitHub).
    for (const pkg of spec.generic.filter((p) => p.releaseAssets && created.id)) {
      await a.uploadReleaseAssets.executeWithOptions(
        { ...timeouts.copy, summary: `attach package ${pkg.name} to release ${spec.tag}` },
        [{ forge, releaseId: created.id, package: pkg, files: state.packageFiles(pkg.name) }],
      );
    }
    return created.id ? `draft ${created.id}` : 'notes prepared (GitLab: created on promotion)';
  });
}

/**
 * The release PR: given at start (--pr N) it is recorded as it is; otherwise found now by the plan's head
 * branch or label, so status and the gate show which PR approval merges.
 */
export async function findReleasePullRequest({ step, activities: a, timeouts, spec, state }: ReleaseRun) {
  const forge = spec.forge;
  const rule = spec.promotion.pullRequest;
  if (!forge || !rule) return;
  if (rule.number !== undefined) {
    if (!state.status.pullRequest) state.recordPullRequest({ number: rule.number, merged: false });
    return;
  }
  const by = rule.head ? { head: rule.head } : rule.label ? { label: rule.label } : undefined;
  await step('find-pr', async () => {
    if (!by)
      throw ApplicationFailure.nonRetryable(
        'no release PR: start the release with --pr N, or give promotion.mergePullRequest.head or label in the plan',
        FailureTypes.pullRequestNotFound,
      );
    const found = await a.findPullRequest.executeWithOptions(
      { ...timeouts.short, summary: `find the release PR (${'head' in by ? by.head : by.label})` },
      [{ forge, by }],
    );
    state.recordPullRequest({
      number: found.number,
      merged: found.state === 'merged',
      head: found.head,
      ...(found.url ? { url: found.url } : {}),
    });
    return `#${found.number} (${found.state})`;
  });
}

/** Smoke commands run by the worker; external checks are reported in by other systems (shipgate report-check). */
export async function runSmokeChecks({ step, eachOnce, activities: a, timeouts, spec, state }: ReleaseRun) {
  let runs = 0;
  await step('smoke', async () => {
    runs++;
    const env = smokeEnv(spec, state);
    await eachOnce('smoke', spec.smoke.commands, async (command) => {
      try {
        await a.runSmokeCommand.executeWithOptions(
          { ...timeouts.smoke(command.timeoutMs), summary: `smoke check ${command.name}` },
          [{ ...command, env }],
        );
        state.setCheck(command.name, 'passed');
      } catch (error) {
        state.setCheck(command.name, 'failed');
        throw error;
      }
    });
    const external = spec.smoke.external;
    // On a retry, a failed external check is asked again; on the first run a failure already reported stands.
    if (runs > 1) for (const check of state.externalChecks('failed')) state.setCheck(check.name, 'pending');
    if (external.length > 0) {
      const longest = Math.max(...external.map((c) => c.timeoutMs));
      const settled = () => state.externalChecks('pending').length === 0 || state.externalChecks('failed').length > 0;
      const finished = await condition(settled, longest);
      const failed = state.externalChecks('failed').map((c) => c.name);
      if (failed.length > 0)
        throw ApplicationFailure.nonRetryable(
          `external check ${failed.join(', ')} failed`,
          FailureTypes.smokeCheckFailed,
        );
      if (!finished) {
        const pending = state.externalChecks('pending').map((c) => c.name);
        throw ApplicationFailure.nonRetryable(
          `external check ${pending.join(', ')} did not report within ${longest / 1000}s; report with shipgate report-check`,
          FailureTypes.smokeCheckTimedOut,
        );
      }
    }
    return `${state.status.checks.length} checks passed`;
  });
}
