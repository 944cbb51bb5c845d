import type { Decision, GateKind } from './messages.ts';
import type { ReleaseSpec } from './spec.ts';
import type { Attention, CheckStatus, Phase, ReleaseStatus, StepName, StepRecord } from './status.ts';
import { refAtTag } from '../artifacts/types.ts';

/** The release's record: everything the status query shows. Pure data changes, no I/O, no clock of its own. */
export class ReleaseState {
  readonly status: ReleaseStatus;
  private readonly done = new Set<string>();

  constructor(spec: ReleaseSpec) {
    this.status = {
      project: spec.project,
      version: spec.version,
      tag: spec.tag,
      commitSha: spec.commitSha,
      startedBy: spec.startedBy,
      phase: 'publishing',
      steps: [],
      artifacts: [
        ...spec.oci.map((a) => ({
          name: a.name,
          kind: a.kind,
          source: refAtTag(a.source, a.tag),
          destination: refAtTag(a.destination, a.tag),
          verifications: [],
        })),
        ...spec.generic.map((p) => ({
          name: p.name,
          kind: 'generic-package',
          source: `${p.source.project} generic/${p.name}/${p.version}`,
          destination: [
            p.destination ? `${p.destination.project} generic/${p.name}/${p.version}` : '',
            p.releaseAssets ? `release ${spec.tag} assets` : '',
          ]
            .filter(Boolean)
            .join(' + '),
          verifications: [],
        })),
      ],
      decisions: [],
      checks: [
        ...spec.smoke.commands.map((c): CheckStatus => ({ name: c.name, kind: 'command', state: 'pending' })),
        ...spec.smoke.external.map((c): CheckStatus => ({ name: c.name, kind: 'external', state: 'pending' })),
      ],
      tagMoves: [],
      pins: [],
    };
  }

  isDone(key: string): boolean {
    return this.done.has(key);
  }

  markDone(key: string): void {
    this.done.add(key);
  }

  setPhase(phase: Phase): void {
    this.status.phase = phase;
  }

  startStep(step: StepName, now: string): void {
    this.status.currentStep = step;
    const existing = this.record(step);
    if (existing) {
      existing.state = 'running';
      existing.startedAt = now;
      delete existing.finishedAt;
    } else {
      this.status.steps.push({ step, state: 'running', startedAt: now });
    }
  }

  finishStep(step: StepName, now: string, summary?: string, state: StepRecord['state'] = 'done'): void {
    const record = this.record(step) ?? { step, state, startedAt: now };
    if (!this.record(step)) this.status.steps.push(record);
    record.state = state;
    record.finishedAt = now;
    if (summary !== undefined) record.summary = summary;
    this.markDone(`step:${step}`);
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

  openGate(kind: GateKind, spec: ReleaseSpec, now: string, deadline: string, digests: string[]): void {
    this.status.gate = {
      kind,
      openedAt: now,
      deadline,
      approvers: spec.gate.approvers,
      allowSelfApproval: spec.gate.allowSelfApproval,
      digests,
    };
    this.status.phase = kind === 'sync' ? 'awaiting-sync' : 'awaiting-approval';
  }

  closeGate(): void {
    delete this.status.gate;
  }

  decide(decision: Decision): void {
    this.status.decisions.push(decision);
  }

  artifact(name: string) {
    const found = this.status.artifacts.find((a) => a.name === name);
    if (!found) throw new Error(`unknown artifact ${name}`);
    return found;
  }

  check(name: string): CheckStatus | undefined {
    return this.status.checks.find((c) => c.name === name);
  }

  private record(step: StepName): StepRecord | undefined {
    return this.status.steps.find((s) => s.step === step);
  }
}
