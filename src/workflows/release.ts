import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { NotificationEvent } from '../activities/notify.ts';
import type { ResolvedOciArtifact } from '../artifacts/types.ts';
import type { ReleaseDraft } from '../forge/types.ts';
import type { PackageFile } from '../activities/generic-package.ts';
import type { ReleaseInput } from '../config/release-input.ts';
import { deriveSpec } from '../config/derive.ts';
import { releaseNotes } from '../activities/release-notes.ts';
import { FailureTypes } from '../errors.ts';
import { approvalRefusal, digestSet } from './approval-policy.ts';
import {
  abortUpdate,
  approveSignal,
  approveUpdate,
  rejectSignal,
  rejectUpdate,
  reportCheckUpdate,
  retryUpdate,
  statusQuery,
  type AbortRequest,
  type ApproveRequest,
  type CheckReport,
  type Decision,
  type GateKind,
  type RejectRequest,
  type RetryRequest,
} from './messages.ts';
import { pinnable, recordUndelivered, waitWithReminder } from './integrations.ts';
import { pinJobs } from './pin-jobs.ts';
import { ReleaseState } from './release-state.ts';
import { phaseKey, projectKey, versionKey } from './search-attributes.ts';
import type { ReleaseSpec } from './spec.ts';
import type { Phase, ReleaseStatus, StepName } from './status.ts';

type GateOutcome = 'approved' | 'rejected' | 'expired' | 'aborted';

/** Thrown inside the workflow when a person aborts: ends the release as aborted, keeping its record. */
class ReleaseAborted extends Error {}

/**
 * One release: PUBLISH (resolve, verify, smart sync, copy by digest, verify at the destination, draft, smoke),
 * then the GATE (a person approves the exact digest set, or rejects, or the deadline passes), then PROMOTE
 * (verify again, move floating tags, publish the release, merge the PR, pin the digests). A step that fails
 * permanently parks the release in needs-attention until someone retries (from that step) or aborts.
 */
