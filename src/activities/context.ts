import { Context } from '@temporalio/activity';
import { toolProcessCap } from '../tools/tool-slots.ts';

// What each running activity last heartbeated: an activity waiting for a tool slot re-sends it, so waiting
// keeps the activity alive without overwriting its progress (a copy resumes from those details).
const lastDetails = new WeakMap<Context, unknown>();

/** The running activity's context, or undefined when called directly (benchmarks, the `plan` dry run). */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function heartbeat(details: unknown): void {
  const context = activityContext();
  if (!context) return;
  lastDetails.set(context, details);
  context.heartbeat(details);
}

/** Re-sends the running activity's last heartbeat (or its previous attempt's); nothing outside an activity. */
export function keepAlive(): void {
  const context = activityContext();
  if (context) context.heartbeat(lastDetails.has(context) ? lastDetails.get(context) : context.info.heartbeatDetails);
}
toolProcessCap.whileWaiting = keepAlive;

/** Progress a previous attempt reported before its worker died, so this attempt can say it resumed. */
export function previousProgress<T>(): T | undefined {
  return activityContext()?.info.heartbeatDetails as T | undefined;
}

export function cancellationSignal(): AbortSignal | undefined {
  return activityContext()?.cancellationSignal;
}

export function activityLog(message: string, attributes: Record<string, unknown> = {}): void {
  activityContext()?.log.info(message, attributes);
}

/**
 * Heartbeats every few seconds while fn runs, for steps with no natural progress points (one large download),
 * so a long transfer is not mistaken for a dead worker while a truly stalled one still is (fn then never ends,
 * but the fetch timeout does).
 */
export async function heartbeatWhile<T>(details: () => unknown, fn: () => Promise<T>, everyMs = 5_000): Promise<T> {
  if (!activityContext()) return fn();
  const timer = setInterval(() => heartbeat(details()), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
