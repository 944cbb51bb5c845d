import { z } from 'zod';
import { isTimeZone, parseWeekTime, parseWindowTime } from './freeze-windows.ts';

// The plan's words for promotion evidence (the signed record pushed beside every promoted digest) and for
// freeze windows (when promotion may not start). Secrets stay out: the key is named by environment variables.

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'an environment variable name in capitals, e.g. SHIPGATE_PROMOTION_KEY' });
const timezone = z.string().refine(isTimeZone, {
  error: 'an IANA time zone such as Europe/Berlin, America/New_York or UTC',
});
const people = z.array(z.string().min(1)).default([]);

export const evidenceSchema = z.strictObject({
  /** The cosign private key (encrypted PEM) of the promotion key pair: where it is and its password, by variable. */
  key: z.strictObject({ pathEnv: envName, passwordEnv: envName }),
  /** How release notes and `shipgate verify` name the public key, e.g. "shipgate.pub". */
  publicKeyName: z.string().min(1).default('shipgate.pub'),
});

const weekTime = z.string().refine((text) => parseWeekTime(text) !== undefined, {
  error: 'a weekday and a 24-hour time, e.g. "Fri 15:00" (Mon Tue Wed Thu Fri Sat Sun)',
});
const windowTime = z.string().regex(/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d)?(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/, {
  error: "a date and time such as 2026-12-23T18:00 (wall time in the window's timezone) or 2026-12-23T17:00Z",
});

const freezeWindow = z
  .strictObject({
    from: windowTime.optional(),
    to: windowTime.optional(),
    weekly: z.strictObject({ from: weekTime, to: weekTime }).optional(),
    timezone: timezone.default('UTC'),
    reason: z.string().min(1, { error: 'say why, e.g. "year-end freeze"; people waiting see it' }),
    /** Who may lift this freeze for one release, with a reason (an approval decision of its own). */
    overrideBy: people,
  })
  .superRefine((window, ctx) => {
    if (Boolean(window.weekly) === Boolean(window.from ?? window.to)) {
      ctx.addIssue({
        code: 'custom',
        path: ['weekly'],
        message: 'give either from and to (dates), or weekly: { from: "Fri 15:00", to: "Mon 08:00" }',
      });
      return;
    }
    if (window.weekly) {
      if (window.weekly.from === window.weekly.to)
        ctx.addIssue({
          code: 'custom',
          path: ['weekly', 'to'],
          message: 'a weekly window must not end where it starts',
        });
      return;
    }
    if (!isTimeZone(window.timezone)) return;
    const from = window.from ? parseWindowTime(window.from, window.timezone) : undefined;
    const to = window.to ? parseWindowTime(window.to, window.timezone) : undefined;
    if (from === undefined)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'a date such as 2026-12-23T18:00' });
    if (to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'a date such as 2027-01-04T08:00' });
    if (from !== undefined && to !== undefined && to <= from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'the window must end after it starts' });
  });

export const freezeSchema = z.array(freezeWindow).default([]);

export type EvidencePlan = z.infer<typeof evidenceSchema>;
export type FreezePlan = z.infer<typeof freezeSchema>;
