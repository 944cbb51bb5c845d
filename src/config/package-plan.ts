import { z } from 'zod';
import type { ForgeConfig, GenericPackageInput } from './spec.ts';
import { envName, httpUrl, name, safeSegments } from './fields.ts';

// packages[] of kind gitlab-generic (seed 000: download from the security mirror, re-upload to canonical),
// each purpose with its own credential: the commit check uses forge.tokenEnv, the source project and the
// destination project may each name a token and the header GitLab reads it from (a CI job token as
// JOB-TOKEN, a deploy token as Deploy-Token, a personal/project token as PRIVATE-TOKEN). The files can
// also go to the GitHub release as assets.

const packageAuth = z.strictObject({
  tokenEnv: envName,
  /** Default: JOB-TOKEN for CI_JOB_TOKEN, else PRIVATE-TOKEN. */
  header: z
    .enum(['PRIVATE-TOKEN', 'JOB-TOKEN', 'Deploy-Token'], { error: 'PRIVATE-TOKEN, JOB-TOKEN or Deploy-Token' })
    .optional(),
});

/** A GitLab project path (group/sub/project) or numeric id; it becomes one encoded URL path segment. */
const gitlabProject = safeSegments(
  z
    .string()
    .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { error: 'a GitLab project path (group/project) or a numeric id' }),
);

export const genericPackagePlan = z
  .strictObject({
    name,
    kind: z.literal('gitlab-generic'),
    files: z
      .array(safeSegments(z.string().regex(/^[A-Za-z0-9._-]+$/, { error: 'a file name without slashes' })))
      .min(1),
    /** The GitLab API holding both package projects; default: forge.baseUrl when the forge is GitLab. */
    gitlabUrl: httpUrl.optional(),
    sourceProject: gitlabProject,
    sourceAuth: packageAuth.optional(),
    destinationProject: gitlabProject.optional(),
    destinationAuth: packageAuth.optional(),
    /** Also upload the files to the drafted GitHub release as assets. */
    releaseAssets: z.boolean().default(false),
  })
  .refine((p) => p.destinationProject !== undefined || p.releaseAssets, {
    error: 'give destinationProject (a GitLab project), releaseAssets: true (the GitHub release), or both',
  });
export type GenericPackagePlan = z.infer<typeof genericPackagePlan>;

/** Plan problems of one generic package against the forge, for the plan's superRefine. */
export function genericPackageIssues(
  pkg: GenericPackagePlan,
  forge: { kind: string } | undefined,
): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (forge?.kind !== 'gitlab' && !pkg.gitlabUrl)
    issues.push({
      path: ['gitlabUrl'],
      message:
        'a gitlab-generic package needs the GitLab API: forge.kind: gitlab, or gitlabUrl (e.g. https://gitlab.com/api/v4)',
    });
  if (forge?.kind !== 'gitlab' && (!pkg.sourceAuth || (pkg.destinationProject && !pkg.destinationAuth)))
    issues.push({
      path: [pkg.sourceAuth ? 'destinationAuth' : 'sourceAuth'],
      message: 'with a GitHub forge, name the GitLab token for each package project (sourceAuth, destinationAuth)',
    });
  if (pkg.releaseAssets && forge?.kind !== 'github')
    issues.push({
      path: ['releaseAssets'],
      message:
        'release assets go to a GitHub release: forge.kind: github (GitLab releases link to package files instead)',
    });
  return issues;
}

/** The workflow's view of a generic package: where each side is and which credential each side uses. */
export function genericPackageSpec(
  pkg: GenericPackagePlan,
  forge: ForgeConfig | undefined,
  version: string,
): GenericPackageInput {
  const baseUrl = pkg.gitlabUrl ?? forge?.baseUrl ?? '';
  const side = (project: string, auth: GenericPackagePlan['sourceAuth']): ForgeConfig => ({
    kind: 'gitlab',
    baseUrl,
    project,
    tokenEnv: auth?.tokenEnv ?? forge?.tokenEnv ?? '',
    ...(auth?.header ? { tokenHeader: auth.header } : {}),
  });
  return {
    name: pkg.name,
    version,
    files: pkg.files,
    source: side(pkg.sourceProject, pkg.sourceAuth),
    ...(pkg.destinationProject ? { destination: side(pkg.destinationProject, pkg.destinationAuth) } : {}),
    ...(pkg.releaseAssets ? { releaseAssets: true } : {}),
  };
}
