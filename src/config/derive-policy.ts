import type { ReleasePlan } from './plan.ts';
import type { ArtifactVerify, AttestationEntry } from './policy-schema.ts';
import {
  noSigner,
  type AttestationPlacement,
  type AttestationRequirement,
  type SignerPolicy,
  type VerificationPolicy,
} from './verification-policy.ts';

/** Who must have signed, from plan.policy.key / plan.policy.keyless. Pure (the workflow calls it). */
export function signerOf(plan: ReleasePlan): SignerPolicy {
  const { key, keyless } = plan.policy;
  if (key) {
    return {
      kind: 'key',
      ...(key.path ? { publicKeyPath: key.path, publicKeyName: key.path.split('/').at(-1) ?? key.path } : {}),
      ...(key.env ? { publicKeyEnv: key.env } : {}),
    };
  }
  if (keyless) {
    return {
      kind: 'keyless',
      ...(keyless.identity ? { identity: keyless.identity } : {}),
      ...(keyless.identityRegexp ? { identityRegexp: keyless.identityRegexp } : {}),
      issuer: keyless.issuer,
      ...(keyless.certificateChain ? { certificateChain: keyless.certificateChain } : {}),
      ...(keyless.trustedRoot ? { trustedRoot: keyless.trustedRoot } : {}),
      sct: keyless.sct,
    };
  }
  return noSigner;
}

/**
 * The policy of one artifact: the plan's defaults with the artifact's `verify` overrides. Plan-level
 * attestations are required on images; charts and packages carry only the attestations their own `verify` names.
 */
export function policyFor(plan: ReleasePlan, kind: 'image' | 'chart' | 'oci-package', verify?: ArtifactVerify) {
  const defaultPlacement: AttestationPlacement = plan.policy.attestationsPerPlatform ? 'both' : 'index';
  const entries = verify?.attestations ?? (kind === 'image' ? plan.policy.attestations : []);
  const policy: VerificationPolicy = {
    ...signerOf(plan),
    mode: verify?.mode ?? plan.policy.mode,
    tlog: plan.policy.tlog,
    attestations: entries.map((entry) => requirementOf(entry, defaultPlacement)),
    platforms: kind === 'image' ? (verify?.platforms ?? plan.policy.platforms) : [],
  };
  return policy;
}

function requirementOf(entry: AttestationEntry, placement: AttestationPlacement): AttestationRequirement {
  if (typeof entry === 'string') return { type: entry, on: placement, policies: [] };
  const policies = entry.policy === undefined ? [] : Array.isArray(entry.policy) ? entry.policy : [entry.policy];
  return { type: entry.type, on: entry.on ?? placement, policies };
}
