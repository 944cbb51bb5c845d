import { refAtTag } from '../artifacts/types.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import type { CheckStatus, ReleaseStatus } from './status.ts';

/** A release's record before its first step: every artifact, check and gate as the plan names them. */
export function initialStatus(spec: ReleaseSpec): ReleaseStatus {
  return {
    project: spec.project,
    version: spec.version,
    tag: spec.tag,
    commitSha: spec.commitSha,
    startedBy: spec.startedBy,
    identity: spec.gate.identity.mode,
    phase: 'publishing',
    steps: [],
    artifacts: [
      ...spec.oci.map((a) => ({
        name: a.name,
        kind: a.kind,
        source: refAtTag(a.source, a.sourceTag ?? a.tag),
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
