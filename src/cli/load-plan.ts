import { loadPlan, PlanError } from '../config/load.ts';
import type { ReleasePlan } from '../config/plan.ts';
import { CliError, ExitCode } from './exit-codes.ts';

/** The plan for a CLI command: a plan error or a missing file is bad input (exit 2) that names the file. */
export async function loadPlanForCli(path: string): Promise<ReleasePlan> {
  try {
    return await loadPlan(path);
  } catch (error) {
    if (error instanceof PlanError) throw new CliError(error.message, ExitCode.badInput);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CliError(`plan file ${path} not found; pass --plan PATH`, ExitCode.badInput);
    throw error;
  }
}
