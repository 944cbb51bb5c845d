import { digestSet } from './approval-policy.ts';
import { quorumShortfall } from './decision-rules.ts';
import type { ResolvedOciArtifact } from '../artifacts/types.ts';
import { initialStatus } from './initial-status.ts';
import type { PackageFile, ReleaseSpec } from '../config/spec.ts';
import type { VerificationResult } from '../activities/verify-signatures.ts';
import type {
  ArtifactStatus,
  Attention,
  CheckStatus,
  Decision,
  FreezeStatus,
  GateKind,
  Phase,
  ReleaseStatus,
  StepName,
  StepRecord,
} from './status.ts';

/**
 * The release's record and its only writer: everything the status query shows, and the one record of what each
 * artifact resolved to. The recorders write the status artifacts and these maps together, so the digest set a
 * person approves (read from the status, as the CLI reads it) and the digests the steps verify, copy, tag and
 * pin agree. Pure data changes, no I/O, no clock of its own.
 */
export class ReleaseState {
  readonly status: ReleaseStatus;
  private readonly done = new Set<string>();
  /** In the order they resolved, which is the order later steps schedule their activities in (replay). */
  private readonly oci = new Map<string, ResolvedOciArtifact>();
  private readonly packages = new Map<string, PackageFile[]>();

  constructor(spec: ReleaseSpec) {
    this.status = initialStatus(spec);
  }

  // --- each-once bookkeeping: which items of a step an earlier attempt already finished ---------------------

  isDone(key: string): boolean {
    return this.done.has(key);
  }

  markDone(key: string): void {
    this.done.add(key);
  }

  // --- resolved artifacts ---------------------------------------------------------------------------------

  recordResolvedOci(result: ResolvedOciArtifact): void {
    this.oci.set(result.name, result);
    const record = this.artifact(result.name);
    record.digest = result.digest;
    record.platforms = result.platforms;
    if (result.files) record.files = result.files;
  }

  recordResolvedPackage(name: string, files: PackageFile[]): void {
    this.packages.set(name, files);
    this.artifact(name).files = files;
  }

  resolvedOci(): ResolvedOciArtifact[] {
    return [...this.oci.values()];
  }

  resolvedImages(): ResolvedOciArtifact[] {
    return this.resolvedOci().filter((artifact) => artifact.kind === 'image');
  }

  resolvedPackages(): [string, PackageFile[]][] {
    return [...this.packages];
  }

  packageFiles(name: string): PackageFile[] {
    return this.packages.get(name) ?? [];
  }

  resolvedCount(): number {
    return this.oci.size + this.packages.size;
  }

  /** The digest set a person approves, as the decision rules and the CLI compute it (approval-policy.ts). */
  digestSet(): string[] {
    return digestSet(this.status);
  }

  recordVerification(result: VerificationResult, at: string): void {
    const record = this.artifact(result.name);
    for (const digest of result.digests) {
      record.verifications.push({
        digest: digest.digest,
        where: result.where,
        signature: digest.signature,
        attestations: digest.attestations,
        ...(digest.attestationDigests?.length ? { attestationDigests: digest.attestationDigests } : {}),
        against: result.against,
        at,
      });
    }
    const { mode, where, outcome, problems, commands } = result;
    record.verification = { mode, where, outcome, problems, commands };
  }

  /** The step summary: what was verified, and which artifacts were not (off) or did not verify (warn). */
  verificationSummary(where: 'source' | 'destination'): string {
    const latest = this.status.artifacts.flatMap((a) =>
      a.verification?.where === where ? [{ name: a.name, outcome: a.verification.outcome }] : [],
    );
    const names = (outcome: string) => latest.filter((v) => v.outcome === outcome).map((v) => v.name);
    const parts = [`${names('verified').length} verified at the ${where}`];
    if (names('failed').length) parts.push(`did not verify (warn): ${names('failed').join(', ')}`);
    if (names('not-verified').length) parts.push(`not verified (off): ${names('not-verified').join(', ')}`);
    return parts.join('; ');
  }

  recordCopy(name: string, copied: NonNullable<ArtifactStatus['copied']>): void {
    this.artifact(name).copied = copied;
  }

  // --- outward-facing results -----------------------------------------------------------------------------

  recordCanonical(canonical: NonNullable<ReleaseStatus['canonical']>): void {
    this.status.canonical = canonical;
  }

  /** What an unpromoted end cleaned up or left, with the reasons (clean-end.ts). */
  recordCleanup(cleanup: NonNullable<ReleaseStatus['cleanup']>): void {
    this.status.cleanup = cleanup;
  }

  recordRelease(release: NonNullable<ReleaseStatus['release']>): void {
    this.status.release = release;
  }

  recordTagMoves(moves: ReleaseStatus['tagMoves']): void {
    this.status.tagMoves.push(...moves);
  }

