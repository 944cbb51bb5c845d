import { vsaPredicateType, type VsaPredicate } from '../evidence/promotion-record.ts';
import { RegistryClient } from '../registry/client.ts';
import { assertNotOption, runTool } from '../tools/run.ts';
import { CliError, ExitCode } from './exit-codes.ts';

export interface VerifiedRecord {
  /** host/repo@sha256:... */
  reference: string;
  digest: string;
  predicate: VsaPredicate;
}

/** host[:port]/repo[:tag|@sha256:...] -> its parts; the digest is looked up when only a tag is given. */
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
 * The promotion records on a digest that cosign verifies with the given public key, newest first. A record
 * signed with another key, a tampered one, or one made for another digest (copied over) does not count.
 */
export async function verifiedRecords(ref: string, publicKey: string): Promise<VerifiedRecord[]> {
  const { reference, digest } = await byDigest(ref);
  const result = await runTool(
    'cosign',
    [
      'verify-attestation',
      '--key',
      assertNotOption(publicKey, '--key'),
      '--insecure-ignore-tlog=true',
      '--type',
      vsaPredicateType,
      '--output',
      'json',
      reference,
    ],
    { what: `verifying the promotion record of ${reference}`, acceptExitCodes: [1, 10] },
  );
  if (result.exitCode !== 0) {
    const reason =
      result.stderr
        .trim()
        .split('\n')
        .filter(Boolean)
        .at(-1)
        ?.replace(/^Error: /, '') ?? '';
    throw new CliError(
      `${reference} has no promotion record that verifies with ${publicKey}: ${reason}; do not deploy it as promoted`,
      ExitCode.notVerified,
    );
  }
  const records = result.stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .flatMap((line): VerifiedRecord[] => {
      const envelope = JSON.parse(line) as { payload?: string };
      const statement = JSON.parse(Buffer.from(envelope.payload ?? '', 'base64').toString('utf8')) as {
        predicateType?: string;
        subject?: { digest?: { sha256?: string } }[];
        predicate?: VsaPredicate;
      };
      const hex = digest.slice('sha256:'.length);
      const aboutThis =
        statement.predicateType === vsaPredicateType &&
        (statement.subject ?? []).some((s) => s.digest?.sha256 === hex) &&
        statement.predicate?.shipgate?.subject?.digest === digest;
      return aboutThis && statement.predicate ? [{ reference, digest, predicate: statement.predicate }] : [];
    })
    .sort((a, b) => b.predicate.timeVerified.localeCompare(a.predicate.timeVerified));
  if (records.length === 0) {
    throw new CliError(
      `${reference}: the signed records found are about another digest (copied from elsewhere); no promotion record for this one`,
      ExitCode.notVerified,
    );
  }
  const failed = records.filter((r) => r.predicate.verificationResult !== 'PASSED');
  if (failed.length === records.length)
    throw new CliError(
      `${reference}: its promotion record says ${failed[0]?.predicate.verificationResult}`,
      ExitCode.notVerified,
    );
  return records.filter((r) => r.predicate.verificationResult === 'PASSED');
}
