import type { WorkflowHandle } from '@temporalio/client';
import { RegistryClient } from '../../src/registry/client.ts';
import { describe, expect, it } from 'vitest';
import { copyStarted, uniqueProject, waitForPhase } from '../support/release-bed.ts';
import type { Fault } from '../support/fault-rules-proxy.ts';
import { useChaosBed } from './chaos-bed.ts';

interface FaultCase {
  fault: string;
  where: string;
  /** The documented outcome (docs/operations.md, "Faults"): transient faults complete, corrupt bytes are refused. */
  expected: 'completed' | 'refused: DigestMismatch' | 'refused: VerificationFailed';
  rules: (
    project: string,
    layers: string[],
  ) => { proxy: 'source' | 'destination' | 'forge'; method?: string; path: RegExp; fault: Fault; times?: number }[];
}

const registryError = (code: string) => JSON.stringify({ errors: [{ code, message: code.toLowerCase() }] });

const cases: FaultCase[] = [
  {
    fault: '5xx',
    where: 'source manifests (503 x3), forge release creation (502 x2)',
    expected: 'completed',
    rules: (p) => [
      {
        proxy: 'source',
        path: new RegExp(`^/v2/staging/${p}/manifests/`),
        times: 3,
        fault: { kind: 'status', status: 503, body: registryError('UNAVAILABLE') },
      },
      {
        proxy: 'forge',
        method: 'POST',
        path: new RegExp(`/repos/acme/${p}/releases$`),
        times: 2,
        fault: { kind: 'status', status: 502, body: 'bad gateway' },
      },
    ],
  },
  {
    fault: '429 + Retry-After',
    where: 'source manifests (x3), control-plane pin (x2), Retry-After: 1',
    expected: 'completed',
    rules: (p) => [
      {
        proxy: 'source',
        path: new RegExp(`^/v2/staging/${p}/manifests/`),
        times: 3,
        fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: registryError('TOOMANYREQUESTS') },
      },
      {
        proxy: 'forge',
        method: 'POST',
        path: new RegExp(`^/pins/${p}$`),
        times: 2,
        fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' }, body: '{}' },
      },
    ],
  },
  {
    fault: 'reset mid-blob',
    where: 'source blobs, RST after 512 KiB (x2)',
    expected: 'completed',
    rules: (p) => [
      {
        proxy: 'source',
        method: 'GET',
        path: new RegExp(`^/v2/staging/${p}/blobs/`),
        times: 2,
        fault: { kind: 'reset', afterBytes: 512 * 1024 },
      },
    ],
  },
  {
    fault: 'silent stall (forge)',
    where: 'forge commit lookup: no answer, connection kept open (x1)',
    expected: 'completed',
    rules: (p) => [
      {
        proxy: 'forge',
        method: 'GET',
        path: new RegExp(`/repos/acme/${p}/commits/`),
        times: 1,
        fault: { kind: 'stall', afterBytes: 0 },
      },
    ],
  },
  {
    fault: 'silent stall (registry)',
    where: 'source blob: 1 MiB, then silence on an open connection (x1)',
    expected: 'completed',
    rules: (p) => [
      {
        proxy: 'source',
        method: 'GET',
        path: new RegExp(`^/v2/staging/${p}/blobs/`),
        times: 1,
        fault: { kind: 'stall', afterBytes: 1024 * 1024 },
      },
    ],
  },
  {
    // The image layers only: cosign (verify, before the copy) reads no layer, the copy does.
    fault: 'corrupt bytes (layer)',
    where: 'source image layers: one byte flipped, same length (every time)',
    expected: 'refused: DigestMismatch',
    rules: (p, layers) => [
      {
        proxy: 'source',
        method: 'GET',
        path: new RegExp(`^/v2/staging/${p}/blobs/(${layers.join('|')})$`),
        fault: { kind: 'corrupt' },
      },
    ],
  },
  {
    // cosign, the first to read a manifest by digest, reports corrupt bytes as "no signatures found": stop-ship.
    fault: 'corrupt bytes (manifest)',
    where: 'source manifests by digest: one byte flipped (every time)',
    expected: 'refused: VerificationFailed',
    rules: (p) => [
      {
        proxy: 'source',
        method: 'GET',
        path: new RegExp(`^/v2/staging/${p}/manifests/sha256:`),
        fault: { kind: 'corrupt' },
      },
    ],
  },
];

