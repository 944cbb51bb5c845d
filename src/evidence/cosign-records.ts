import { assertNotOption, runTool } from '../tools/run.ts';
import { vsaPredicateType, type VsaPredicate } from '../artifacts/promotion-record.ts';

export interface CosignRecords {
  /** Records cosign verified with the key that are about this very digest. */
  records: VsaPredicate[];
  /** Records cosign verified but made for another digest (a genuine record copied over). */
  elsewhere: number;
  /** cosign's last error line when nothing verified. */
  reason: string | undefined;
}

/**
 * The promotion records on host/repo@digest that `cosign verify-attestation` verifies with a public key.
 * cosign checks the signature; the subject is checked here too, so a genuine record copied onto another
 * digest does not count for it.
 */
export async function cosignVerifiedRecords(input: {
  reference: string;
  digest: string;
  publicKey: string;
  env?: Record<string, string>;
}): Promise<CosignRecords> {
  const result = await runTool(
    'cosign',
    [
      'verify-attestation',
      '--key',
      assertNotOption(input.publicKey, 'public key'),
      '--insecure-ignore-tlog=true',
      '--type',
      vsaPredicateType,
      '--output',
      'json',
      assertNotOption(input.reference, 'reference'),
    ],
    {
      ...(input.env ? { env: input.env } : {}),
      what: `verifying the promotion record of ${input.reference}`,
      acceptExitCodes: [1, 10],
    },
  );
  if (result.exitCode !== 0) {
    const reason = result.stderr
      .trim()
      .split('\n')
      .filter(Boolean)
      .at(-1)
      ?.replace(/^Error: /, '');
    return { records: [], elsewhere: 0, reason: reason ?? `cosign exited ${result.exitCode}` };
  }
  const hex = input.digest.slice('sha256:'.length);
  const statements = result.stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => {
      const envelope = JSON.parse(line) as { payload?: string };
      return JSON.parse(Buffer.from(envelope.payload ?? '', 'base64').toString('utf8') || '{}') as {
        predicateType?: string;
        subject?: { digest?: { sha256?: string } }[];
        predicate?: VsaPredicate;
      };
    })
    .filter((s) => s.predicateType === vsaPredicateType && s.predicate);
  const mine = statements.filter(
    (s) =>
      (s.subject ?? []).some((x) => x.digest?.sha256 === hex) &&
      s.predicate?.shipgate?.subject?.digest === input.digest,
  );
  return {
    records: mine
      .flatMap((s) => (s.predicate ? [s.predicate] : []))
      .sort((a, b) => b.timeVerified.localeCompare(a.timeVerified)),
    elsewhere: statements.length - mine.length,
    reason: undefined,
  };
}