export async function release(input: ReleaseInput): Promise<ReleaseStatus> {
  const spec = deriveSpec(input);
  const state = new ReleaseState(spec);
  const a = activitiesFor(spec);
  const timeouts = timeoutsFor(spec);
  const resolved = new Map<string, ResolvedOciArtifact>();
  const packages = new Map<string, PackageFile[]>();
  let draft: ReleaseDraft | undefined;
  let gateOutcome: GateOutcome | undefined;
  let attentionAction: 'retry' | 'abort' | undefined;
  let recreateDraft = false;
  let smokeRuns = 0;

  const now = (): string => new Date().toISOString();
  const setPhase = (phase: Phase): void => {
    state.setPhase(phase);
    upsertSearchAttributes([{ key: phaseKey, value: phase }]);
    setCurrentDetails(describe(state.status));
  };
  upsertSearchAttributes([
    { key: projectKey, value: spec.project },
    { key: versionKey, value: spec.version },
  ]);
  setPhase('publishing');

  // --- messages ------------------------------------------------------------------------------------------
  setHandler(statusQuery, () => state.status);
  const applyApproval = (request: ApproveRequest, via: Decision['via']): Decision => {
    const decision: Decision = {
      kind: 'approve',
      gate: state.status.gate?.kind,
      by: request.approver,
      at: now(),
      digests: state.status.gate?.digests ?? [],
      via,
      ...(request.comment ? { comment: request.comment } : {}),
    };
    state.decide(decision);
    gateOutcome = 'approved';
    return decision;
  };
  const applyRejection = (request: RejectRequest, via: Decision['via']): Decision => {
    const decision: Decision = { kind: 'reject', by: request.by, at: now(), comment: request.reason, via };
    if (state.status.gate) decision.gate = state.status.gate.kind;
    state.decide(decision);
    gateOutcome = 'rejected';
    return decision;
  };
  const rejectRefusal = (request: RejectRequest): string | undefined => {
    if (!state.status.gate) return `the release is not waiting at a gate (phase: ${state.status.phase})`;
    if (!request.by) return 'by is required: who rejects';
    if (!request.reason) return 'reason is required';
    return undefined;
  };
  setHandler(approveUpdate, (request) => applyApproval(request, 'update'), {
    validator: (request: ApproveRequest) => refuse(approvalRefusal(state.status, spec, request)),
  });
  setHandler(approveSignal, (request) => {
    const refusal = approvalRefusal(state.status, spec, request);
    if (refusal)
      state.decide({ kind: 'refused', by: String(request?.approver ?? ''), at: now(), refusal, via: 'signal' });
    else applyApproval(request, 'signal');
  });
  setHandler(rejectUpdate, (request) => applyRejection(request, 'update'), {
    validator: (request: RejectRequest) => refuse(rejectRefusal(request)),
  });
  setHandler(rejectSignal, (request) => {
    const refusal = rejectRefusal(request);
    if (refusal) state.decide({ kind: 'refused', by: String(request?.by ?? ''), at: now(), refusal, via: 'signal' });
    else applyRejection(request, 'signal');
  });
  setHandler(
    retryUpdate,
    (request: RetryRequest) => {
      const decision: Decision = { kind: 'retry', by: request.by, at: now(), via: 'update' };
      if (request.comment) decision.comment = request.comment;
      state.decide(decision);
      attentionAction = 'retry';
      recreateDraft = request.recreateDraft === true;
      return decision;
    },
    {
      validator: (_request: RetryRequest) =>
        refuse(
          state.status.phase === 'needs-attention'
            ? undefined
            : `nothing to retry: the release is ${state.status.phase}`,
        ),
    },
  );
  setHandler(
    abortUpdate,
    (request) => {
      const decision: Decision = { kind: 'abort', by: request.by, at: now(), comment: request.reason, via: 'update' };
      state.decide(decision);
      if (state.status.gate) gateOutcome = 'aborted';
      else attentionAction = 'abort';
      return decision;
    },
    {
      validator: (request: AbortRequest) =>
        refuse(
          !request.reason
            ? 'reason is required'
            : state.status.phase === 'needs-attention' || state.status.gate
              ? undefined
              : `the release is ${state.status.phase}; abort is possible at a gate or when it needs attention`,
        ),
    },
  );
  setHandler(
    reportCheckUpdate,
    (report) => {
      const check = state.check(report.name);
      if (check) {
        check.state = report.passed ? 'passed' : 'failed';
        if (report.detail ?? report.url) check.detail = [report.detail, report.url].filter(Boolean).join(' ');
      }
      const decision: Decision = { kind: 'check', by: report.by ?? 'external', at: now(), via: 'update' };
      decision.comment = `${report.name}: ${report.passed ? 'passed' : 'failed'}${report.detail ? ` (${report.detail})` : ''}`;
      state.decide(decision);
      return decision;
    },
    {
      validator: (report: CheckReport) => {
        const check = state.check(report.name);
        if (!check || check.kind !== 'external') {
          const names = state.status.checks.filter((c) => c.kind === 'external').map((c) => c.name);
          return refuse(`no external check named "${report.name}"; the plan declares: ${names.join(', ') || 'none'}`);
        }
        return refuse(
          ['promoting', 'promoted', 'rejected', 'expired', 'aborted'].includes(state.status.phase)
            ? `the release is ${state.status.phase}; checks can no longer change it`
            : undefined,
        );
      },
    },
  );

  // --- step machinery ------------------------------------------------------------------------------------
  const notifyAll = async (event: NotificationEvent, message: string, actors: string[] = []): Promise<void> => {
    for (const hook of spec.notifications.filter((h) => h.events.includes(event))) {
      // A few quick attempts: a dead webhook must not hold the release up for minutes, nor go unnoticed.
      await a.notify
        .executeWithOptions({ startToCloseTimeout: '30 seconds', retry: { maximumAttempts: 3 } }, [
          {
            ...(hook.url ? { url: hook.url } : { urlEnv: hook.urlEnv ?? '' }),
            format: hook.format,
            event,
            project: spec.project,
            version: spec.version,
            phase: state.status.phase,
            message,
            actors,
            workflowId: workflowInfo().workflowId,
          },
        ])
        .catch((error: unknown) => {
          recordUndelivered(state, event, hook, explain(error).message, now());
          setCurrentDetails(describe(state.status));
        });
    }
  };

  const step = async (name: StepName, body: () => Promise<string | undefined>): Promise<void> => {
    if (state.isDone(`step:${name}`)) return;
    const phase = state.status.phase;
    for (let attempt = 1; ; attempt++) {
      state.startStep(name, now());
      setCurrentDetails(describe(state.status));
      try {
        const summary = await body();
        state.finishStep(name, now(), summary);
        return;
      } catch (error) {
        const failure = explain(error);
        state.failStep(name, { step: name, type: failure.type, message: failure.message, at: now(), attempt });
        // Cleared before the phase opens for decisions, so a retry or abort sent while the notification is
        // still being delivered is kept, not overwritten.
        attentionAction = undefined;
        setPhase('needs-attention');
        await notifyAll('needs-attention', `${name}: ${failure.message}`);
        await condition(() => attentionAction !== undefined);
        if (attentionAction === 'abort') throw new ReleaseAborted();
        state.clearAttention(phase);
        setPhase(phase);
      }
    }
  };

  /** Runs fn per item, skipping items finished by an earlier attempt of the same step. */
  const eachOnce = async <T>(key: string, items: T[], id: (item: T) => string, fn: (item: T) => Promise<void>) => {
    await Promise.all(
      items.map(async (item) => {
        const done = `${key}:${id(item)}`;
        if (state.isDone(done)) return;
        await fn(item);
        state.markDone(done);
      }),
    );
  };

  const waitAtGate = async (kind: GateKind): Promise<GateOutcome> => {
    const deadline = new Date(Date.now() + spec.gate.deadlineMs).toISOString();
    // Cleared before the gate opens: a decision that arrives while the notification is being delivered counts.
    gateOutcome = undefined;
    state.openGate(kind, spec, now(), deadline, digestSet(state.status));
    setPhase(kind === 'sync' ? 'awaiting-sync' : 'awaiting-approval');
    const waitsFor = `${spec.project} ${spec.version} waits for ${kind === 'sync' ? 'a sync go' : 'approval'}`;
    await notifyAll('waiting', waitsFor, spec.gate.approvers);
    const decided = await waitWithReminder(
      spec.gate,
      () => gateOutcome !== undefined,
      () => notifyAll('reminder', `${waitsFor} until ${deadline}`, spec.gate.approvers),
    );
    state.closeGate();
    if (!decided) {
      state.decide({ kind: 'expired', gate: kind, by: 'deadline', at: now(), via: 'timer' });
      return 'expired';
    }
    return gateOutcome ?? 'aborted';
  };

  const finish = async (phase: Phase): Promise<ReleaseStatus> => {
    setPhase(phase);
    await notifyAll('finished', `${spec.project} ${spec.version} ${phase}`);
    return state.status;
  };

  // --- the release ---------------------------------------------------------------------------------------
  try {
    await step('resolve', async () => {
      await eachOnce(
        'resolve',
        spec.oci,
        (x) => x.name,
        async (artifact) => {
          const result = await a.resolveOciArtifact.executeWithOptions(
            { ...timeouts.short, summary: `resolve ${artifact.kind} ${artifact.name}:${artifact.tag}` },
            [artifact],
          );
          resolved.set(artifact.name, result);
          const record = state.artifact(artifact.name);
          record.digest = result.digest;
          record.platforms = result.platforms;
          if (result.files) record.files = result.files;
        },
      );
      await eachOnce(
        'resolve',
        spec.generic,
        (x) => x.name,
        async (pkg) => {
          const files = await a.resolveGenericPackage.executeWithOptions(
            { ...timeouts.short, summary: `resolve package ${pkg.name} ${pkg.version}` },
            [pkg],
          );
          packages.set(pkg.name, files);
          state.artifact(pkg.name).files = files;
        },
      );
      return `${resolved.size + packages.size} artifacts resolved to digests`;
    });

    await step('verify-source', async () => {
      await eachOnce(
        'verify-source',
        [...resolved.values()],
        (x) => x.name,
        async (artifact) => {
          const result = await a.verifyArtifact.executeWithOptions(
            { ...timeouts.verify, summary: `verify ${artifact.name}@${artifact.digest.slice(0, 19)} at source` },
            [{ artifact, where: 'source', policy: spec.policy }],
          );
          recordVerification(state, result, now());
        },
      );
      return `signatures and attestations verified against ${spec.policy.kind}`;
    });

    let canonicalPublic = false;
    if (spec.canonicalCheck && spec.forge) {
      const forge = spec.forge;
      await step('check-canonical', async () => {
        const found = await a.checkCommitIsPublic.executeWithOptions(
          { ...timeouts.short, summary: `is ${spec.commitSha.slice(0, 12)} on ${forge.project}?` },
          [{ forge, commitSha: spec.commitSha }],
        );
        state.status.canonical = found;
        canonicalPublic = found.public;
        return found.detail;
      });
      canonicalPublic = state.status.canonical?.public ?? false;
    }

    if (spec.gate.sync === 'manual' || !canonicalPublic) {
      if (!state.isDone('step:sync-gate')) {
        state.startStep('sync-gate', now());
        const outcome = await waitAtGate('sync');
        if (outcome !== 'approved')
          return await finish(outcome === 'expired' ? 'expired' : outcome === 'rejected' ? 'rejected' : 'aborted');
        state.finishStep('sync-gate', now(), 'sync approved');
        setPhase('publishing');
      }
    }

    await step('copy', async () => {
      await eachOnce(
        'copy',
        [...resolved.values()],
        (x) => x.name,
        async (artifact) => {
          const copy =
            artifact.kind === 'image' ? a.copyImage : artifact.kind === 'chart' ? a.copyChart : a.copyOciPackage;
          const result = await copy.executeWithOptions(
            {
              ...timeouts.copy,
              summary: `copy ${artifact.kind} ${artifact.name}@${artifact.digest.slice(0, 19)} → ${artifact.destination.endpoint.host}`,
            },
            [artifact],
          );
          state.artifact(artifact.name).copied = {
            blobs: result.blobsCopied,
            bytes: result.bytesCopied,
            alreadyPresent: result.alreadyPresent,
          };
        },
      );
      await eachOnce(
        'copy',
        spec.generic.flatMap((pkg) => (pkg.destination ? [{ ...pkg, destination: pkg.destination }] : [])),
        (x) => x.name,
        async (pkg) => {
          const result = await a.copyGenericPackage.executeWithOptions(
            { ...timeouts.copy, summary: `copy package ${pkg.name} ${pkg.version} → ${pkg.destination.project}` },
            [{ ...pkg, resolved: packages.get(pkg.name) ?? [] }],
          );
          const uploaded = result.files.filter((f) => f.uploaded);
          state.artifact(pkg.name).copied = {
            blobs: uploaded.length,
            bytes: uploaded.reduce((sum, f) => sum + f.size, 0),
            alreadyPresent: uploaded.length === 0,
          };
        },
      );
      return 'copied by digest with signatures and attestations';
    });

    await step('verify-destination', async () => {
      await eachOnce(
        'verify-destination',
        [...resolved.values()],
        (x) => x.name,
        async (artifact) => {
          const result = await a.verifyArtifact.executeWithOptions(
            { ...timeouts.verify, summary: `verify ${artifact.name}@${artifact.digest.slice(0, 19)} at destination` },
            [{ artifact, where: 'destination', policy: spec.policy }],
          );
          recordVerification(state, result, now());
        },
      );
      return 'destination digests and signatures verified';
    });

    const forge = spec.forge;
    const prRule = spec.promotion.pullRequest;
    if (forge && prRule) {
      const by = prRule.head ? { head: prRule.head } : prRule.label ? { label: prRule.label } : undefined;
      if (prRule.number !== undefined) state.status.pullRequest ??= { number: prRule.number, merged: false };
      else
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
          state.status.pullRequest = {
            number: found.number,
            merged: found.state === 'merged',
            head: found.head,
            ...(found.url ? { url: found.url } : {}),
          };
          return `#${found.number} (${found.state})`;
        });
    }
    if (forge) {
      await step('draft-release', async () => {
        draft = {
          tag: spec.tag,
          name: `${spec.project} ${spec.version}`,
          commitSha: spec.commitSha,
          body: notesFor(spec, resolved, packages),
        };
        const created = await a.draftRelease.executeWithOptions(
          { ...timeouts.short, summary: `draft release ${spec.tag}` },
          [{ forge, draft }],
        );
        state.status.release = { id: created.id, state: created.state, ...(created.url ? { url: created.url } : {}) };
        for (const pkg of spec.generic.filter((p) => p.releaseAssets && created.id)) {
          await a.uploadReleaseAssets.executeWithOptions(
            { ...timeouts.copy, summary: `attach package ${pkg.name} to release ${spec.tag}` },
            [{ forge, releaseId: created.id, package: pkg, files: packages.get(pkg.name) ?? [] }],
          );
        }
        return created.id ? `draft ${created.id}` : 'notes prepared (GitLab: created on promotion)';
      });
    }

    await step('smoke', async () => {
      smokeRuns++;
      const env = smokeEnv(spec, resolved);
      await eachOnce(
        'smoke',
        spec.smoke.commands,
        (x) => x.name,
        async (command) => {
          const check = state.check(command.name);
          try {
            await a.runSmokeCommand.executeWithOptions(
              { ...timeouts.smoke(command.timeoutMs), summary: `smoke check ${command.name}` },
              [{ ...command, env }],
            );
            if (check) check.state = 'passed';
          } catch (error) {
            if (check) check.state = 'failed';
            throw error;
          }
        },
      );
      const external = spec.smoke.external;
      // On a retry, a failed external check is asked again; on the first run a failure already reported stands.
      if (smokeRuns > 1)
        for (const check of state.status.checks)
          if (check.kind === 'external' && check.state === 'failed') check.state = 'pending';
      if (external.length > 0) {
        const longest = Math.max(...external.map((c) => c.timeoutMs));
        const pending = () => state.status.checks.filter((c) => c.kind === 'external' && c.state === 'pending');
        const anyFailed = () => state.status.checks.some((c) => c.kind === 'external' && c.state === 'failed');
        const finished = await condition(() => pending().length === 0 || anyFailed(), longest);
        const failed = state.status.checks.filter((c) => c.kind === 'external' && c.state === 'failed');
        if (failed.length > 0) {
          throw ApplicationFailure.nonRetryable(
            `external check ${failed.map((c) => c.name).join(', ')} failed`,
            FailureTypes.smokeCheckFailed,
          );
        }
        if (!finished) {
          throw ApplicationFailure.nonRetryable(
            `external check ${pending()
              .map((c) => c.name)
              .join(', ')} did not report within ${longest / 1000}s; report with shipgate report-check`,
            FailureTypes.smokeCheckTimedOut,
          );
        }
      }
      return `${state.status.checks.length} checks passed`;
    });

    // --- the gate ------------------------------------------------------------------------------------------
    if (!state.isDone('step:approval-gate')) {
      state.startStep('approval-gate', now());
      const outcome = await waitAtGate('promotion');
      if (outcome !== 'approved')
        return await finish(outcome === 'expired' ? 'expired' : outcome === 'rejected' ? 'rejected' : 'aborted');
      const approval = state.status.decisions.filter((d) => d.kind === 'approve').at(-1);
      state.finishStep('approval-gate', now(), `approved by ${approval?.by ?? '?'}`);
    }
    setPhase('promoting');

    // --- promote -------------------------------------------------------------------------------------------
    await step('reverify', async () => {
      await eachOnce(
        'reverify',
        [...resolved.values()],
        (x) => x.name,
        async (artifact) => {
          const result = await a.verifyArtifact.executeWithOptions(
            {
              ...timeouts.verify,
              summary: `re-verify ${artifact.name}@${artifact.digest.slice(0, 19)} before promotion`,
            },
            [{ artifact, where: 'destination', policy: spec.policy, expectTag: true }],
          );
          recordVerification(state, result, now());
        },
      );
      return 'destination unchanged since publish';
    });

    const images = [...resolved.values()].filter((artifact) => artifact.kind === 'image');
    if (spec.promotion.floatingTags.length > 0) {
      await step('floating-tags', async () => {
        await eachOnce(
          'floating-tags',
          images,
          (x) => x.name,
          async (image) => {
            const result = await a.requestFloatingTagMove.executeWithOptions(
              {
                ...timeouts.tags,
                summary: `move ${spec.promotion.floatingTags.join('/')} of ${image.name} to ${image.tag}`,
              },
              [
                {
                  name: image.name,
                  destination: image.destination,
                  versionTag: image.tag,
                  digest: image.digest,
                  kinds: spec.promotion.floatingTags,
                },
              ],
            );
            state.status.tagMoves.push(...result.moves.map((move) => ({ ...move, artifact: image.name })));
          },
        );
        return `${state.status.tagMoves.length} floating tags moved`;
      });
    }

    if (forge && spec.promotion.publishRelease) {
      await step('publish-release', async () => {
        const notes = draft ?? {
          tag: spec.tag,
          name: `${spec.project} ${spec.version}`,
          commitSha: spec.commitSha,
          body: notesFor(spec, resolved, packages),
        };
        const draftId = state.status.release?.id;
        const published = await a.publishRelease.executeWithOptions(
          { ...timeouts.short, summary: `publish release ${spec.tag}` },
          [{ forge, draft: notes, ...(draftId ? { draftId } : {}), ...(recreateDraft ? { recreateDraft } : {}) }],
        );
        state.status.release = {
          id: published.id,
          state: 'published',
          ...(published.url ? { url: published.url } : {}),
        };
        return `release ${published.tag} published`;
      });
    }

    const pr = state.status.pullRequest;
    if (forge && prRule && pr) {
      await step('merge-pr', async () => {
        const merged = await a.mergePullRequest.executeWithOptions(
          { ...timeouts.short, summary: `${prRule.autoMerge ? 'auto-merge' : 'merge'} release PR #${pr.number}` },
          [{ forge, number: pr.number, ...(prRule.autoMerge ? { autoMerge: true } : {}) }],
        );
        Object.assign(pr, { merged: merged.merged, ...(merged.sha ? { sha: merged.sha } : {}) });
        if (merged.autoMerge) pr.autoMerge = true;
        return merged.autoMerge
          ? `#${pr.number}: auto-merge enabled`
          : merged.alreadyMerged
            ? `#${pr.number} was already merged`
            : `#${pr.number} merged`;
      });
    }

    if (spec.promotion.pins.length > 0) {
      await step('pin', async () => {
        const approvedBy = state.status.decisions.filter((d) => d.kind === 'approve').map((d) => d.by);
        const notes = `${spec.project} ${spec.version} promoted by shipgate (approved by ${approvedBy.join(', ') || '?'})`;
        for (const job of pinJobs(spec, pinnable(resolved, packages), notes)) {
          if (state.isDone(job.key)) continue;
          const pinned = await a.pinDigest.executeWithOptions(
            { ...timeouts.short, summary: `pin ${job.fields.name}@${job.fields.digest.slice(0, 19)}` },
            [{ target: job.target, fields: job.fields }],
          );
          state.status.pins.push({
            name: pinned.name,
            digest: pinned.digest,
            confirmed: pinned.confirmed,
            url: pinned.url,
          });
          state.markDone(job.key);
        }
        return `${state.status.pins.length} digests pinned`;
      });
    }
    return await finish('promoted');
  } catch (error) {
    if (error instanceof ReleaseAborted) return await finish('aborted');
    throw error;
  }
}

