import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { searchAttributeCliType, searchAttributeKeys } from '../../src/workflows/messages.ts';

// docker compose cannot run here (no Docker engine); this keeps the file from rotting instead.
interface Service {
  image?: string;
  build?: { dockerfile?: string };
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, Service>;
};
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Temporal, the UI and the shipgate worker', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker']),
    );
  });

  it('pins every image by version (no latest, no untagged)', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      // Temporal's admin-tools tags name the server version, then the bundled CLIs (1.29.1-tctl-1.18.4-cli-1.5.0).
      const tag = service.image?.startsWith('temporalio/admin-tools:') ? '(-[a-z]+-[\\d.]+)*' : '';
      expect(service.image, name).toMatch(new RegExp(`^[\\w./-]+:\\d+(\\.\\d+)+${tag}$`));
    }
    for (const from of dockerfile.matchAll(/^FROM (\S+)/gm)) expect(from[1]).toMatch(/:\d+(\.\d+)*[\w.-]*$/);
  });

  it('has a healthcheck on every long-running service and waits on them', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.restart === 'no') continue;
      expect(service.healthcheck?.test, name).toBeDefined();
    }
    expect(compose.services.worker?.depends_on?.temporal?.condition).toBe('service_healthy');
    // The schema job waits for PostgreSQL, the server for the schema job (Temporal's own compose layout).
    expect(compose.services['temporal-schema']?.depends_on?.postgresql?.condition).toBe('service_healthy');
    expect(compose.services.temporal?.depends_on?.['temporal-schema']?.condition).toBe(
      'service_completed_successfully',
    );
  });

  it("gives the worker Temporal's envconfig variables and the task queue, and no secret values", () => {
    const env = compose.services.worker?.environment ?? {};
    expect(env).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'default',
      SHIPGATE_TASK_QUEUE: 'shipgate',
    });
    for (const [key, value] of Object.entries(env))
      expect(`${key}=${value}`).not.toMatch(/(TOKEN|PASSWORD|SECRET)=\S+/);
    expect(compose.services.worker?.build?.dockerfile).toBe('Dockerfile');
  });

  it('registers the search attributes the CLI and UI query', () => {
    const setup = JSON.stringify(compose.services['temporal-setup']);
    for (const key of searchAttributeKeys)
      expect(setup).toContain(`--name ${key.name} --type ${searchAttributeCliType(key)}`);
  });

  it('builds a worker image that carries every tool the activities run and what its healthcheck runs', () => {
    const activities = new URL('../../src/activities/', import.meta.url);
    const tools = new Set<string>();
    for (const file of readdirSync(activities)) {
      const text = readFileSync(new URL(file, activities), 'utf8');
      for (const match of text.matchAll(/runTool\(\s*'([a-z]+)'/g)) if (match[1]) tools.add(match[1]);
    }
    // Copies stream in process (src/registry/); regctl only deletes tags at a clean end.
    expect([...tools].sort()).toEqual(['cosign', 'regctl']);
    const copied = dockerfile.match(/^COPY --from=tools (.*)$/m)?.[1] ?? '';
    for (const tool of tools) expect(copied, tool).toContain(`/go/bin/${tool}`);
    if (JSON.stringify(compose.services.worker?.healthcheck).includes('pgrep'))
      expect(dockerfile).toMatch(/\bprocps\b/);
    // The worker checks SSH-signed decisions with ssh-keygen -Y verify; the slim image has no ssh-keygen.
    expect(dockerfile).toMatch(/\bopenssh-client\b/);
  });
});
