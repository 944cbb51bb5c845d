import { FailureTypes, httpFailure, permanent, transient } from '../errors.ts';
import { send } from '../http/send.ts';
import { basicHeader, basicRegistries, firstRequests, scopeOf } from './auth-memory.ts';
import { readCapped } from './capped-body.ts';
import {
  digestOf,
  digestTag,
  manifestMediaTypes,
  type FetchedManifest,
  type ManifestDescriptor,
  type ManifestJson,
} from './manifest-types.ts';

export { digestTag, type FetchedManifest, type ManifestDescriptor, type ManifestJson } from './manifest-types.ts';
import { credentialHint, credentialsFor, type BasicCredentials } from './credentials.ts';
import type { RegistryEndpoint } from '../artifacts/types.ts';

/** Whether a registry (by base URL) serves the OCI referrers API; learnt on the first call, kept per process. */
const referrersApi = new Map<string, boolean>();

/**
 * A small OCI distribution client for the "look first" half of every activity: resolve tags, compare
 * digests, list tags, read referrers, and move tags by re-putting a manifest. The copier (blob-transfer.ts,
 * push-manifests.ts) borrows its auth and request counter for the bulk path. Manifests are read with a 4 MiB cap.
 */
export class RegistryClient {
  readonly baseUrl: string;
  private readonly credentials: BasicCredentials | undefined;
  private readonly tokens = new Map<string, string>();
  private basic: boolean;

  readonly endpoint: RegistryEndpoint;
  private readonly timeoutMs: number;
  /** Requests sent to this registry by this client (401 challenges and token requests included). */
  requests = 0;

  constructor(endpoint: RegistryEndpoint, timeoutMs = 30_000) {
    this.endpoint = endpoint;
    this.timeoutMs = timeoutMs;
    this.baseUrl = `${endpoint.plainHttp ? 'http' : 'https'}://${endpoint.host}`;
    this.credentials = credentialsFor(endpoint);
    this.basic = basicRegistries.has(this.baseUrl);
  }

  async headManifest(repository: string, reference: string): Promise<ManifestDescriptor | undefined> {
    const response = await this.request('HEAD', repository, `manifests/${reference}`, {
      headers: { accept: manifestMediaTypes.join(', ') },
      allow404: true,
    });
    if (response.status === 404) return undefined;
    const digest = response.headers.get('docker-content-digest');
    // Some registries omit the digest header on HEAD; the content decides then.
    if (!digest) return this.headFromGet(repository, reference);
    return {
      digest,
      mediaType: response.headers.get('content-type') ?? '',
      size: Number(response.headers.get('content-length') ?? 0),
    };
  }

  private async headFromGet(repository: string, reference: string): Promise<ManifestDescriptor | undefined> {
    const got = await this.manifest(repository, reference);
    return got && { digest: got.digest, mediaType: got.mediaType, size: got.bytes.length };
  }

