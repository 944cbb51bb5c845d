/** Workflow time as an ISO string: inside a workflow, Date is the deterministic workflow clock. */
export function now(): string {
  return new Date().toISOString();
}
