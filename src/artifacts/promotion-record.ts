// The promotion record: what a release proves about itself when it promotes. It is built by the workflow
// from its own status (pure, deterministic) and signed into an in-toto statement per promoted digest, so it
// outlives the workflow history. The same shape is what `shipgate report` prints and `--from-registry`
// rebuilds. Its fields mirror the release status on purpose, but are declared here so activities and the CLI
// can read a record without importing the workflow.

export const vsaPredicateType = 'https://slsa.dev/verification_summary/v1';
export const promotionPredicateType = 'https://shipgate.dev/promotion/v1';
/** Who verified: the VSA's verifier.id. */
export const verifierId = 'https://shipgate.dev/verifier';
export const shipgateVersion = '0.1.0';

/** The promotion key by variable names: the worker reads the path and the password, the plan never holds them. */
export interface PromotionKey {
  pathEnv: string;
  passwordEnv: string;
}

export interface RecordStep {
  step: string;
  state: string;
  startedAt: string;
  finishedAt?: string;
  summary?: string;
  attempts?: number;
}

export interface RecordVerification {
  artifact: string;
  digest: string;
  where: string;
  signature: boolean;
  attestations: string[];
  /** sha256 of each attestation payload that verified, when known. */
  attestationDigests?: { type: string; sha256: string }[];
  against: string;
  at: string;
}

/** A decision as the release recorded it; the trusted-approvals fields (principal, method, proof) pass through. */
export interface RecordDecision {
  kind: string;
  by: string;
  at: string;
  gate?: string;
  comment?: string;
  digests?: string[];
  via?: string;
  refusal?: string;
  principal?: unknown;
  method?: string;
  proof?: unknown;
}

export interface RecordArtifact {
  name: string;
  kind: string;
  destination: string;
  digest?: string;
  platforms?: { platform: string; digest: string }[];
  files?: { name: string; sha256?: string; digest?: string; size: number }[];
}

export interface PromotionRecord {
  predicateType: typeof promotionPredicateType;
  releaseId: string;
  runId: string;
  project: string;
  version: string;
  tag: string;
  commitSha: string;
  startedBy: string;
  /** The digest set people approved, `name@sha256:...`. */
  approvedDigests: string[];
  artifacts: RecordArtifact[];
  decisions: RecordDecision[];
  verifications: RecordVerification[];
  steps: RecordStep[];
  /** The plan's signature policy, as the workflow holds it (no secrets). */
  policy: unknown;
  /** A freeze that held promotion, and how it ended (window over, or an override decision). */
  freeze?: {
    reasons: string[];
    until: string;
    since: string;
    overriddenBy?: string;
    reason?: string;
    overrideProof?: string;
  };
  /** What promotion does after this record is pushed (the record goes first, so `latest` never lacks one). */
  planned: { floatingTags: string[]; publishRelease: boolean; pins: string[]; mergePullRequest?: number };
  release?: { id: string; url?: string; state: string };
}

/** The digests a record covers for one artifact: the index (or chart) and each platform manifest verified. */
export interface RecordSubject {
  artifact: string;
  role: string;
  digest: string;
  /** host/repo@sha256:... at the destination. */
  reference: string;
}

/** SLSA VSA v1 predicate, with the shipgate promotion record as an extension field (in-toto parsers ignore it). */
export interface VsaPredicate {
  verifier: { id: string; version: Record<string, string> };
  timeVerified: string;
  resourceUri: string;
  policy: { uri: string; digest?: { sha256: string } };
  inputAttestations: { uri: string; digest: { sha256: string } }[];
  verificationResult: 'PASSED' | 'FAILED';
  verifiedLevels: string[];
  slsaVersion: '1.0';
  shipgate: PromotionRecord & { subject: RecordSubject };
}

/**
 * The VSA for one digest. timeVerified is the last verification of that digest at the destination (the
 * re-verify before promotion), so a rerun builds the very same predicate and finds it already pushed.
 * policy.digest is filled by the signing activity (a hash needs node:crypto, which workflows may not use).
 */
export function vsaPredicateFor(record: PromotionRecord, subject: RecordSubject): VsaPredicate {
  const verified = record.verifications.filter((v) => v.digest === subject.digest && v.where === 'destination');
  const last = verified.at(-1);
  const inputs = record.verifications
    .filter((v) => v.digest === subject.digest)
    .flatMap((v) => v.attestationDigests ?? [])
    .filter((a, index, all) => all.findIndex((b) => b.sha256 === a.sha256) === index);
  const provenance = verified.some((v) => v.attestations.some((type) => type.startsWith('slsaprovenance')));
  return {
    verifier: { id: verifierId, version: { shipgate: shipgateVersion } },
    timeVerified: last?.at ?? '',
    resourceUri: `oci://${subject.reference}`,
    policy: { uri: `${verifierId}/policy/${encodeURIComponent(record.project)}` },
    inputAttestations: inputs.map((input) => ({
      uri: `oci://${subject.reference}#${input.type}`,
      digest: { sha256: input.sha256 },
    })),
    verificationResult: 'PASSED',
    verifiedLevels: provenance ? ['SLSA_BUILD_LEVEL_1'] : [],
    slsaVersion: '1.0',
    shipgate: { ...record, subject },
  };
}

/** Every digest a promotion attests: each OCI artifact's digest and each platform manifest verified at the destination. */
export function recordSubjects(record: PromotionRecord): RecordSubject[] {
  const verifiedAtDestination = new Set(
    record.verifications.filter((v) => v.where === 'destination').map((v) => v.digest),
  );
  return record.artifacts.flatMap((artifact) => {
    if (!artifact.digest || artifact.kind === 'generic-package') return [];
    const repository = artifact.destination.replace(/:[^:/]+$/, '');
    const roles = [
      { role: artifact.kind === 'image' ? 'index' : artifact.kind, digest: artifact.digest },
      ...(artifact.platforms ?? []).map((p) => ({ role: p.platform, digest: p.digest })),
    ];
    return roles
      .filter((r) => verifiedAtDestination.has(r.digest))
      .map((r) => ({
        artifact: artifact.name,
        role: r.role,
        digest: r.digest,
        reference: `${repository}@${r.digest}`,
      }));
  });
}
