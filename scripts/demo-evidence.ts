// The demo's last act: what shipgate promoted is provable afterwards by anyone with stock tools. Runs the exact
// `cosign verify-attestation` command it prints against the destination registry, then `shipgate verify`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type Result } from 'execa';
import { vsaPredicateType, type VsaPredicate } from '../src/artifacts/promotion-record.ts';
import { repoRoot } from '../src/tools/locate.ts';

export interface PromotionRecordCheck {
  /** host/repository@sha256:... at the destination. */
  reference: string;
  /** The promotion key's public half, relative to the repository root (where the commands run). */
  publicKey: string;
  /** The destination's basic-auth user, written to a docker auth file as `docker login` would. */
  registry: { host: string; username: string; password: string };
  /** DOCKER_CONFIG directory for the readers, relative to the repository root. */
  dockerConfig: string;
  step: (text: string) => void;
  shipgate: (args: string[], env?: Record<string, string>) => Promise<Result>;
}

const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

export async function checkPromotionRecord(check: PromotionRecordCheck): Promise<void> {
  const { reference, publicKey, registry, dockerConfig } = check;
  mkdirSync(join(repoRoot, dockerConfig), { recursive: true, mode: 0o700 });
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  writeFileSync(join(repoRoot, dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }), {
    mode: 0o600,
  });

  check.step('anyone can prove what was promoted, with stock cosign: the signed promotion record on the digest');
  const args = [
    'verify-attestation',
    '--key',
    publicKey,
    '--insecure-ignore-tlog=true', // the demo's promotion key signs offline, without a transparency log
    '--allow-http-registry', // the local destination registry speaks plain HTTP
    '--type',
    vsaPredicateType,
    reference,
  ];
  console.log(`$ DOCKER_CONFIG=${dockerConfig} cosign ${args.map(shellWord).join(' ')}`);
  console.log(
    `  (DOCKER_CONFIG holds the destination's basic auth, as docker login writes it; cosign is .tools/bin's)`,
  );
  const cosign = await execa('cosign', args, {
    cwd: repoRoot,
    env: { DOCKER_CONFIG: dockerConfig, PATH: `${join(repoRoot, '.tools', 'bin')}:${process.env.PATH ?? ''}` },
    reject: false,
    stdin: 'ignore',
  });
  console.log(cosign.stderr.trim());
  if (cosign.exitCode !== 0) throw new Error(`cosign verify-attestation exited ${cosign.exitCode}`);
  const hex = reference.slice(reference.indexOf('@sha256:') + '@sha256:'.length);
  for (const line of cosign.stdout.split('\n').filter((l) => l.trim().startsWith('{'))) {
    const envelope = JSON.parse(line) as { payload?: string };
    const statement = JSON.parse(Buffer.from(envelope.payload ?? '', 'base64').toString('utf8')) as {
      predicateType?: string;
      subject?: { digest?: { sha256?: string } }[];
      predicate?: VsaPredicate;
    };
    const about = (statement.subject ?? []).some((s) => s.digest?.sha256 === hex) ? 'this digest' : 'ANOTHER digest';
    console.log(
      `cosign exit 0: ${statement.predicateType ?? '?'} about ${about}, verificationResult ${statement.predicate?.verificationResult ?? '?'}`,
    );
  }

  check.step('and who approved it, read from the record itself: shipgate verify REF --key shipgate.pub');
  const verifyArgs = ['verify', reference, '--key', publicKey];
  console.log(`$ DOCKER_CONFIG=${dockerConfig} shipgate ${verifyArgs.join(' ')}`);
  const verified = await check.shipgate(verifyArgs, { DOCKER_CONFIG: join(repoRoot, dockerConfig) });
  if (verified.exitCode !== 0) throw new Error(`shipgate verify exited ${verified.exitCode}`);
}
