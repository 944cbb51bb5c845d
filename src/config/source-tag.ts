import { z } from 'zod';

// Source tags (seed 004): staging builds are tagged by commit (sha-<commit>) or build number, and the release
// promotes that build to the version tag. The version tag is written only at the destination.

const placeholders = ['version', 'commit', 'shortCommit', 'build'] as const;
type Placeholder = (typeof placeholders)[number];

export const sourceTagSchema = z
  .string()
  .regex(/^[A-Za-z0-9_{][A-Za-z0-9._{}-]*$/, {
    error: 'a tag template of letters, digits, ".", "_", "-" and placeholders, e.g. sha-{shortCommit}',
  })
  .superRefine((template, ctx) => {
    for (const match of template.matchAll(/\{([^}]*)\}/g)) {
      if (!placeholders.includes(match[1] as Placeholder))
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder {${match[1]}}: use {version} (1.2.3), {commit} (the full SHA), {shortCommit} (its first 7 characters) or {build} (shipgate start --build)`,
        });
    }
  });

export interface SourceTagValues {
  version: string;
  commitSha: string;
  build?: string;
}

/** The source tag for one release, or an error that says which value is missing. */
export function renderSourceTag(template: string, values: SourceTagValues): string {
  if (template.includes('{build}') && !values.build) {
    throw new Error(
      `the source tag template "${template}" uses {build}: pass the build number with shipgate start --build`,
    );
  }
  const tag = template
    .replaceAll('{version}', values.version)
    .replaceAll('{commit}', values.commitSha)
    .replaceAll('{shortCommit}', values.commitSha.slice(0, 7))
    .replaceAll('{build}', values.build ?? '');
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(tag)) {
    throw new Error(`the source tag "${tag}" (from "${template}") is not a valid OCI tag`);
  }
  return tag;
}
