// Fails on any import cycle inside src/ (type-only imports counted: eslint's import-x/no-cycle skips them)
// and on any import that runs up the layers. Run by `npm run lint`.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

// Top to bottom: a file may import from its own layer or any layer below it, never above.
// The message contract (workflows/messages.ts, workflows/status.ts) sits with config: the CLI, the workflows
// and the one activity that is a Temporal client of another workflow (request-floating-tag-move) share it.
const layers: { name: string; paths: string[] }[] = [
  { name: 'cli', paths: ['cli/'] },
  { name: 'worker', paths: ['worker/'] },
  { name: 'devstack', paths: ['devstack/'] },
  { name: 'client', paths: ['temporal/', 'client/'] },
  { name: 'workflows', paths: ['workflows/'] },
  { name: 'activities', paths: ['activities/'] },
  { name: 'adapters', paths: ['forge/', 'registry/', 'tools/', 'http/', 'evidence/', 'identity/'] },
  { name: 'contract', paths: ['workflows/messages.ts', 'workflows/status.ts', 'config/'] },
  { name: 'domain', paths: ['artifacts/'] },
  { name: 'errors', paths: ['errors.ts', 'errors-http.ts'] },
];

function layerOf(file: string): number {
  const rel = relative(src, file);
  let best = -1;
  let bestLength = -1;
  layers.forEach((layer, index) => {
    for (const path of layer.paths)
      if ((rel === path || rel.startsWith(path)) && path.length > bestLength) {
        best = index;
        bestLength = path.length;
      }
  });
  return best;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = walk(src);
const graph = new Map<string, string[]>();
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  graph.set(
    file,
    importedFiles
      .map((imported) => imported.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name)),
  );
}

const problems: string[] = [];
const show = (file: string): string => relative(root, file);

for (const [file, targets] of graph) {
  const from = layerOf(file);
  if (from < 0) problems.push(`${show(file)}: not in any layer; add its folder to scripts/check-imports.ts`);
  for (const target of targets) {
    const to = layerOf(target);
    if (from >= 0 && to >= 0 && to < from)
      problems.push(
        `${show(file)} (${layers[from]?.name}) imports ${show(target)} (${layers[to]?.name}): imports run down only`,
      );
  }
}

// Cycles: depth-first search; each cycle is reported once, by its path.
const state = new Map<string, 'open' | 'done'>();
const stack: string[] = [];
const visit = (file: string): void => {
  state.set(file, 'open');
  stack.push(file);
  for (const target of graph.get(file) ?? []) {
    if (!graph.has(target)) continue;
    if (state.get(target) === 'open') {
      const cycle = [...stack.slice(stack.indexOf(target)), target].map(show);
      problems.push(`import cycle: ${cycle.join(' -> ')}`);
    } else if (!state.has(target)) visit(target);
  }
  stack.pop();
  state.set(file, 'done');
};
for (const file of files) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`check-imports: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`check-imports: ${files.length} files, no cycles, imports run down`);
