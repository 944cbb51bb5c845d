/** Documented, stable exit codes (docs/cli.md). Scripts may rely on them. */
export const ExitCode = {
  ok: 0,
  /** Unexpected failure: a bug or an environment problem the message describes. */
  failure: 1,
  /** Bad input: an unknown flag, a missing argument, an invalid plan. */
  badInput: 2,
  /** Temporal cannot be reached. */
  unreachable: 3,
  /** The release refused the request (not waiting, approver not allowed, stale digest set, ...). */
  refused: 4,
  /** No such release. */
  notFound: 5,
  /** `--wait` ended with the release rejected, expired or aborted. */
  releaseStopped: 6,
  /** `--wait` ended with the release needing attention. */
  needsAttention: 7,
  /** Temporal's namespace authorization refused the caller (token or certificate without the permission). */
  notAuthorized: 8,
  /** `verify` / `report --from-registry`: no promotion record that verifies with the key (unsigned, tampered, other key). */
  notVerified: 9,
} as const;

export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}
