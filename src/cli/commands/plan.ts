import type { Command } from 'commander';
import { ApplicationFailure } from '@temporalio/common';
import { resolveOciArtifact } from '../../activities/resolve-oci-artifact.ts';
import { verifyArtifact } from '../../activities/verify-signatures.ts';
import { decideFloatingTags } from '../../artifacts/floating-tags.ts';
import { refAtTag } from '../../artifacts/types.ts';
import { deriveSpec } from '../../config/derive.ts';
import { RegistryClient } from '../../registry/client.ts';
import { tagDigests } from '../../registry/tags.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { printJson, table } from '../output.ts';
import { userName } from '../user.ts';
import { normalizeVersion } from '../versions.ts';
import { checkBuild, checkCommit, checkSourceTags, loadPlanForCli } from '../load-plan.ts';
import { planForge, planPackages, planPins, printForgeAndPins } from '../plan-forge-and-pins.ts';

export interface PlannedArtifact {
  name: string;
  kind: string;
  source: string;
  digest: string | null;
  /** The artifact's verification mode, and what its checks found: verified, failed, not-verified (off). */
  mode: string;
  verification: 'verified' | 'failed' | 'not-verified' | 'not-run';
  verified: boolean;
  /** The cosign commands that ran and passed, as the release notes would print them. */
  checks: string[];
  /** The checks that did not pass (attestation content policies included), each naming the digest. */
  verificationProblems: string[];
  destination: string;
  /** copy: not there yet; present: already there on the same digest; conflict: the tag holds another digest. */
  action: 'copy' | 'present' | 'conflict' | 'blocked';
  floatingTags: { tag: string; move: boolean; reason: string }[];
  problem: string | null;
}

/**
 * The dry run: resolves and verifies what a release of this version would publish, and says what would be
 * copied, what is already there, which tags would conflict and which floating tags would move. Writes nothing.
 */
export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description(
      'dry run: resolve and verify artifacts and packages, check the commit, draft and PR, print the pin requests; changes nothing',
    )
    .requiredOption('--version <version>', 'the release version, e.g. v1.2.3')
    .option('--plan <path>', 'the release plan', 'shipgate.yaml')
    .option('--commit <sha>', 'the commit, for source tag templates with {commit} or {shortCommit}')
    .option('--build <number>', 'a build number, for source tag templates with {build}')
    .option('--json', 'print the plan as JSON (shape: docs/cli.md)')
    .action(async (options: { version: string; plan: string; commit?: string; build?: string; json?: boolean }) => {
      const version = normalizeVersion(options.version);
      const plan = await loadPlanForCli(options.plan);
      const input = {
        plan,
        version,
        commitSha: options.commit === undefined ? '0'.repeat(40) : checkCommit(options.commit),
        startedBy: userName(),
        ...(options.build ? { build: checkBuild(options.build) } : {}),
      };
      checkSourceTags(input);
      const spec = deriveSpec(input);
      const planned: PlannedArtifact[] = await Promise.all(
        spec.oci.map(async (artifact): Promise<PlannedArtifact> => {
          const policy = spec.policies[artifact.name] ?? spec.policy;
          const base: PlannedArtifact = {
            name: artifact.name,
            kind: artifact.kind,
            source: refAtTag(artifact.source, artifact.sourceTag ?? artifact.tag),
            digest: null,
            mode: policy.mode,
            verification: 'not-run',
            verified: false,
            checks: [],
            verificationProblems: [],
            destination: refAtTag(artifact.destination, artifact.tag),
            action: 'blocked',
            floatingTags: [],
            problem: null,
          };
          try {
            const resolved = await resolveOciArtifact(artifact);
            base.digest = resolved.digest;
            // Every check runs (as in warn mode), so the dry run reports all of them; the mode decides the verdict.
            const verification = await verifyArtifact({
              artifact: resolved,
              where: 'source',
              policy: policy.mode === 'off' ? policy : { ...policy, mode: 'warn' },
            });
            base.verification = verification.outcome;
            base.verified = verification.outcome === 'verified';
            base.checks = verification.commands;
            base.verificationProblems = verification.problems;
            if (verification.outcome === 'failed' && policy.mode === 'require')
              throw new Error(`stop-ship: ${verification.problems.join('; ')}`);
            const destination = new RegistryClient(artifact.destination.endpoint);
            const existing = await destination.headManifest(artifact.destination.repository, artifact.tag);
            base.action = !existing ? 'copy' : existing.digest === resolved.digest ? 'present' : 'conflict';
            if (base.action === 'conflict') base.problem = `${base.destination} already holds ${existing?.digest}`;
            if (artifact.kind === 'image' && spec.promotion.floatingTags.length > 0) {
              const tags = await tagDigests(destination, artifact.destination.repository);
              tags.set(artifact.tag, resolved.digest);
              base.floatingTags = decideFloatingTags(artifact.tag, spec.promotion.floatingTags, tags).map((d) => ({
                tag: d.tag,
                move: d.move,
                reason: d.reason,
              }));
            }
          } catch (error) {
            base.problem =
              error instanceof ApplicationFailure || error instanceof Error ? error.message : String(error);
          }
          return base;
        }),
      );
      const [packages, forge] = await Promise.all([planPackages(spec), planForge(spec, options.commit !== undefined)]);
      const pins = planPins(spec, [
        ...planned.flatMap((p) => (p.digest ? [{ name: p.name, kind: p.kind, digest: p.digest }] : [])),
        ...packages.flatMap((p) =>
          p.files.length === 1 && p.files[0]
            ? [{ name: p.name, kind: 'generic-package', digest: `sha256:${p.files[0].sha256}` }]
            : [],
        ),
      ]);
      const ok =
        planned.every((p) => p.problem === null) &&
        packages.every((p) => p.problem === null) &&
        forge.problems.length === 0;
      if (options.json) printJson({ project: spec.project, version, ok, artifacts: planned, packages, forge, pins });
      else {
        console.log(`${spec.project} ${version}: dry run (nothing was changed)\n`);
        console.log(
          table(
            ['artifact', 'kind', 'digest', 'mode', 'verification', 'action', 'destination'],
            planned.map((p) => [
              p.name,
              p.kind,
              p.digest ?? '-',
              p.mode,
              p.verification === 'not-verified' ? 'not verified (off)' : p.verification,
              p.action,
              p.destination,
            ]),
          ),
        );
        for (const p of planned.filter((x) => x.checks.length || x.verificationProblems.length)) {
          console.log(`\n${p.name} (${p.mode}): checks that ran`);
          for (const check of p.checks) console.log(`  passed  ${check}`);
          for (const problem of p.verificationProblems)
            console.log(`  ${p.mode === 'warn' ? 'WARN' : 'FAILED'}  ${problem}`);
        }
        const moves = planned.flatMap((p) =>
          p.floatingTags.map((t) => [p.name, t.tag, t.move ? 'move' : 'stay', t.reason]),
        );
        if (moves.length) console.log(`\n${table(['artifact', 'floating tag', 'on promotion', 'why'], moves)}`);
        for (const p of planned.filter((x) => x.problem)) console.log(`\n${p.name}: ${p.problem}`);
        printForgeAndPins((line) => console.log(line), table, packages, forge, pins);
      }
      if (!ok) throw new CliError('the release would not go through as planned (see above)', ExitCode.refused);
    });
}
