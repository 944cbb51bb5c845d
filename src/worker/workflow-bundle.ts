import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { execa } from 'execa';
import { repoRoot } from '../tools/locate.ts';

// Bundling the workflows (webpack + swc) at every worker start costs seconds and leaves webpack's heap in the
// worker for its whole life. The bundle is built once per content instead, in a process of its own
// (bundle-workflows.ts): its file name is a hash of every source file and the lock file, so an edited workflow
// (or anything it imports) gets a new bundle and a stale one is never picked up. Over-invalidating (an activity
// edit also rebuilds) is the price of a key that needs no import graph.

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

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
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(src, file)))
      .update('\0');
  for (const extra of ['package-lock.json', 'node_modules/@temporalio/workflow/package.json']) {
    const path = join(repoRoot, extra);
    hash
      .update(`${extra}\0`)
      .update(existsSync(path) ? readFileSync(path) : '')
      .update('\0');
  }
  return hash.digest('hex').slice(0, 32);
}

/** The bundle file for the current sources (it may not exist yet). */
export function bundlePath(): string {
  return join(bundleDir(), `workflows-${workflowSourceKey()}.js`);
}

/** The workflow bundle for the current sources: the cached file, else built now (in a child process) and cached. */
export async function workflowBundle(): Promise<WorkflowBundleOption> {
  const codePath = bundlePath();
  if (!existsSync(codePath)) {
    const builder = fileURLToPath(new URL('./bundle-workflows.ts', import.meta.url));
    const built = await execa(process.execPath, ['--disable-warning=ExperimentalWarning', builder, codePath], {
      reject: false,
      stdin: 'ignore',
    });
    if (built.exitCode !== 0)
      throw new Error(
        `could not bundle the workflows into ${codePath} (set SHIPGATE_BUNDLE_DIR to a writable folder): ${built.stderr.trim().split('\n').slice(-5).join(' | ')}`,
      );
  }
  return { codePath };
}
