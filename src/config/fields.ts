import { z } from 'zod';
import { durationOverCap, durationPattern, type DurationKind } from './durations.ts';

// Field types shared by the plan's sections, each with the error that says what to write instead.

export const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'an environment variable name in capitals, e.g. GITHUB_TOKEN' });
export const duration = z.string().regex(durationPattern, { error: 'a duration such as 90s, 15m, 36h or 14d' });
/** A duration no longer than its kind's cap (src/config/durations.ts). */
export const durationUpTo = (kind: DurationKind) =>
  duration.superRefine((text, ctx) => {
    const over = durationOverCap(text, kind);
    if (over) ctx.addIssue({ code: 'custom', message: over });
  });
export const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. https://api.github.com' });
export const name = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, { error: 'a short name: letters, digits, ".", "_", "-"' });

/**
 * Why a plan value would be read as something else once it is a URL path segment or a command-line argument: a
 * "." or ".." segment (URLs normalize them away, so `../../escape` leaves the project) or a leading "-" (an
 * option to regctl, cosign or helm). Undefined: safe.
 */
export function unsafeSegment(value: string, separator = '/'): string | undefined {
  if (value.startsWith('-')) return `"${value}" starts with "-" and would be read as an option`;
  const segments = value.split(separator);
  const dots = segments.find((segment) => segment === '.' || segment === '..');
  if (dots !== undefined) return `"${value}" has a "${dots}" segment, which would leave its place in a URL or path`;
  if (segments.some((segment) => segment.startsWith('-'))) return `"${value}" has a part starting with "-"`;
  return undefined;
}

/** A string field that must be safe as URL path segments (see unsafeSegment). */
export const safeSegments = <T extends z.ZodString>(field: T, separator = '/') =>
  field.superRefine((value, ctx) => {
    const problem = unsafeSegment(value, separator);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A registry host[:port]: DNS labels or an IPv4 address; no scheme, no path, no leading "-", no empty label. */
export const registryHost = z
  .string()
  .regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*(:\d{1,5})?$/, {
    error: 'a registry host[:port] without scheme, e.g. ghcr.io or 127.0.0.1:5000 (DNS labels, no leading "-" or ".")',
  });
