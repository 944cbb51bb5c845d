import { cosignVerifiedRecords } from '../evidence/cosign-records.ts';
import type { VsaPredicate } from '../artifacts/promotion-record.ts';
import { RegistryClient } from '../registry/client.ts';
import { assertNotOption } from '../tools/run.ts';
import { CliError, ExitCode } from './exit-codes.ts';

export interface VerifiedRecord {
  /** host/repo@sha256:... */
  reference: string;
  digest: string;
  predicate: VsaPredicate;
}

/** host[:port]/repo[:tag|@sha256:...] -> by digest; a tag is looked up once. */
async function byDigest(ref: string): Promise<{ reference: string; digest: string }> {
  assertNotOption(ref, 'REF');
  const match = /^([^/]+)\/(.+?)(?:@(sha256:[0-9a-f]{64})|:([^:/@]+))?$/.exec(ref);
  if (!match)
    throw new CliError(`REF "${ref}" is not an image reference: write host/repository@sha256:...`, ExitCode.badInput);
  const [, host = '', repository = '', digest, tag] = match;
  if (digest) return { reference: `${host}/${repository}@${digest}`, digest };
  const plainHttp = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(host);
  const head = await new RegistryClient({ host, plainHttp }).headManifest(repository, tag ?? 'latest');
  if (!head) throw new CliError(`${ref}: no such tag in the registry`, ExitCode.notFound);
  return { reference: `${host}/${repository}@${head.digest}`, digest: head.digest };
}

/**
 * The promotion records on a digest that verify with the given public key, newest first. A record signed
 * with another key, a tampered one, or one made for another digest (copied over) does not count.
 */
export async function verifiedRecords(ref: string, publicKey: string): Promise<VerifiedRecord[]> {
  const { reference, digest } = await byDigest(ref);
  const found = await cosignVerifiedRecords({ reference, digest, publicKey: assertNotOption(publicKey, '--key') });
  if (found.reason !== undefined)
    throw new CliError(
      `${reference} has no promotion record that verifies with ${publicKey}: ${found.reason}; do not treat it as promoted`,
      ExitCode.notVerified,
    );
  const passed = found.records.filter((r) => r.verificationResult === 'PASSED');
  if (passed.length === 0)
    throw new CliError(
      found.elsewhere > 0
        ? `${reference}: the signed records on it were made for another digest (copied from elsewhere); there is no promotion record for this one`
        : `${reference}: no PASSED promotion record`,
      ExitCode.notVerified,
    );
  return passed.map((predicate) => ({ reference, digest, predicate }));
}
