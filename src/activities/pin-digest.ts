import { FailureTypes, permanent } from '../errors.ts';
import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import type { PinTarget } from '../config/spec.ts';

export interface PinInput {
  target: PinTarget;
  name: string;
  digest: string;
  version: string;
  gitSha: string;
}

export interface PinResult {
  name: string;
  url: string;
  digest: string;
  alreadyPinned: boolean;
  confirmed: boolean;
}

/**
 * Pins a promoted digest in a control plane (seed 003): POST {name, digest, version, gitSha} with a bearer
 * token; any non-2xx fails loudly (5xx and 429 retried, any 4xx is PinRejected and needs a person: a 401/403 names
 * the token variable); the optional read-back confirms
 * the control plane now serves this digest. With read-back configured it also looks first, so a retried
 * promotion posts each pin once.
 */
export async function pinDigest(input: PinInput): Promise<PinResult> {
  const url = input.target.url.replaceAll('{name}', encodeURIComponent(input.name));
  const token = secretFromEnv(input.target.tokenEnv, `promotion.pins (${url}) tokenEnv`);
  // A refused token is a refused pin too: PinRejected, whatever the status, with the variable to check.
  const common = {
    headers: { authorization: `Bearer ${token}` },
    authHint: `check the control-plane token in ${input.target.tokenEnv} (promotion.pins[].tokenEnv)`,
    unauthorizedType: FailureTypes.pinRejected,
    forbiddenType: FailureTypes.pinRejected,
  };
  const readPin = async (): Promise<string | undefined> => {
    const answer = await jsonRequest<{ digest?: string }>({
      ...common,
      method: 'GET',
      url,
      expect: [404],
      what: `pin read-back for ${input.name}`,
    });
    return answer.status === 404 ? undefined : answer.body?.digest;
  };
  if (input.target.readBack && (await readPin()) === input.digest) {
    return { name: input.name, url, digest: input.digest, alreadyPinned: true, confirmed: true };
  }
  const answer = await jsonRequest<unknown>({
    ...common,
    method: 'POST',
    url,
    body: { name: input.name, digest: input.digest, version: input.version, gitSha: input.gitSha },
    what: `pin of ${input.name}@${input.digest}`,
    expect: [400, 404, 409, 422],
  });
  if (answer.status >= 400) {
    throw permanent(
      FailureTypes.pinRejected,
      `pin of ${input.name}@${input.digest}: POST ${url} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}; fix the control plane or the plan's pin URL, then retry`,
    );
  }
  if (!input.target.readBack)
    return { name: input.name, url, digest: input.digest, alreadyPinned: false, confirmed: false };
  const served = await readPin();
  if (served !== input.digest) {
    throw permanent(
      FailureTypes.pinRejected,
      `pin of ${input.name}: the control plane accepted ${input.digest} but GET ${url} serves ${served ?? 'nothing'}; check the control plane, then retry`,
    );
  }
  return { name: input.name, url, digest: input.digest, alreadyPinned: false, confirmed: true };
}
