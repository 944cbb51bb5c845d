import { z } from 'zod';

// gate.identity: how a decision proves who made it. Approvals are signed unless the plan says otherwise.

export const identityModes = ['signed', 'oidc', 'signed-or-oidc', 'unauthenticated'] as const;

const issuer = z.strictObject({
  url: z.url({
    protocol: /^https?$/,
    error: "the issuer URL exactly as in the tokens' iss claim, e.g. https://gitlab.com",
  }),
  /** The claim naming the person: user_login (GitLab), actor (GitHub). */
  personClaim: z.string().min(1),
  /** Claims that must match exactly, e.g. project_path, ref_protected (GitLab); repository, event_name (GitHub). */
  claims: z.record(z.string(), z.union([z.string(), z.boolean()]).transform(String)).default({}),
});

const identityObject = z.strictObject({
  mode: z.enum(identityModes, {
    error: 'mode must be signed (SSH signatures), oidc (CI ID tokens), signed-or-oidc, or unauthenticated',
  }),
  /**
   * git's allowed-signers format (`principal key-type key [valid-after/valid-before options]` per line): a path on
   * the worker (no spaces), or the lines themselves. Public keys are not secrets.
   */
  sshAllowedSigners: z.string().min(1).optional(),
  oidc: z
    .strictObject({
      audience: z.string().min(1).default('shipgate'),
      skew: z.number().int().min(0).max(300).default(60),
      maxLifetime: z.number().int().positive().default(3600),
      issuers: z.array(issuer).min(1, { error: 'list at least one issuer' }),
    })
    .optional(),
});

/** `identity: unauthenticated` (a word) or an object; absent means signed, which then needs sshAllowedSigners. */
export const identitySchema = z
  .union([z.enum(identityModes).transform((mode) => ({ mode })), identityObject], {
    error: 'gate.identity is signed, oidc, signed-or-oidc, unauthenticated, or an object with mode',
  })
  .default({ mode: 'signed' });

/** What a plan's identity rules lack, as [path under gate.identity, message]; checked by the plan's refinement. */
export function identityProblems(identity: IdentityPlan): [string, string][] {
  const problems: [string, string][] = [];
  if ((identity.mode === 'signed' || identity.mode === 'signed-or-oidc') && !identity.sshAllowedSigners)
    problems.push([
      'sshAllowedSigners',
      'signed approvals need gate.identity.sshAllowedSigners (an allowed-signers file, as git uses, or its lines); or choose gate.identity: oidc, or write gate.identity: unauthenticated',
    ]);
  if ((identity.mode === 'oidc' || identity.mode === 'signed-or-oidc') && !identity.oidc)
    problems.push([
      'oidc',
      'oidc approvals need gate.identity.oidc with audience and issuers (url, personClaim, claims)',
    ]);
  return problems;
}

export type IdentityPlan = z.infer<typeof identityObject>;

/** A group of principals and how many of them must approve (e.g. 1 of security): a two-person rule. */
export const groupsSchema = z
  .record(
    z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, { error: 'a group name: letters, digits, ".", "_", "-"' }),
    z.strictObject({ members: z.array(z.string().min(1)).min(1), required: z.number().int().min(1).default(1) }),
  )
  .default({});
