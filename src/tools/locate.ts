import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The tools shipgate drives; scripts/setup installs each into .tools/bin. */
export type ToolName =
  | 'temporal'
  | 'registry'
  | 'regctl'
  | 'cosign'
  | 'helm'
  | 'crane'
  | 'temporal-server'
  | 'temporal-sql-tool'
  | 'temporal-ui-server';

/**
 * Where a tool lives: $SHIPGATE_TOOLS_BIN, else the project's .tools/bin, else whatever PATH finds
 * (a worker in a container image has them on PATH).
 */
export function toolPath(name: ToolName): string {
  const dirs = [process.env.SHIPGATE_TOOLS_BIN, join(repoRoot, '.tools', 'bin')];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return name;
}
