import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FailureTypes, httpFailure, permanent, transient } from '../errors.ts';
import { drain, header, networkFailure, openRequest, streamChunkBytes } from './blob-http.ts';
import type { RegistryClient } from './client.ts';
import type { TransferWatch } from './transfer-watch.ts';

export interface BlobRoute {
  source: RegistryClient;
  sourceRepository: string;
  destination: RegistryClient;
  destinationRepository: string;
  watch: TransferWatch;
  /** The artifact, for messages: `image "gateway"`. */
  what: string;
}

export interface Blob {
  digest: string;
  size: number;
}

const registryTypes = {
  unauthorized: FailureTypes.registryUnauthorized,
  forbidden: FailureTypes.registryForbidden,
  notFound: FailureTypes.sourceArtifactMissing,
  otherwise: FailureTypes.toolFailed,
};

/**
 * Moves one blob from source to destination without holding it: a cross-repository mount when both are the same
 * registry, else POST an upload and stream the source GET straight into one monolithic PUT. The sha256 is computed
 * on the way through, and the last chunk is held back until it matches: a blob whose bytes do not match its digest
 * never reaches the destination whole (DigestMismatch, permanent, both digests named).
 */
export async function transferBlob(route: BlobRoute, blob: Blob): Promise<'sent' | 'mounted'> {
  const { destination, destinationRepository: repository } = route;
  const mount =
    route.source.baseUrl === route.destination.baseUrl && route.source.endpoint.host === destination.endpoint.host;
  const started = await destination.call(
    'POST',
    repository,
    mount
      ? `blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(route.sourceRepository)}`
      : 'blobs/uploads/',
    { allow: [201, 202] },
  );
  await started.arrayBuffer().catch(() => undefined);
  if (started.status === 201) return 'mounted';
  const location = started.headers.get('location');
  if (!location) {
    throw transient(`${route.what}: ${destination.endpoint.host} started an upload without a Location header`);
  }
  const uploadUrl = new URL(location, destination.baseUrl);
  uploadUrl.searchParams.set('digest', blob.digest);
  route.watch.start(`blob ${blob.digest}`, blob.size);
  try {
    const body = await openSourceBlob(route, blob);
    await putStream(route, uploadUrl, body, blob);
    return 'sent';
  } catch (error) {
    throw route.watch.signal.aborted ? route.watch.signal.reason : error;
  } finally {
    route.watch.finish(`blob ${blob.digest}`);
  }
}

/** GET the blob from the source (following a redirect to storage, without credentials when it leaves the host). */
async function openSourceBlob(route: BlobRoute, blob: Blob): Promise<IncomingMessage> {
  const { source, sourceRepository: repository, watch } = route;
  let url = new URL(`${source.baseUrl}/v2/${repository}/blobs/${blob.digest}`);
  const origin = url.origin;
  let authorization = source.authorization(repository, false);
  let challenged = false;
  for (let hop = 0; hop < 8; hop++) {
    const { body, response } = openRequest({
      method: 'GET',
      url,
      headers: authorization ? { authorization } : {},
      signal: watch.signal,
    });
    body.end();
    source.requests++;
    const answer = await response;
    const status = answer.statusCode ?? 0;
    if (status === 200) return answer;
    const text = await drain(answer);
    const location = header(answer, 'location');
    if (status === 401 && !challenged && url.origin === origin) {
      challenged = true;
      await source.negotiate(header(answer, 'www-authenticate') ?? '', repository, false);
      authorization = source.authorization(repository, false);
    } else if (status >= 300 && status < 400 && location) {
      url = new URL(location, url);
      if (url.origin !== origin) authorization = undefined;
    } else {
      throw httpFailure(
        status,
        `${route.what}: GET ${source.endpoint.host}/${repository} blob ${blob.digest} answered ${status}${text ? `: ${text}` : ''}`,
        registryTypes,
        header(answer, 'retry-after'),
      );
    }
  }
  throw transient(`${route.what}: GET blob ${blob.digest} from ${source.endpoint.host}: too many redirects`);
}

async function putStream(route: BlobRoute, url: URL, body: IncomingMessage, blob: Blob): Promise<void> {
  const { destination, destinationRepository: repository, watch } = route;
  const authorization = destination.authorization(repository, true);
  const request = {
    method: 'PUT',
    url,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(blob.size),
      ...(authorization ? { authorization } : {}),
    },
    signal: watch.signal,
  };
  const upload = openRequest(request);
  destination.requests++;
  try {
    await pipeline(body, checkDigest(route, blob), upload.body);
  } catch (error) {
    upload.body.destroy();
    if (error instanceof Error && error.name === 'ApplicationFailure') throw error;
    throw networkFailure(request, error, watch.signal);
  }
  const answer = await upload.response;
  const status = answer.statusCode ?? 0;
  const text = await drain(answer);
  if (status === 201 || status === 204) return;
  const where = `${route.what}: PUT blob ${blob.digest} to ${destination.endpoint.host}/${repository}`;
  if (status === 400 && /DIGEST_INVALID/.test(text)) {
    throw permanent(
      FailureTypes.digestMismatch,
      `${where}: the registry found the bytes do not match the digest: ${text}`,
      {
        expected: blob.digest,
      },
    );
  }
  throw httpFailure(
    status,
    `${where} answered ${status}${text ? `: ${text}` : ''}`,
    registryTypes,
    header(answer, 'retry-after'),
  );
}

/** Counts and hashes the bytes as they pass, holding the latest chunk back until the digest has been checked. */
function checkDigest(route: BlobRoute, blob: Blob): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  let held: Buffer | undefined;
  const key = `blob ${blob.digest}`;
  const mismatch = (got: string) =>
    permanent(
      FailureTypes.digestMismatch,
      `${route.what}: blob from ${route.source.endpoint.host}/${route.sourceRepository} does not match its digest: expected ${blob.digest} (${blob.size} bytes), got ${got} (${seen} bytes); ` +
        'the source registry serves corrupt bytes: nothing was stored at the destination; repair or re-push the source artifact',
      { expected: blob.digest, got, size: blob.size, received: seen },
    );
  return new Transform({
    highWaterMark: streamChunkBytes,
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > blob.size) return done(mismatch(`more than ${blob.size} bytes`));
      hash.update(chunk);
      route.watch.bytes(key, chunk.length);
      const previous = held;
      held = chunk;
      done(null, previous);
    },
    flush(done) {
      const got = `sha256:${hash.digest('hex')}`;
      if (got !== blob.digest || seen !== blob.size) return done(mismatch(got));
      done(null, held);
    },
  });
}
