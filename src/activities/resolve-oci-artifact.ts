import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes, permanent } from '../errors.ts';
import { RegistryClient, type ManifestJson } from '../registry/client.ts';
import { refAtTag, type OciArtifactSpec, type PlatformDigest, type ResolvedOciArtifact } from '../artifacts/types.ts';

const helmConfigType = 'application/vnd.cncf.helm.config.v1+json';
const titleAnnotation = 'org.opencontainers.image.title';

/**
 * Looks the version tag up once in the source registry and records what it points at: the index digest
 * and every platform manifest (images), the chart's own name and version (charts), the files (packages).
 */
export async function resolveOciArtifact(spec: OciArtifactSpec): Promise<ResolvedOciArtifact> {
  const client = new RegistryClient(spec.source.endpoint);
  // The source may tag the build otherwise (sha-<commit>, a build number); the version tag is the destination's.
  const sourceTag = spec.sourceTag ?? spec.tag;
  const manifest = await client.manifest(spec.source.repository, sourceTag).catch((error: unknown) => {
    // The client names the registry and reference; the person needs the artifact too.
    const details =
      error instanceof ApplicationFailure ? (error.details?.[0] as { manifestTooLarge?: boolean }) : undefined;
    if (!details?.manifestTooLarge) throw error;
    throw permanent(FailureTypes.invalidInput, `${spec.kind} "${spec.name}": ${(error as Error).message}`, details);
  });
  if (!manifest) {
    throw permanent(
      FailureTypes.sourceArtifactMissing,
      `${spec.kind} "${spec.name}": ${refAtTag(spec.source, sourceTag)} does not exist in the source registry; push it there first or fix the ${spec.kind}'s source repository${spec.sourceTag ? ' or sourceTag' : ''} in the plan`,
      { artifact: spec.name },
    );
  }
  const resolved: ResolvedOciArtifact = {
    ...spec,
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    platforms: [],
  };
  if (spec.kind === 'image') resolved.platforms = platformsOf(manifest.json);
  if (spec.kind === 'chart') resolved.chart = await chartOf(client, spec, manifest.json);
  if (spec.kind === 'oci-package') {
    resolved.files = (manifest.json.layers ?? []).map((layer, index) => ({
      name: layer.annotations?.[titleAnnotation] ?? `layer-${index}`,
      digest: layer.digest,
      size: layer.size,
    }));
  }
  return resolved;
}

/** Platform manifests of an index; buildx attestation manifests (unknown/unknown) are not platforms. */
export function platformsOf(json: ManifestJson): PlatformDigest[] {
  return (json.manifests ?? [])
    .filter((child) => child.platform && child.platform.os !== 'unknown')
    .map((child) => ({
      platform: [child.platform?.os, child.platform?.architecture, child.platform?.variant].filter(Boolean).join('/'),
      digest: child.digest,
    }));
}

async function chartOf(
  client: RegistryClient,
  spec: OciArtifactSpec,
  json: ManifestJson,
): Promise<{ name: string; version: string }> {
  if (json.config?.mediaType !== helmConfigType) {
    throw permanent(
      FailureTypes.invalidInput,
      `chart "${spec.name}": ${refAtTag(spec.source, spec.sourceTag ?? spec.tag)} is not a Helm chart (config media type ${json.config?.mediaType ?? 'none'}); push it with helm push`,
    );
  }
  const config = JSON.parse((await client.blob(spec.source.repository, json.config.digest)).toString('utf8')) as {
    name?: string;
    version?: string;
  };
  if (config.version !== spec.tag) {
    throw permanent(
      FailureTypes.invalidInput,
      `chart "${spec.name}": Chart.yaml version is ${config.version ?? 'missing'} but the release tag is ${spec.tag}; charts are tagged with their bare semver version`,
    );
  }
  return { name: config.name ?? spec.name, version: config.version };
}
