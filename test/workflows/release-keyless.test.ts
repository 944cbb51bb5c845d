import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { approveUpdate } from '../../src/workflows/messages.ts';
import { pushImage, type PushedImage } from '../support/fixtures/images.ts';
import {
  attestKeyless,
  createLocalCa,
  githubIssuer,
  issueCertificate,
  signKeyless,
  type LocalCa,
  type SigningCertificate,
} from '../support/fixtures/keyless.ts';
import {
  commitSha,
  planFor,
  startRelease,
  useReleaseBed,
  uniqueProject,
  waitForPhase,
} from '../support/release-bed.ts';
import { notesCommands, runAsPrinted } from '../support/printed-commands.ts';

// Keyless (seeds 001 and 004) exercised for real, offline: the test bed's local CA plays Fulcio, issuing
// short-lived certificates for GitHub Actions workflow identities; cosign signs with them (no transparency log)
// and shipgate verifies with the plan's identity regexp and issuer and the CA as trust root.
describe('release workflow: keyless signatures from a local Fulcio', () => {
  const bed = useReleaseBed();
  let ca: LocalCa;
  const workflow = 'https://github.com/acme/gateway/.github/workflows/publish.yml';
  const identityRegexp = '^https://github\\.com/acme/gateway/\\.github/workflows/publish\\.yml@refs/tags/v.*$';

  beforeAll(async () => {
    ca = await createLocalCa(join(bed.workDir, 'fulcio'));
  });

  /** A multi-arch image signed recursively with the certificate, SBOMs on each platform manifest (seed 001). */
  async function keylessImage(repository: string, cert: SigningCertificate): Promise<PushedImage> {
    const image = await pushImage({ registry: bed.source, repository, tag: 'v1.4.0' });
    await signKeyless(`${image.ref}@${image.digest}`, cert);
    for (const platform of image.platforms) {
      await attestKeyless(`${image.ref}@${platform.digest}`, cert, 'spdxjson', join(bed.workDir, 'predicates'));
    }
    return image;
  }

  const keylessPlan = (project: string) =>
    planFor(bed, project, {
      policy: {
        keyless: { identityRegexp, issuer: githubIssuer, certificateChain: ca.chain, sct: 'ignore' },
        tlog: 'ignore',
        platforms: ['linux/amd64', 'linux/arm64'],
        attestations: [{ type: 'spdxjson', on: 'platforms' }],
      },
      promotion: { floatingTags: [], publishRelease: true, pins: [] },
    });

  it('a certificate for the tag identity passes and promotes; the notes commands pass as printed, with the CA file by name', async () => {
    const cert = await issueCertificate(ca, 'tag', `${workflow}@refs/tags/v1.4.0`, githubIssuer);
    const project = uniqueProject('keyless-tag');
    const image = await keylessImage(`staging/${project}`, cert);
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const handle = await startRelease(bed, keylessPlan(project), 'v1.4.0', sha);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.attention).toBeUndefined();
    const artifact = waiting.artifacts[0];
    expect(artifact?.verification).toMatchObject({ mode: 'require', outcome: 'verified', where: 'destination' });
    expect(artifact?.verifications[0]?.against).toBe(`keyless ${identityRegexp} from ${githubIssuer}`);
    expect(artifact?.verifications.filter((v) => v.where === 'destination').map((v) => v.attestations)).toEqual([
      [],
      ['spdxjson'],
      ['spdxjson'],
    ]);

    await handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: waiting.gate?.digests ?? [] }] });
    expect((await waitForPhase(handle, ['promoted', 'needs-attention'])).phase).toBe('promoted');
    const commands = notesCommands(bed.forge.githubReleases(`acme/${project}`)[0]?.body ?? '');
    // Signature on index + 2 platforms, SBOM on 2 platforms.
    expect(commands).toHaveLength(5);
    expect(commands[0]).toMatch(
      /^cosign verify(-attestation)? --certificate-identity-regexp '\^https:\/\/github\\\.com\/acme\/gateway\/.*' --certificate-oidc-issuer https:\/\/token\.actions\.githubusercontent\.com --certificate-chain ca\.pem --insecure-ignore-sct=true --insecure-ignore-tlog=true /,
    );
    expect(commands.filter((c) => c.includes(image.digest))).toHaveLength(1);
    const ran = await runAsPrinted(commands, ca.dir);
    expect(ran.filter((r) => r.exitCode !== 0)).toEqual([]);
  });

  it('a certificate for a branch identity (@refs/heads/main), one from another OIDC issuer and one from another CA are refused: stop-ship', async () => {
    const branch = await issueCertificate(ca, 'branch', `${workflow}@refs/heads/main`, githubIssuer);
    // The right identity and issuer, from a CA the plan does not trust.
    const rogueCa = await createLocalCa(join(bed.workDir, 'rogue-ca'));
    const rogue = await issueCertificate(rogueCa, 'rogue', `${workflow}@refs/tags/v1.4.0`, githubIssuer);
    const otherIssuer = await issueCertificate(
      ca,
      'issuer',
      `${workflow}@refs/tags/v1.4.0`,
      'https://token.actions.example.com',
    );
    const start = async (name: string, cert: SigningCertificate) => {
      const project = uniqueProject(name);
      const image = await keylessImage(`staging/${project}`, cert);
      const sha = commitSha(project);
      bed.forge.seedGithubCommit(`acme/${project}`, sha);
      return { image, handle: await startRelease(bed, keylessPlan(project), 'v1.4.0', sha) };
    };
    const releases = await Promise.all([
      start('keyless-branch', branch),
      start('keyless-issuer', otherIssuer),
      start('keyless-rogue', rogue),
    ]);
    const reasons = [
      /none of the expected identities matched/,
      /none of the expected identities matched/,
      /certificate signed by unknown authority|x509/,
    ];
    for (const [index, { image, handle }] of releases.entries()) {
      const status = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
      expect(status.attention).toMatchObject({ step: 'verify-source', type: 'VerificationFailed' });
      expect(status.attention?.message).toContain(`stop-ship: signature of image "app" index ${image.digest}`);
      expect(status.attention?.message).toMatch(reasons[index] as RegExp);
      await handle.terminate('test done');
    }
  });
});
