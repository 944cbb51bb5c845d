// The verification vocabulary of a release: how each artifact is verified (src/config/derive.ts builds it from
// the plan; src/activities/verify-signatures.ts applies it). Pure data, no secrets: keys and trust roots are
// named by path or variable on the worker.

/** require: a failed check stops the release; warn: it is recorded and shown, the release goes on; off: no check. */
export type VerifyMode = 'require' | 'warn' | 'off';

/**
 * Where an attestation must be found on a multi-arch image: on the index, on every platform manifest, on one of
 * the two (either placement is enough), or on both. Single-manifest artifacts only have the "index".
 */
export type AttestationPlacement = 'index' | 'platforms' | 'either' | 'both';

export interface AttestationRequirement {
  /** A cosign predicate type (spdxjson, vuln, ...) or a predicate type URI. */
  type: string;
  on: AttestationPlacement;
  /** CUE (.cue) or Rego (.rego) files on the worker, passed to `cosign verify-attestation --policy`. */
  policies: string[];
}

export type SignerPolicy =
  | {
      kind: 'key';
      /** Path of the PEM public key on the worker, or the variable holding the PEM. */
      publicKeyPath?: string;
      publicKeyEnv?: string;
      /** How printed commands refer to the key, e.g. "cosign.pub". */
      publicKeyName?: string;
    }
  | {
      kind: 'keyless';
      identity?: string;
      identityRegexp?: string;
      issuer: string;
      /** PEM chain (intermediates then root) that issued the signing certificates, instead of the public Fulcio. */
      certificateChain?: string;
      /** A sigstore trusted_root.json, instead of the public-good instance's. */
      trustedRoot?: string;
      /** Whether the certificate must carry a certificate-transparency SCT. */
      sct: 'require' | 'ignore';
    };

/** How one artifact is verified: who must have signed it, which attestations, which platforms, and how strictly. */
export type VerificationPolicy = SignerPolicy & {
  mode: VerifyMode;
  /** require: each signature must be in the transparency log (Rekor); ignore: --insecure-ignore-tlog. */
  tlog: 'require' | 'ignore';
  attestations: AttestationRequirement[];
  /** Platforms an image index must contain, e.g. linux/amd64. */
  platforms: string[];
};

/** A plan without any signer (every artifact `off`) still has a policy value: this one, which is never applied. */
export const noSigner: SignerPolicy = { kind: 'key' };
