import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciLocation } from '../artifacts/types.ts';
import { FailureTypes, permanent } from '../errors.ts';
import { cosignVerifiedRecords } from '../evidence/cosign-records.ts';
import { loadPromotionKey } from '../evidence/promotion-key.ts';
import { vsaPredicateType, type PromotionKey, type VsaPredicate } from '../artifacts/promotion-record.ts';
import { attachedEvidence, canonicalJson, type AttestationFormat } from '../registry/attestations.ts';
import { RegistryClient } from '../registry/client.ts';
import { withToolAuth } from '../tools/auth-env.ts';
import { runTool } from '../tools/run.ts';
import { heartbeat, heartbeatWhile } from './context.ts';

export interface AttestPromotionInput {
  artifact: string;
  destination: OciLocation;
  key: PromotionKey;
  /** One VSA per digest (index, each platform manifest, chart), built by the workflow. */
  subjects: { digest: string; predicate: VsaPredicate }[];
}

export interface AttestedDigest {
  digest: string;
  reference: string;
  /** sha256 of the canonical predicate: what "the same record" means. */
  predicateSha256: string;
  formats: AttestationFormat[];
  /** False when an identical record was already there (a rerun after a crash). */
  pushed: boolean;
}

/**
 * Signs and pushes the promotion record (an in-toto statement with the SLSA VSA predicate) beside each
 * promoted digest, in the formats the release's own signatures use. Looks first: a format that already holds
 * an identical record is not pushed again, so a worker killed between the push and the tag move leaves one
 * record. Afterwards cosign itself must verify the record with the promotion key, or the step fails.
 */
export async function attestPromotion(input: AttestPromotionInput): Promise<AttestedDigest[]> {
  const { destination } = input;
  const client = new RegistryClient(destination.endpoint);
  let done = 0;
  // cosign runs take seconds each: heartbeat throughout, so a live attempt is never mistaken for a dead one
  // (two attempts pushing at once would be the one way to get two records).
  return heartbeatWhile(
    () => ({ artifact: input.artifact, attested: done, of: input.subjects.length }),
    () =>
      withToolAuth([destination.endpoint], async (auth) => {
        const key = await loadPromotionKey(input.key, auth.env.DOCKER_CONFIG ?? '', auth.env);
        const { env, publicKey } = key;
        const results: AttestedDigest[] = [];
        for (const subject of input.subjects) {
          const reference = `${destination.endpoint.host}/${destination.repository}@${subject.digest}`;
          const predicate = withPolicyDigest(subject.predicate);
          const wanted = sha256(canonicalJson(predicate));
          const { formats, statements } = await attachedEvidence(client, destination.repository, subject.digest);
          if (formats.length === 0) formats.push('bundle');
          const present = new Set(
            statements
              .filter(
                (s) => s.predicateType === vsaPredicateType && sha256(canonicalJson(s.statement.predicate)) === wanted,
              )
              .map((s) => s.format),
          );
          const missing = formats.filter((format) => !present.has(format));
          const file = join(auth.env.DOCKER_CONFIG ?? '', `vsa-${subject.digest.slice(7, 19)}.json`);
          await writeFile(file, JSON.stringify(predicate), { mode: 0o600 });
          for (const format of missing) {
            await runTool(
              'cosign',
              [
                'attest',
                '--key',
                key.path,
                '--type',
                vsaPredicateType,
                '--predicate',
                file,
                '--tlog-upload=false',
                '--use-signing-config=false',
                ...(format === 'legacy' ? ['--new-bundle-format=false'] : []),
                '-y',
                reference,
              ],
              { env, what: `signing the promotion record of ${input.artifact} ${reference}` },
            );
            heartbeat({ artifact: input.artifact, pushed: subject.digest, format });
          }
          await checkSigned(reference, publicKey, env, wanted, input.artifact);
          results.push({
            digest: subject.digest,
            reference,
            predicateSha256: wanted,
            formats,
            pushed: missing.length > 0,
          });
          done++;
        }
        return results;
      }),
    2_000,
  );
}

/** cosign must find the record, signed by the promotion key, on this digest: else something is in the way. */
async function checkSigned(
  reference: string,
  publicKey: string,
  env: Record<string, string>,
  wanted: string,
  artifact: string,
): Promise<void> {
  const digest = reference.slice(reference.lastIndexOf('@') + 1);
  const found = await cosignVerifiedRecords({ reference, digest, publicKey, env });
  if (!found.records.some((record) => sha256(canonicalJson(record)) === wanted)) {
    throw permanent(
      FailureTypes.verificationFailed,
      `the promotion record of ${artifact} ${reference} does not verify with the promotion key after signing (${found.reason ?? 'a different record is there'}); check the key pair and the registry's referrers support, then retry`,
    );
  }
}

/** The VSA names the policy by digest: the hash of the policy the release was verified against. */
function withPolicyDigest(predicate: VsaPredicate): VsaPredicate {
  return {
    ...predicate,
    policy: { ...predicate.policy, digest: { sha256: sha256(canonicalJson(predicate.shipgate.policy)) } },
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
