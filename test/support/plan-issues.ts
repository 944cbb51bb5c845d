import { expect } from 'vitest';
import { parsePlan, PlanError } from '../../src/config/load.ts';

/** The loader's complaints about a plan, as "path: message" lines; fails the test if the plan is accepted. */
export function issuesOf(text: string): string[] {
  try {
    parsePlan(text, 'plan.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(PlanError);
    return (error as PlanError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('the plan was accepted');
}
