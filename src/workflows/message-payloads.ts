import { z } from 'zod';
import type { MoveFloatingTagsInput } from '../artifacts/floating-tags.ts';
import type {
  AbortRequest,
  ApproveRequest,
  CheckReport,
  OverrideFreezeRequest,
  RejectRequest,
  RetryRequest,
} from './messages.ts';

// The boundary of every workflow message: a payload is whatever a client, the Temporal CLI or the UI's signal
// form sent (nothing, null, a string, an array, a 3 MiB comment), so each handler parses it here first. One
// parser per message, called by the update's validator and by the signal's handler alike, so the twins cannot
// disagree. A payload that does not parse is refused with the field named; it never throws into the workflow.
// Objects are not strict (unknown keys are dropped), so a newer client's extra field does not stop a decision.

/** The answer of a parser: the typed request, or why it is refused (naming the field). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; refusal: string };

/** Field caps: generous for people, small enough that no message can bloat the release's state and history. */
export const payloadLimits = { person: 256, text: 4096, digest: 512, digests: 1000, statement: 8192, proof: 16384 };

const person = z.string().max(payloadLimits.person);
const text = z.string().max(payloadLimits.text);
const signed = z.object({
  statement: z.string().max(payloadLimits.statement),
  proof: z.discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('ssh'), signature: z.string().max(payloadLimits.proof) }),
      z.object({ kind: z.literal('oidc'), token: z.string().max(payloadLimits.proof) }),
    ],
    { error: 'proof.kind must be "ssh" or "oidc"' },
  ),
});

const approveSchema = z.object({
  approver: person.optional(),
  comment: text.optional(),
  digests: z.array(z.string().max(payloadLimits.digest)).max(payloadLimits.digests).optional(),
  signed: signed.optional(),
  gate: z.enum(['sync', 'promotion', 'rollback']).optional(),
});
// Required reasons are checked by the handlers (their "reason is required" says what it is for).
const rejectSchema = z.object({ by: person.optional(), signed: signed.optional(), reason: text.optional() });
const retrySchema = z.object({
  by: person.optional(),
  signed: signed.optional(),
  comment: text.optional(),
  recreateDraft: z.boolean().optional(),
});
const abortSchema = rejectSchema;
const overrideFreezeSchema = rejectSchema;
const checkReportSchema = z.object({
  name: z.string().min(1).max(payloadLimits.person),
  passed: z.boolean({ error: 'passed must be true or false' }),
  by: person.optional(),
  detail: text.optional(),
  url: text.optional(),
  signed: signed.optional(),
});

const location = z.object({
  endpoint: z.object({
    host: z.string().max(300),
    plainHttp: z.boolean().optional(),
    usernameEnv: z.string().max(100).optional(),
    passwordEnv: z.string().max(100).optional(),
  }),
  repository: z.string().max(300),
});
const moveTagsSchema = z.object({
  name: z.string().max(payloadLimits.person),
  destination: location,
  versionTag: z.string().max(128),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, { error: 'a sha256:... digest' }),
  kinds: z.array(z.enum(['latest', 'minor', 'major'])).max(3),
  allowBackwards: z.boolean().optional(),
});

/** Why `raw` is not a request of this message: the first problem, with its field. */
function parse<T>(message: string, schema: z.ZodType, example: string, raw: unknown): Parsed<T> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const got = raw === null ? 'null' : Array.isArray(raw) ? 'an array' : raw === undefined ? 'nothing' : typeof raw;
    return { ok: false, refusal: `${message} needs a JSON object payload, e.g. ${example}; got ${got}` };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data as T };
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'payload';
  return { ok: false, refusal: `${message}: ${field}: ${issue?.message ?? 'not valid'}` };
}

export const parseApproveRequest = (raw: unknown): Parsed<ApproveRequest> =>
  parse('approve', approveSchema, '{"approver": "alice", "digests": ["app@sha256:..."]}', raw);
export const parseRejectRequest = (raw: unknown): Parsed<RejectRequest> =>
  parse('reject', rejectSchema, '{"by": "alice", "reason": "..."}', raw);
export const parseRetryRequest = (raw: unknown): Parsed<RetryRequest> =>
  parse('retry', retrySchema, '{"by": "alice", "comment": "..."}', raw);
export const parseAbortRequest = (raw: unknown): Parsed<AbortRequest> =>
  parse('abort', abortSchema, '{"by": "alice", "reason": "..."}', raw);
export const parseOverrideFreezeRequest = (raw: unknown): Parsed<OverrideFreezeRequest> =>
  parse('override-freeze', overrideFreezeSchema, '{"by": "alice", "reason": "..."}', raw);
export const parseCheckReport = (raw: unknown): Parsed<CheckReport> =>
  parse('report-check', checkReportSchema, '{"name": "load-test", "passed": true}', raw);
export const parseMoveTagsInput = (raw: unknown): Parsed<MoveFloatingTagsInput> =>
  parse('move-floating-tags', moveTagsSchema, '{"name": "app", "digest": "sha256:...", ...}', raw);

/** Who a (possibly malformed) request names, for the refused decision's `by`: a short string or ''. */
export function claimedBy(raw: unknown): string {
  if (raw === null || typeof raw !== 'object') return '';
  const record = raw as Record<string, unknown>;
  const by = record.approver ?? record.by;
  return typeof by === 'string' ? by.slice(0, payloadLimits.person) : '';
}

/** The refusal of a parse, or undefined when the payload is well formed: for `refusal ?? nextCheck` chains. */
export const refusalOf = (parsed: Parsed<unknown>): string | undefined => (parsed.ok ? undefined : parsed.refusal);

/**
 * Why a payload is malformed, or undefined: the first check of every update validator and signal handler
 * (`malformed.approve(raw) ?? nextCheck`). Signal twins call the same function as their update.
 */
export const malformed = {
  approve: (raw: unknown) => refusalOf(parseApproveRequest(raw)),
  reject: (raw: unknown) => refusalOf(parseRejectRequest(raw)),
  retry: (raw: unknown) => refusalOf(parseRetryRequest(raw)),
  abort: (raw: unknown) => refusalOf(parseAbortRequest(raw)),
  check: (raw: unknown) => refusalOf(parseCheckReport(raw)),
  overrideFreeze: (raw: unknown) => refusalOf(parseOverrideFreezeRequest(raw)),
  moveTags: (raw: unknown) => refusalOf(parseMoveTagsInput(raw)),
};
