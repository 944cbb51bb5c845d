import { createHash } from 'node:crypto';
import { readWatched, type BodyWatch } from '../http/read-watched.ts';
import { FailureTypes, httpFailure, permanent } from '../errors.ts';
import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import { send } from '../http/send.ts';
import { pathSegment } from '../http/url-path.ts';
import { gitlabAuthHeader, gitlabProjectUrl } from './gitlab.ts';
import type { ForgeConfig } from '../config/spec.ts';

/** One file of a GitLab generic package, as the package files API lists it. */
export interface GitlabPackageFile {
  id?: number;
  file_name: string;
  size: number;
  file_sha256?: string | null;
}

interface GitlabPackage {
  id: number;
  name: string;
  version: string;
}

/** Which name@version file a call is about, and how messages name it ("package \"cli\" 1.2.3 file cli.tgz"). */
export interface PackageFileRef {
  name: string;
  version: string;
  file: string;
  where: string;
}

const failureTypes = {
  unauthorized: FailureTypes.forgeUnauthorized,
  forbidden: FailureTypes.forgeForbidden,
  otherwise: FailureTypes.forgeRejected,
};

function api(forge: ForgeConfig): { base: string; headers: Record<string, string>; hint: string } {
  const token = secretFromEnv(forge.tokenEnv, `generic package project ${forge.project} tokenEnv`);
  return {
    base: gitlabProjectUrl(forge),
    headers: gitlabAuthHeader(forge.tokenEnv, token, forge.tokenHeader),
    hint: `check that the token in ${forge.tokenEnv} may read and write packages of ${forge.project}`,
  };
}

function fileUrl(
  forge: ForgeConfig,
  ref: PackageFileRef,
): { url: string; headers: Record<string, string>; base: string } {
  const { base, headers } = api(forge);
  const path = [ref.name, ref.version, ref.file].map((part) => pathSegment(part, ref.where)).join('/');
  return { url: `${base}/packages/generic/${path}`, headers, base };
}

/** The files a project holds for name@version, with sha256 (GitLab package files API). */
export async function listPackageFiles(
  forge: ForgeConfig,
  name: string,
  version: string,
): Promise<GitlabPackageFile[]> {
  const { base, headers, hint } = api(forge);
  const query = new URLSearchParams({ package_type: 'generic', package_name: name, package_version: version });
  const packages = await jsonRequest<GitlabPackage[]>({
    method: 'GET',
    url: `${base}/packages?${query.toString()}`,
    headers,
    within: base,
    what: `GitLab package lookup ${name}@${version} in ${forge.project}`,
    authHint: hint,
  });
  const found = packages.body.find((p) => p.name === name && p.version === version);
  if (!found) return [];
  const files = await jsonRequest<GitlabPackageFile[]>({
    method: 'GET',
    url: `${base}/packages/${found.id}/package_files?per_page=100`,
    headers,
    within: base,
    what: `GitLab package files of ${name}@${version} in ${forge.project}`,
    authHint: hint,
  });
  return files.body;
}

/**
 * The files a project holds for name@version, as the package files API lists them. A deploy token may not use
 * that API (GitLab answers it 404), only the generic file endpoint: with one, each named file is fetched and
 * hashed instead, and a 404 there means the file is not there.
 */
export async function storedPackageFiles(
  forge: ForgeConfig,
  name: string,
  version: string,
  files: string[],
): Promise<GitlabPackageFile[]> {
  if (forge.tokenHeader !== 'Deploy-Token') return listPackageFiles(forge, name, version);
  const found: GitlabPackageFile[] = [];
  for (const file of files) {
    const where = `package "${name}" ${version} file ${file} in ${forge.project}`;
    const { url, headers, base } = fileUrl(forge, { name, version, file, where });
    const response = await fetchClassified(url, { headers }, where, base);
    if (response.status === 404) continue;
    const bytes = Buffer.from(await response.arrayBuffer());
    found.push({ file_name: file, size: bytes.length, file_sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return found;
}

/** GET of one package file; a missing file is the source's fault (SourceArtifactMissing). */
export async function downloadPackageFile(forge: ForgeConfig, ref: PackageFileRef, watch?: BodyWatch): Promise<Buffer> {
  const { url, headers, base } = fileUrl(forge, ref);
  const response = await fetchClassified(url, { headers }, ref.where, base);
  if (response.status === 404)
    throw permanent(FailureTypes.sourceArtifactMissing, `${ref.where}: GET ${url} answered 404`);
  return watch ? readWatched(response, watch) : Buffer.from(await response.arrayBuffer());
}

/**
 * PUT of one package file with ?select=package_file, which answers the stored file's sha256. A "duplicate"
 * answer gives undefined: the caller then reads the stored checksum back and decides.
 */
export async function uploadPackageFile(
  forge: ForgeConfig,
  ref: PackageFileRef,
  bytes: Buffer,
): Promise<string | undefined> {
  const { url, headers, base } = fileUrl(forge, ref);
  const response = await fetchClassified(
    `${url}?select=package_file`,
    { method: 'PUT', headers, body: bytes },
    ref.where,
    base,
    [400, 403, 409],
  );
  const text = await response.text();
  if (response.ok) {
    try {
      return (JSON.parse(text) as GitlabPackageFile).file_sha256 ?? undefined;
    } catch {
      return undefined;
    }
  }
  if (/duplicate/i.test(text)) return undefined;
  throw httpFailure(
    response.status,
    `${ref.where}: PUT ${url} answered ${response.status}: ${text.slice(0, 200)}`,
    failureTypes,
  );
}

async function fetchClassified(
  url: string,
  init: RequestInit,
  where: string,
  within: string,
  pass: number[] = [],
): Promise<Response> {
  const response = await send(url, init, `${where}: ${url}`, 10 * 60_000, within);
  if (response.ok || response.status === 404 || pass.includes(response.status)) return response;
  const text = await response.text().catch(() => '');
  const message =
    response.status === 429 || response.status >= 500
      ? `${where}: ${url} answered ${response.status}`
      : `${where}: ${url.split('?')[0]} answered ${response.status}: ${text.slice(0, 200)}`;
  throw httpFailure(response.status, message, failureTypes, response.headers.get('retry-after'));
}
