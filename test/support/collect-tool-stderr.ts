// Collects what regctl, cosign and helm really print for each kind of registry trouble, provoked against loopback
// registries through the fault proxy, into test/unit/tool-stderr.samples.json (read by test/unit/tool-failure-
// classes.test.ts). Run again after a tool upgrade: node test/support/collect-tool-stderr.ts
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from '../../src/devstack/processes.ts';
import { startLocalRegistry } from '../../src/devstack/registry.ts';
import { FailureTypes, type FailureType } from '../../src/errors.ts';
import { toolPath, type ToolName } from '../../src/tools/locate.ts';
import { startFaultProxy, type Fault } from './fault-rules-proxy.ts';
import { pushChart, helmEnv } from './fixtures/charts.ts';
import { pushImage } from './fixtures/images.ts';
import { generateKeyPair, signArtifact } from './fixtures/signing.ts';

export interface ToolStderrSample {
  tool: ToolName;
  case: string;
  /** What shipgate must make of it: a failure type, or "verdict" (cosign's answer about a signature, not a failure). */
  expected: FailureType | 'verdict';
  exitCode: number;
  stderr: string;
}

const work = mkdtempSync(join(tmpdir(), 'shipgate-stderr-'));
const credentials = { username: 'releaser', password: 'collect-pw' };
const [open, locked] = await Promise.all([
  startLocalRegistry({ stateDir: join(work, 'open') }),
  startLocalRegistry({ stateDir: join(work, 'locked'), credentials }),
]);
const proxy = await startFaultProxy(open.url);
const closedPort = `127.0.0.1:${await freePort()}`;
const samples: ToolStderrSample[] = [];

