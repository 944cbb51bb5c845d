import { FailureTypes, permanent } from '../errors.ts';
import { RegistryClient } from '../registry/client.ts';
import { assertVersionTag, tagDigests } from '../registry/tags.ts';
import {
  decideFloatingTags,
  type TagMove,
  type MoveFloatingTagsInput,
  type MoveFloatingTagsResult,
} from '../artifacts/floating-tags.ts';

/**
 * Moves latest / X.Y / X at the destination to a promoted version, forward only. First a tamper check: the
 * version tag must still point at the digest recorded at publish. A move re-puts the manifest bytes under the
 * floating tag, so the floating tag's digest is byte-identical to the version's. Running it again moves nothing.
 */
export async function moveFloatingTags(input: MoveFloatingTagsInput): Promise<MoveFloatingTagsResult> {
  const client = new RegistryClient(input.destination.endpoint);
  const repository = input.destination.repository;
  await assertVersionTag(
    input.destination,
    { name: input.name, tag: input.versionTag, digest: input.digest },
    `"${input.name}"`,
    client,
  );
  const tags = await tagDigests(client, repository);
  const decisions = decideFloatingTags(input.versionTag, input.kinds, tags, { allowBackwards: input.allowBackwards });
  const moves: TagMove[] = [];
  const toMove = decisions.filter((decision) => decision.move);
  if (toMove.length > 0) {
    const manifest = await client.manifest(repository, input.digest);
    if (!manifest) {
      throw permanent(
        FailureTypes.sourceArtifactMissing,
        `"${input.name}": ${input.digest} is gone from ${repository}`,
      );
    }
    for (const decision of toMove) {
      await client.putManifest(repository, decision.tag, manifest.bytes, manifest.mediaType);
      moves.push({ tag: decision.tag, from: decision.from, to: input.digest, fromVersion: decision.fromVersion });
    }
  }
  return { name: input.name, moves, decisions };
}
