import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/tools/locate.ts';
import { commitSha, planFor, signedImage, useReleaseBed, uniqueProject } from '../support/release-bed.ts';

/** A loopback proxy in front of a registry that records every request's method: the registry-side write count. */
async function countingProxy(target: string): Promise<{ host: string; methods: string[]; server: Server }> {
  const methods: string[] = [];
  const [hostname, port] = target.split(':');
  const server = createServer((req, res) => {
    methods.push(req.method ?? '?');
    const upstream = request(
      { hostname, port: Number(port), path: req.url, method: req.method, headers: { ...req.headers, host: target } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, methods, server };
}

// `shipgate plan` also checks packages, the canonical commit, the draft, the release PR and renders the pins,
// and writes nothing anywhere: every request the registries, the forge and the pin endpoint saw is a read.
describe('shipgate plan: a dry run of the whole release', () => {
  const bed = useReleaseBed();
  const servers: Server[] = [];
  afterAll(() => {
    for (const server of servers) server.close();
  });

  it('resolves packages by sha256, checks commit, draft and PR, prints masked pin requests; no write reaches anything', async () => {
    const project = uniqueProject('dryrun');
    const image = await signedImage(bed, `staging/${project}`, 'v1.0.0');
    const sha = commitSha(project);
    bed.forge.seedGithubCommit(`acme/${project}`, sha);
    bed.forge.seedGithubPull(`acme/${project}`, 7, { head: 'release/1.0.0' });
    const bytes = Buffer.from(`the ${project} tool, one file`);
    bed.forge.seedGitlabPackageFile(`security/${project}`, 'tool', '1.0.0', 'tool.tar.gz', bytes);
    process.env.PKG_TOKEN = 'forge-token';
    const [source, destination] = [await countingProxy(bed.source), await countingProxy(bed.destination)];
    servers.push(source.server, destination.server);
    const plan = planFor(bed, project, {
      registries: {
        source: { host: source.host, plainHttp: true },
        destination: { host: destination.host, plainHttp: true, usernameEnv: 'DEST_USER', passwordEnv: 'DEST_PASS' },
      },
      packages: [
        {
          name: 'tool',
          kind: 'gitlab-generic',
          files: ['tool.tar.gz'],
          gitlabUrl: bed.forge.gitlabUrl,
          sourceProject: `security/${project}`,
          sourceAuth: { tokenEnv: 'PKG_TOKEN' },
          destinationProject: `canonical/${project}`,
          destinationAuth: { tokenEnv: 'PKG_TOKEN' },
        },
      ],
      promotion: {
        floatingTags: ['latest'],
        publishRelease: true,
        mergePullRequest: { head: 'release/{version}' },
        pins: [
          { url: `${bed.forge.pinsUrl}/${project}-{name}`, tokenEnv: 'PIN_TOKEN', readBack: true },
          {
            for: ['tool'],
            request: {
              method: 'PUT',
              url: `${bed.forge.pinsUrl}/${project}-tool`,
              headers: { authorization: 'Bearer ${PIN_TOKEN}' },
              body: { digest: '{digest}' },
            },
          },
        ],
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-dry-'));
    const planPath = join(dir, 'shipgate.yaml');
    writeFileSync(planPath, JSON.stringify(plan)); // JSON is YAML
    const callsBefore = bed.forge.calls.length;
    const pinsBefore = JSON.stringify([...bed.forge.pins()]);

    const run = (extra: string[]) =>
      execa(
        join(repoRoot, 'bin', 'shipgate'),
        ['plan', '--plan', planPath, '--version', '1.0.0', '--commit', sha, ...extra],
        {
          reject: false,
          stdin: 'ignore',
        },
      );
    const result = await run(['--json']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const planned = JSON.parse(result.stdout) as {
      ok: boolean;
      artifacts: { name: string; digest: string; action: string }[];
      packages: { name: string; files: { name: string; sha256: string; action: string }[] }[];
      forge: {
        canonical: { checked: boolean; public: boolean };
        draft: { state: string };
        pullRequest: { number: number };
      };
      pins: { artifact: string; method: string; url: string; headers: Record<string, string>; body?: unknown }[];
    };
    expect(planned.ok).toBe(true);
    expect(planned.artifacts).toEqual([expect.objectContaining({ name: 'app', digest: image.digest, action: 'copy' })]);
    expect(planned.packages).toEqual([
      {
        name: 'tool',
        files: [
          expect.objectContaining({
            name: 'tool.tar.gz',
            sha256: createHash('sha256').update(bytes).digest('hex'),
            action: 'copy',
          }),
        ],
        problem: null,
      },
    ]);
    expect(planned.forge.canonical).toMatchObject({ checked: true, public: true });
    expect(planned.forge.draft.state).toBe('none');
    expect(planned.forge.pullRequest.number).toBe(7);
    expect(planned.pins.map((p) => [p.artifact, p.method, p.url])).toEqual([
      ['app', 'POST', `${bed.forge.pinsUrl}/${project}-app`],
      ['tool', 'PUT', `${bed.forge.pinsUrl}/${project}-tool`],
    ]);
    expect(planned.pins[0]?.headers.authorization).toBe('Bearer ***(PIN_TOKEN)');
    expect(planned.pins[1]?.body).toEqual({ digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` });

    const text = await run([]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('pin requests promotion would send (secrets masked)');
    expect(`${result.stdout}${text.stdout}`).not.toContain('forge-token');

    // Nothing was written: only reads reached the forge and pin endpoint and both registries.
    const forgeWrites = bed.forge.calls.slice(callsBefore).filter((c) => !['GET', 'HEAD'].includes(c.method));
    expect(forgeWrites).toEqual([]);
    expect(bed.forge.calls.length).toBeGreaterThan(callsBefore);
    expect(JSON.stringify([...bed.forge.pins()])).toBe(pinsBefore);
    expect(source.methods.length).toBeGreaterThan(0);
    expect(destination.methods.length).toBeGreaterThan(0);
    expect([...source.methods, ...destination.methods].filter((m) => !['GET', 'HEAD'].includes(m))).toEqual([]);
    expect(bed.forge.packageFile(`canonical/${project}`, 'tool', '1.0.0', 'tool.tar.gz')).toBeUndefined();
  });
});
