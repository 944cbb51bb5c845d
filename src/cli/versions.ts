import { parseSemver, formatSemver } from '../artifacts/semver.ts';
import { CliError, ExitCode } from './exit-codes.ts';

/** "v1.2.3" or "1.2.3" -> "1.2.3"; anything else is bad input. */
export function normalizeVersion(text: string): string {
  const parsed = parseSemver(text);
  if (!parsed)
    throw new CliError(`version "${text}" is not a semantic version like 1.2.3 or v1.2.3`, ExitCode.badInput);
  return formatSemver(parsed);
}
