import { writeFileSync } from 'node:fs';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ReleaseReport } from '../../src/cli/render-report.ts';
import type { VsaPredicate } from '../../src/artifacts/promotion-record.ts';
import { attachedStatements } from '../../src/registry/attestations.ts';
import { repoRoot, toolPath } from '../../src/tools/locate.ts';
import { approveUpdate, rollbackStatusQuery } from '../../src/workflows/messages.ts';
import type { rollback } from '../../src/workflows/rollback.ts';
import { pushImage } from '../support/fixtures/images.ts';
import { runAsPrinted } from '../support/printed-commands.ts';
import { generateKeyPair, signArtifact, type KeyPair } from '../support/fixtures/signing.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startPublicRelease,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
  signedAtDestination,
} from '../support/release-bed.ts';

const vsaType = 'https://slsa.dev/verification_summary/v1';

// A promoted release leaves a signed record (SLSA VSA + the shipgate promotion record) on every promoted digest,
// checked here with the cosign CLI alone, then with shipgate verify/report, also after the history is deleted.
describe('promotion evidence', () => {
  const bed = useReleaseBed();
  let promotionKey: KeyPair;
  let attacker: KeyPair;
  beforeAll(async () => {
    promotionKey = await generateKeyPair(join(bed.workDir, 'promotion'), 'shipgate');
    attacker = await generateKeyPair(join(bed.workDir, 'attacker'), 'attacker');
    process.env.PROMOTION_KEY_PATH = promotionKey.privateKey;
    process.env.PROMOTION_KEY_PASSWORD = promotionKey.password;
  });

  const evidence = { evidence: { key: { pathEnv: 'PROMOTION_KEY_PATH', passwordEnv: 'PROMOTION_KEY_PASSWORD' } } };
  const toolEnv = () => ({ DOCKER_CONFIG: inject('dockerConfigDir') });
  const shipgate = (args: string[]) =>
    execa(join(repoRoot, 'bin', 'shipgate'), args, {
      reject: false,
      stdin: 'ignore',
      env: { TEMPORAL_ADDRESS: inject('temporalAddress'), ...toolEnv() },
    });
  const cosignVsa = async (reference: string, key: string) => {
    const result = await execa(
      toolPath('cosign'),
      [
        'verify-attestation',
        '--key',
        key,
        '--insecure-ignore-tlog=true',
        '--type',
        vsaType,
        '--output',
        'json',
        reference,
      ],
      { reject: false, env: toolEnv() },
    );
    const predicates = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        const payload = (JSON.parse(line) as { payload: string }).payload;
        return JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
          subject: { digest: { sha256: string } }[];
          predicate: VsaPredicate;
        };
      });
    return { exitCode: result.exitCode, predicates, stderr: result.stderr };
  };

  it('signs a VSA with the approvals onto the index and each platform manifest; cosign alone verifies it', async () => {
    const project = uniqueProject('evidence');
    const { image, handle } = await startPublicRelease(bed, project, 'v1.0.0', evidence);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.phase).toBe('awaiting-approval');
    await handle.executeUpdate(approveUpdate, {
      args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [], comment: 'ship it' }],
    });
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.attention).toBeUndefined();
    expect(done.phase).toBe('promoted');
    const attestStep = done.steps.find((s) => s.step === 'attest');
    const tagsStep = done.steps.find((s) => s.step === 'floating-tags');
    expect(attestStep?.state).toBe('done');
    // The record is pushed before latest moves.
    expect((attestStep?.finishedAt ?? '') <= (tagsStep?.startedAt ?? '')).toBe(true);

    const repository = `${bed.destination}/prod/${project}`;
    // The release notes tell consumers how to check the record.
    expect(bed.forge.githubReleases(`acme/${project}`)[0]?.body).toContain(
      `cosign verify-attestation --key shipgate.pub --insecure-ignore-tlog=true --type ${vsaType} ${repository}@${image.digest}`,
    );
    // ... and that command, run exactly as printed from a folder holding shipgate.pub, passes.
    const printed = (bed.forge.githubReleases(`acme/${project}`)[0]?.body ?? '')
      .split('\n')
      .filter((line) => line.startsWith('cosign verify-attestation --key shipgate.pub'));
    expect(printed).toHaveLength(1);
    const consumerDir = await mkdtemp(join(bed.workDir, 'consumer-'));
    await copyFile(promotionKey.publicKey, join(consumerDir, 'shipgate.pub'));
    for (const run of await runAsPrinted(printed, consumerDir)) expect(run, run.command).toMatchObject({ exitCode: 0 });
    const digests = [image.digest, ...image.platforms.map((p) => p.digest)];
    expect(digests).toHaveLength(3);
    expect(done.evidence?.map((e) => e.digest).sort()).toEqual([...digests].sort());
    for (const digest of digests) {
      const checked = await cosignVsa(`${repository}@${digest}`, promotionKey.publicKey);
      expect(checked.exitCode, checked.stderr).toBe(0);
      expect(checked.predicates).toHaveLength(1);
      const [statement] = checked.predicates;
      expect(statement?.subject.map((s) => `sha256:${s.digest.sha256}`)).toEqual([digest]);
      const vsa = statement?.predicate;
      expect(vsa?.verificationResult).toBe('PASSED');
      expect(vsa?.resourceUri).toBe(`oci://${repository}@${digest}`);
      expect(vsa?.policy.digest?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(vsa?.shipgate.approvedDigests).toEqual([`app@${image.digest}`]);
      expect(vsa?.shipgate.decisions.find((d) => d.kind === 'approve')).toMatchObject({
        by: 'alice',
        comment: 'ship it',
      });
      expect(vsa?.shipgate.verifications.filter((v) => v.digest === digest).map((v) => v.where)).toEqual(
        expect.arrayContaining(['source', 'destination']),
      );
      // Another key does not verify it: the record proves shipgate's key, not registry write access.
      expect((await cosignVsa(`${repository}@${digest}`, attacker.publicKey)).exitCode).not.toBe(0);
    }
    const index = await cosignVsa(`${repository}@${image.digest}`, promotionKey.publicKey);
    expect(index.predicates[0]?.predicate.inputAttestations.length).toBeGreaterThan(0);
    expect(index.predicates[0]?.predicate.verifiedLevels).toEqual(['SLSA_BUILD_LEVEL_1']);

    // shipgate verify says who approved, when and what was verified.
    const verified = await shipgate(['verify', `${repository}@${image.digest}`, '--key', promotionKey.publicKey]);
    expect(verified.exitCode, verified.stderr).toBe(0);
    expect(verified.stdout).toContain(`promoted by shipgate as ${project} 1.0.0`);
    expect(verified.stdout).toMatch(/promotion approved by alice at \S+: ship it/);
    expect(verified.stdout).toContain('destination');

    // The report from the workflow matches its history: the approval update and the steps' activities.
    const live = await shipgate(['report', project, '1.0.0', '--json']);
    expect(live.exitCode, live.stderr).toBe(0);
    const report = JSON.parse(live.stdout) as ReleaseReport;
    const history = await handle.fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(accepted).toHaveLength(1);
    expect(report.decisions.filter((d) => d.kind === 'approve').map((d) => d.by)).toEqual(['alice']);
    expect(report.runId).toBe((await handle.describe()).runId);
    const activities = new Set(
      (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []),
    );
    expect([...activities]).toEqual(expect.arrayContaining(['attestPromotion', 'sendFloatingTagMove', 'pinDigest']));
    expect(report.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['reverify', 'attest', 'floating-tags', 'pin']),
    );
    expect(report.steps.every((s) => s.state === 'done' && s.attempts === 1)).toBe(true);
    expect(report.tagMoves?.map((m) => m.tag).sort()).toEqual(['1', '1.0', 'latest']);
    expect(report.pins?.map((p) => p.digest)).toEqual([image.digest]);
    const markdown = await shipgate(['report', project, '1.0.0', '--markdown']);
    expect(markdown.stdout).toContain('# Release record: ');
    expect(markdown.stdout).toContain('| attest | done |');

    // The history goes; the record stays in the registry.
    await execa(toolPath('temporal'), [
      'workflow',
      'delete',
      '--workflow-id',
      handle.workflowId,
      '--address',
      inject('temporalAddress'),
    ]);
    let gone = false;
    // Deletion runs as a server-side task: allow it two minutes on a loaded machine.
    for (let i = 0; i < 600 && !gone; i++) {
      gone = await handle.describe().then(
        () => false,
        () => true,
      );
      if (!gone) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(gone).toBe(true);
    const missing = await shipgate(['report', project, '1.0.0']);
    expect(missing.exitCode).toBe(5);
    expect(missing.stderr).toContain('--from-registry');
    const rebuilt = await shipgate([
      'report',
      '--from-registry',
      `${repository}@${image.platforms[0]?.digest}`,
      '--key',
      promotionKey.publicKey,
      '--json',
    ]);
    expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
    const fromRegistry = JSON.parse(rebuilt.stdout) as ReleaseReport;
    expect(fromRegistry.source).toBe('registry');
    for (const field of ['releaseId', 'runId', 'approvedDigests', 'decisions', 'verifications', 'artifacts'] as const)
      expect(fromRegistry[field], field).toEqual(report[field]);
    expect(fromRegistry.planned.floatingTags).toEqual(['latest', 'minor', 'major']);
  });

  it('refuses an unsigned digest, a record signed by another key, and a genuine record copied onto another digest', async () => {
    const project = uniqueProject('forged');
    // Legacy signatures, so the record lands in the .att tag as a plain DSSE envelope anyone can download.
    const image = await signedImage(bed, `staging/${project}`, 'v2.0.0', { format: 'legacy' });
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const handle = await startRelease(bed, planFor(bed, project, evidence), 'v2.0.0', sha);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'bob', digests: waiting.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
    const repository = `${bed.destination}/prod/${project}`;

    // Someone with registry write access pushes their own image beside it.
    const rogue = await pushImage({
      registry: bed.destination,
      repository: `prod/${project}`,
      tag: 'rogue',
      dockerConfigDir: inject('dockerConfigDir'),
    });
    const rogueRef = `${repository}@${rogue.digest}`;
    const unsigned = await shipgate(['verify', rogueRef, '--key', promotionKey.publicKey]);
    expect(unsigned.exitCode).toBe(9);
    expect(unsigned.stderr).toContain('has no promotion record that verifies with');

    // ... and signs a look-alike record (alice approved, PASSED) with a key of their own.
    const genuine = await cosignVsa(`${repository}@${image.digest}`, promotionKey.publicKey);
    const forged = join(bed.workDir, 'forged-vsa.json');
    writeFileSync(forged, JSON.stringify(genuine.predicates[0]?.predicate));
    await execa(
      toolPath('cosign'),
      [
        'attest',
        '--key',
        attacker.privateKey,
        '--type',
        vsaType,
        '--predicate',
        forged,
        '--tlog-upload=false',
        '--use-signing-config=false',
        '-y',
        rogueRef,
      ],
      { env: { ...toolEnv(), COSIGN_PASSWORD: attacker.password } },
    );
    const otherKey = await shipgate(['verify', rogueRef, '--key', promotionKey.publicKey]);
    expect(otherKey.exitCode).toBe(9);
    expect(otherKey.stderr).toContain('has no promotion record that verifies with');

    // ... or copies the genuine signed envelope of the promoted index onto the rogue digest.
    const download = await execa(toolPath('cosign'), ['download', 'attestation', `${repository}@${image.digest}`], {
      env: toolEnv(),
    });
    const envelopeFile = join(bed.workDir, 'copied-envelope.json');
    const envelope = download.stdout.split('\n').find((line) => {
      if (!line.includes('payload')) return false;
      const { payload } = JSON.parse(line) as { payload: string };
      return (
        (JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { predicateType: string }).predicateType ===
        vsaType
      );
    });
    expect(envelope).toBeDefined();
    writeFileSync(envelopeFile, envelope ?? '');
    const target = await pushImage({
      registry: bed.destination,
      repository: `prod/${project}`,
      tag: 'rogue-2',
      dockerConfigDir: inject('dockerConfigDir'),
    });
    await signArtifact(`${repository}@${target.digest}`, {
      key: attacker,
      format: 'legacy',
      dockerConfigDir: inject('dockerConfigDir'),
    });
    await execa(
      toolPath('cosign'),
      ['attach', 'attestation', '--attestation', envelopeFile, `${repository}@${target.digest}`],
      { env: toolEnv() },
    );
    expect(
      (await attachedStatements(bed.destinationClient, `prod/${project}`, target.digest)).map((s) => s.predicateType),
    ).toContain(vsaType);
    const copied = await shipgate(['verify', `${repository}@${target.digest}`, '--key', promotionKey.publicKey]);
    expect(copied.exitCode).toBe(9);
    // cosign 3 already refuses it (no matching subject digest); shipgate checks the subject as well.
    expect(copied.stderr).toMatch(/no matching subject digest|made for another digest/);
  });

  it("rollback goes only to a version that carries a promotion record from the plan's key", async () => {
    const project = uniqueProject('rollback-evidence');
    const { image, handle } = await startPublicRelease(bed, project, 'v1.0.0', evidence);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
    const plan = planFor(bed, project, evidence);
    const rollbackTo = (toVersion: string) =>
      bed.env.client.workflow.execute<typeof rollback>('rollback', {
        taskQueue: bed.taskQueue,
        workflowId: `rollback:${project}:${toVersion}:${Date.now()}`,
        args: [{ plan, toVersion, by: 'alice', reason: 'test' }],
      });

    // Someone with write access pushes a 0.9.0, even signed with the release key, that shipgate never promoted.
    await signedAtDestination(bed, `prod/${project}`, 'v0.9.0');
    const refused = await rollbackTo('0.9.0').then(
      () => 'rolled back',
      (error: unknown) => {
        const messages: string[] = [];
        for (let e = error; e instanceof Error; e = e.cause) messages.push(e.message);
        return messages.join(' | ');
      },
    );
    expect(refused).toContain('has no promotion record of');
    expect((await bed.destinationClient.headManifest(`prod/${project}`, 'latest'))?.digest).toBe(image.digest);

    // A rollback waits at its own gate (release-rollback.test.ts); bob approves alice's rollback.
    const back = await bed.env.client.workflow.start<typeof rollback>('rollback', {
      taskQueue: bed.taskQueue,
      workflowId: `rollback:${project}:1.0.0:${Date.now()}`,
      args: [{ plan, toVersion: '1.0.0', by: 'alice', reason: 'test' }],
    });
    let atGate = await back.query(rollbackStatusQuery);
    for (let i = 0; i < 300 && !atGate.gate; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      atGate = await back.query(rollbackStatusQuery);
    }
    await back.executeUpdate(approveUpdate, { args: [{ approver: 'bob', digests: atGate.gate?.digests ?? [] }] });
    expect((await back.result()).artifacts[0]).toMatchObject({ digest: image.digest, promotedBy: handle.workflowId });
  });
});
