import type { ApplicationFailure } from '@temporalio/common';
import { FailureTypes, permanent, transient, type FailureType } from '../errors.ts';
import type { ToolName } from './locate.ts';

/**
 * What regctl, cosign and helm print for each kind of trouble, as collected from the real tools against loopback
 * registries (test/unit/tool-stderr.samples.json, test/support/collect-tool-stderr.ts). Order matters: a corrupt blob
 * reads "digest mismatch [...]: EOF" and a 403 reads "unauthorized [http 403]", so the specific signs come first.
 * A name that does not resolve ("no such host", e.g. cosign's TUF root on an offline worker) is not retried: it is
 * configuration, and behind cosign it stays a verdict.
 */
const digestMismatch = /digest mismatch|mismatched digest|digest did not match|digest verification failed/i;
/** regctl "[http 403]", helm "response status code 403", cosign "unexpected status code 502". */
const statusCode = /\[http (\d{3})\]|status code:? (\d{3})/i;
const unauthorized = /\b401\b|unauthorized|authentication required|basic credential not found/i;
const forbidden = /\b403\b|forbidden|\bdenied\b/i;
const missing = /manifest unknown|name unknown|blob unknown|not found|\b404\b/i;
const retryable = new RegExp(
  [
    String.raw`\b(429|500|502|503|504)\b`,
    'too ?many ?requests',
    'retry limit exceeded',
    String.raw`\bUNAVAILABLE\b`,
    String.raw`\bUNKNOWN: unknown error`,
    'connection (refused|reset)',
    'broken pipe',
    'EOF',
    'timeout',
    'i/o timeout',
    'deadline exceeded',
    'context canceled',
    'TLS handshake',
  ].join('|'),
  'i',
);

function fromStatus(status: number): FailureType | undefined {
  if (status === 429 || status >= 500) return FailureTypes.transient;
  if (status === 401) return FailureTypes.registryUnauthorized;
  if (status === 403) return FailureTypes.registryForbidden;
  if (status === 404) return FailureTypes.sourceArtifactMissing;
  return undefined;
}

/** The failure type a tool's error text stands for; ToolFailed when it names no registry or network trouble. */
export function toolFailureType(text: string): FailureType {
  if (digestMismatch.test(text)) return FailureTypes.digestMismatch;
  const status = statusCode.exec(text);
  const byStatus = status ? fromStatus(Number(status[1] ?? status[2])) : undefined;
  if (byStatus) return byStatus;
  if (unauthorized.test(text)) return FailureTypes.registryUnauthorized;
  if (forbidden.test(text)) return FailureTypes.registryForbidden;
  if (missing.test(text)) return FailureTypes.sourceArtifactMissing;
  if (retryable.test(text)) return FailureTypes.transient;
  return FailureTypes.toolFailed;
}

/** Both digests of a mismatch, when the tool printed them (regctl: "expected X, calculated|computed Y"). */
function mismatchedDigests(text: string): { expected?: string; got?: string } {
  const expected = /expected:? (sha256:[0-9a-f]{64})/i.exec(text)?.[1];
  const got = /(?:calculated|computed|got|actual|received):? (sha256:[0-9a-f]{64})/i.exec(text)?.[1];
  return { ...(expected ? { expected } : {}), ...(got ? { got } : {}) };
}

/** Maps a tool's error text to a typed failure: permanent ones need a person, transient ones are retried. */
export function classifyToolFailure(name: ToolName, what: string, text: string): ApplicationFailure {
  const message = `${what}: ${name} failed: ${lastLines(text)}`;
  const type = toolFailureType(text);
  switch (type) {
    case FailureTypes.digestMismatch: {
      const { expected, got } = mismatchedDigests(text);
      const digests = expected && got ? `expected ${expected}, got ${got}` : 'the bytes do not match their digest';
      return permanent(
        type,
        `${what}: ${name} read corrupt content (${digests}); the source serves bytes that do not match their digest, ` +
          `so retrying cannot help: fix or re-push the artifact at the source (${lastLines(text)})`,
        { ...(expected ? { expected } : {}), ...(got ? { got } : {}) },
      );
    }
    case FailureTypes.transient:
      return transient(message);
    case FailureTypes.registryUnauthorized:
      return permanent(type, `${message}; check the registry credentials`);
    default:
      return permanent(type, message);
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(0, 600);
}
