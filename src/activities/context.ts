import { Context } from '@temporalio/activity';

/** The running activity's context, or undefined when called directly (benchmarks, the `plan` dry run). */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function heartbeat(details: unknown): void {
  activityContext()?.heartbeat(details);
}

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