  recordPullRequest(pullRequest: NonNullable<ReleaseStatus['pullRequest']>): void {
    this.status.pullRequest = pullRequest;
  }

  recordPin(pin: ReleaseStatus['pins'][number]): void {
    this.status.pins.push(pin);
  }

  /** A webhook that still failed after its attempts: shown in status and the UI, never dropped silently. */
  recordUndeliveredNotification(failure: NonNullable<ReleaseStatus['notificationFailures']>[number]): void {
    (this.status.notificationFailures ??= []).push(failure);
  }

  recordEvidence(records: NonNullable<ReleaseStatus['evidence']>): void {
    this.status.evidence = [...(this.status.evidence ?? []), ...records];
  }

  /** A freeze window holds promotion; `since` stays the first time it held. */
  freeze(freeze: Omit<FreezeStatus, 'since'>, now: string): void {
    this.status.freeze = { ...freeze, since: this.status.freeze?.since ?? now };
  }

  liftFreeze(by: string, reason: string, proof: string): void {
    if (this.status.freeze)
      this.status.freeze = { ...this.status.freeze, overriddenBy: by, reason, overrideProof: proof };
  }

  // --- checks -----------------------------------------------------------------------------------------------

  check(name: string): CheckStatus | undefined {
    return this.status.checks.find((c) => c.name === name);
  }

  setCheck(name: string, state: CheckStatus['state'], detail?: string): void {
    const check = this.check(name);
    if (!check) return;
    check.state = state;
    if (detail) check.detail = detail;
  }

  externalChecks(state?: CheckStatus['state']): CheckStatus[] {
    return this.status.checks.filter((c) => c.kind === 'external' && (state === undefined || c.state === state));
  }

  // --- phases, steps, gates, decisions -------------------------------------------------------------------

  setPhase(phase: Phase): void {
    this.status.phase = phase;
  }

  startStep(step: StepName, now: string): void {
    this.status.currentStep = step;
    const existing = this.record(step);
    if (existing) {
      existing.state = 'running';
      existing.startedAt = now;
      existing.attempts = (existing.attempts ?? 1) + 1;
      delete existing.finishedAt;
    } else {
      this.status.steps.push({ step, state: 'running', startedAt: now, attempts: 1 });
    }
  }

  finishStep(step: StepName, now: string, summary?: string): void {
    const record = this.record(step) ?? { step, state: 'done', startedAt: now };
    if (!this.record(step)) this.status.steps.push(record);
    record.state = 'done';
    record.finishedAt = now;
    if (summary !== undefined) record.summary = summary;
    delete this.status.currentStep;
  }

  failStep(step: StepName, attention: Attention): void {
    const record = this.record(step);
    if (record) {
      record.state = 'failed';
      record.finishedAt = attention.at;
      record.summary = attention.message;
    }
    this.status.attention = attention;
    this.status.phase = 'needs-attention';
  }

  clearAttention(phase: Phase): void {
    delete this.status.attention;
    this.status.phase = phase;
  }

  openGate(kind: GateKind, spec: ReleaseSpec, now: string, deadline: string): void {
    this.status.gate = {
      kind,
      openedAt: now,
      deadline,
      approvers: spec.gate.approvers,
      allowSelfApproval: spec.gate.allowSelfApproval,
      digests: this.digestSet(),
      approvals: [],
    };
    const needs = spec.gate.required > 1 || spec.gate.groups.length > 0 ? quorumShortfall(spec, []) : undefined;
    if (needs) this.status.gate.needs = needs;
    this.status.phase = kind === 'sync' ? 'awaiting-sync' : 'awaiting-approval';
  }

  closeGate(): void {
    delete this.status.gate;
  }

  decide(decision: Decision): void {
    this.status.decisions.push(decision);
  }

  /** Counts a proven approval at the open gate; says whether the gate's quorum and groups are now satisfied. */
  countApproval(spec: ReleaseSpec, principal: string): boolean {
    const gate = this.status.gate;
    if (!gate) return false;
    gate.approvals = [...(gate.approvals ?? []), principal];
    const shortfall = quorumShortfall(spec, gate.approvals);
    if (shortfall) gate.needs = shortfall;
    else delete gate.needs;
    return shortfall === undefined;
  }

  /** The starter as a proof showed them (replacing the name the start request claimed). */
  provenStarter(principal: string, proof: string): void {
    this.status.startedBy = principal;
    this.status.startedByProof = proof;
  }

  lastApproval(): Decision | undefined {
    return this.status.decisions.filter((d) => d.kind === 'approve').at(-1);
  }

  private artifact(name: string): ArtifactStatus {
    const found = this.status.artifacts.find((a) => a.name === name);
    if (!found) throw new Error(`unknown artifact ${name}`);
    return found;
  }

  private record(step: StepName): StepRecord | undefined {
    return this.status.steps.find((s) => s.step === step);
  }
}
