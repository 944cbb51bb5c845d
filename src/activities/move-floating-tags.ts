import { FailureTypes, permanent } from '../errors.ts';
import { RegistryClient } from '../registry/client.ts';
import { refAtTag } from '../artifacts/types.ts';
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
  const current = await client.headManifest(repository, input.versionTag);
  if (current?.digest !== input.digest) {
    throw permanent(
      FailureTypes.tagTampered,
      `"${input.name}": ${refAtTag(input.destination, input.versionTag)} now points at ${current?.digest ?? 'nothing'}, but ${input.digest} was published and approved; find out who re-pointed it, restore it, then retry`,
      { artifact: input.name, expected: input.digest, found: current?.digest },
    );
  }
  const tags = new Map<string, string>();
  await Promise.all(
    (await client.tags(repository))
      .filter((tag) => !tag.startsWith('sha256-'))
      .map(async (tag) => {
        const head = await client.headManifest(repository, tag);
        if (head) tags.set(tag, head.digest);
      }),
  );
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
