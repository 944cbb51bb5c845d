import { z } from 'zod';
import { identityRegexpProblem } from './identity-regexp.ts';

// The plan's verification policy (plan.policy) and the per-artifact overrides (images[].verify, ...).

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'an environment variable name in capitals, e.g. GITHUB_TOKEN' });

export const verifyMode = z.enum(['require', 'warn', 'off'], {
  error:
    'require (a failed check stops the release), warn (record it, show it in status and notes, go on) or off (no verification, said so in status and notes)',
});

const predicateType = z.union(
  [
    z.enum([
      'slsaprovenance',
      'slsaprovenance02',
      'slsaprovenance1',
      'spdx',
      'spdxjson',
      'cyclonedx',
      'vuln',
      'openvex',
      'custom',
    ]),
    z.url(),
  ],
  { error: 'a cosign predicate type (slsaprovenance, spdxjson, cyclonedx, vuln, ...) or a predicate type URI' },
);

const contentPolicyFile = z.string().regex(/^[^-].*\.(cue|rego)$/, {
  error:
    'a CUE (.cue) or Rego (.rego) file on the worker, as cosign verify-attestation --policy takes them, e.g. policies/no-critical.rego',
});

export const attestationSchema = z.union(
  [
    predicateType,
    z.strictObject({
      type: predicateType,
      /** index | platforms | either | both; unset: the policy's default placement. */
      on: z
        .enum(['index', 'platforms', 'either', 'both'], {
          error: 'index (on the image index), platforms (on every platform manifest), either (one of the two) or both',
        })
        .optional(),
      policy: z.union([contentPolicyFile, z.array(contentPolicyFile).min(1)]).optional(),
    }),
  ],
  { error: 'a predicate type, or { type, on, policy }' },
);
export type AttestationEntry = z.infer<typeof attestationSchema>;

const platform = z
  .string()
  .regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/, { error: 'os/architecture[/variant], e.g. linux/arm64' });

const filePath = z.string().regex(/^[^-]/, { error: 'a file path on the worker (not starting with "-")' }).min(1);

const keyless = z
  .strictObject({
    identity: z.string().min(1).optional(),
    identityRegexp: z
      .string()
      .min(1)
      .superRefine((pattern, ctx) => {
        const problem = identityRegexpProblem(pattern);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    issuer: z.url({ error: 'the OIDC issuer URL, e.g. https://token.actions.githubusercontent.com' }),
    /** PEM chain of the CA that issues the signing certificates (a private Fulcio), intermediates first. */
    certificateChain: filePath.optional(),
    /** A sigstore trusted_root.json naming the CAs (and logs) to trust. */
    trustedRoot: filePath.optional(),
    sct: z.enum(['require', 'ignore'], { error: 'require or ignore' }).default('require'),
  })
  .refine((k) => Boolean(k.identity) !== Boolean(k.identityRegexp), {
    error:
      'give exactly one of identity or identityRegexp, e.g. identityRegexp: ^https://github.com/ORG/REPO/.github/workflows/publish.yml@refs/tags/v.*$',
  })
  .refine((k) => !(k.certificateChain && k.trustedRoot), {
    error: 'give at most one of certificateChain and trustedRoot',
  });

export const policySchema = z
  .strictObject({
    /** The default mode of every artifact; images[].verify.mode etc. override it. */
    mode: verifyMode.default('require'),
    key: z
      .strictObject({ path: filePath.optional(), env: envName.optional() })
      .refine((k) => Boolean(k.path) !== Boolean(k.env), {
        error: 'give exactly one of path (a PEM file on the worker) or env',
      })
      .optional(),
    keyless: keyless.optional(),
    tlog: z
      .enum(['require', 'ignore'], {
        error: 'require (signatures must be in the transparency log) or ignore (--insecure-ignore-tlog)',
      })
      .default('require'),
    attestations: z.array(attestationSchema).default([]),
    /** Default placement "both" instead of "index" (SBOMs bound to per-arch digests and on the index). */
    attestationsPerPlatform: z.boolean().default(false),
    /** Platforms every image index must contain. */
    platforms: z.array(platform).default([]),
  })
  .refine((p) => !(p.key && p.keyless), { error: 'give at most one of policy.key and policy.keyless' });

/** Per-artifact override of the plan's policy. */
export const artifactVerifySchema = z.strictObject({
  mode: verifyMode.optional(),
  attestations: z.array(attestationSchema).optional(),
  platforms: z.array(platform).optional(),
});
export type ArtifactVerify = z.infer<typeof artifactVerifySchema>;
