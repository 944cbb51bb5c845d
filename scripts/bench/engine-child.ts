// The engine's side of the bench, in a process of its own (forked by copy-release.ts): a fresh process per cold
// copy, as a worker that has not seen the release, so no in-process cache carries over from an earlier round; its
// CPU is read from /proc apart from the bench's own. Each message copies the whole release the way the publish
// step schedules it: copyOciArtifact per artifact, all at once.
import { copyOciArtifact } from '../../src/activities/copy-oci-artifact.ts';
import type { ResolvedOciArtifact } from '../../src/artifacts/types.ts';

export interface EngineRequest {
  artifacts: ResolvedOciArtifact[];
  env: Record<string, string>;
}

export type EngineReply = { ok: true } | { ok: false; error: string };

process.on('message', (request: EngineRequest) => {
  Object.assign(process.env, request.env);
  Promise.all(request.artifacts.map((artifact) => copyOciArtifact(artifact))).then(
    () => process.send?.({ ok: true } satisfies EngineReply),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
process.send?.({ ok: true } satisfies EngineReply);
