import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinDigest } from '../../src/activities/pin-digest.ts';
import { downloadPackageFile } from '../../src/forge/gitlab-packages.ts';
import { GithubForge } from '../../src/forge/github.ts';
import { GitlabForge } from '../../src/forge/gitlab.ts';
import { send } from '../../src/http/send.ts';
import { startFakeForge, type FakeForge } from '../support/fake-forge.ts';

// Issue 16, finding 3: `forge.project: ../../escape` made the GitHub client send the forge token to
// GET /escape/commits/<sha> on the forge host. The plan check refuses such a project (test/unit/hostile-plan.test.ts);
// these tests bypass it, as a workflow started by hand would, and show the client itself sends nothing.

const token = 'secret-forge-token-for-url-tests';
const sha = 'a'.repeat(40);

describe('URLs built from plan values', () => {
  let forge: FakeForge;
  beforeAll(async () => {
    forge = await startFakeForge({ tokens: [token] });
    process.env.URL_TEST_TOKEN = token;
  });
  afterAll(async () => {
    await forge.close();
  });
  const sentToken = () => forge.calls.filter((call) => JSON.stringify(call.headers).includes(token));
  const refused = async (attempt: Promise<unknown>): Promise<string> => {
    const before = forge.calls.length;
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).nonRetryable).toBe(true);
    expect(forge.calls.length, 'the forge saw a request').toBe(before);
    return (error as Error).message;
  };

  it.each(['../../escape', 'acme/..', './app', '..'])(
    'the GitHub client sends nothing for project %j',
    async (project) => {
      const github = new GithubForge({ kind: 'github', baseUrl: forge.githubUrl, project, tokenEnv: 'URL_TEST_TOKEN' });
      const refusal = await refused(github.commitIsPublic(sha));
      expect(refusal).toMatch(/forge\.project "\.\.?" cannot be a URL path segment/);
      expect(sentToken()).toEqual([]);
    },
  );

  it('the GitHub client refuses a commit that is a dot segment, and still works for a real project', async () => {
    const github = new GithubForge({
      kind: 'github',
      baseUrl: forge.githubUrl,
      project: 'acme/app',
      tokenEnv: 'URL_TEST_TOKEN',
    });
    await refused(github.commitIsPublic('..'));
    forge.seedGithubCommit('acme/app', sha);
    expect(await github.commitIsPublic(sha)).toMatchObject({ public: true });
    expect(sentToken().map((call) => call.path)).toEqual([`/github/repos/acme/app/commits/${sha}`]);
  });

  it('the GitLab clients send nothing for a dot-segment project or file', async () => {
    const config = { kind: 'gitlab' as const, baseUrl: forge.gitlabUrl, project: '..', tokenEnv: 'URL_TEST_TOKEN' };
    await refused(new GitlabForge(config).commitIsPublic(sha));
    const ref = { name: 'cli', version: '1.0.0', file: '..', where: 'package "cli" 1.0.0 file ..' };
    await refused(downloadPackageFile({ ...config, project: 'acme/app' }, ref));
    await refused(downloadPackageFile(config, { ...ref, file: 'cli' }));
    expect(sentToken()).toHaveLength(1);
  });

  it('send() refuses a URL that leaves its base, unsent', async () => {
    const within = `${forge.githubUrl}/repos/acme/app`;
    for (const url of [
      `${within}/../../../escape`,
      `${within}/%2e%2e/%2E%2E/other/commits`,
      `${within}-evil/commits`,
      'http://198.51.100.1/repos/acme/app/commits',
    ]) {
      const refusal = await refused(
        send(url, { headers: { authorization: `Bearer ${token}` } }, 'test', 5_000, within),
      );
      expect(refusal).toMatch(/refused to send: .* is not below /);
    }
    expect(sentToken()).toHaveLength(1);
  });

  it('a pin whose field would leave the template refuses to send', async () => {
    const fields = {
      name: '..',
      kind: 'image',
      digest: `sha256:${'b'.repeat(64)}`,
      version: '1.0.0',
      tag: 'v1.0.0',
      commit: sha,
      notes: 'n',
      project: 'acme/app',
    };
    const target = {
      for: [],
      request: {
        method: 'POST' as const,
        url: `${forge.pinsUrl}/{name}`,
        headers: { authorization: 'Bearer ${URL_TEST_TOKEN}' },
        body: { digest: '{digest}' },
      },
    };
    await refused(pinDigest({ target, fields }));
    expect(sentToken()).toHaveLength(1);
  });
});
