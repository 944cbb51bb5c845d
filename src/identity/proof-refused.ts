/** A proof that does not hold; the message names the check that failed (signature, audience, expiry, ...). */
export class ProofRefused extends Error {
  readonly check: string;

  constructor(check: string, message: string) {
    super(`${check}: ${message}`);
    this.name = 'ProofRefused';
    this.check = check;
  }
}