  async manifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const response = await this.request('GET', repository, `manifests/${reference}`, {
      headers: { accept: manifestMediaTypes.join(', ') },
      allow404: true,
    });
    if (response.status === 404) return undefined;
    const bytes = await readCapped(response, `${this.endpoint.host}/${repository}:${reference}`);
    const digest = digestOf(bytes);
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw permanent(
        FailureTypes.digestMismatch,
        `${this.endpoint.host}/${repository}@${reference} served content with digest ${digest}`,
      );
    }
    const json = JSON.parse(bytes.toString('utf8')) as ManifestJson;
    return { digest, mediaType: response.headers.get('content-type') ?? json.mediaType ?? '', bytes, json };
  }

  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const response = await this.request('PUT', repository, `manifests/${reference}`, {
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    return response.headers.get('docker-content-digest') ?? digestOf(bytes);
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const response = await this.request('HEAD', repository, `blobs/${digest}`, { allow404: true });
    return response.status === 200;
  }

  async blob(repository: string, digest: string): Promise<Buffer> {
    const response = await this.request('GET', repository, `blobs/${digest}`, {});
    return Buffer.from(await response.arrayBuffer());
  }

  async tags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `tags/list?n=1000`;
    while (path) {
      const response: Response = await this.request('GET', repository, path, { allow404: true });
      if (response.status === 404) return tags;
      const body = (await response.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = response.headers.get('link');
      const next = link?.match(/<\/v2\/[^>]*\/(tags\/list[^>]*)>/)?.[1];
      path = next;
    }
    return tags;
  }

  /**
   * Referrers of a digest: the OCI 1.1 referrers API where the registry serves it, else the
   * `sha256-<hex>` fallback tag index that clients maintain on registries without it.
   */
  async referrers(repository: string, digest: string): Promise<ManifestDescriptor[]> {
    return (await this.referrerIndex(repository, digest)).descriptors;
  }

  /**
   * Referrers and, when they came from the fallback tag, that index itself (the copier carries it as is). With
   * `tags` (the repository's tag list, already read) a registry without the API costs no request for a digest
   * that has no fallback tag.
   */
  async referrerIndex(
    repository: string,
    digest: string,
    tags?: ReadonlySet<string>,
  ): Promise<{ descriptors: ManifestDescriptor[]; fallback?: FetchedManifest }> {
    // A registry that answered once without the API will not grow it mid-process: skip straight to the fallback tag.
    if (referrersApi.get(this.baseUrl) !== false) {
      const response = await this.request('GET', repository, `referrers/${digest}`, {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
        allow404: true,
      });
      if (response.status === 200 && (response.headers.get('content-type') ?? '').includes('index')) {
        referrersApi.set(this.baseUrl, true);
        const bytes = await readCapped(response, `${this.endpoint.host}/${repository} referrers of ${digest}`);
        return { descriptors: (JSON.parse(bytes.toString('utf8')) as ManifestJson).manifests ?? [] };
      }
      await response.arrayBuffer().catch(() => undefined);
      // The API answers an index even for an unknown subject, so any other answer means the registry lacks it.
      referrersApi.set(this.baseUrl, false);
    }
    if (tags && !tags.has(digestTag(digest))) return { descriptors: [] };
    const fallback = await this.manifest(repository, digestTag(digest));
    return fallback ? { descriptors: fallback.json.manifests ?? [], fallback } : { descriptors: [] };
  }

  /** One registry call (relative to /v2/<repository>/, or an absolute upload URL) for the copier. */
  call(
    method: string,
    repository: string,
    path: string,
    options: { headers?: Record<string, string>; body?: Buffer; allow404?: boolean; allow?: number[] } = {},
  ): Promise<Response> {
    return this.request(method, repository, path, options);
  }

  /** The Authorization header this client would send for a repository (after a first call negotiated it). */
  authorization(repository: string, push: boolean): string | undefined {
    const token = this.tokens.get(scopeOf(repository, push));
    if (token) return `Bearer ${token}`;
    return this.basic && this.credentials ? basicHeader(this.credentials) : undefined;
  }

  /** Answers a 401 challenge met on the bulk path, as `request` does for its own calls. */
  async negotiate(challenge: string, repository: string, push: boolean): Promise<void> {
    await this.authenticate(challenge, scopeOf(repository, push));
  }

  /** One registry call with auth negotiation and failure classification. */
  private async request(
    method: string,
    repository: string,
    path: string,
    options: { headers?: Record<string, string>; body?: Buffer; allow404?: boolean; allow?: number[] },
  ): Promise<Response> {
    const url = /^https?:\/\//.test(path) ? path : `${this.baseUrl}/v2/${repository}/${path}`;
    const scope = scopeOf(repository, method !== 'GET' && method !== 'HEAD');
    const learnt = await this.learnAuthOnce();
    let response: Response;
    try {
      response = await this.sendWithAuth(method, url, options, scope);
      if (response.status === 401) {
        await response.arrayBuffer().catch(() => undefined);
        await this.authenticate(response.headers.get('www-authenticate') ?? '', scope);
        response = await this.sendWithAuth(method, url, options, scope);
      }
    } finally {
      learnt();
    }
    if (response.ok || (response.status === 404 && options.allow404) || options.allow?.includes(response.status))
      return response;
    const text = method === 'HEAD' ? '' : await response.text().catch(() => '');
    const where = `${method} ${this.endpoint.host}/${repository} (${/^https?:/.test(path) ? 'blob upload' : path.split('?')[0]})`;
    const detail = text ? `: ${text.slice(0, 300)}` : '';
    const account = this.credentials?.source ?? 'anonymous access';
    const access = method === 'GET' || method === 'HEAD' ? 'pull' : 'push';
    const message =
      response.status === 401
        ? `${where} answered 401 Unauthorized; ${credentialHint(this.endpoint, this.credentials)}`
        : response.status === 403
          ? `${where} answered 403 Forbidden: the account from ${account} may not ${access} here; grant it access to ${repository}`
          : response.status === 404
            ? `${where} answered 404 Not Found${detail}`
            : `${where} answered ${response.status}${detail}`;
    throw httpFailure(
      response.status,
      message,
      {
        unauthorized: FailureTypes.registryUnauthorized,
        forbidden: FailureTypes.registryForbidden,
        notFound: FailureTypes.sourceArtifactMissing,
        otherwise: FailureTypes.toolFailed,
      },
      response.headers.get('retry-after'),
    );
  }

  private async sendWithAuth(
    method: string,
    url: string,
    options: { headers?: Record<string, string>; body?: Buffer },
    scope: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    const token = this.tokens.get(scope);
    if (token) headers.authorization = `Bearer ${token}`;
    else if (this.basic && this.credentials) headers.authorization = basicHeader(this.credentials);
    this.requests++;
    return send(
      url,
      { method, headers, ...(options.body ? { body: options.body } : {}), redirect: 'follow' },
      `${method} ${url}`,
      this.timeoutMs,
    );
  }

  /**
   * Copies start side by side: with credentials and no auth scheme known for the registry yet, the first request
   * goes alone and the others wait for its answer, so N concurrent copies cost one 401 challenge, not N.
   */
  private async learnAuthOnce(): Promise<() => void> {
    if (!this.credentials || this.basic || this.tokens.size > 0) return () => undefined;
    const pending = firstRequests.get(this.baseUrl);
    if (pending) {
      await pending;
      this.basic = basicRegistries.has(this.baseUrl);
      return () => undefined;
    }
    let answered = (): void => undefined;
    firstRequests.set(this.baseUrl, new Promise<void>((resolve) => (answered = resolve)));
    return () => {
      firstRequests.delete(this.baseUrl);
      answered();
    };
  }

  /** Basic challenge: send credentials; Bearer challenge: fetch a token from the realm (distribution token spec). */
  private async authenticate(challenge: string, scope: string): Promise<void> {
    if (/^basic/i.test(challenge)) {
      this.basic = true;
      basicRegistries.add(this.baseUrl);
      return;
    }
    const params: Record<string, string | undefined> = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    if (!/^bearer/i.test(challenge) || !params.realm) return;
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', scope);
    this.requests++;
    const response = await fetch(tokenUrl, {
      headers: this.credentials ? { authorization: basicHeader(this.credentials) } : {},
      signal: AbortSignal.timeout(this.timeoutMs),
    }).catch((error: unknown) => {
      throw transient(`token request to ${tokenUrl.host}: ${(error as Error).message}`);
    });
    if (!response.ok) return;
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token) this.tokens.set(scope, token);
  }
}
