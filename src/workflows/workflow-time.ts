/** Workflow time as an ISO string: inside a workflow, Date is the deterministic workflow clock. */
export function now(): string {
  return new Date().toISOString();
}

/** Workflow time plus `ms` as an ISO string; "never" when out of Date's range (no RangeError can escape). */
export function isoAfter(ms: number): string {
  const at = Date.now() + ms;
  return Number.isFinite(at) && Math.abs(at) <= 8.64e15 ? new Date(at).toISOString() : 'never';
}
