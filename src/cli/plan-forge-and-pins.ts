import { checkCommitIsPublic } from '../activities/check-canonical.ts';
import { findPullRequest } from '../activities/find-pull-request.ts';
import { resolveGenericPackage } from '../activities/generic-package.ts';
import { renderJson, renderString, secretNames, type JsonValue } from '../config/pin-template.ts';
import type { ReleaseSpec } from '../config/spec.ts';
import { storedPackageFiles } from '../forge/gitlab-packages.ts';
import { forgeFor } from '../forge/index.ts';
import { pinJobs, type PinnableArtifact } from '../workflows/pin-jobs.ts';

// The rest of the dry run (`shipgate plan`): packages by sha256, the canonical check, the draft, the release PR
// and the pin requests. Only reads (GET/HEAD): nothing here writes to a registry, a forge or a control plane.

export interface PlannedPackage {
  name: string;
  files: { name: string; sha256: string; size: number; action: 'copy' | 'present' | 'conflict' | 'source only' }[];
  problem: string | null;
}

export interface PlannedForge {
  canonical: { checked: boolean; public?: boolean; detail: string; gate: string };
  draft: { state: 'none' | 'draft' | 'published' | 'not-checked'; detail: string };
  pullRequest: { number?: number; state?: string; detail: string } | null;
  problems: string[];
}

export interface PlannedPin {
  artifact: string;
  method: string;
  url: string;
  /** Header values with every ${VAR} masked: the dry run never prints a secret. */
  headers: Record<string, string>;
  body?: JsonValue;
  /** The worker variables the headers read, and whether this machine has them set. */
  secrets: { variable: string; set: boolean }[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Each generic package's files at the source by sha256, and whether the destination already holds them. */
export async function planPackages(spec: ReleaseSpec): Promise<PlannedPackage[]> {
  return Promise.all(
    spec.generic.map(async (pkg): Promise<PlannedPackage> => {
      try {
        const files = await resolveGenericPackage(pkg);
        const present = pkg.destination
          ? await storedPackageFiles(pkg.destination, pkg.name, pkg.version, pkg.files)
          : undefined;
        const planned = files.map((file) => {
          const there = present?.find((f) => f.file_name === file.name);
          const action = !present
            ? 'source only'
            : !there
              ? 'copy'
              : there.file_sha256 === file.sha256
                ? 'present'
                : 'conflict';
          return { ...file, action } as const;
        });
        const conflicts = planned.filter((f) => f.action === 'conflict').map((f) => f.name);
        return {
          name: pkg.name,
          files: planned,
          problem: conflicts.length
            ? `${pkg.destination?.project ?? ''} already holds ${conflicts.join(', ')} with another sha256`
            : null,
        };
      } catch (error) {
        return { name: pkg.name, files: [], problem: message(error) };
      }
    }),
  );
}

/** The canonical check, the release for the tag and the release PR, as the release would find them now. */
export async function planForge(spec: ReleaseSpec, commitGiven: boolean): Promise<PlannedForge> {
  const forge = spec.forge;
  const problems: string[] = [];
  const result: PlannedForge = {
    canonical: { checked: false, detail: 'no forge or canonical.check: false', gate: gateWord(spec, undefined) },
    draft: { state: 'not-checked', detail: 'no forge' },
    pullRequest: null,
    problems,
  };
  if (!forge) return result;
  if (spec.canonicalCheck && !commitGiven)
    result.canonical = {
      checked: false,
      detail: 'give --commit to look the commit up',
      gate: gateWord(spec, undefined),
    };
  else if (spec.canonicalCheck)
    try {
      const found = await checkCommitIsPublic({ forge, commitSha: spec.commitSha });
      result.canonical = {
        checked: true,
        public: found.public,
        detail: found.detail,
        gate: gateWord(spec, found.public),
      };
    } catch (error) {
      problems.push(`canonical check: ${message(error)}`);
      result.canonical = { checked: false, detail: message(error), gate: gateWord(spec, undefined) };
    }
  try {
    const existing = await forgeFor(forge).findRelease(spec.tag);
    result.draft = !existing
      ? { state: 'none', detail: `no release ${spec.tag} yet: publish drafts it` }
      : existing.state === 'draft'
        ? { state: 'draft', detail: `a draft ${spec.tag} exists (id ${existing.id}); publish finds it and reuses it` }
        : { state: 'published', detail: `release ${spec.tag} is already published (id ${existing.id})` };
    if (existing?.state === 'published') problems.push(result.draft.detail);
  } catch (error) {
    problems.push(`release lookup: ${message(error)}`);
    result.draft = { state: 'not-checked', detail: message(error) };
  }
  const rule = spec.promotion.pullRequest;
  if (rule)
    try {
      if (rule.number !== undefined) {
        const pr = await forgeFor(forge).pullRequest(rule.number);
        if (!pr) throw new Error(`#${rule.number} does not exist in ${forge.project}`);
        const state = pr.merged ? 'merged' : pr.open ? 'open' : 'closed';
        result.pullRequest = { number: rule.number, state, detail: `#${rule.number} is ${state}` };
      } else {
        const by = rule.head ? { head: rule.head } : rule.label ? { label: rule.label } : undefined;
        if (!by) throw new Error('no release PR: give --pr N at start, or mergePullRequest.head or label');
        const found = await findPullRequest({ forge, by });
        result.pullRequest = { number: found.number, state: found.state, detail: `#${found.number} (${found.state})` };
      }
    } catch (error) {
      problems.push(`release PR: ${message(error)}`);
      result.pullRequest = { detail: message(error) };
    }
  return result;
}

function gateWord(spec: ReleaseSpec, isPublic: boolean | undefined): string {
  if (spec.gate.sync === 'manual') return 'waits for a sync go (gate.mode: manual)';
  if (isPublic) return 'copies at once (the commit is public)';
  const poll = spec.canonicalPoll;
  const polls = poll
    ? `, re-checking every ${poll.intervalMs / 1000}s (x${poll.backoff}, at most ${poll.maxIntervalMs / 1000}s)`
    : '';
  return isPublic === false ? `waits for a sync go${polls}` : `unknown until the commit is checked${polls}`;
}

/** The pin requests promotion would send, rendered from the plan's templates, with secrets masked. */
export function planPins(spec: ReleaseSpec, artifacts: PinnableArtifact[]): PlannedPin[] {
  return pinJobs(spec, artifacts, '(the release notes)').map(({ target, fields }) => {
    const variables = [...new Set(Object.values(target.request.headers).flatMap(secretNames))];
    return {
      artifact: fields.name,
      method: target.request.method,
      url: renderString(target.request.url, fields, true),
      headers: Object.fromEntries(
        Object.entries(target.request.headers).map(([header, value]) => [header, masked(header, value)]),
      ),
      ...(target.request.body === undefined ? {} : { body: renderJson(target.request.body, fields) }),
      secrets: variables.map((variable) => ({ variable, set: Boolean(process.env[variable]) })),
    };
  });
}

/** ${VAR} shows as ***(VAR); a credential-looking header written out literally shows as *** only. */
function masked(header: string, value: string): string {
  if (secretNames(value).length === 0 && /authorization|token|secret|key|cookie|password/i.test(header)) return '***';
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_whole, variable: string) => `***(${variable})`);
}

