import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeIssuer, type FakeIssuer, type IssuerRoutes } from './fake-oidc-issuer.ts';
import { routeChat, routeControlPlane, type ChatMessage, type RuntimePin } from './fake-chat-and-pins.ts';

// A stand-in for GitHub, GitLab and a control plane: the only remote services that cannot run here. Routes,
// bodies and status codes follow the public REST documentation (see ../shared/DESIGN.md "Forge facts").
// Every call is recorded so tests can assert on side effects ("the release was created exactly once").

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  bytes: number;
  status: number;
}

interface Fault {
  method?: string;
  pathPrefix: string;
  responses: { status: number; body?: unknown; headers?: Record<string, string> }[];
  always: boolean;
}

interface GithubRelease {
  id: number;
  tag_name: string;
  name: string;
  body: string;
  draft: boolean;
  prerelease: boolean;
  target_commitish: string;
  html_url: string;
  published_at: string | null;
  /** Where assets are uploaded (uploads.github.com on github.com), as a URI template. */
  upload_url: string;
}

interface GithubAsset {
  id: number;
  name: string;
  size: number;
  digest: string;
  content_type: string;
  state: 'uploaded';
  url: string;
  browser_download_url: string;
  bytes: Buffer;
}

interface Pull {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  mergeable: boolean;
  headSha: string;
  mergeSha?: string;
  /** The head (source) branch name. */
  head: string;
  labels: string[];
  nodeId: string;
  /** Required checks still running: GitHub then accepts auto-merge; otherwise it answers "clean status". */
  checksPending: boolean;
  autoMerge: boolean;
}

type PullSeed = {
  mergeable?: boolean;
  headSha?: string;
  head?: string;
  labels?: string[];
  checksPending?: boolean;
};

interface PackageFileRecord {
  id: number;
  package_id: number;
  file_name: string;
  size: number;
  file_sha256: string;
  bytes: Buffer;
}

export interface FakeForge {
  url: string;
  githubUrl: string;
  gitlabUrl: string;
  pinsUrl: string;
  calls: RecordedCall[];
  callsTo: (method: string, path: RegExp) => RecordedCall[];
  tokens: Set<string>;
  seedGithubCommit: (repo: string, sha: string) => void;
  seedGithubPull: (
    repo: string,
    number: number,
    pull: PullSeed & { merged?: boolean; state?: 'open' | 'closed' },
  ) => void;
  /** What a person does in the UI: delete a (draft) release. */
  deleteGithubRelease: (repo: string, tag: string) => void;
  chatMessages: ChatMessage[];
  runtimePins: Map<string, RuntimePin>;
  /** Assets of a GitHub release, with the sha256 GitHub computed. */
  githubReleaseAssets: (repo: string, tag: string) => { name: string; size: number; digest: string }[];
  /** A GitLab token that sees only these projects (a deploy token, a project access token). */
  restrictToken: (token: string, projects: string[]) => void;
  githubPull: (repo: string, number: number) => Pull | undefined;
  githubReleases: (repo: string) => GithubRelease[];
  seedGitlabCommit: (project: string, sha: string) => void;
  seedGitlabMergeRequest: (
    project: string,
    iid: number,
    mr: PullSeed & { state?: 'opened' | 'merged' | 'closed' },
  ) => void;
  gitlabReleases: (project: string) => { tag_name: string; name: string; description: string }[];
  /** Job-token callers allowed into a project (seed 000's CI/CD job token allowlist). */
  setJobTokenAllowlist: (project: string, allowed: boolean) => void;
  seedGitlabPackageFile: (project: string, name: string, version: string, file: string, bytes: Buffer) => void;
  packageFile: (project: string, name: string, version: string, file: string) => PackageFileRecord | undefined;
  pins: () => Map<string, { name: string; digest: string; version: string; gitSha: string }>;
  failNext: (match: { method?: string; pathPrefix: string }, responses: Fault['responses']) => void;
  failAlways: (match: { method?: string; pathPrefix: string }, response: Fault['responses'][number]) => void;
  clearFaults: () => void;
  /** A CI OIDC issuer served at /oidc/NAME (discovery + JWKS), created on first use. */
  oidcIssuer: (name: string) => FakeIssuer;
  close: () => Promise<void>;
}

