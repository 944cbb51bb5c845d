/**
 * The smallest plan the loader accepts: one image from a plain-HTTP local source to `registry.example`, a cosign
 * key, a manual gate (by default without proofs). Tests append the top-level sections they are about.
 */
export function minimalPlan(gate = '{ mode: manual, identity: unauthenticated }'): string {
  return `
project: acme/app
registries:
  source: { host: 127.0.0.1:5000, plainHttp: true }
  destination: { host: registry.example }
images:
  - { name: app, source: staging/app, destination: acme/app }
policy:
  key: { path: ./cosign.pub }
gate: ${gate}
`;
}
