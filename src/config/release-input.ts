import type { SignedStatement } from './decision-types.ts';
import type { ReleasePlan } from './plan.ts';

/** The release workflow's input: the parsed plan plus version, commit and who started it. No secret. */
export interface ReleaseInput {
  plan: ReleasePlan;
  /** "1.2.3" or "v1.2.3". */
  version: string;
  commitSha: string;
  startedBy: string;
  /** The starter's signed "start" statement (e.g. the CI token of the job that ran shipgate start). */
  starter?: SignedStatement;
  /** The release PR (GitHub) or MR (GitLab) number given at start (shipgate start --pr N). */
  pullRequest?: number;
  /** A build number from the start command, for source tag templates with {build}. */
  build?: string;
  /** Shorter activity retry backoff, for tests and the demo. */
  timing?: {
    retryInitialMs?: number;
    retryMaxAttempts?: number;
    heartbeatTimeoutMs?: number;
    /** A copy that moves no byte for this long fails as retryable (plan timing.stallTimeout; default 60 s). */
    stallTimeoutMs?: number;
  };
}
