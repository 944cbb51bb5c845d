import { dirname, join } from 'node:path';
import { notesCommands, runAsPrinted } from '../support/printed-commands.ts';
import { describe, expect, it } from 'vitest';
import { approveUpdate } from '../../src/workflows/messages.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import { pushChart } from '../support/fixtures/charts.ts';
import { pushImage, type PushedImage } from '../support/fixtures/images.ts';
import { attestArtifact, signArtifact, vulnPredicate } from '../support/fixtures/signing.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';
import { RegistryClient } from '../../src/registry/client.ts';

describe('release workflow: verification policy (modes, placement, platforms, content, source tags)', () => {
  const bed = useReleaseBed();

  /** An image signed recursively with the bed key, with attestations only where asked. */
  async function imageWith(
    repository: string,
    tag: string,
    attest: { type: string; on: 'index' | 'platforms'; predicate?: unknown }[],
  ): Promise<PushedImage> {
    const image = await pushImage({ registry: bed.source, repository, tag });
    await signArtifact(`${image.ref}@${image.digest}`, { key: bed.key, format: 'bundle', recursive: true });
    for (const { type, on, predicate } of attest) {
      const digests = on === 'index' ? [image.digest] : image.platforms.map((p) => p.digest);
      for (const digest of digests) {
        await attestArtifact(`${image.ref}@${digest}`, {
          key: bed.key,
          format: 'bundle',
          type,
          workDir: join(bed.workDir, 'predicates', repository),
          ...(predicate ? { predicate } : {}),
        });
      }
    }
    return image;
  }

  it('off and warn: an unsigned chart (off) and an unsigned image (warn) promote, stated in status, details and notes; a sha-<commit> staging tag becomes v1.2.3 at the destination only; the notes commands pass as printed', async () => {
    const project = uniqueProject('modes');
    const sha = commitSha(project);
    const stagingTag = `sha-${sha.slice(0, 7)}`;
    const image = await signedImage(bed, `staging/${project}`, stagingTag);
    const sidecar = await pushImage({
      registry: bed.source,
      repository: `staging/${project}-sidecar`,
      tag: stagingTag,
    });
    const chart = await pushChart({
      registry: bed.source,
      repositoryPrefix: `staging/${project}`,
      name: 'chart',
      version: '1.2.3',
    });
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const plan = planFor(bed, project, {
      sourceTag: 'sha-{shortCommit}',
      images: [
        { name: 'app', source: `staging/${project}`, destination: `prod/${project}` },
        {
          name: 'sidecar',
          source: `staging/${project}-sidecar`,
          destination: `prod/${project}-sidecar`,
          verify: { mode: 'warn' },
        },
      ],
      charts: [
        {
          name: 'chart',
          source: chart.repository,
          destination: `prod/${project}/chart`,
          sourceTag: '{version}',
          verify: { mode: 'off' },
        },
      ],
      promotion: { floatingTags: ['latest'], publishRelease: true, pins: [] },
    });
    const handle = await startRelease(bed, plan, 'v1.2.3', sha);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.attention).toBeUndefined();
    const byName = (status: ReleaseStatus, name: string) => status.artifacts.find((a) => a.name === name);
    expect(byName(waiting, 'app')).toMatchObject({
      source: `${bed.source}/staging/${project}:${stagingTag}`,
      digest: image.digest,
      verification: { mode: 'require', outcome: 'verified', problems: [] },
    });
    expect(byName(waiting, 'sidecar')?.verification).toMatchObject({ mode: 'warn', outcome: 'failed' });
    expect(byName(waiting, 'sidecar')?.verification?.problems.join('\n')).toContain(
      `signature of image "sidecar" index ${sidecar.digest}`,
    );
    expect(byName(waiting, 'chart')?.verification).toMatchObject({
      mode: 'off',
      outcome: 'not-verified',
      problems: [],
    });
    const verifyStep = waiting.steps.find((s) => s.step === 'verify-destination');
    expect(verifyStep?.summary).toBe(
      '1 verified at the destination; did not verify (warn): sidecar; not verified (off): chart',
    );
    // The UI's current details (Temporal's built-in metadata query) say it too.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('sidecar: did not verify (warn), chart: not verified (off)');

    const draft = bed.forge.githubReleases(`acme/${project}`)[0];
    expect(draft?.body).toMatch(/\*\*chart\*\* \(chart\): `[^`]+` \(not verified: verification is off/);
    expect(draft?.body).toMatch(/\*\*sidecar\*\* \(image\): `[^`]+` \(\*\*verification failed\*\*, released anyway/);
    expect(draft?.body).toContain(`did not verify: signature of image "sidecar" index ${sidecar.digest}`);

    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');

    // The version tag is written at the destination only; the staging build keeps its sha tag.
    const destination = bed.destinationClient;
    expect((await destination.headManifest(`prod/${project}`, 'v1.2.3'))?.digest).toBe(image.digest);
    expect((await destination.headManifest(`prod/${project}/chart`, '1.2.3'))?.digest).toBe(chart.digest);
    const source = new RegistryClient({ host: bed.source, plainHttp: true });
    expect(await source.headManifest(`staging/${project}`, 'v1.2.3')).toBeUndefined();

    // The published notes print what ran: the app's signature (index + 2 platforms) and its provenance
    // attestation, nothing for the warn or off artifacts; each passes, run as printed by a consumer.
    const published = bed.forge.githubReleases(`acme/${project}`)[0];
    const commands = notesCommands(published?.body ?? '');
    expect(commands).toHaveLength(4);
    expect(commands.every((c) => c.includes(`prod/${project}@`) && c.includes('--insecure-ignore-tlog=true'))).toBe(
      true,
    );
    expect(commands).toContain(
      `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${bed.destination}/prod/${project}@${image.digest}`,
    );
    const ran = await runAsPrinted(commands, dirname(bed.key.publicKey));
    expect(ran.filter((r) => r.exitCode !== 0)).toEqual([]);
    // The same commands without the tlog switch fail on these tlog-less signatures: the switch is load-bearing.
    const strict = await runAsPrinted(
      [commands[0]?.replace(' --insecure-ignore-tlog=true', '') ?? ''],
      dirname(bed.key.publicKey),
    );
    expect(strict[0]?.exitCode).not.toBe(0);
  });

  it('placement: per-arch-only SBOMs pass with on: platforms and stop with on: index; a missing required platform stops with the list', async () => {
    const start = async (name: string, overrides: Record<string, unknown>) => {
      const project = uniqueProject(name);
      const image = await imageWith(`staging/${project}`, 'v1.0.0', [
        { type: 'slsaprovenance', on: 'index' },
        { type: 'spdxjson', on: 'platforms' },
      ]);
      const sha = commitSha(project);
      bed.forge.seedGithubCommit(`acme/${project}`, sha);
      const handle = await startRelease(bed, planFor(bed, project, overrides), 'v1.0.0', sha);
      return { image, handle };
    };
    const policy = (extra: Record<string, unknown>) => ({
      policy: { key: { path: bed.key.publicKey }, tlog: 'ignore', ...extra },
    });
    const [platforms, index, missing] = await Promise.all([
      start('on-platforms', policy({ attestations: ['slsaprovenance', { type: 'spdxjson', on: 'platforms' }] })),
      start('on-index', policy({ attestations: ['slsaprovenance', { type: 'spdxjson', on: 'index' }] })),
      start('platforms', policy({ platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/ppc64le'] })),
    ]);

    const passed = await waitForPhase(platforms.handle, ['awaiting-approval', 'needs-attention']);
    expect(passed.attention).toBeUndefined();
    const record = passed.artifacts[0]?.verifications.filter((v) => v.where === 'source') ?? [];
    expect(record.map((v) => [v.digest, v.attestations])).toEqual([
      [platforms.image.digest, ['slsaprovenance']],
      ...platforms.image.platforms.map((p) => [p.digest, ['spdxjson']]),
    ]);

    const stopped = await waitForPhase(index.handle, ['awaiting-approval', 'needs-attention']);
    expect(stopped.attention).toMatchObject({ step: 'verify-source', type: 'VerificationFailed' });
    expect(stopped.attention?.message).toContain(
      `spdxjson attestation (on: index) of image "app" index ${index.image.digest}`,
    );

    const lacking = await waitForPhase(missing.handle, ['awaiting-approval', 'needs-attention']);
    expect(lacking.attention).toMatchObject({ step: 'verify-source', type: 'VerificationFailed' });
    expect(lacking.attention?.message).toContain(
      'required platforms linux/s390x, linux/ppc64le missing from the index (it has: linux/amd64, linux/arm64)',
    );
    await Promise.all([platforms, index, missing].map(({ handle }) => handle.terminate('test done')));
  });

  it('content policies: a CRITICAL finding stops the release under the Rego and the CUE policy; a clean scan passes both', async () => {
    const rego = join(process.cwd(), 'examples/policies/no-critical.rego');
    const cue = join(process.cwd(), 'examples/policies/no-critical.cue');
    const start = async (name: string, findings: Parameters<typeof vulnPredicate>[0], policyFile: string) => {
      const project = uniqueProject(name);
      const image = await imageWith(`staging/${project}`, 'v1.0.0', [
        { type: 'vuln', on: 'index', predicate: vulnPredicate(findings) },
      ]);
      const sha = commitSha(project);
      bed.forge.seedGithubCommit(`acme/${project}`, sha);
      const plan = planFor(bed, project, {
        policy: {
          key: { path: bed.key.publicKey },
          tlog: 'ignore',
          attestations: [{ type: 'vuln', policy: policyFile }],
        },
      });
      return { image, handle: await startRelease(bed, plan, 'v1.0.0', sha) };
    };
    const critical = [
      { id: 'CVE-2026-0001', severity: 'HIGH' as const },
      { id: 'CVE-2026-0002', severity: 'CRITICAL' as const },
    ];
    const clean = [{ id: 'CVE-2026-0003', severity: 'MEDIUM' as const }];
    const releases = await Promise.all([
      start('vuln-rego-bad', critical, rego),
      start('vuln-cue-bad', critical, cue),
      start('vuln-rego-ok', clean, rego),
      start('vuln-cue-ok', clean, cue),
    ]);
    const [regoBad, cueBad, regoOk, cueOk] = await Promise.all(
      releases.map(({ handle }) => waitForPhase(handle, ['awaiting-approval', 'needs-attention'])),
    );
    for (const [status, release, file] of [
      [regoBad, releases[0], 'no-critical.rego'],
      [cueBad, releases[1], 'no-critical.cue'],
    ] as const) {
      expect(status?.attention).toMatchObject({ step: 'verify-source', type: 'VerificationFailed' });
      expect(status?.attention?.message).toContain(
        `vuln attestation (on: index) of image "app" index ${release?.image.digest}`,
      );
      expect(status?.attention?.message).toMatch(
        new RegExp(`content policy \\S*${file.replace('.', '\\.')} refused it`),
      );
    }
    // CUE names the field that broke the rule.
    expect(cueBad?.attention?.message).toMatch(/Severity/);
    expect(regoOk?.phase).toBe('awaiting-approval');
    expect(cueOk?.phase).toBe('awaiting-approval');
    await Promise.all(releases.map(({ handle }) => handle.terminate('test done')));
  });
});
