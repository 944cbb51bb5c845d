import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/config/load.ts';
import type { ReleasePlan } from '../../src/config/plan.ts';
import { approveUpdate, reportCheckUpdate } from '../../src/workflows/messages.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import { pushChart } from '../support/fixtures/charts.ts';
import { pushImage } from '../support/fixtures/images.ts';
import {
  attestKeyless,
  createLocalCa,
  githubIssuer,
  issueCertificate,
  signKeyless,
  type LocalCa,
} from '../support/fixtures/keyless.ts';
import { predicateFor, signAndAttest, vulnPredicate } from '../support/fixtures/signing.ts';
import { notesCommands, runAsPrinted } from '../support/printed-commands.ts';
import { commitSha, startRelease, useReleaseBed, uniqueProject, waitForPhase } from '../support/release-bed.ts';

// Each seed's plan (examples/seed-00N.yaml), loaded through the real loader and run on the local stack. Only
// what cannot exist here is swapped: registries, repositories and forge point at the test bed, keys and the
// Fulcio CA are the bed's, and signatures carry no transparency-log entry (tlog: ignore, sct: ignore).
describe('the seed plans run on the local stack', () => {
  const bed = useReleaseBed();
  let ca: LocalCa;
  beforeAll(async () => {
    ca = await createLocalCa(join(bed.workDir, 'fulcio'));
    process.env.CI_JOB_TOKEN = 'forge-token';
    process.env.GITHUB_TOKEN = 'forge-token';
    process.env.CP_ADMIN_API_TOKEN = 'forge-token';
    process.env.COSIGN_PUBLIC_KEY = readFileSync(bed.key.publicKey, 'utf8');
  });

  const repo = (project: string, side: 'src' | 'dst', name: string) => `seed/${project}/${side}/${name}`;

  /** A control-plane URL moved onto the fake forge, keeping its path (seed 003's /cp/admin/...). */
  const onFake = (url: string): string => url.replace(/^https?:\/\/[^/]+/, bed.forge.url);

  /** The seed's plan with the bed's registries, repositories, forge, keys and trust root. */
  function onBed(seed: string, project: string): ReleasePlan {
    const plan = parsePlan(readFileSync(new URL(`../../examples/${seed}.yaml`, import.meta.url), 'utf8'), seed);
    const oci = <T extends { name: string; source: string; destination: string }>(item: T): T => ({
      ...item,
      source: repo(project, 'src', item.name),
      destination: repo(project, 'dst', item.name),
    });
    return {
      ...plan,
      project,
      // The seeds' approvals are signed or CI tokens; here they are plain (release-trusted-approvals.test.ts proves them).
      gate: { ...plan.gate, identity: { mode: 'unauthenticated' } },
      registries: {
        source: { host: bed.source, plainHttp: true },
        destination: { host: bed.destination, plainHttp: true, usernameEnv: 'DEST_USER', passwordEnv: 'DEST_PASS' },
      },
      images: plan.images.map(oci),
      charts: plan.charts.map(oci),
      packages: plan.packages.map((p) =>
        p.kind === 'oci'
          ? oci(p)
          : { ...p, sourceProject: `security/${project}`, destinationProject: `acme/${project}` },
      ),
      policy: {
        ...plan.policy,
        ...(plan.policy.key?.path ? { key: { path: bed.key.publicKey } } : {}),
        ...(plan.policy.keyless
          ? { keyless: { ...plan.policy.keyless, certificateChain: ca.chain, sct: 'ignore' as const } }
          : {}),
        tlog: 'ignore',
        attestations: plan.policy.attestations.map((a) =>
          typeof a === 'string' || !a.policy ? a : { ...a, policy: join('examples', String(a.policy)) },
        ),
      },
      ...(plan.forge
        ? {
            forge: {
              ...plan.forge,
              baseUrl: plan.forge.kind === 'github' ? bed.forge.githubUrl : bed.forge.gitlabUrl,
              project: `acme/${project}`,
            },
          }
        : {}),
      promotion: {
        ...plan.promotion,
        // The control plane is the fake's: short-form pins go to its /pins, templates keep their paths.
        pins: plan.promotion.pins.map((pin) =>
          'request' in pin
            ? {
                ...pin,
                request: { ...pin.request, url: onFake(pin.request.url) },
                ...(pin.readBack ? { readBack: { ...pin.readBack, url: onFake(pin.readBack.url) } } : {}),
              }
            : { ...pin, url: `${bed.forge.pinsUrl}/{name}` },
        ),
      },
    };
  }

  /** Approves whichever gate is open, as the first approver the plan names. */
  async function approveOpenGate(handle: Awaited<ReturnType<typeof startRelease>>, plan: ReleasePlan) {
    const status = await waitForPhase(handle, ['awaiting-sync', 'awaiting-approval', 'needs-attention']);
    expect(status.attention).toBeUndefined();
    await handle.executeUpdate(approveUpdate, {
      args: [{ approver: plan.gate.approvers[0] ?? 'alice', digests: status.gate?.digests ?? [] }],
    });
    return status;
  }

  async function promoted(handle: Awaited<ReturnType<typeof startRelease>>): Promise<ReleaseStatus> {
    const status = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(status.attention).toBeUndefined();
    expect(status.phase).toBe('promoted');
    return status;
  }

  it('seed 000 (GitLab smart sync, nothing signed): image, chart and generic package promote, "not verified"', async () => {
    const project = uniqueProject('seed0');
    const plan = onBed('seed-000', project);
    const sha = commitSha(project);
    await pushImage({ registry: bed.source, repository: repo(project, 'src', 'canary'), tag: 'v1.5.3' });
    await pushChart({
      registry: bed.source,
      repositoryPrefix: `seed/${project}/src`,
      name: 'canary-chart',
      version: '1.5.3',
    });
    bed.forge.seedGitlabPackageFile(
      `security/${project}`,
      'canary-cli',
      '1.5.3',
      'canary-linux-amd64.tar.gz',
      Buffer.from('canary cli'),
    );
    bed.forge.seedGitlabCommit(`acme/${project}`, sha);
    bed.forge.setJobTokenAllowlist(`acme/${project}`, true);
    const handle = await startRelease(bed, plan, 'v1.5.3', sha);
    const waiting = await approveOpenGate(handle, plan);
    expect(waiting.phase).toBe('awaiting-approval'); // public on canonical: synced on its own
    const done = await promoted(handle);
    expect(done.artifacts.map((a) => [a.name, a.verification?.outcome])).toEqual([
      ['canary', 'not-verified'],
      ['canary-chart', 'not-verified'],
      ['canary-cli', undefined],
    ]);
    const notes = bed.forge.gitlabReleases(`acme/${project}`)[0]?.description ?? '';
    expect(notes).toMatch(/\*\*canary\*\* \(image\): `[^`]+` \(not verified/);
    expect(notesCommands(notes)).toEqual([]);
    expect(bed.forge.packageFile(`acme/${project}`, 'canary-cli', '1.5.3', 'canary-linux-amd64.tar.gz')).toBeDefined();
  });

  it('seed 001 (keyless from a tag, SBOMs per arch, both arches): four images and the chart promote; notes commands pass', async () => {
    const project = uniqueProject('seed1');
    const plan = onBed('seed-001', project);
    const cert = await issueCertificate(
      ca,
      `seed1-${project}`,
      'https://github.com/actions-gateway/github-actions-gateway/.github/workflows/publish.yml@refs/tags/v1.0.0',
      githubIssuer,
    );
    await Promise.all(
      plan.images.map(async (image) => {
        const pushed = await pushImage({ registry: bed.source, repository: image.source, tag: 'v1.0.0' });
        await signKeyless(`${pushed.ref}@${pushed.digest}`, cert);
        for (const p of pushed.platforms) {
          await attestKeyless(`${pushed.ref}@${p.digest}`, cert, 'spdxjson', join(bed.workDir, 'predicates'));
        }
      }),
    );
    const chart = await pushChart({
      registry: bed.source,
      repositoryPrefix: `seed/${project}/src`,
      name: 'actions-gateway',
      version: '1.0.0',
    });
    await signKeyless(`${bed.source}/${chart.repository}@${chart.digest}`, cert, false);
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const handle = await startRelease(bed, plan, 'v1.0.0', sha);
    await approveOpenGate(handle, plan);
    const done = await promoted(handle);
    expect(done.artifacts.every((a) => a.verification?.outcome === 'verified')).toBe(true);
    const commands = notesCommands(bed.forge.githubReleases(`acme/${project}`)[0]?.body ?? '');
    // Per image: index + 2 platform signatures, 2 SBOMs; the chart: its signature.
    expect(commands).toHaveLength(4 * 5 + 1);
    expect((await runAsPrinted(commands, ca.dir)).filter((r) => r.exitCode !== 0)).toEqual([]);
  });

  it('seed 002 (publish X.Y.Z, promote latest after a look): key from a variable, smoke reported, PR merged', async () => {
    const project = uniqueProject('seed2');
    const plan = onBed('seed-002', project);
    const image = await pushImage({
      registry: bed.source,
      repository: repo(project, 'src', 'devcontainer'),
      tag: '2.0.1',
    });
    await signAndAttest(image, {
      key: bed.key,
      format: 'legacy',
      attestations: ['spdxjson', 'slsaprovenance'],
      workDir: join(bed.workDir, 'predicates'),
      perPlatform: false,
    });
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    // Other open PRs stay untouched: the release PR is found by its head branch, release/2.0.1.
    bed.forge.seedGithubPull(`acme/${project}`, 455, { mergeable: true, head: 'release/2.0.0' });
    bed.forge.seedGithubPull(`acme/${project}`, 456, { mergeable: true, head: 'release/2.0.1' });
    const handle = await startRelease(bed, plan, 'v2.0.1', sha);
    await waitForPhase(handle, ['publishing', 'needs-attention']);
    await handle.executeUpdate(reportCheckUpdate, { args: [{ name: 'downstream-smoke', passed: true, by: 'ci' }] });
    await approveOpenGate(handle, plan);
    await promoted(handle);
    const destination = bed.destinationClient;
    expect((await destination.headManifest(repo(project, 'dst', 'devcontainer'), '2.0.1'))?.digest).toBe(image.digest);
    expect((await destination.headManifest(repo(project, 'dst', 'devcontainer'), 'latest'))?.digest).toBe(image.digest);
    expect(bed.forge.githubPull(`acme/${project}`, 456)?.merged).toBe(true);
    expect(bed.forge.githubPull(`acme/${project}`, 455)?.merged).toBe(false);
  });

  it('seed 003 (pin after a green publish): manual sync, approval, the pin POSTed and read back', async () => {
    const project = uniqueProject('seed3');
    const plan = onBed('seed-003', project);
    const image = await pushImage({ registry: bed.source, repository: repo(project, 'src', 'codex'), tag: 'v0.9.0' });
    await signAndAttest(image, { key: bed.key, format: 'bundle', attestations: [], workDir: bed.workDir });
    const handle = await startRelease(bed, plan, 'v0.9.0', commitSha(project));
    expect((await approveOpenGate(handle, plan)).phase).toBe('awaiting-sync');
    expect((await approveOpenGate(handle, plan)).phase).toBe('awaiting-approval');
    const done = await promoted(handle);
    const promote = `${bed.forge.url}/cp/admin/runtime-image/promote`;
    expect(done.pins).toEqual([{ name: 'codex', digest: image.digest, confirmed: true, url: promote }]);
    // Seed 003's own request shape reached the control plane, and its pin list serves the digest.
    expect(bed.forge.runtimePins.get('codex')).toMatchObject({
      image_digest: image.digest,
      git_sha: commitSha(project),
    });
  });

  it('seed 004 (sha-<commit> build promoted to v1.2.3 elsewhere): keyless from main, provenance and vuln policies pass', async () => {
    const project = uniqueProject('seed4');
    const plan = onBed('seed-004', project);
    const sha = commitSha(project);
    const cert = await issueCertificate(
      ca,
      `seed4-${project}`,
      'https://github.com/complytime/org-infra/.github/workflows/reusable_sign_and_verify.yml@refs/heads/main',
      githubIssuer,
    );
    const image = await pushImage({
      registry: bed.source,
      repository: repo(project, 'src', 'compass'),
      tag: `sha-${sha.slice(0, 7)}`,
    });
    const ref = `${image.ref}@${image.digest}`;
    const predicates = join(bed.workDir, 'predicates', project);
    await signKeyless(ref, cert);
    const provenance = predicateFor('slsaprovenance', ref) as { builder: { id: string } };
    provenance.builder.id =
      'https://github.com/complytime/org-infra/.github/workflows/reusable_publish_ghcr.yml@refs/heads/main';
    await attestKeyless(ref, cert, 'slsaprovenance', predicates, provenance);
    await attestKeyless(ref, cert, 'spdxjson', predicates);
    await attestKeyless(ref, cert, 'vuln', predicates, vulnPredicate([{ id: 'CVE-2026-1000', severity: 'LOW' }]));
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const handle = await startRelease(bed, plan, 'v1.2.3', sha);
    await approveOpenGate(handle, plan);
    await promoted(handle);
    const destination = bed.destinationClient;
    for (const tag of ['v1.2.3', '1.2', '1']) {
      expect((await destination.headManifest(repo(project, 'dst', 'compass'), tag))?.digest, tag).toBe(image.digest);
    }
    const commands = notesCommands(bed.forge.githubReleases(`acme/${project}`)[0]?.body ?? '');
    expect(commands.filter((c) => c.includes('--policy'))).toEqual([
      expect.stringContaining('--type slsaprovenance --policy builder-is-release-workflow.cue'),
      expect.stringContaining('--type vuln --policy no-critical.rego'),
    ]);
  });
});
