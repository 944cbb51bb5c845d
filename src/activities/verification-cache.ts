import { createHash } from 'node:crypto';
import type { CheckResult, Target } from './attestation-placement.ts';

/**
 * Verified checks, remembered for one verification pass of one release run on this worker, so a digest reached
 * twice in a pass (two artifacts sharing a platform manifest, an activity retried after a crash) is checked once.
 *
 * Scope, on purpose narrow:
 * - the pass is part of the key (workflow id, run id, where, verify or re-verify): the source pass, the
 *   destination pass and the re-verify before promotion never share an entry, so each of the three passes the
 *   seeds ask for runs cosign against the registry as it is at that moment;
 * - the repository is part of the key: signatures are found through the repository a digest lies in, so the same
 *   digest in another repository is another check;
 * - the check is part of the key: the signer policy, the public key's bytes, the tlog rule, and for an
 *   attestation its type and the bytes of its content policies;
 * - only passed checks are kept: a refused or failed check is asked again on the next attempt (a retry after the
 *   cause was fixed must see the fix);
 * - entries live at most `ttlMs` and the cache holds at most `maxEntries` (oldest dropped first); outside an
 *   activity (the `plan` dry run, benchmarks, tests calling the function) there is no pass and nothing is cached.
 */
const ttlMs = 15 * 60_000;
const maxEntries = 20_000;

interface Entry {
  at: number;
  result: Promise<CheckResult>;
}

const entries = new Map<string, Entry>();
const notChecked: CheckResult = { passed: false, reason: 'cosign did not report on this digest' };

/** A fingerprint of what a check asks, for the cache key (no secrets: a public key and policy files). */
export function checkFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/**
 * Runs `check` for the targets whose result is not cached under `scope` (undefined: no caching), one call for all
 * of them, and answers every target. Concurrent callers in the same scope wait for the same run.
 */
export async function cachedChecks(
  scope: string | undefined,
  targets: Target[],
  check: (targets: Target[]) => Promise<Map<string, CheckResult>>,
): Promise<{ results: Map<string, CheckResult>; cached: number }> {
  if (!scope) return { results: await check(targets), cached: 0 };
  const now = Date.now();
  for (const [key, entry] of entries) {
    if (now - entry.at <= ttlMs && entries.size <= maxEntries) break;
    entries.delete(key);
  }
  const keyOf = (target: Target) => `${scope}\n${target.digest}`;
  const pending = new Map<string, Promise<CheckResult>>();
  let cached = 0;
  for (const target of targets) {
    const entry = entries.get(keyOf(target));
    if (entry) {
      pending.set(target.digest, entry.result);
      cached++;
    }
  }
  const fresh = targets.filter((t) => !pending.has(t.digest));
  if (fresh.length > 0) {
    const run = check(fresh);
    for (const target of fresh) {
      const key = keyOf(target);
      const result = run.then((all) => all.get(target.digest) ?? notChecked);
      pending.set(target.digest, result);
      entries.set(key, { at: now, result });
      // Only passes are kept: a refusal or an error is asked again next time.
      result.then(
        (r) => (r.passed ? undefined : entries.delete(key)),
        () => entries.delete(key),
      );
    }
  }
  const results = new Map<string, CheckResult>();
  for (const target of targets) results.set(target.digest, await (pending.get(target.digest) ?? notChecked));
  return { results, cached };
}
