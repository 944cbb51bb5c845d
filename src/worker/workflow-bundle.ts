import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { repoRoot } from '../tools/locate.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

// Bundling the workflows (webpack + swc) at every worker start costs seconds and keeps ~200 MiB of webpack heap
// in the worker for its whole life. The bundle is built once per content instead: its file name is a hash of
// every source file and the lock file, so an edited workflow (or anything it imports) gets a new bundle and a
// stale one can never be picked up. Over-invalidating (an activity edit also rebuilds) is the price of a key that
// needs no import graph.

/** Where bundles are kept: $SHIPGATE_BUNDLE_DIR, else node_modules/.cache/shipgate-workflows in the checkout. */
export function bundleDir(): string {
  return process.env.SHIPGATE_BUNDLE_DIR ?? join(repoRoot, 'node_modules', '.cache', 'shipgate-workflows');
}

/** sha256 over src/ (paths and contents, sorted), package-lock.json and the workflow SDK's version. */
export function workflowSourceKey(): string {
  const hash = createHash('sha256');
  const src = join(repoRoot, 'src');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .sort();
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(join(src, file))).update('\0');
  for (const extra of ['package-lock.json', 'node_modules/@temporalio/workflow/package.json']) {
    const path = join(repoRoot, extra);
    hash.update(`${extra}\0`).update(existsSync(path) ? readFileSync(path) : '').update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * The workflow bundle for the current sources: read from the cache when one with the same key exists, else
 * built and written there (atomically, so concurrent workers never read half a file). When the cache cannot be
 * written (a read-only image without a prebuilt bundle), the bundle is used from memory.
 */
export async function workflowBundle(): Promise<WorkflowBundleOption> {
  const codePath = join(bundleDir(), `workflows-${workflowSourceKey()}.js`);
  if (existsSync(codePath)) return { codePath };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
  try {
    mkdirSync(bundleDir(), { recursive: true });
    const partial = `${codePath}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, codePath);
    return { codePath };
  } catch {
    return { code };
  }
}

const ignore = (): void => undefined;
const quietBundlerLogger = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
