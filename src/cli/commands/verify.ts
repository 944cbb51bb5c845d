import type { Command } from 'commander';
import { printJson, section, shortDigest, table } from '../output.ts';
import { verifiedRecords } from '../promotion-records.ts';
import { approvals } from '../render-report.ts';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check the signed promotion record of a promoted digest: who approved it, when, what was verified')
    .argument('<ref>', 'host/repository@sha256:... (a tag is looked up once)')
    .requiredOption('--key <path>', "the promotion key's public half, e.g. shipgate.pub")
    .option('--json', 'print the verified VSA predicate(s) as JSON')
    .action(async (ref: string, options: { key: string; json?: boolean }) => {
      const records = await verifiedRecords(ref, options.key);
      if (options.json) return printJson(records.map((r) => r.predicate));
      const [latest] = records;
      if (!latest) return;
      const vsa = latest.predicate;
      const record = vsa.shipgate;
      console.log(`verified: ${latest.reference}`);
      console.log(
        `promoted by shipgate as ${record.project} ${record.version} (${record.subject.artifact} ${record.subject.role}); ` +
          `${vsa.verificationResult} at ${vsa.timeVerified}; signed with ${options.key}`,
      );
      console.log(`release ${record.releaseId}, run ${record.runId}, commit ${record.commitSha}`);
      console.log(section('Approved'));
      for (const line of approvals(record)) console.log(line);
      console.log(`digest set: ${record.approvedDigests.join(', ')}`);
      console.log(section('Verified'));
      console.log(
        table(
          ['digest', 'where', 'signature', 'attestations', 'against', 'at'],
          record.verifications
            .filter((v) => v.digest === latest.digest)
            .map((v) => [
              shortDigest(v.digest),
              v.where,
              v.signature ? 'yes' : 'no',
              v.attestations.join(' '),
              v.against,
              v.at,
            ]),
        ),
      );
      if (records.length > 1)
        console.log(`\n${records.length} promotion records verify on this digest; the newest is shown`);
    });
}
