import { createHash } from 'node:crypto';
import { FailureTypes, isNetworkError, parseRetryAfter, permanent, transient } from '../errors.ts';
import { gitlabAuthHeader } from '../forge/gitlab.ts';
import { jsonRequest, secretFromEnv } from '../forge/http.ts';
import { heartbeat, heartbeatWhile } from './context.ts';
import type { ForgeConfig } from '../config/spec.ts';
import type { GenericPackageInput, PackageFile } from '../config/spec.ts';

export interface GenericPackageCopy {
  name: string;
  version: string;
  files: (PackageFile & { uploaded: boolean })[];
}

interface GitlabPackage {
  id: number;
  name: string;
  version: string;
}

interface GitlabPackageFile {
  id?: number;
  file_name: string;
  size: number;
  file_sha256?: string | null;
}

function api(forge: ForgeConfig): { base: string; headers: Record<string, string>; hint: string } {
  const token = secretFromEnv(forge.tokenEnv, `generic package project ${forge.project} tokenEnv`);
  return {
    base: `${forge.baseUrl.replace(/\/$/, '')}/projects/${encodeURIComponent(forge.project)}`,
    headers: gitlabAuthHeader(forge.tokenEnv, token, forge.tokenHeader),
    hint: `check that the token in ${forge.tokenEnv} may read and write packages of ${forge.project}`,
  };
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
    what: `GitLab package lookup ${name}@${version} in ${forge.project}`,
    authHint: hint,
  });
  const found = packages.body.find((p) => p.name === name && p.version === version);
  if (!found) return [];
  const files = await jsonRequest<GitlabPackageFile[]>({
    method: 'GET',
    url: `${base}/packages/${found.id}/package_files?per_page=100`,
    headers,
    what: `GitLab package files of ${name}@${version} in ${forge.project}`,
    authHint: hint,
  });
  return files.body;
}

/** Records each file's sha256 and size at the source: the package is addressed by these from now on. */
export async function resolveGenericPackage(input: GenericPackageInput): Promise<PackageFile[]> {
  const files = await listPackageFiles(input.source, input.name, input.version);
  return input.files.map((fileName) => {
    const file = files.find((f) => f.file_name === fileName);
    if (!file?.file_sha256) {
      throw permanent(
        FailureTypes.sourceArtifactMissing,
        `package "${input.name}" ${input.version}: file ${fileName} is not in ${input.source.project}'s generic package registry; upload it there first or fix the package's files in the plan`,
      );
    }
    return { name: fileName, sha256: file.file_sha256, size: file.size };
  });
}

/**
 * Copies a GitLab generic package (seed 000: download from the security mirror, upload to canonical), one
 * file after another, each checked by sha256 after the upload. Looks first: a file already at the destination
 * with the recorded checksum is left alone, so a retry converges. A "duplicate" answer counts as success only
 * when the stored checksum matches.
 */
export async function copyGenericPackage(
  input: GenericPackageInput & { destination: ForgeConfig; resolved: PackageFile[] },
): Promise<GenericPackageCopy> {
  const destination = api(input.destination);
  const present = await listPackageFiles(input.destination, input.name, input.version);
  const result: GenericPackageCopy = { name: input.name, version: input.version, files: [] };
  for (const file of input.resolved) {
    const where = `package "${input.name}" ${input.version} file ${file.name}`;
    const existing = present.find((f) => f.file_name === file.name);
    if (existing?.file_sha256 === file.sha256) {
      result.files.push({ ...file, uploaded: false });
      continue;
    }
    if (existing) {
      throw permanent(
        FailureTypes.tagConflict,
        `${where}: ${input.destination.project} already holds it with sha256 ${existing.file_sha256}, not ${file.sha256}; a released package is never replaced: release a new version`,
      );
    }
    const path = packagePath(input, file.name);
    const progress = () => ({ filesDone: result.files.length, of: input.resolved.length, current: file.name });
    const bytes = await heartbeatWhile(progress, () => downloadPackageFile(input, file));
    const stored = await heartbeatWhile(progress, () =>
      upload(`${destination.base}${path}?select=package_file`, destination.headers, bytes, where),
    );
    const storedSha =
      stored ??
      (await listPackageFiles(input.destination, input.name, input.version)).find((f) => f.file_name === file.name)
        ?.file_sha256;
    if (storedSha !== file.sha256) {
      throw permanent(
        FailureTypes.packageChecksumMismatch,
        `${where}: destination stored sha256 ${storedSha ?? 'nothing'}, expected ${file.sha256}`,
      );
    }
    result.files.push({ ...file, uploaded: true });
    heartbeat({ filesDone: result.files.length, of: input.resolved.length });
  }
  return result;
}

function packagePath(input: GenericPackageInput, file: string): string {
  return `/packages/generic/${encodeURIComponent(input.name)}/${encodeURIComponent(input.version)}/${encodeURIComponent(file)}`;
}

/** One file of a package at the source, checked against the sha256 recorded at resolve. */
export async function downloadPackageFile(input: GenericPackageInput, file: PackageFile): Promise<Buffer> {
  const source = api(input.source);
  const where = `package "${input.name}" ${input.version} file ${file.name}`;
  const path = packagePath(input, file.name);
  const bytes = await download(`${source.base}${path}`, source.headers, where);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== file.sha256) {
    throw permanent(
      FailureTypes.digestMismatch,
      `${where}: downloaded sha256 ${sha256}, recorded ${file.sha256}; the source changed after resolve`,
    );
  }
  return bytes;
}

async function download(url: string, headers: Record<string, string>, where: string): Promise<Buffer> {
  const response = await fetchClassified(url, { headers }, where);
  if (response.status === 404) throw permanent(FailureTypes.sourceArtifactMissing, `${where}: GET ${url} answered 404`);
  return Buffer.from(await response.arrayBuffer());
}

/** PUT with ?select=package_file returns the stored file's sha256; a duplicate answer is checked by the caller. */
async function upload(
  url: string,
  headers: Record<string, string>,
  bytes: Buffer,
  where: string,
): Promise<string | undefined> {
  const response = await fetchClassified(url, { method: 'PUT', headers, body: bytes }, where, [400, 403, 409]);
  const text = await response.text();
  if (response.ok) {
    try {
      return (JSON.parse(text) as GitlabPackageFile).file_sha256 ?? undefined;
    } catch {
      return undefined;
    }
  }
  if (/duplicate/i.test(text)) return undefined;
  throw permanent(
    response.status === 403 ? FailureTypes.forgeForbidden : FailureTypes.forgeRejected,
    `${where}: PUT ${url.split('?')[0]} answered ${response.status}: ${text.slice(0, 200)}`,
  );
}

async function fetchClassified(url: string, init: RequestInit, where: string, pass: number[] = []): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(10 * 60_000) });
  } catch (error) {
    if (isNetworkError(error)) throw transient(`${where}: ${url}: ${(error as Error).message}`);
    throw error;
  }
  if (response.ok || response.status === 404 || pass.includes(response.status)) return response;
  const text = await response.text().catch(() => '');
  if (response.status === 429 || response.status >= 500) {
    throw transient(
      `${where}: ${url} answered ${response.status}`,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  throw permanent(
    response.status === 401
      ? FailureTypes.forgeUnauthorized
      : response.status === 403
        ? FailureTypes.forgeForbidden
        : FailureTypes.forgeRejected,
    `${where}: ${url.split('?')[0]} answered ${response.status}: ${text.slice(0, 200)}`,
  );
}
