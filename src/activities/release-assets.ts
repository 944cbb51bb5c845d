import { createHash } from 'node:crypto';
import { FailureTypes, httpFailure, permanent } from '../errors.ts';
import { send } from '../http/send.ts';
import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import { heartbeat } from './context.ts';
import type { ForgeConfig, GenericPackageInput, PackageFile } from '../config/spec.ts';
import { fetchResolvedFile } from './generic-package.ts';

export interface ReleaseAssetsInput {
  forge: ForgeConfig;
  /** The drafted GitHub release the files are attached to. */
  releaseId: string;
  package: GenericPackageInput;
  /** The files as resolved at the source: name, sha256, size. */
  files: PackageFile[];
}

interface GithubAsset {
  id: number;
  name: string;
  size: number;
  /** "sha256:<hex>", which GitHub computes for each uploaded asset. */
  digest?: string | null;
  url: string;
}

/**
 * Attaches a package's files to the drafted GitHub release (the second package target): each file is fetched
 * from the source project, checked against the sha256 recorded at resolve, and uploaded to the release's
 * upload_url (uploads.github.com, `?name=`). Looks first: an asset already there with the same sha256 is
 * left alone; one with other bytes is never replaced.
 */
export async function uploadReleaseAssets(input: ReleaseAssetsInput): Promise<{ name: string; uploaded: boolean }[]> {
  const token = secretFromEnv(input.forge.tokenEnv, 'forge.tokenEnv');
  const api = `${input.forge.baseUrl.replace(/\/$/, '')}/repos/${input.forge.project}/releases/${input.releaseId}`;
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
  };
  const authHint = `check that the token in ${input.forge.tokenEnv} has contents: write on ${input.forge.project}`;
  const release = await jsonRequest<{ upload_url: string }>({
    method: 'GET',
    url: api,
    headers,
    what: 'GitHub release lookup',
    authHint,
  });
  const assets = await jsonRequest<GithubAsset[]>({
    method: 'GET',
    url: `${api}/assets?per_page=100`,
    headers,
    what: 'GitHub release asset list',
    authHint,
  });
  const uploadUrl = release.body.upload_url.replace(/\{[^}]*\}$/, '');
  const result: { name: string; uploaded: boolean }[] = [];
  for (const file of input.files) {
    const where = `release asset ${file.name} of package "${input.package.name}"`;
    const existing = assets.body.find((asset) => asset.name === file.name);
    if (existing) {
      // Older GitHub (Enterprise) versions give no digest: then the asset itself is fetched and hashed.
      const digest = existing.digest ?? (await assetDigest(existing, headers, where));
      if (digest === `sha256:${file.sha256}`) {
        result.push({ name: file.name, uploaded: false });
        continue;
      }
      throw permanent(
        FailureTypes.tagConflict,
        `${where}: the release already holds it with ${digest}, not sha256:${file.sha256}; delete that asset if it is wrong, then retry`,
      );
    }
    const bytes = await fetchResolvedFile(input.package, file);
    const response = await send(
      `${uploadUrl}?name=${encodeURIComponent(file.name)}`,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
        body: bytes,
      },
      `${where}: upload`,
      10 * 60_000,
    );
    const text = await response.text();
    if (!response.ok) {
      const auth = response.status === 401 || response.status === 403 ? `; ${authHint}` : '';
      throw httpFailure(
        response.status,
        `${where}: upload answered ${response.status}: ${text.slice(0, 200)}${auth}`,
        {
          unauthorized: FailureTypes.forgeUnauthorized,
          forbidden: FailureTypes.forgeForbidden,
          otherwise: FailureTypes.forgeRejected,
        },
        response.headers.get('retry-after'),
      );
    }
    const stored = JSON.parse(text) as GithubAsset;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if ((stored.digest && stored.digest !== `sha256:${sha256}`) || stored.size !== bytes.length) {
      throw permanent(
        FailureTypes.packageChecksumMismatch,
        `${where}: GitHub stored ${stored.digest ?? '?'} (${stored.size} bytes), uploaded sha256:${sha256} (${bytes.length} bytes)`,
      );
    }
    result.push({ name: file.name, uploaded: true });
    heartbeat({ filesDone: result.length, of: input.files.length });
  }
  return result;
}

/** GET of an asset's bytes (the API answers with them, or redirects to them, for application/octet-stream). */
async function assetDigest(asset: GithubAsset, headers: Record<string, string>, where: string): Promise<string> {
  const response = await send(
    asset.url,
    { headers: { ...headers, accept: 'application/octet-stream' } },
    where,
    10 * 60_000,
  );
  if (!response.ok) {
    throw httpFailure(response.status, `${where}: GET ${asset.url} answered ${response.status}`, {
      unauthorized: FailureTypes.forgeUnauthorized,
      forbidden: FailureTypes.forgeForbidden,
      otherwise: FailureTypes.forgeRejected,
    });
  }
  return `sha256:${createHash('sha256')
    .update(Buffer.from(await response.arrayBuffer()))
    .digest('hex')}`;
}
