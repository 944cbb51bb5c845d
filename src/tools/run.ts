import { execa } from 'execa';
import { FailureTypes, permanent, transient } from '../errors.ts';
import { toolPath, type ToolName } from './locate.ts';
import { toolProcessCap } from './tool-slots.ts';
import { classifyToolFailure } from './tool-failure.ts';

export { classifyToolFailure, toolFailureType } from './tool-failure.ts';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunToolOptions {
  env?: Record<string, string>;
  /** Exit codes that are answers, not failures (e.g. cosign verify's 1 for "not verified"). */
  acceptExitCodes?: number[];
  timeoutMs?: number;
  /** Describes the call in error messages, e.g. "copy of gateway@sha256:...". */
  what: string;
}

/**
 * Positional values (references, paths) must never be read as flags: a tag or path that starts with "-"
 * is refused before any tool sees it.
 */
export function assertNotOption(value: string, field: string): string {
  if (value.startsWith('-')) {
    throw permanent(FailureTypes.invalidInput, `${field} "${value}" starts with "-" and would be read as an option`);
  }
  return value;
}

/**
 * Runs one of shipgate's tools with an argument array (never a shell) and classifies its failure. At most
 * toolProcessCap.limit tool processes run at once in this worker; the others wait their turn (heartbeating).
 */
export async function runTool(name: ToolName, args: string[], options: RunToolOptions): Promise<ToolResult> {
  const result = await toolProcessCap.run(() =>
    execa(toolPath(name), args, {
      reject: false,
      env: { ...options.env },
      extendEnv: true,
      timeout: options.timeoutMs ?? 15 * 60_000,
      stdin: 'ignore',
    }),
  );
  const exitCode = result.exitCode ?? -1;
  const out = { stdout: result.stdout, stderr: result.stderr, exitCode };
  if (exitCode === 0 || options.acceptExitCodes?.includes(exitCode)) return out;
  if (result.timedOut) throw transient(`${options.what}: ${name} timed out`);
  throw classifyToolFailure(name, options.what, result.stderr || result.stdout);
}
