import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { postgresMajor } from '../../src/devstack/production/postgres.ts';

// No Docker engine here, so the images cannot be built or run: this test keeps the container path honest instead.
// It reads the versions the native stack is built from (scripts/setup) and checks that the Dockerfile and
// docker-compose.yml name the same ones, and that the Go image can build every tool the Dockerfile installs.
const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const dockerfile = read('Dockerfile');
const setup = read('scripts/setup');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, { image?: string }> };

/** scripts/setup's GO_TOOLS: name -> { pkg, version }. */
const setupTools = new Map(
  [...setup.matchAll(/^\s*"([\w-]+)\|([^|"]+)\|(v[\w.-]+)"/gm)].map((m) => [
    m[1],
    { pkg: m[2] ?? '', version: m[3] ?? '' },
  ]),
);
const imageTag = (service: string): string => compose.services[service]?.image?.split(':')[1] ?? '';
const bare = (version: string | undefined): string => (version ?? '').replace(/^v/, '');

function goModCache(): string {
  try {
    return execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  } catch {
    return process.env.GOMODCACHE ?? join(homedir(), 'go', 'pkg', 'mod');
  }
}

/** The `go` line of the module that holds `pkg`, from the module download cache (filled by scripts/setup). */
function requiredGo(pkg: string, version: string): string {
  const cache = join(goModCache(), 'cache', 'download');
  const escape = (path: string): string => path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
  for (let parts = pkg.split('/'); parts.length > 1; parts = parts.slice(0, -1)) {
    const mod = join(cache, escape(parts.join('/')), '@v', `${version}.mod`);
    if (existsSync(mod)) {
      const line = /^go (\d+\.\d+)/m.exec(readFileSync(mod, 'utf8'));
      if (line?.[1]) return line[1];
    }
  }
  throw new Error(`no go.mod for ${pkg}@${version} in ${cache}: run ./scripts/setup first`);
}

const atLeast = (have: string, need: string): boolean => {
  const [a = 0, b = 0] = have.split('.').map(Number);
  const [c = 0, d = 0] = need.split('.').map(Number);
  return a > c || (a === c && b >= d);
};

describe('container path and native stack name the same versions', () => {
  const installs = [...dockerfile.matchAll(/go install (\S+)@(v[\w.-]+)/g)].map((m) => ({
    pkg: m[1] ?? '',
    version: m[2] ?? '',
  }));

  it('the Dockerfile installs the tools at the versions scripts/setup builds', () => {
    expect(installs.length).toBeGreaterThan(0);
    for (const { pkg, version } of installs) {
      const pinned = [...setupTools.values()].find((tool) => tool.pkg === pkg);
      expect(pinned?.version, pkg).toBe(version);
    }
  });

  it("the Dockerfile's Go image is at least the Go version each tool's go.mod requires", () => {
    const goImage = /^FROM golang:(\d+\.\d+)/m.exec(dockerfile)?.[1];
    expect(goImage, 'FROM golang:X.Y').toBeDefined();
    for (const { pkg, version } of installs) {
      const need = requiredGo(pkg, version);
      expect(atLeast(goImage ?? '0', need), `${pkg}@${version} needs Go ${need}; the image has ${goImage}`).toBe(true);
    }
  });

  it('compose runs the Temporal server, its admin tools and the UI that the native stack builds', () => {
    expect(imageTag('temporal')).toBe(bare(setupTools.get('temporal-server')?.version));
    // Admin-tools tags carry their server version first (e.g. 1.29.1-tctl-1.18.4-cli-1.5.0).
    for (const job of ['temporal-schema', 'temporal-setup'])
      expect(imageTag(job).split('-')[0], job).toBe(bare(setupTools.get('temporal-sql-tool')?.version));
    expect(imageTag('temporal-ui')).toBe(bare(setupTools.get('temporal-ui-server')?.version));
    expect(bare(setupTools.get('temporal-sql-tool')?.version)).toBe(bare(setupTools.get('temporal-server')?.version));
  });

  it('compose, scripts/setup and the native stack run the same PostgreSQL major version', () => {
    expect(imageTag('postgresql').split('.')[0]).toBe(String(postgresMajor));
    expect(setup).toContain(`PG_MAJOR=${postgresMajor}`);
  });

  it("compose's Temporal healthcheck runs a command the server image carries (it has no tctl)", () => {
    const temporal = JSON.stringify(compose.services.temporal);
    expect(temporal).not.toContain('tctl');
    expect(imageTag('temporal')).not.toBe('');
    expect(compose.services.temporal?.image).toMatch(/^temporalio\/server:/);
  });
});