function str(value: unknown, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export async function startFakeForge(options: { port?: number; tokens?: string[] } = {}): Promise<FakeForge> {
  const calls: RecordedCall[] = [];
  const faults: Fault[] = [];
  const tokens = new Set(options.tokens ?? ['forge-token']);
  const githubCommits = new Map<string, Set<string>>();
  const githubReleases = new Map<string, GithubRelease[]>();
  const githubPulls = new Map<string, Map<number, Pull>>();
  const gitlabCommits = new Map<string, Set<string>>();
  const gitlabReleases = new Map<string, { tag_name: string; name: string; description: string; ref: string }[]>();
  const gitlabMrs = new Map<string, Map<number, Pull>>();
  const jobTokenDenied = new Set<string>();
  const packages = new Map<string, { id: number; name: string; version: string; files: PackageFileRecord[] }>();
  const pins = new Map<string, { name: string; digest: string; version: string; gitSha: string }>();
  const chatMessages: ChatMessage[] = [];
  const releaseAssets = new Map<number, GithubAsset[]>();
  const tokenProjects = new Map<string, string[]>();
  const runtimePins = new Map<string, RuntimePin>();
  let nextId = 1000;
  let url = '';
  const issuers = new Map<string, IssuerRoutes>();

  const packageKey = (project: string, name: string, version: string) => `${project}|${name}|${version}`;
  const storeFile = (
    project: string,
    name: string,
    version: string,
    file: string,
    bytes: Buffer,
  ): PackageFileRecord => {
    const key = packageKey(project, name, version);
    const pkg = packages.get(key) ?? { id: nextId++, name, version, files: [] };
    packages.set(key, pkg);
    const record = {
      id: nextId++,
      package_id: pkg.id,
      file_name: file,
      size: bytes.length,
      file_sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes,
    };
    pkg.files.push(record);
    return record;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const parsed = new URL(req.url ?? '/', 'http://fake');
      const call: RecordedCall = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(parsed.pathname),
        query: Object.fromEntries(parsed.searchParams),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: undefined,
        bytes: raw.length,
        status: 0,
      };
      if ((req.headers['content-type'] ?? '').includes('json') && raw.length) {
        try {
          call.body = JSON.parse(raw.toString('utf8'));
        } catch {
          call.body = raw.toString('utf8');
        }
      }
      calls.push(call);
      const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        call.status = status;
        if (Buffer.isBuffer(body)) {
          res.writeHead(status, { 'content-type': 'application/octet-stream', ...headers });
          res.end(body);
          return;
        }
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? '' : JSON.stringify(body));
      };
      const fault = faults.find(
        (f) => (!f.method || f.method === call.method) && parsed.pathname.startsWith(f.pathPrefix),
      );
      if (fault) {
        const response = fault.always ? fault.responses[0] : fault.responses.shift();
        if (!fault.always && fault.responses.length === 0) faults.splice(faults.indexOf(fault), 1);
        if (response)
          return send(response.status, response.body ?? { message: `injected ${response.status}` }, response.headers);
      }
      try {
        route(req, res, call, raw, send);
      } catch (error) {
        send(500, { message: String(error) });
      }
    });
  });

  function route(
    req: IncomingMessage,
    _res: ServerResponse,
    call: RecordedCall,
    raw: Buffer,
    send: (status: number, body?: unknown, headers?: Record<string, string>) => void,
  ): void {
    const path = call.path;
    const body = (call.body ?? {}) as Record<string, unknown>;
    let m: RegExpMatchArray | null;

    // --- OIDC issuers (CI ID tokens) ---------------------------------------------------------------------
    for (const routes of issuers.values()) {
      const answer = call.method === 'GET' ? routes.answer(path) : undefined;
      if (answer) return send(answer.status, answer.body);
    }

    if (path.startsWith('/hooks/')) return routeChat(path, call.method, call.body, raw, send, chatMessages);
    const authorization = req.headers.authorization ?? '';
    if (routeControlPlane(path, call.method, authorization, call.body, send, tokens, runtimePins)) return;

    // --- GitHub release asset uploads (uploads.github.com) ------------------------------------------------
    if ((m = path.match(/^\/uploads\/repos\/([^/]+\/[^/]+)\/releases\/(\d+)\/assets$/)) && call.method === 'POST') {
      if (!tokens.has(authorization.replace(/^(Bearer|token) /i, ''))) return send(401, { message: 'Bad credentials' });
      const release = (githubReleases.get(m[1] ?? '') ?? []).find((x) => x.id === Number(m?.[2]));
      if (!release) return send(404, { message: 'Not Found', status: '404' });
      const name = call.query.name;
      if (!name) return send(422, { message: 'Validation Failed', errors: [{ field: 'name', code: 'missing' }] });
      const assets = releaseAssets.get(release.id) ?? [];
      releaseAssets.set(release.id, assets);
      if (assets.some((a) => a.name === name))
        return send(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }],
          status: '422',
        });
      const id = nextId++;
      const asset: GithubAsset = {
        id,
        name,
        size: raw.length,
        digest: `sha256:${createHash('sha256').update(raw).digest('hex')}`,
        content_type: call.headers['content-type'] ?? 'application/octet-stream',
        state: 'uploaded',
        url: `${url}/github/repos/${m[1]}/releases/assets/${id}`,
        browser_download_url: `https://github.com/${m[1]}/releases/download/${release.tag_name}/${name}`,
        bytes: raw,
      };
      assets.push(asset);
      const { bytes: _bytes, ...shown } = asset;
      return send(201, shown);
    }

    // --- GitHub -----------------------------------------------------------------------------------------
    if (path === '/github/graphql' && call.method === 'POST') {
      if (!tokens.has(authorization.replace(/^(Bearer|token) /i, ''))) return send(401, { message: 'Bad credentials' });
      const query = str(body.query, '');
      const id = str((body.variables as Record<string, unknown> | undefined)?.id, '');
      if (!query.includes('enablePullRequestAutoMerge'))
        return send(200, { errors: [{ message: 'only enablePullRequestAutoMerge is faked' }] });
      const pull = [...githubPulls.values()].flatMap((p) => [...p.values()]).find((p) => p.nodeId === id);
      if (!pull)
        return send(200, {
          data: { enablePullRequestAutoMerge: null },
          errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a node with the global id of '${id}'` }],
        });
      if (!pull.checksPending)
        return send(200, {
          data: { enablePullRequestAutoMerge: null },
          errors: [{ type: 'UNPROCESSABLE', message: 'Pull request Pull request is in clean status' }],
        });
      pull.autoMerge = true;
      return send(200, {
        data: {
          enablePullRequestAutoMerge: {
            pullRequest: { number: pull.number, autoMergeRequest: { enabledAt: new Date().toISOString() } },
          },
        },
      });
    }
    if ((m = path.match(/^\/github\/repos\/([^/]+\/[^/]+)(\/.*)$/))) {
      const token = (req.headers.authorization ?? '').replace(/^(Bearer|token) /i, '');
      if (!tokens.has(token))
        return send(401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
      const repo = m[1] ?? '';
      const rest = m[2] ?? '';
      let r: RegExpMatchArray | null;
      if ((r = rest.match(/^\/commits\/([0-9a-f]{7,40})$/)) && call.method === 'GET') {
        if (!githubCommits.has(repo))
          return send(404, {
            message: 'Not Found',
            documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
            status: '404',
          });
        const sha = r[1] ?? '';
        if (!githubCommits.get(repo)?.has(sha))
          return send(422, {
            message: `No commit found for SHA: ${sha}`,
            documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
            status: '422',
          });
        return send(200, { sha, html_url: `https://github.com/${repo}/commit/${sha}`, commit: { message: 'release' } });
      }
      const releases = githubReleases.get(repo) ?? [];
      githubReleases.set(repo, releases);
      if (rest === '/releases' && call.method === 'GET') {
        const page = Number(call.query.page ?? '1');
        const perPage = Number(call.query.per_page ?? '30');
        return send(200, [...releases].reverse().slice((page - 1) * perPage, page * perPage));
      }
      if (rest === '/releases' && call.method === 'POST') {
        const tag = str(body.tag_name, '');
        if (releases.some((x) => x.tag_name === tag)) {
          return send(422, {
            message: 'Validation Failed',
            errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
            documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
            status: '422',
          });
        }
        const release: GithubRelease = {
          id: nextId++,
          tag_name: tag,
          name: str(body.name, tag),
          body: str(body.body, ''),
          draft: Boolean(body.draft),
          prerelease: Boolean(body.prerelease),
          target_commitish: str(body.target_commitish, 'main'),
          html_url: `https://github.com/${repo}/releases/tag/${tag}`,
          published_at: body.draft ? null : new Date().toISOString(),
          upload_url: '',
        };
        release.upload_url = `${url}/uploads/repos/${repo}/releases/${release.id}/assets{?name,label}`;
        releases.push(release);
        return send(201, release);
      }
      if ((r = rest.match(/^\/releases\/tags\/(.+)$/)) && call.method === 'GET') {
        const found = releases.find((x) => x.tag_name === r?.[1] && !x.draft);
        return found ? send(200, found) : send(404, { message: 'Not Found', status: '404' });
      }
      if ((r = rest.match(/^\/releases\/assets\/(\d+)$/)) && call.method === 'GET') {
        const asset = [...releaseAssets.values()].flat().find((a) => a.id === Number(r?.[1]));
        if (!asset) return send(404, { message: 'Not Found', status: '404' });
        const { bytes, ...shown } = asset;
        return call.headers.accept === 'application/octet-stream' ? send(200, bytes) : send(200, shown);
      }
      if ((r = rest.match(/^\/releases\/(\d+)\/assets$/)) && call.method === 'GET') {
        if (!releases.some((x) => x.id === Number(r?.[1]))) return send(404, { message: 'Not Found', status: '404' });
        return send(
          200,
          (releaseAssets.get(Number(r[1])) ?? []).map(({ bytes: _bytes, ...asset }) => asset),
        );
      }
      if ((r = rest.match(/^\/releases\/(\d+)$/))) {
        const found = releases.find((x) => x.id === Number(r?.[1]));
        if (!found) return send(404, { message: 'Not Found', status: '404' });
        if (call.method === 'GET') return send(200, found);
        if (call.method === 'DELETE') {
          releases.splice(releases.indexOf(found), 1);
          return send(204);
        }
        if (call.method === 'PATCH') {
          if (body.draft === false && found.draft) {
            found.draft = false;
            found.published_at = new Date().toISOString();
          }
          if (typeof body.body === 'string') found.body = body.body;
          return send(200, found);
        }
      }
      const pulls = githubPulls.get(repo) ?? new Map<number, Pull>();
      if (rest === '/pulls' && call.method === 'GET') {
        // state=open|closed|all (default open); head=owner:branch; newest first.
        const wanted = call.query.state ?? 'open';
        const [headOwner, headRef] = (call.query.head ?? '').split(/:(.*)/s);
        const list = [...pulls.values()]
          .filter((p) => wanted === 'all' || p.state === wanted)
          .filter((p) => !call.query.head || (headOwner === repo.split('/')[0] && p.head === headRef))
          .reverse()
          .map((p) => ({
            number: p.number,
            node_id: p.nodeId,
            state: p.state,
            merged_at: p.merged ? '2026-01-01T00:00:00Z' : null,
            html_url: `https://github.com/${repo}/pull/${p.number}`,
            head: { ref: p.head, sha: p.headSha },
            labels: p.labels.map((name) => ({ name })),
          }));
        return send(200, list);
      }
      if ((r = rest.match(/^\/pulls\/(\d+)$/)) && call.method === 'GET') {
        const pull = pulls.get(Number(r[1]));
        if (!pull) return send(404, { message: 'Not Found', status: '404' });
        return send(200, {
          number: pull.number,
          node_id: pull.nodeId,
          state: pull.state,
          merged: pull.merged,
          mergeable: pull.merged ? null : pull.mergeable,
          merge_commit_sha: pull.mergeSha ?? null,
          head: { sha: pull.headSha },
        });
      }
      if ((r = rest.match(/^\/pulls\/(\d+)\/merge$/)) && call.method === 'PUT') {
        const pull = pulls.get(Number(r[1]));
        if (!pull) return send(404, { message: 'Not Found', status: '404' });
        if (pull.merged || pull.state !== 'open' || !pull.mergeable)
          return send(405, { message: 'Pull Request is not mergeable', status: '405' });
        if (body.sha && body.sha !== pull.headSha)
          return send(409, { message: 'Head branch was modified. Review and try the merge again.', status: '409' });
        pull.merged = true;
        pull.state = 'closed';
        pull.mergeSha = createHash('sha1').update(`merge-${pull.number}`).digest('hex');
        return send(200, { sha: pull.mergeSha, merged: true, message: 'Pull Request successfully merged' });
      }
      return send(404, { message: 'Not Found', status: '404' });
    }

    // --- GitLab -----------------------------------------------------------------------------------------
    if (path.startsWith('/gitlab/api/v4/projects/') && (m = rawProject(call, req))) {
      const project = m[1] ?? '';
      const rest = m[2] ?? '';
      const privateToken = String(req.headers['private-token'] ?? req.headers['deploy-token'] ?? '');
      const jobToken = String(req.headers['job-token'] ?? '');
      if (!tokens.has(privateToken || jobToken)) return send(401, { message: '401 Unauthorized' });
      const scope = tokenProjects.get(privateToken || jobToken);
      if (scope && !scope.includes(project)) return send(404, { message: '404 Project Not Found' });
      if (jobToken && jobTokenDenied.has(project)) return send(403, { message: '403 Forbidden' });
      let r: RegExpMatchArray | null;
      if ((r = rest.match(/^\/repository\/commits\/([0-9a-f]{7,40})$/)) && call.method === 'GET') {
        if (!gitlabCommits.get(project)?.has(r[1] ?? '')) return send(404, { message: '404 Commit Not Found' });
        return send(200, {
          id: r[1],
          short_id: r[1]?.slice(0, 8),
          web_url: `https://gitlab.example/${project}/-/commit/${r[1]}`,
        });
      }
      const releases = gitlabReleases.get(project) ?? [];
      gitlabReleases.set(project, releases);
      if (rest === '/releases' && call.method === 'POST') {
        if (releases.some((x) => x.tag_name === body.tag_name)) return send(409, { message: 'Release already exists' });
        const release = {
          tag_name: str(body.tag_name, ''),
          name: str(body.name, str(body.tag_name, '')),
          description: str(body.description, ''),
          ref: str(body.ref, ''),
        };
        releases.push(release);
        return send(201, {
          ...release,
          _links: { self: `https://gitlab.example/${project}/-/releases/${release.tag_name}` },
        });
      }
      if ((r = rest.match(/^\/releases\/([^/]+)$/)) && call.method === 'GET') {
        const found = releases.find((x) => x.tag_name === decodeURIComponent(r?.[1] ?? ''));
        return found
          ? send(200, { ...found, _links: { self: `https://gitlab.example/${project}/-/releases/${found.tag_name}` } })
          : send(404, { message: '404 Not Found' });
      }
      const mrs = gitlabMrs.get(project) ?? new Map<number, Pull>();
      const mrState = (mr: Pull) => (mr.merged ? 'merged' : mr.state === 'open' ? 'opened' : 'closed');
      if (rest === '/merge_requests' && call.method === 'GET') {
        const wanted = call.query.state ?? 'all';
        const labels = (call.query.labels ?? '').split(',').filter(Boolean);
        const list = [...mrs.values()]
          .filter((mr) => wanted === 'all' || mrState(mr) === wanted)
          .filter((mr) => !call.query.source_branch || mr.head === call.query.source_branch)
          .filter((mr) => labels.every((label) => mr.labels.includes(label)))
          .reverse()
          .map((mr) => ({
            iid: mr.number,
            state: mrState(mr),
            source_branch: mr.head,
            sha: mr.headSha,
            labels: mr.labels,
            web_url: `https://gitlab.example/${project}/-/merge_requests/${mr.number}`,
          }));
        return send(200, list);
      }
      if ((r = rest.match(/^\/merge_requests\/(\d+)$/)) && call.method === 'GET') {
        const mr = mrs.get(Number(r[1]));
        if (!mr) return send(404, { message: '404 Not found' });
        return send(200, {
          iid: mr.number,
          state: mr.merged ? 'merged' : mr.state === 'open' ? 'opened' : 'closed',
          detailed_merge_status: mr.mergeable ? 'mergeable' : 'conflict',
          sha: mr.headSha,
          merge_commit_sha: mr.mergeSha ?? null,
        });
      }
      if ((r = rest.match(/^\/merge_requests\/(\d+)\/merge$/)) && call.method === 'PUT') {
        const mr = mrs.get(Number(r[1]));
        if (!mr) return send(404, { message: '404 Not found' });
        if (mr.merged || mr.state !== 'open') return send(406, { message: '406 Branch cannot be merged' });
        if (!mr.mergeable) return send(405, { message: '405 Method Not Allowed' });
        if (body.sha && body.sha !== mr.headSha)
          return send(409, { message: 'SHA does not match HEAD of source branch' });
        mr.merged = true;
        mr.mergeSha = createHash('sha1').update(`mr-${mr.number}`).digest('hex');
        return send(200, { iid: mr.number, state: 'merged', merge_commit_sha: mr.mergeSha });
      }
      if ((r = rest.match(/^\/packages\/generic\/([^/]+)\/([^/]+)\/([^/]+)$/))) {
        const [name, version, file] = [r[1] ?? '', r[2] ?? '', r[3] ?? ''];
        const pkg = packages.get(packageKey(project, name, version));
        if (call.method === 'GET') {
          const found = pkg?.files.filter((f) => f.file_name === file).at(-1);
          return found ? send(200, found.bytes) : send(404, { message: '404 Not Found' });
        }
        if (call.method === 'PUT') {
          if (pkg?.files.some((f) => f.file_name === file))
            return send(403, { message: 'Duplicate package is not allowed' });
          const record = storeFile(project, name, version, file, raw);
          if (call.query.select === 'package_file') {
            return send(201, {
              id: record.id,
              package_id: record.package_id,
              file_name: record.file_name,
              size: record.size,
              file_sha256: record.file_sha256,
            });
          }
          return send(201, { message: '201 Created' });
        }
      }
      // A deploy token reaches only the package registry endpoints, not the packages API (GitLab answers 404).
      if (req.headers['deploy-token'] && /^\/packages(\/\d+\/package_files)?$/.test(rest))
        return send(404, { message: '404 Project Not Found' });
      if (rest === '/packages' && call.method === 'GET') {
        const list = [...packages.entries()]
          .filter(
            ([key, pkg]) =>
              key.startsWith(`${project}|`) &&
              (!call.query.package_name || pkg.name === call.query.package_name) &&
              (!call.query.package_version || pkg.version === call.query.package_version),
          )
          .map(([, pkg]) => ({ id: pkg.id, name: pkg.name, version: pkg.version, package_type: 'generic' }));
        return send(200, list);
      }
      if ((r = rest.match(/^\/packages\/(\d+)\/package_files$/)) && call.method === 'GET') {
        const pkg = [...packages.values()].find((p) => p.id === Number(r?.[1]));
        if (!pkg) return send(404, { message: '404 Package Not Found' });
        return send(
          200,
          pkg.files.map(({ bytes: _bytes, ...file }) => file),
        );
      }
      return send(404, { message: '404 Not Found' });
    }

    // --- control plane pins -----------------------------------------------------------------------------
    if ((m = path.match(/^\/pins\/([^/]+)$/))) {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!tokens.has(token)) return send(401, { error: 'unauthorized' });
      const name = m[1] ?? '';
      if (call.method === 'GET') return pins.has(name) ? send(200, pins.get(name)) : send(404, { error: 'no pin' });
      if (call.method === 'POST') {
        if (typeof body.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(body.digest))
          return send(400, { error: 'digest must be sha256:<64 hex>' });
        pins.set(name, {
          name,
          digest: body.digest,
          version: str(body.version, ''),
          gitSha: str(body.gitSha, ''),
        });
        return send(200, pins.get(name));
      }
    }
    return send(404, { message: 'Not Found' });
  }

  function rawProject(_call: RecordedCall, req: IncomingMessage): RegExpMatchArray | null {
    // Node decodes nothing in req.url: an encoded project path ("group%2Fproject") arrives intact.
    return (req.url ?? '')
      .split('?')[0]
      ?.match(/^\/gitlab\/api\/v4\/projects\/([^/]+)(\/.*)$/)
      ?.map((part, index) => (index === 1 ? decodeURIComponent(part) : part)) as RegExpMatchArray | null;
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    githubUrl: `${url}/github`,
    gitlabUrl: `${url}/gitlab/api/v4`,
    pinsUrl: `${url}/pins`,
    calls,
    callsTo: (method, pattern) => calls.filter((c) => c.method === method && pattern.test(c.path)),
    tokens,
    seedGithubCommit: (repo, sha) => githubCommits.set(repo, (githubCommits.get(repo) ?? new Set()).add(sha)),
    seedGithubPull: (repo, number, pull) => {
      const pulls = githubPulls.get(repo) ?? new Map<number, Pull>();
      githubPulls.set(repo, pulls);
      pulls.set(number, {
        number,
        state: pull.state ?? 'open',
        merged: pull.merged ?? false,
        mergeable: pull.mergeable ?? true,
        headSha: pull.headSha ?? 'a'.repeat(40),
        head: pull.head ?? `branch-${number}`,
        labels: pull.labels ?? [],
        nodeId: `PR_kw${Buffer.from(`${repo}#${number}`).toString('base64url')}`,
        checksPending: pull.checksPending ?? false,
        autoMerge: false,
      });
    },
    deleteGithubRelease: (repo, tag) => {
      const releases = githubReleases.get(repo) ?? [];
      const index = releases.findIndex((r) => r.tag_name === tag);
      if (index >= 0) releases.splice(index, 1);
    },
    chatMessages,
    runtimePins,
    githubReleaseAssets: (repo, tag) => {
      const release = (githubReleases.get(repo) ?? []).find((r) => r.tag_name === tag);
      return (release ? (releaseAssets.get(release.id) ?? []) : []).map((a) => ({
        name: a.name,
        size: a.size,
        digest: a.digest,
      }));
    },
    restrictToken: (token, projects) => {
      tokens.add(token);
      tokenProjects.set(token, projects);
    },
    githubPull: (repo, number) => githubPulls.get(repo)?.get(number),
    githubReleases: (repo) => githubReleases.get(repo) ?? [],
    seedGitlabCommit: (project, sha) => gitlabCommits.set(project, (gitlabCommits.get(project) ?? new Set()).add(sha)),
    seedGitlabMergeRequest: (project, iid, mr) => {
      const mrs = gitlabMrs.get(project) ?? new Map<number, Pull>();
      gitlabMrs.set(project, mrs);
      mrs.set(iid, {
        number: iid,
        state: mr.state === 'closed' ? 'closed' : 'open',
        merged: mr.state === 'merged',
        mergeable: mr.mergeable ?? true,
        headSha: mr.headSha ?? 'b'.repeat(40),
        head: mr.head ?? `branch-${iid}`,
        labels: mr.labels ?? [],
        nodeId: `MR_${iid}`,
        checksPending: mr.checksPending ?? false,
        autoMerge: false,
      });
    },
    gitlabReleases: (project) => gitlabReleases.get(project) ?? [],
    setJobTokenAllowlist: (project, allowed) =>
      allowed ? jobTokenDenied.delete(project) : jobTokenDenied.add(project),
    seedGitlabPackageFile: (project, name, version, file, bytes) => void storeFile(project, name, version, file, bytes),
    packageFile: (project, name, version, file) =>
      packages.get(packageKey(project, name, version))?.files.find((f) => f.file_name === file),
    pins: () => pins,
    failNext: (match, responses) => faults.push({ ...match, responses: [...responses], always: false }),
    failAlways: (match, response) => faults.push({ ...match, responses: [response], always: true }),
    clearFaults: () => void faults.splice(0, faults.length),
    oidcIssuer: (name) => {
      const existing = issuers.get(name);
      if (existing) return existing.issuer;
      const routes = fakeIssuer(`${url}/oidc/${name}`, `/oidc/${name}`);
      issuers.set(name, routes);
      return routes.issuer;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
