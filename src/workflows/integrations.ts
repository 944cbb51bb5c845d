import { condition } from '@temporalio/workflow';
import type { PackageFile } from '../activities/generic-package.ts';
import type { ResolvedOciArtifact } from '../artifacts/types.ts';
import type { PinnableArtifact } from './pin-jobs.ts';
import type { ReleaseState } from './release-state.ts';
import type { ReleaseSpec } from './spec.ts';

/**
 * Waits for a decision until the gate's deadline; with a reminder configured, reminds once that long before
 * the deadline. Returns whether the decision came. Without a reminder this is one timer, as it always was.
 */
export async function waitWithReminder(
  gate: ReleaseSpec['gate'],
  decided: () => boolean,
  remind: () => Promise<void>,
): Promise<boolean> {
  const before = gate.remindBeforeMs;
  if (!before || before >= gate.deadlineMs) return condition(decided, gate.deadlineMs);
  if (await condition(decided, gate.deadlineMs - before)) return true;
  await remind();
  return condition(decided, before);
}

/** Records a webhook that still failed after its attempts, so status and the UI details show it. */
export function recordUndelivered(
  state: ReleaseState,
  event: string,
  hook: { url?: string; urlEnv?: string },
  message: string,
  at: string,
): void {
  // A URL from urlEnv is a secret: only the variable's name is recorded.
  const webhook = hook.urlEnv ? `$${hook.urlEnv}` : safeHost(hook.url ?? '');
  (state.status.notificationFailures ??= []).push({ event, webhook, message, at });
}

function safeHost(url: string): string {
  const match = /^(https?:\/\/[^/?#]+)/.exec(url);
  return match?.[1] ?? url;
}

/** What pins can name: OCI artifacts by digest, one-file generic packages by their file's sha256. */
export function pinnable(
  resolved: Map<string, ResolvedOciArtifact>,
  packages: Map<string, PackageFile[]>,
): PinnableArtifact[] {
  return [
    ...[...resolved.values()].map((artifact) => ({
      name: artifact.name,
      kind: artifact.kind,
      digest: artifact.digest,
    })),
    ...[...packages].flatMap(([name, files]) =>
      files.length === 1 && files[0] ? [{ name, kind: 'generic-package', digest: `sha256:${files[0].sha256}` }] : [],
    ),
  ];
}
