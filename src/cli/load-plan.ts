import { deriveSpec } from '../config/derive.ts';
import { loadPlan, planWarnings, PlanError } from '../config/load.ts';
import type { ReleasePlan } from '../config/plan.ts';
import type { ReleaseInput } from '../config/release-input.ts';
import { CliError, ExitCode } from './exit-codes.ts';

/**
 * The plan for a CLI command: a plan error or a missing file is bad input (exit 2) that names the file; what is
 * allowed but probably not meant (a keyless identity that also accepts branch refs) is a warning on stderr.
 */
export async function loadPlanForCli(path: string): Promise<ReleasePlan> {
  try {
    const plan = await loadPlan(path);
    for (const warning of planWarnings(plan)) console.error(`warning: ${path}: ${warning}`);
    return plan;
  } catch (error) {
    if (error instanceof PlanError) throw new CliError(error.message, ExitCode.badInput);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CliError(`plan file ${path} not found; pass --plan PATH`, ExitCode.badInput);
    if ((error as NodeJS.ErrnoException).code === 'EISDIR')
      throw new CliError(
        `--plan ${path} is a directory; pass the plan file, e.g. --plan ${path}/shipgate.yaml`,
        ExitCode.badInput,
      );
    if ((error as NodeJS.ErrnoException).code === 'EACCES')
      throw new CliError(`plan file ${path} cannot be read (permission denied)`, ExitCode.badInput);
    throw error;
  }
}

export function checkCommit(commit: string): string {
  if (!/^[0-9a-f]{40}$/.test(commit))
    throw new CliError(
      `--commit "${commit}" must be a full 40-character hex commit SHA (git rev-parse HEAD)`,
      ExitCode.badInput,
    );
  return commit;
}

export function checkBuild(build: string): string {
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(build))
    throw new CliError(`--build "${build}" must be letters, digits, ".", "_" or "-", e.g. 1234`, ExitCode.badInput);
  return build;
}

/** Renders the source tags once, so a template that needs --build fails before anything starts (exit 2). */
export function checkSourceTags(input: ReleaseInput): void {
  try {
    deriveSpec(input);
  } catch (error) {
    throw new CliError((error as Error).message, ExitCode.badInput);
  }
}
