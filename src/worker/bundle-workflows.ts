// Builds the workflow bundle into the file named on the command line; run by workflow-bundle.ts in a process of
// its own, so the worker never holds webpack's heap (a worker that bundled in-process stayed ~200 MiB larger).
// Also usable at image build time: node src/worker/bundle-workflows.ts (writes the cache entry for these sources).
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { bundlePath, workflowsPath } from './workflow-bundle.ts';

const target = process.argv[2] ?? bundlePath();
const ignore = (): void => undefined;
const { code } = await bundleWorkflowCode({
  workflowsPath,
  logger: { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore },
});
mkdirSync(dirname(target), { recursive: true });
// Written aside and renamed: workers starting at the same time never read half a bundle.
const partial = `${target}.${process.pid}.tmp`;
writeFileSync(partial, code);
renameSync(partial, target);
// Bundles of sources long gone are dropped; a day's grace leaves any worker still starting from one alone.
for (const name of readdirSync(dirname(target))) {
  const path = join(dirname(target), name);
  if (name.startsWith('workflows-') && path !== target && Date.now() - statSync(path).mtimeMs > 86_400_000)
    rmSync(path, { force: true });
}
console.log(target);
