# cosign verify-attestation --type vuln --policy no-critical.rego
# cosign evaluates data.signature.allow (Rego v0 syntax) against the in-toto statement of each attestation.
package signature

default allow = false

critical[id] {
  some i, j
  finding := input.predicate.scanner.result.Results[i].Vulnerabilities[j]
  finding.Severity == "CRITICAL"
  id := finding.VulnerabilityID
}

# A Trivy scan (cosign's vuln predicate) that reports no CRITICAL finding.
allow {
  input.predicateType == "https://cosign.sigstore.dev/attestation/vuln/v1"
  count(critical) == 0
}
