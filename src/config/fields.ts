import { z } from 'zod';
import { durationPattern } from './durations.ts';

// Field types shared by the plan's sections, each with the error that says what to write instead.

export const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'an environment variable name in capitals, e.g. GITHUB_TOKEN' });
export const duration = z.string().regex(durationPattern, { error: 'a duration such as 90s, 15m, 36h or 14d' });
export const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. https://api.github.com' });
export const name = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, { error: 'a short name: letters, digits, ".", "_", "-"' });
