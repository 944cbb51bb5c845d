import { describe, expect, it } from 'vitest';
import type { ReleaseSpec } from '../../src/config/spec.ts';
import { approvalRefusal, digestSet } from '../../src/workflows/approval-policy.ts';
import { principalRefusal } from '../../src/workflows/decision-rules.ts';
import { overrideRefusal } from '../../src/workflows/freeze-override-policy.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';

// The pure decision rules, tried as someone would try to get around them: approving a gate that is not open,
// approving past a failed check, approving another digest set, lifting a freeze nobody named them for, deciding
// on one's own release. Each is refused with the reason.

const appDigest = `sha256:${'a'.repeat(64)}`;
const gate = (kind: 'sync' | 'promotion'): NonNullable<ReleaseStatus['gate']> => ({
  kind,
  openedAt: '2026-01-01T00:00:00.000Z',
  deadline: '2026-01-02T00:00:00.000Z',
  approvers: ['alice', 'bob'],
  allowSelfApproval: false,
  digests: [`app@${appDigest}`],
  approvals: [],
});

function status(overrides: Partial<ReleaseStatus> = {}): ReleaseStatus {
  return {
    project: 'gateway',
    version: '2.0.0',
    tag: 'v2.0.0',
    commitSha: 'c'.repeat(40),
    startedBy: 'ci-bot',
    identity: 'unauthenticated',
    phase: 'awaiting-approval',
    steps: [],
    artifacts: [{ name: 'app', kind: 'image', source: 's', destination: 'd', digest: appDigest, verifications: [] }],
    decisions: [],
    checks: [],
    tagMoves: [],
    pins: [],
    gate: gate('promotion'),
    ...overrides,
  };
}

// Only the gate fields the rules read; the rest of a spec plays no part in them.
const spec = (allowSelfApproval: boolean) =>
  ({
    project: 'gateway',
    gate: { approvers: ['alice', 'bob', 'ci-bot'], allowSelfApproval, required: 1, groups: [] },
  }) as unknown as ReleaseSpec;

describe('approvalRefusal', () => {
  const digests = [`app@${appDigest}`];

  it('lets the reviewed digest set through at the open gate', () => {
    expect(approvalRefusal(status(), { approver: 'alice', digests })).toBeUndefined();
  });

  it('refuses an approval when no gate is open', () => {
    expect(approvalRefusal(status({ gate: undefined, phase: 'publishing' }), { approver: 'alice', digests })).toMatch(
      /not waiting for approval \(phase: publishing\)/,
    );
  });

  it('refuses an approval meant for the other gate (a sync go used as the promotion approval)', () => {
    expect(approvalRefusal(status(), { approver: 'alice', digests, gate: 'sync' })).toBe(
      'the open gate is "promotion", not "sync"',
    );
  });

  it('refuses promotion while a check failed after publish', () => {
    const checks = [{ name: 'e2e', kind: 'external' as const, state: 'failed' as const }];
    expect(approvalRefusal(status({ checks }), { approver: 'alice', digests })).toMatch(/^check e2e failed/);
    // The sync gate does not wait for checks.
    expect(approvalRefusal(status({ checks, gate: gate('sync') }), { approver: 'alice', digests })).toBeUndefined();
  });

  it('refuses a plain approval without digests, and one naming another digest set', () => {
    expect(approvalRefusal(status(), { approver: 'alice' })).toMatch(/^digests is required/);
    const other = [`app@sha256:${'b'.repeat(64)}`];
    expect(approvalRefusal(status(), { approver: 'alice', digests: other })).toMatch(/different digest set/);
    expect(approvalRefusal(status(), { approver: 'alice', digests: [...digests, ...other] })).toMatch(
      /different digest set/,
    );
  });
});

describe('digestSet', () => {
  it('names images by digest and package files by sha256, sorted; OCI package layers are covered by the manifest', () => {
    const artifacts = [
      { name: 'tool', files: [{ name: 'tool.tgz', sha256: 'f'.repeat(64) }] },
      {
        name: 'app',
        digest: appDigest,
        files: [{ name: 'layer-0' }],
      },
    ];
    expect(digestSet({ phase: 'x', startedBy: 'ci-bot', artifacts })).toEqual([
      `app@${appDigest}`,
      `tool/tool.tgz@sha256:${'f'.repeat(64)}`,
    ]);
  });
});

describe('self-decisions', () => {
  const frozen = status({
    phase: 'frozen',
    gate: undefined,
    freeze: { reasons: ['holidays'], since: 'x', until: 'y', overrideBy: ['ci-bot', 'carol'] },
  });

  it('refuses the starter approving their own release, naming the proof when there is one', () => {
    expect(principalRefusal(spec(false), status(), 'approve', 'ci-bot')).toMatch(
      /^ci-bot started this release and the plan forbids self-approval/,
    );
    const proven = status({ startedByProof: 'ssh key SHA256:abc' });
    expect(principalRefusal(spec(false), proven, 'approve', 'ci-bot')).toMatch(
      /^ci-bot started this release \(proven by ssh key SHA256:abc\) and the plan forbids/,
    );
    expect(principalRefusal(spec(true), status(), 'approve', 'ci-bot')).toBeUndefined();
  });

  it('refuses the starter lifting their own release freeze, and anyone the window does not name', () => {
    expect(principalRefusal(spec(false), frozen, 'override-freeze', 'ci-bot')).toMatch(
      /^ci-bot started this release and may not lift its freeze/,
    );
    expect(principalRefusal(spec(false), frozen, 'override-freeze', 'alice')).toMatch(
      /^alice may not lift this freeze; the plan names: ci-bot, carol/,
    );
    expect(principalRefusal(spec(false), frozen, 'override-freeze', 'carol')).toBeUndefined();
    expect(principalRefusal(spec(true), frozen, 'override-freeze', 'ci-bot')).toBeUndefined();
  });

  it('refuses an override when the release is not frozen or gives no reason', () => {
    expect(overrideRefusal(status(), { reason: 'hotfix' })).toMatch(/not frozen \(phase: awaiting-approval\)/);
    expect(overrideRefusal(frozen, { reason: '' })).toMatch(/^reason is required/);
    expect(overrideRefusal(frozen, { reason: 'hotfix' })).toBeUndefined();
  });
});
