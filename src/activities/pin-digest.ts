import { FailureTypes, permanent } from '../errors.ts';
import { jsonRequest } from '../http/json-client.ts';
import { secretFromEnv } from '../http/secret-from-env.ts';
import {
  renderJson,
  renderSecrets,
  renderString,
  secretNames,
  templateBase,
  valueAt,
  type PinFields,
  type PinRequestTemplate,
} from '../config/pin-template.ts';
import type { PinTarget } from '../config/spec.ts';

export interface PinInput {
  target: PinTarget;
  /** The release's fields the templates use: name, kind, digest, version, tag, commit, notes, project. */
  fields: PinFields;
}

export interface PinResult {
  name: string;
  url: string;
  digest: string;
  alreadyPinned: boolean;
  confirmed: boolean;
}

function render(template: PinRequestTemplate, fields: PinFields, what: string) {
  const url = renderString(template.url, fields, true);
  const headers = Object.fromEntries(
    Object.entries(template.headers).map(([header, value]) => [
      header,
      renderSecrets(value, (variable) => secretFromEnv(variable, `${what} header ${header}`)),
    ]),
  );
  const variables = Object.values(template.headers).flatMap(secretNames);
  return {
    url,
    // The template's fixed part: a field value (even ".." encoded) can never take the request elsewhere.
    within: templateBase(template.url),
    headers,
    body: template.body === undefined ? undefined : renderJson(template.body, fields),
    authHint: variables.length
      ? `check the control-plane token in ${variables.join(', ')} (promotion.pins[] headers)`
      : 'the control plane wants credentials: add a header naming a worker variable, e.g. authorization: "Bearer ${CP_TOKEN}"',
    // A refused credential is a refused pin too: PinRejected, whatever the status, with the variable to check.
    unauthorizedType: FailureTypes.pinRejected,
    forbiddenType: FailureTypes.pinRejected,
  };
}

/**
 * Pins a promoted digest in a control plane (seed 003) by the plan's request template; any non-2xx fails
 * loudly (5xx and 429 retried, any 4xx is PinRejected and needs a person: a 401/403 names the variable). The read-back, which may ask another endpoint than the
 * write, confirms the control plane now serves this digest; it is also asked first, so a retried promotion
 * (or a rollback to what is already pinned) writes each pin once.
 */
export async function pinDigest(input: PinInput): Promise<PinResult> {
  const { fields, target } = input;
  const what = `pin of ${fields.name}@${fields.digest}`;
  const write = render(target.request, fields, 'promotion.pins[].request');
  const readBack = target.readBack;
  const readPin = async (): Promise<unknown> => {
    if (!readBack) return undefined;
    const read = render(readBack, fields, 'promotion.pins[].readBack');
    const answer = await jsonRequest<unknown>({
      method: 'GET',
      url: read.url,
      within: read.within,
      headers: read.headers,
      expect: [404],
      what: `pin read-back for ${fields.name}`,
      authHint: read.authHint,
      unauthorizedType: read.unauthorizedType,
      forbiddenType: read.forbiddenType,
    });
    return answer.status === 404 ? undefined : valueAt(answer.body, readBack.digestPath, fields);
  };
  const result = { name: fields.name, url: write.url, digest: fields.digest };
  if (readBack && (await readPin()) === fields.digest) return { ...result, alreadyPinned: true, confirmed: true };

  const answer = await jsonRequest<unknown>({
    method: target.request.method,
    url: write.url,
    within: write.within,
    headers: write.headers,
    body: write.body,
    what,
    authHint: write.authHint,
    unauthorizedType: write.unauthorizedType,
    forbiddenType: write.forbiddenType,
    expect: [400, 404, 409, 422],
  });
  if (answer.status >= 400) {
    throw permanent(
      FailureTypes.pinRejected,
      `${what}: ${target.request.method} ${write.url} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}; fix the control plane or the plan's pin request, then retry`,
    );
  }
  if (!readBack) return { ...result, alreadyPinned: false, confirmed: false };
  const served = await readPin();
  if (served !== fields.digest) {
    const readUrl = renderString(readBack.url, fields, true);
    throw permanent(
      FailureTypes.pinRejected,
      `${what}: the control plane accepted it but GET ${readUrl} serves ${served === undefined ? 'nothing' : JSON.stringify(served)} at ${readBack.digestPath}; check the control plane (or the plan's readBack.digestPath), then retry`,
    );
  }
  return { ...result, alreadyPinned: false, confirmed: true };
}
