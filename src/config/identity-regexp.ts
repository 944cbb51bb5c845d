// Checks on a keyless identity regexp (cosign --certificate-identity-regexp, Go RE2 syntax; the common subset is
// also valid JavaScript). Seed 001: the regexp is anchored to tag refs, so a signature minted by the workflow
// running from a branch (refs/heads/...) is refused.

/** Why the regexp is refused, or undefined. Unanchored patterns match anywhere inside the certificate identity. */
export function identityRegexpProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) {
    return `the identity regexp must be anchored at both ends (start with ^ and end with $), or a certificate whose identity merely contains it would pass; e.g. ^https://github.com/ORG/REPO/\\.github/workflows/publish\\.yml@refs/tags/v.*$`;
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * The branch-ref identities the regexp would accept, if any. It builds a sample identity the pattern
 * describes, then tries it with branch refs in place of the tag ref (and appended, for patterns that end in a
 * wildcard): a pattern anchored to `@refs/tags/` accepts none of them.
 */
export function branchIdentitiesAccepted(pattern: string): string[] {
  let regexp: RegExp;
  try {
    regexp = new RegExp(pattern);
  } catch {
    return [];
  }
  const sample = sampleOf(pattern);
  // A pattern that names a ref: swap it for branch refs. One that does not: append one (after a wildcard).
  const base = sample.replace(/@refs\/.*$/, '');
  const candidates =
    base !== sample
      ? [`${base}@refs/heads/main`, `${base}@refs/heads/release`]
      : [`${sample}@refs/heads/main`, `${sample}/.github/workflows/publish.yml@refs/heads/main`];
  return [...new Set(candidates)].filter((candidate) => regexp.test(candidate));
}

/** A string the simple patterns people write for identities would match: wildcards become "x", escapes literal. */
function sampleOf(pattern: string): string {
  return pattern
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\[\^?[^\]]*\][*+?]?(\{[^}]*\})?/g, 'x')
    .replace(/\\d[*+?]?/g, '1')
    .replace(/\.[*+]\??/g, 'x')
    .replace(/\\(.)/g, '$1')
    .replace(/\(\?:/g, '(')
    .replace(/\(([^|()]*)(\|[^()]*)?\)[?*+]?/g, '$1');
}
