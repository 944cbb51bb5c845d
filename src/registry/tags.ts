import { FailureTypes, permanent } from '../errors.ts';
import { refAtTag, type OciLocation } from '../artifacts/types.ts';
import { RegistryClient } from './client.ts';

/**
 * Every tag of a repository with the digest it points at now (the floating-tag read), leaving out cosign's
 * `sha256-<hex>` digest tags: what the floating-tag decision is taken on.
 */
export async function tagDigests(client: RegistryClient, repository: string): Promise<Map<string, string>> {
  const tags = new Map<string, string>();
  await Promise.all(
    (await client.tags(repository))
      .filter((tag) => !tag.startsWith('sha256-'))
      .map(async (tag) => {
        const head = await client.headManifest(repository, tag);
        if (head) tags.set(tag, head.digest);
      }),
  );
  return tags;
}

/**
 * The tamper check before anything is promoted: the version tag must still point at the digest recorded at
 * publish (and approved). Anything else is TagTampered, permanent: a person finds out who re-pointed it.
 * `what` names the artifact in the message, e.g. `image "app"`.
 */
export async function assertVersionTag(
  location: OciLocation,
  artifact: { name: string; tag: string; digest: string },
  what: string,
  client = new RegistryClient(location.endpoint),
): Promise<void> {
  const found = (await client.headManifest(location.repository, artifact.tag))?.digest;
  if (found === artifact.digest) return;
  throw permanent(
    FailureTypes.tagTampered,
    `${what}: ${refAtTag(location, artifact.tag)} now points at ${found ?? 'nothing'}, but ${artifact.digest} was published and approved; find out who re-pointed it and restore it, then retry`,
    { artifact: artifact.name, expected: artifact.digest, found },
  );
}
