import type { PinFields, PinTarget } from '../config/pin-template.ts';
import type { ReleaseSpec } from '../config/spec.ts';

/** A promoted artifact as pins see it: OCI artifacts by manifest digest, a one-file package by its sha256. */
export interface PinnableArtifact {
  name: string;
  kind: string;
  digest: string;
}

export interface PinJob {
  /** Stable per artifact and target, so a retried pin step skips what it already pinned. */
  key: string;
  target: PinTarget;
  fields: PinFields;
}

/**
 * One pin per target and artifact the target names (every image when it names none). Pure: the release and
 * rollback workflows both build their pins here, so a rollback re-pins with the same templates.
 */
export function pinJobs(spec: ReleaseSpec, artifacts: PinnableArtifact[], notes: string): PinJob[] {
  return spec.promotion.pins.flatMap((target, index) => {
    const chosen = target.for.length
      ? artifacts.filter((artifact) => target.for.includes(artifact.name))
      : artifacts.filter((artifact) => artifact.kind === 'image');
    return chosen.map((artifact) => ({
      key: `pin:${index}:${artifact.name}`,
      target,
      fields: {
        name: artifact.name,
        kind: artifact.kind,
        digest: artifact.digest,
        version: spec.version,
        tag: spec.tag,
        commit: spec.commitSha,
        notes,
        project: spec.project,
      },
    }));
  });
}
