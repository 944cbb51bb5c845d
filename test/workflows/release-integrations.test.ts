import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { approveUpdate, retryUpdate, statusQuery } from '../../src/workflows/messages.ts';
import type { ReleaseStatus } from '../../src/workflows/status.ts';
import {
  commitSha,
  planFor,
  signedImage,
  startRelease,
  uniqueProject,
  useReleaseBed,
  waitForPhase,
} from '../support/release-bed.ts';
import { writePackageFiles } from '../support/fixtures/packages.ts';

// The outward-facing steps as the seeds use them, on the real stack (Temporal, registries, cosign) with the
// fake forge, control plane and chat services answering as their documentation says.

describe('release workflow: release PRs, pin templates, draft checks, chat notifications', () => {
  const bed = useReleaseBed();

  /** Polls the status until the predicate holds: a retried step shows a higher attempt, or the phase moves on. */
  const waitUntil = async (
    handle: Awaited<ReturnType<typeof startRelease>>,
    done: (status: ReleaseStatus) => boolean,
  ): Promise<ReleaseStatus> => {
    for (let i = 0; i < 450; i++) {
      const status = await handle.query(statusQuery);
      if (done(status)) return status;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`release did not get there: ${JSON.stringify(await handle.query(statusQuery))}`);
  };
  const approve = async (handle: Awaited<ReturnType<typeof startRelease>>, status: ReleaseStatus) =>
    handle.executeUpdate(approveUpdate, { args: [{ approver: 'alice', digests: status.gate?.digests ?? [] }] });
  const retry = async (handle: Awaited<ReturnType<typeof startRelease>>, recreateDraft = false) =>
    handle.executeUpdate(retryUpdate, { args: [{ by: 'bob', ...(recreateDraft ? { recreateDraft } : {}) }] });

  it("merges the PR given at start (--pr) and pins through seed 003's control-plane API, read back from its list", async () => {
    const project = uniqueProject('seed003');
    const image = await signedImage(bed, `staging/${project}`, 'v2.0.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    bed.forge.seedGithubPull(`acme/${project}`, 41, { head: 'release/2.0.0' });
    process.env.CP_ADMIN_API_TOKEN = 'forge-token';
    const plan = planFor(bed, project, {
      promotion: {
        // Empty: the PR is named per release, at start.
        mergePullRequest: {},
        pins: [
          {
            for: ['app'],
            request: {
              method: 'POST',
              url: `${bed.forge.url}/cp/admin/runtime-image/promote`,
              headers: { authorization: 'Bearer ${CP_ADMIN_API_TOKEN}' },
              body: { template_name: 'codex', image_digest: '{digest}', git_sha: '{commit}', notes: '{notes}' },
            },
            readBack: {
              url: `${bed.forge.url}/cp/admin/runtime-image`,
              digestPath: 'pins[template_name=codex].image_digest',
            },
          },
        ],
      },
    });
    const handle = await startRelease(bed, plan, 'v2.0.0', sha, 'ci-bot', bed.taskQueue, { pullRequest: 41 });
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.attention).toBeUndefined();
    expect(waiting.pullRequest).toMatchObject({ number: 41, merged: false });
    expect(bed.forge.callsTo('POST', /\/cp\/admin\//)).toHaveLength(0);

    await approve(handle, waiting);
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.attention).toBeUndefined();
    expect(done.pullRequest).toMatchObject({ number: 41, merged: true });
    expect(bed.forge.githubPull(`acme/${project}`, 41)?.merged).toBe(true);

    // Exactly seed 003's request: POST /cp/admin/runtime-image/promote {template_name, image_digest, git_sha, notes}.
    const posts = bed.forge.callsTo('POST', /^\/cp\/admin\/runtime-image\/promote$/);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.headers.authorization).toBe('Bearer forge-token');
    expect(Object.keys(posts[0]?.body as object).sort()).toEqual(['git_sha', 'image_digest', 'notes', 'template_name']);
    expect(posts[0]?.body).toMatchObject({ template_name: 'codex', image_digest: image.digest, git_sha: sha });
    expect(bed.forge.runtimePins.get('codex')).toMatchObject({ image_digest: image.digest, git_sha: sha });
    expect(bed.forge.runtimePins.get('codex')?.notes).toContain('approved by alice');
    // Read back from the list endpoint before writing (look first) and after (confirm).
    expect(bed.forge.callsTo('GET', /^\/cp\/admin\/runtime-image$/).length).toBeGreaterThanOrEqual(2);
    expect(done.pins).toEqual([
      { name: 'app', digest: image.digest, confirmed: true, url: `${bed.forge.url}/cp/admin/runtime-image/promote` },
    ]);
  });

  it('finds its PR by head branch (already merged = success); a deleted draft parks promotion until retry --recreate-draft; Slack, Teams and Discord hear every event, a dead webhook shows in status', async () => {
    const project = uniqueProject('draft');
    await signedImage(bed, `staging/${project}`, 'v3.1.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    bed.forge.seedGithubPull(`acme/${project}`, 5, { head: 'release/3.0.0', merged: true, state: 'closed' });
    bed.forge.seedGithubPull(`acme/${project}`, 8, { head: 'release/3.1.0', merged: true, state: 'closed' });
    bed.forge.seedGithubPull(`acme/${project}`, 9, { head: 'feature/x' });
    bed.forge.failAlways({ pathPrefix: '/hooks/slack/removed' }, { status: 404, body: 'no_service' });
    const hook = (path: string, format: string) => ({ url: `${bed.forge.url}/hooks/${path}`, format });
    const plan = planFor(bed, project, {
      promotion: { mergePullRequest: { head: 'release/{version}' }, pins: [] },
      notifications: {
        webhooks: [
          hook(`slack/${project}`, 'slack'),
          hook(`teams/${project}`, 'teams'),
          hook(`discord/${project}`, 'discord'),
          // A Slack URL is itself the secret: named by variable, never recorded.
          { urlEnv: 'SLACK_REMOVED_URL', format: 'slack' },
        ],
      },
    });
    process.env.SLACK_REMOVED_URL = `${bed.forge.url}/hooks/slack/removed/${project}`;
    const handle = await startRelease(bed, plan, 'v3.1.0', sha);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.attention).toBeUndefined();
    expect(waiting.pullRequest).toMatchObject({ number: 8, head: 'release/3.1.0', merged: true });
    expect(waiting.steps.find((s) => s.step === 'find-pr')?.summary).toBe('#8 (merged)');

    // Someone deletes the draft while the release waits for approval.
    bed.forge.deleteGithubRelease(`acme/${project}`, 'v3.1.0');
    await approve(handle, waiting);
    const parked = await waitForPhase(handle, ['needs-attention', 'promoted']);
    expect(parked.attention).toMatchObject({ step: 'publish-release', type: 'DraftReleaseMissing' });
    expect(parked.attention?.message).toContain('--recreate-draft');
    expect(bed.forge.githubReleases(`acme/${project}`)).toEqual([]);

    // A plain retry does not make a release on its own; --recreate-draft does.
    await retry(handle);
    const again = await waitUntil(handle, (s) => s.phase === 'promoted' || (s.attention?.attempt ?? 1) > 1);
    expect(again.attention).toMatchObject({ type: 'DraftReleaseMissing', attempt: 2 });
    await retry(handle, true);
    const done = await waitUntil(handle, (s) => s.phase === 'promoted' || (s.attention?.attempt ?? 2) > 2);
    expect(done.attention).toBeUndefined();
    expect(bed.forge.githubReleases(`acme/${project}`).map((r) => [r.tag_name, r.draft])).toEqual([['v3.1.0', false]]);
    expect(done.steps.find((s) => s.step === 'merge-pr')?.summary).toBe('#8 was already merged');
    expect(bed.forge.callsTo('PUT', new RegExp(`/repos/acme/${project}/pulls/\\d+/merge$`))).toHaveLength(0);

    // The workflow's result comes after its "finished" notifications were delivered (or failed).
    const final = await handle.result();
    expect(final.phase).toBe('promoted');

    // Each chat service accepted (the fake refuses bodies its service would refuse) every event.
    const heard = (service: string) =>
      bed.forge.chatMessages.filter(
        (m) => m.service === service && m.path.endsWith(`/${project}`) && !m.path.includes('removed'),
      );
    for (const service of ['slack', 'teams', 'discord']) {
      const texts = heard(service).map((m) => JSON.stringify(m.body));
      expect(
        texts.some((t) => t.includes('waits for a decision')),
        `${service} waiting`,
      ).toBe(true);
      expect(
        texts.some((t) => t.includes('needs attention') && t.includes('publish-release: the draft release')),
        `${service} needs-attention`,
      ).toBe(true);
      expect(
        texts.some((t) => t.includes(`${project} 3.1.0 promoted`)),
        `${service} finished`,
      ).toBe(true);
      expect(texts.every((t) => t.includes(`release:${project}:3.1.0`))).toBe(true);
    }
    const slack = heard('slack')[0]?.body as { text: string; blocks: { type: string }[] };
    expect(typeof slack.text).toBe('string');
    expect(slack.blocks[0]?.type).toBe('header');
    const teams = heard('teams')[0]?.body as {
      type: string;
      attachments: { contentType: string; content: { type: string } }[];
    };
    expect(teams.type).toBe('message');
    expect(teams.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0]?.content.type).toBe('AdaptiveCard');
    const discord = heard('discord')[0]?.body as { content: string; embeds: unknown[]; allowed_mentions: unknown };
    expect(discord.content.length).toBeLessThanOrEqual(2000);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(JSON.stringify(heard('discord')[0]?.body)).toContain('alice, bob');

    // The removed Slack webhook failed every time: recorded per event, never silently dropped.
    expect(new Set(final.notificationFailures?.map((f) => f.event))).toEqual(
      new Set(['waiting', 'needs-attention', 'finished']),
    );
    expect(final.notificationFailures?.[0]).toMatchObject({ webhook: '$SLACK_REMOVED_URL' });
    expect(final.notificationFailures?.[0]?.message).toContain('404');
    expect(JSON.stringify(final.notificationFailures)).not.toContain('/hooks/');
  });

  it('a closed release PR parks publish; reopened but conflicting it parks promotion; fixed, auto-merge is enabled', async () => {
    const project = uniqueProject('prpark');
    await signedImage(bed, `staging/${project}`, 'v1.4.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    bed.forge.seedGithubPull(`acme/${project}`, 3, { head: 'release/1.4.0', state: 'closed' });
    const plan = planFor(bed, project, {
      promotion: { mergePullRequest: { head: 'release/{version}', autoMerge: true }, pins: [] },
    });
    const handle = await startRelease(bed, plan, 'v1.4.0', sha);
    const closed = await waitForPhase(handle, ['needs-attention', 'awaiting-approval']);
    expect(closed.attention).toMatchObject({ step: 'find-pr', type: 'PullRequestNotFound' });
    expect(closed.attention?.message).toContain('#3 is closed without being merged');

    bed.forge.seedGithubPull(`acme/${project}`, 3, { head: 'release/1.4.0', mergeable: false });
    await retry(handle);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.pullRequest).toMatchObject({ number: 3, merged: false });
    await approve(handle, waiting);
    const conflicting = await waitForPhase(handle, ['needs-attention', 'promoted']);
    expect(conflicting.attention).toMatchObject({ step: 'merge-pr', type: 'NotMergeable' });
    expect(conflicting.attention?.message).toContain('not mergeable');

    bed.forge.seedGithubPull(`acme/${project}`, 3, { head: 'release/1.4.0', checksPending: true });
    await retry(handle);
    const done = await waitUntil(handle, (s) => s.phase === 'promoted' || (s.attention?.attempt ?? 1) > 1);
    expect(done.attention).toBeUndefined();
    expect(done.pullRequest).toMatchObject({ number: 3, merged: false, autoMerge: true });
    expect(bed.forge.githubPull(`acme/${project}`, 3)).toMatchObject({ autoMerge: true, merged: false });
    expect(bed.forge.callsTo('POST', /^\/github\/graphql$/)).not.toHaveLength(0);
  });

  it('carries GitLab generic packages (job token to read, deploy token to write) and GitHub release assets; the approved set holds each file sha256', async () => {
    const project = uniqueProject('pkgs');
    const image = await signedImage(bed, `staging/${project}`, 'v1.2.3');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const files = writePackageFiles(join(bed.workDir, project), [
      { name: 'gateway-linux-amd64', bytes: 40_000 },
      { name: 'gateway-linux-arm64', bytes: 30_000 },
    ]);
    for (const file of files)
      bed.forge.seedGitlabPackageFile(`security/${project}`, 'gateway', '1.2.3', file.name, file.bytes);
    // Each token sees only its own project, as a CI job token (allowlisted) and a deploy token would.
    bed.forge.restrictToken('job-token-for-mirror', [`security/${project}`]);
    bed.forge.restrictToken('deploy-token-for-canonical', [`canonical/${project}`]);
    process.env.MIRROR_JOB_TOKEN = 'job-token-for-mirror';
    process.env.CANONICAL_DEPLOY_TOKEN = 'deploy-token-for-canonical';
    const plan = planFor(bed, project, {
      packages: [
        {
          name: 'gateway',
          kind: 'gitlab-generic',
          files: files.map((f) => f.name),
          gitlabUrl: bed.forge.gitlabUrl,
          sourceProject: `security/${project}`,
          sourceAuth: { tokenEnv: 'MIRROR_JOB_TOKEN', header: 'JOB-TOKEN' },
          destinationProject: `canonical/${project}`,
          destinationAuth: { tokenEnv: 'CANONICAL_DEPLOY_TOKEN', header: 'Deploy-Token' },
          releaseAssets: true,
        },
      ],
      promotion: { pins: [] },
    });
    const handle = await startRelease(bed, plan, 'v1.2.3', sha);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention']);
    expect(waiting.attention).toBeUndefined();
    expect(waiting.gate?.digests).toEqual(
      [`app@${image.digest}`, ...files.map((f) => `gateway/${f.name}@sha256:${f.sha256}`)].sort(),
    );
    // Copied to canonical and attached to the draft, each by its sha256, before anyone approved.
    for (const file of files) {
      expect(bed.forge.packageFile(`canonical/${project}`, 'gateway', '1.2.3', file.name)?.file_sha256).toBe(
        file.sha256,
      );
    }
    expect(bed.forge.githubReleaseAssets(`acme/${project}`, 'v1.2.3')).toEqual(
      files.map((f) => ({ name: f.name, size: f.size, digest: `sha256:${f.sha256}` })),
    );
    expect(bed.forge.githubReleases(`acme/${project}`)[0]?.draft).toBe(true);
    // Each purpose used its own credential and header.
    const gitlabCalls = bed.forge.calls.filter((c) => c.path.includes(project) && c.path.startsWith('/gitlab/'));
    for (const call of gitlabCalls.filter((c) => c.path.includes(`/security/`) || c.path.includes('security%2F'))) {
      expect(call.headers['job-token'], call.path).toBe('job-token-for-mirror');
    }
    const puts = bed.forge
      .callsTo('PUT', new RegExp(`/packages/generic/gateway/1.2.3/`))
      .filter((c) => c.status === 201);
    expect(puts.length).toBeGreaterThanOrEqual(2);
    expect(puts.every((c) => c.headers['deploy-token'] === 'deploy-token-for-canonical')).toBe(true);
    // A deploy token cannot list packages on GitLab: the look-first read the files themselves instead.
    const canonicalReads = bed.forge.calls.filter(
      (c) => c.method === 'GET' && c.headers['deploy-token'] && c.path.includes(`canonical/${project}`),
    );
    expect(canonicalReads.length).toBeGreaterThan(0);
    expect(canonicalReads.every((c) => c.path.includes('/packages/generic/gateway/1.2.3/'))).toBe(true);
    expect(bed.forge.callsTo('GET', new RegExp(`/repos/acme/${project}/commits/`))[0]?.headers.authorization).toBe(
      'Bearer forge-token',
    );

    await approve(handle, waiting);
    const done = await waitForPhase(handle, ['promoted', 'needs-attention']);
    expect(done.attention).toBeUndefined();
    expect(done.decisions.find((d) => d.kind === 'approve')?.digests).toEqual(waiting.gate?.digests);
    expect(bed.forge.githubReleases(`acme/${project}`).map((r) => [r.tag_name, r.draft])).toEqual([['v1.2.3', false]]);
    expect(bed.forge.githubReleaseAssets(`acme/${project}`, 'v1.2.3')).toHaveLength(2);
  });

  it('reminds approvers once before the gate deadline, then the deadline ends the release', async () => {
    const project = uniqueProject('remind');
    await signedImage(bed, `staging/${project}`, 'v0.9.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    const plan = planFor(bed, project, {
      gate: {
        approvers: ['alice'],
        allowSelfApproval: false,
        deadline: '4s',
        remindBefore: '2s',
        identity: 'unauthenticated',
      },
      promotion: { pins: [] },
      notifications: { webhooks: [{ url: `${bed.forge.url}/hooks/discord/${project}`, format: 'discord' }] },
    });
    const handle = await startRelease(bed, plan, 'v0.9.0', sha);
    const final = await handle.result();
    expect(final.phase).toBe('expired');
    const heard = bed.forge.chatMessages
      .filter((m) => m.path.endsWith(`/${project}`))
      .map((m) => (m.body as { embeds: { title: string }[] }).embeds[0]?.title);
    expect(heard).toEqual([
      `${project} 0.9.0 waits for a decision`,
      `${project} 0.9.0 still waits: the gate deadline is near`,
      `${project} 0.9.0 expired`,
    ]);
  });
});