// The fault matrix (issue 16): each fault class between shipgate and the registries or the forge, through the fault
// proxy. Transient ones must end completed (retried, Retry-After honoured); corrupt bytes must be refused at once as
// DigestMismatch (permanent: one attempt, both digests named), never retried as transient.
describe('fault matrix', () => {
  const chaos = useChaosBed();
  const { bed, proxies } = chaos;

  /** The image's layer digests (of every platform), read from the source directly. */
  const layersOf = async (repository: string, digest: string): Promise<string[]> => {
    const client = new RegistryClient({ host: bed.source, plainHttp: true });
    const index = await client.manifest(repository, digest);
    const platforms = (index?.json as { manifests?: { digest: string }[] }).manifests ?? [];
    const layers = await Promise.all(
      platforms.map(async (m) => {
        const manifest = await client.manifest(repository, m.digest);
        return ((manifest?.json as { layers?: { digest: string }[] }).layers ?? []).map((l) => l.digest);
      }),
    );
    return layers.flat();
  };

  const run = async (c: FaultCase) => {
    const project = uniqueProject('fault');
    const version = '3.0.0';
    const prepared = await chaos.prepare(project, version, 2 * 1024 * 1024);
    const remove = c
      .rules(project, await layersOf(`staging/${project}`, prepared.image.digest))
      .map((r) => proxies[r.proxy].inject(r));
    const started = Date.now();
    const handle: WorkflowHandle = await prepared.start(bed.taskQueue);
    const waiting = await waitForPhase(handle, ['awaiting-approval', 'needs-attention'], 6 * 60_000).catch(
      (error: unknown) => ({
        phase: 'stuck',
        attention: { type: 'none', message: String(error).slice(0, 200) },
        gate: undefined,
      }),
    );
    let outcome: string;
    let detail = '';
    if (waiting.phase === 'awaiting-approval') {
      await chaos.approve(handle, waiting as Parameters<typeof chaos.approve>[1]);
      const done = await waitForPhase(handle, ['promoted', 'needs-attention'], 4 * 60_000);
      const end = await chaos.outcome(project, version, prepared.image, handle);
      const once = end.identicalDigests && end.releases === 1 && end.merges === 1 && end.pins === 1;
      outcome = done.phase === 'promoted' && once ? 'completed' : `${done.phase} ${JSON.stringify(end)}`;
    } else {
      const attention = waiting.attention as { type?: string; message?: string; step?: string } | undefined;
      outcome = waiting.phase === 'needs-attention' ? `refused: ${attention?.type}` : waiting.phase;
      detail = `${attention?.step ?? ''} attempt ${(await copyStarted(handle))?.attempt ?? '-'}: ${attention?.message?.slice(0, 160) ?? ''}`;
    }
    for (const r of remove) r();
    const applied = Object.values(proxies).reduce(
      (n, p) => n + p.log.filter((e) => e.fault && e.path.includes(project)).length,
      0,
    );
    return { ...c, outcome, seconds: (Date.now() - started) / 1000, applied, detail };
  };

  it(
    'each fault class ends completed or refused as documented',
    async () => {
      const rows = await Promise.all(cases.map(run));
      console.log(
        [
          '',
          'fault matrix',
          `  ${'fault'.padEnd(26)} ${'expected'.padEnd(24)} ${'outcome'.padEnd(24)} ${'faults'.padStart(6)} ${'time'.padStart(7)}  where`,
          ...rows.map(
            (r) =>
              `  ${r.fault.padEnd(26)} ${r.expected.padEnd(24)} ${r.outcome.slice(0, 24).padEnd(24)} ${String(r.applied).padStart(6)} ${r.seconds.toFixed(1).padStart(6)}s  ${r.where}${r.detail ? `\n      ${r.detail}` : ''}`,
          ),
          `fault matrix: ${rows.filter((r) => r.outcome === r.expected).length}/${rows.length} as documented`,
        ].join('\n'),
      );
      for (const r of rows) expect(r.applied).toBeGreaterThan(0);
      expect(rows.map((r) => [r.fault, r.outcome])).toEqual(rows.map((r) => [r.fault, r.expected]));
    },
    15 * 60_000,
  );
});
