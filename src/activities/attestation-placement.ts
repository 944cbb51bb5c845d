import type { AttestationPlacement } from '../config/verification-policy.ts';

export interface Target {
  digest: string;
  /** "index" (or the artifact kind for single manifests), "linux/amd64", ... */
  role: string;
}

/** A checked digest: passed, or the reason it did not. */
export type CheckResult =
  | {
      passed: true;
      /** sha256 of each attestation payload that verified, when cosign printed them. */ payloads?: string[];
    }
  | { passed: false; reason: string };

export interface Placement {
  /** Every digest's answer, passed or not (a passed one carries its payload digests). */
  answers: Map<string, CheckResult>;
  passedOn: Target[];
  problems: { target: Target; reason: string }[];
}

/**
 * Checks one attestation type where the plan wants it (seed 001 binds SBOMs to the per-arch manifests only).
 * `check` verifies a set of digests at once (one cosign call) and answers each. Returns the roles that carry it,
 * or the problems, each naming the digest. Without platform manifests (a single-manifest image, a chart) every
 * placement means the one manifest.
 */
export async function checkPlacement(
  placement: AttestationPlacement,
  index: Target,
  platforms: Target[],
  check: (targets: Target[]) => Promise<Map<string, CheckResult>>,
): Promise<Placement> {
  const on = platforms.length === 0 ? 'index' : placement;
  const run = async (targets: Target[]) => {
    const answers = await check(targets);
    const results = targets.map((target) => ({
      target,
      result: answers.get(target.digest) ?? { passed: false as const, reason: 'not checked' },
    }));
    return {
      answers,
      passedOn: results.filter((r) => r.result.passed).map((r) => r.target),
      problems: results.flatMap((r) => (r.result.passed ? [] : [{ target: r.target, reason: r.result.reason }])),
    };
  };
  if (on === 'index') return run([index]);
  if (on === 'platforms') return run(platforms);
  if (on === 'both') {
    // One call for the index and the platforms; problems keep that order (the index, which people approve, first).
    return run([index, ...platforms]);
  }
  // either: the index, or else every platform manifest.
  const onIndex = await run([index]);
  if (onIndex.problems.length === 0) return onIndex;
  const onPlatforms = await run(platforms);
  if (onPlatforms.problems.length === 0) return onPlatforms;
  return {
    answers: new Map([...onIndex.answers, ...onPlatforms.answers]),
    passedOn: [],
    problems: [...onIndex.problems, ...onPlatforms.problems],
  };
}

/** The required platforms an index lacks. */
export function missingPlatforms(required: string[], present: { platform: string }[]): string[] {
  const have = new Set(present.map((p) => p.platform));
  return required.filter((platform) => !have.has(platform));
}