// --- helpers (pure) ----------------------------------------------------------------------------------------

/** Activity timeouts; heartbeat timeouts decide how fast a killed worker's activity is retried elsewhere. */
function timeoutsFor(spec: ReleaseSpec) {
  const heartbeat = (ms: number): number => spec.timing?.heartbeatTimeoutMs ?? ms;
  return {
    short: { startToCloseTimeout: '2 minutes' },
    verify: { startToCloseTimeout: '10 minutes', heartbeatTimeout: heartbeat(60_000) },
    copy: { startToCloseTimeout: '2 hours', heartbeatTimeout: heartbeat(60_000) },
    tags: { startToCloseTimeout: '15 minutes' },
    smoke: (ms: number): ActivityOptions => ({ startToCloseTimeout: ms + 30_000 }),
  } satisfies Record<string, ActivityOptions | ((ms: number) => ActivityOptions)>;
}

function activitiesFor(spec: ReleaseSpec) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: spec.timing?.retryInitialMs ?? 1_000,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: spec.timing?.retryMaxAttempts ?? 8,
    },
  });
}

function refuse(reason: string | undefined): void {
  if (reason) throw new Error(reason);
}

function explain(error: unknown): { type: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'Error', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

function recordVerification(
  state: ReleaseState,
  result: Awaited<ReturnType<Activities['verifyArtifact']>>,
  at: string,
): void {
  const record = state.artifact(result.name);
  for (const digest of result.digests) {
    record.verifications.push({
      digest: digest.digest,
      where: result.where,
      signature: digest.signature,
      attestations: digest.attestations,
      against: result.against,
      at,
    });
  }
}

function notesFor(
  spec: ReleaseSpec,
  resolved: Map<string, ResolvedOciArtifact>,
  packages: Map<string, PackageFile[]>,
): string {
  return releaseNotes({
    project: spec.project,
    version: spec.version,
    commitSha: spec.commitSha,
    policy: spec.policy,
    artifacts: [
      ...[...resolved.values()].map((artifact) => ({
        name: artifact.name,
        kind: artifact.kind,
        reference: `${artifact.destination.endpoint.host}/${artifact.destination.repository}@${artifact.digest}`,
        platforms: artifact.platforms,
      })),
      ...[...packages].map(([name, files]) => ({ name, kind: 'generic-package', reference: name, files })),
    ],
  });
}

/** Smoke commands see the release by digest: SHIPGATE_<NAME>_REF=host/repo@sha256:... */
function smokeEnv(spec: ReleaseSpec, resolved: Map<string, ResolvedOciArtifact>): Record<string, string> {
  const env: Record<string, string> = {
    SHIPGATE_PROJECT: spec.project,
    SHIPGATE_VERSION: spec.version,
    SHIPGATE_COMMIT: spec.commitSha,
  };
  for (const artifact of resolved.values()) {
    const key = artifact.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    env[`SHIPGATE_${key}_REF`] =
      `${artifact.destination.endpoint.host}/${artifact.destination.repository}@${artifact.digest}`;
    env[`SHIPGATE_${key}_DIGEST`] = artifact.digest;
  }
  return env;
}

/** The line the Temporal UI shows as the workflow's current details. */
function describe(status: ReleaseStatus): string {
  const waiting =
    status.phase === 'awaiting-approval'
      ? `waiting for approval by ${status.gate?.approvers.join(', ') || 'anyone'} until ${status.gate?.deadline}`
      : status.phase === 'awaiting-sync'
        ? 'commit not public yet: waiting for a manual sync go'
        : status.phase === 'needs-attention'
          ? `needs attention at ${status.attention?.step}: ${status.attention?.message}`
          : (status.currentStep ?? status.phase);
  const undelivered = status.notificationFailures?.length
    ? `\n\n${status.notificationFailures.length} notification(s) not delivered, last: ${status.notificationFailures.at(-1)?.webhook} (${status.notificationFailures.at(-1)?.event}): ${status.notificationFailures.at(-1)?.message}`
    : '';
  return `**${status.project} ${status.version}**: ${waiting}${undelivered}`;
}