try {
  const image = await pushImage({ registry: open.host, repository: 'staging/app', tag: 'v1.0.0', layerBytes: 2 << 20 });
  const unsigned = await pushImage({ registry: open.host, repository: 'staging/unsigned', tag: 'v1.0.0' });
  const key = await generateKeyPair(join(work, 'keys'));
  const otherKey = await generateKeyPair(join(work, 'other'), 'other');
  await signArtifact(`${image.ref}@${image.digest}`, { key, format: 'bundle' });
  const chart = await pushChart({ registry: open.host, repositoryPrefix: 'charts', name: 'app', version: '1.0.0' });
  const badKey = join(work, 'bad.pub');
  writeFileSync(badKey, '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n');

  // Credentials for the locked registry, except in the cases that show what a missing credential looks like.
  const env = (dir: string, anonymous: boolean): Record<string, string> => {
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    if (!anonymous) writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [locked.host]: { auth } } }));
    return {
      DOCKER_CONFIG: dir,
      REGCTL_CONFIG: join(dir, 'regctl.json'),
      ...helmEnv(dir, dir),
    };
  };
  const run = async (
    tool: ToolName,
    name: string,
    expected: ToolStderrSample['expected'],
    args: string[],
    faults: { path: RegExp; fault: Fault }[] = [],
    timeoutMs = 60_000,
  ): Promise<void> => {
    const remove = faults.map((f) => proxy.inject(f));
    const dir = mkdtempSync(join(work, 'env-'));
    const result = await execa(toolPath(tool), args, {
      reject: false,
      env: env(dir, expected === FailureTypes.registryUnauthorized),
      timeout: timeoutMs,
      stdin: 'ignore',
    });
    for (const r of remove) r();
    const exitCode = result.exitCode ?? -1;
    const stderr = (result.stderr || result.stdout).replaceAll(work, '<work>');
    if (exitCode === 0) console.warn(`${tool} ${name}: exited 0, not recorded`);
    else samples.push({ tool, case: name, expected, exitCode, stderr });
    console.log(
      `${tool.padEnd(6)} ${name.padEnd(28)} exit ${exitCode}: ${stderr.trim().split('\n').at(-1)?.slice(0, 110)}`,
    );
  };

  const at = (host: string, repo = 'staging/app', ref = `@${image.digest}`) => `${host}/${repo}${ref}`;
  const all = /.*/;
  const blobs = /\/blobs\/sha256:/;
  // The bodies registries and the proxies in front of them send (distribution's error codes, a load balancer's page).
  const bodies: Record<number, string> = {
    403: JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }),
    429: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'rate limit exceeded' }] }),
    500: JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'unknown error' }] }),
    502: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    503: JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] }),
  };
  // Past the /v2/ ping: the fault is on the repository's requests, as a real rate limit or outage would be.
  const status = (code: number, headers: Record<string, string> = {}): { path: RegExp; fault: Fault }[] => [
    { path: /^\/v2\/.+/, fault: { kind: 'status', status: code, headers, body: bodies[code] ?? '' } },
  ];
  const regctlHosts = (...hosts: string[]) => hosts.flatMap((h) => ['--host', `reg=${h},tls=disabled`]);
  const copy = (from: string, to = `${locked.host}/prod/app:v1.0.0`) => [
    ...regctlHosts(proxy.host, locked.host, closedPort, open.host),
    'image',
    'copy',
    '--referrers',
    '--digest-tags',
    '--force-recursive',
    from,
    to,
  ];
  const R = FailureTypes;

  // regctl image copy, as the copy activity runs it.
  await run('regctl', 'unauthorized (401)', R.registryUnauthorized, copy(at(open.host)));
  await run('regctl', 'forbidden (403)', R.registryForbidden, copy(at(proxy.host)), status(403));
  await run('regctl', 'manifest unknown (404)', R.sourceArtifactMissing, copy(at(open.host, 'staging/app', ':v9')));
  await run('regctl', 'name unknown (404)', R.sourceArtifactMissing, copy(at(open.host, 'staging/none', ':v1')));
  await run(
    'regctl',
    'too many requests (429)',
    R.transient,
    copy(at(proxy.host)),
    status(429, { 'retry-after': '1' }),
  );
  await run('regctl', 'internal error (500)', R.transient, copy(at(proxy.host)), status(500));
  await run('regctl', 'bad gateway (502)', R.transient, copy(at(proxy.host)), status(502));
  await run('regctl', 'unavailable (503)', R.transient, copy(at(proxy.host)), status(503));
  await run('regctl', 'connection refused', R.transient, copy(at(closedPort)));
  await run('regctl', 'reset mid-blob', R.transient, copy(at(proxy.host)), [
    { path: blobs, fault: { kind: 'reset', afterBytes: 64 * 1024 } },
  ]);
  await run('regctl', 'corrupt blob (digest mismatch)', R.digestMismatch, copy(at(proxy.host)), [
    { path: blobs, fault: { kind: 'corrupt' } },
  ]);
  await run('regctl', 'corrupt manifest', R.digestMismatch, copy(at(proxy.host)), [
    { path: /\/manifests\/sha256:/, fault: { kind: 'corrupt' } },
  ]);
  await run(
    'regctl',
    'stalled blob (tool timeout)',
    R.transient,
    copy(at(proxy.host)),
    [{ path: blobs, fault: { kind: 'stall', afterBytes: 64 * 1024 } }],
    8_000,
  );

  // cosign verify --key, as the verify activity runs it.
  const verify = (ref: string, k = key.publicKey, extra: string[] = []) => [
    'verify',
    '--key',
    k,
    '--insecure-ignore-tlog=true',
    ...extra,
    ref,
  ];
  await run('cosign', 'unauthorized (401)', R.registryUnauthorized, verify(at(locked.host, 'prod/app', ':v1')));
  await run('cosign', 'forbidden (403)', R.registryForbidden, verify(at(proxy.host)), status(403));
  await run('cosign', 'manifest unknown (404)', R.sourceArtifactMissing, verify(at(open.host, 'staging/app', ':v9')));
  await run(
    'cosign',
    'too many requests (429)',
    R.transient,
    verify(at(proxy.host)),
    status(429, { 'retry-after': '1' }),
  );
  await run('cosign', 'unavailable (503)', R.transient, verify(at(proxy.host)), status(503));
  await run('cosign', 'internal error (500)', R.transient, verify(at(proxy.host)), status(500));
  await run('cosign', 'bad gateway (502)', R.transient, verify(at(proxy.host)), status(502));
  await run('cosign', 'connection refused', R.transient, verify(at(closedPort)));
  // cosign reads a signature it cannot fetch or whose bytes do not match as "no signatures found" (exit 10): a verdict.
  await run('cosign', 'reset mid-blob (verdict)', 'verdict', verify(at(proxy.host)), [
    { path: blobs, fault: { kind: 'reset', afterBytes: 10 } },
  ]);
  await run(
    'cosign',
    'timeout (stalled registry)',
    R.transient,
    verify(at(proxy.host), key.publicKey, ['--timeout', '3s']),
    [{ path: all, fault: { kind: 'stall', afterBytes: 0 } }],
  );
  await run('cosign', 'corrupt signature blob (verdict)', 'verdict', verify(at(proxy.host)), [
    { path: blobs, fault: { kind: 'corrupt' } },
  ]);
  await run('cosign', 'corrupt manifest (verdict)', 'verdict', verify(at(proxy.host)), [
    { path: /\/manifests\/sha256:/, fault: { kind: 'corrupt' } },
  ]);
  await run('cosign', 'wrong key (verdict)', 'verdict', verify(at(open.host), otherKey.publicKey));
  await run('cosign', 'bad key file', R.toolFailed, verify(at(open.host), badKey));
  await run(
    'cosign',
    'no signatures (verdict)',
    'verdict',
    verify(at(open.host, 'staging/unsigned', `@${unsigned.digest}`)),
  );

  // helm pull of an OCI chart.
  const pull = (host: string, ref = `:${chart.tag}`) => [
    'pull',
    '--plain-http',
    `oci://${host}/${chart.repository}${ref === `:${chart.tag}` ? '' : ''}`,
    ...(ref.startsWith(':') ? ['--version', ref.slice(1)] : []),
    '--destination',
    join(work, 'pulled'),
  ];
  await run('helm', 'unauthorized (401)', R.registryUnauthorized, pull(locked.host));
  await run('helm', 'forbidden (403)', R.registryForbidden, pull(proxy.host), status(403));
  await run('helm', 'not found (404)', R.sourceArtifactMissing, pull(open.host, ':9.9.9'));
  await run('helm', 'too many requests (429)', R.transient, pull(proxy.host), status(429, { 'retry-after': '1' }));
  await run('helm', 'unavailable (503)', R.transient, pull(proxy.host), status(503));
  await run('helm', 'bad gateway (502)', R.transient, pull(proxy.host), status(502));
  await run('helm', 'connection refused', R.transient, pull(closedPort));
  await run('helm', 'reset mid-blob', R.transient, pull(proxy.host), [
    { path: blobs, fault: { kind: 'reset', afterBytes: 10 } },
  ]);
  await run('helm', 'corrupt blob (digest mismatch)', R.digestMismatch, pull(proxy.host), [
    { path: blobs, fault: { kind: 'corrupt' } },
  ]);

  const out = new URL('../unit/tool-stderr.samples.json', import.meta.url);
  writeFileSync(out, JSON.stringify(samples, null, 2) + '\n');
  console.log(`${samples.length} samples -> ${out.pathname}`);
} finally {
  await proxy.close();
  await Promise.allSettled([open.stop(), locked.stop()]);
  rmSync(work, { recursive: true, force: true });
}
