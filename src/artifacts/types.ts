/** A registry as the plan names it: no secret, only where to find one. */
export interface RegistryEndpoint {
  host: string;
  plainHttp?: boolean | undefined;
  usernameEnv?: string | undefined;
  passwordEnv?: string | undefined;
}

/** An OCI artifact kind: all three are copied the same way, by digest, with their referrers. */
export type OciKind = 'image' | 'chart' | 'oci-package';

export interface OciLocation {
  endpoint: RegistryEndpoint;
  repository: string;
}

/** What the plan asks for, before resolution: a tag in a source repository and where it goes. */
export interface OciArtifactSpec {
  kind: OciKind;
  name: string;
  source: OciLocation;
  destination: OciLocation;
  /** The version tag, written at the destination (images: "v1.2.3"; charts, packages: bare "1.2.3"). */
  tag: string;
  /** The tag looked up in the source (e.g. "sha-0123abc"); the version tag when the plan names none. */
  sourceTag?: string;
}

export interface PlatformDigest {
  platform: string;
  digest: string;
}

/** After resolution everything is addressed by digest; the tag is only ever checked again. */
export interface ResolvedOciArtifact extends OciArtifactSpec {
  digest: string;
  mediaType: string;
  /** Images: one per platform manifest of the index (attestation manifests excluded). */
  platforms: PlatformDigest[];
  /** Charts: name and version from the chart's config blob. */
  chart?: { name: string; version: string };
  /** OCI packages: one per file layer. */
  files?: { name: string; digest: string; size: number }[];
}

/** `host/repo@sha256:...`, the form every record, note and command uses after resolution. */
export function refAtDigest(location: OciLocation, digest: string): string {
  return `${location.endpoint.host}/${location.repository}@${digest}`;
}

export function refAtTag(location: OciLocation, tag: string): string {
  return `${location.endpoint.host}/${location.repository}:${tag}`;
}