/** The dry run's text for packages, the forge and the pins. */
export function printForgeAndPins(
  print: (line: string) => void,
  table: (headers: string[], rows: string[][]) => string,
  packages: PlannedPackage[],
  forge: PlannedForge,
  pins: PlannedPin[],
): void {
  const files = packages.flatMap((p) =>
    p.files.map((f) => [p.name, f.name, `sha256:${f.sha256}`, String(f.size), f.action]),
  );
  if (files.length) print(`\n${table(['package', 'file', 'sha256', 'bytes', 'action'], files)}`);
  for (const p of packages.filter((x) => x.problem)) print(`\n${p.name}: ${p.problem}`);
  print(`\ncanonical check: ${forge.canonical.detail}; the sync gate ${forge.canonical.gate}`);
  print(`draft release: ${forge.draft.detail}`);
  if (forge.pullRequest) print(`release PR: ${forge.pullRequest.detail}`);
  for (const problem of forge.problems) print(`problem: ${problem}`);
  if (pins.length) print('\npin requests promotion would send (secrets masked):');
  for (const pin of pins) {
    print(`  ${pin.artifact}: ${pin.method} ${pin.url}`);
    for (const [header, value] of Object.entries(pin.headers)) print(`    ${header}: ${value}`);
    if (pin.body !== undefined) print(`    body: ${JSON.stringify(pin.body)}`);
    const unset = pin.secrets.filter((s) => !s.set).map((s) => s.variable);
    if (unset.length) print(`    (not set on this machine: ${unset.join(', ')}; the worker needs them)`);
  }
}
