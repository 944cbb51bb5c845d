import { z } from 'zod';
import { envName, httpUrl, name } from './fields.ts';
import { parseJsonPath, secretNames, unknownFields, type JsonValue, type PinTarget } from './pin-template.ts';

// promotion.pins: where promoted digests are pinned. The short form posts {name, digest, version, gitSha}
// and reads the same URL back; the template form speaks any control plane's API (seed 003:
// POST /cp/admin/runtime-image/promote {template_name, image_digest, git_sha, notes}, read back from
// GET /cp/admin/runtime-image).

const templated = z.string().superRefine((value, ctx) => {
  const unknown = unknownFields(value);
  if (unknown.length)
    ctx.addIssue({
      code: 'custom',
      message: `unknown field {${unknown.join('}, {')}}; a pin template may use {name}, {kind}, {digest}, {version}, {tag}, {commit}, {notes}, {project}`,
    });
});

const templatedUrl = templated.refine((value) => /^https?:\/\/[^/{}]+/.test(value), {
  error: 'an http(s) URL whose host is written out, e.g. https://cp.example/cp/admin/runtime-image/promote',
});

/** Header values may use ${VAR}; credentials must: a literal secret in the plan would enter workflow history. */
const headers = z
  .record(z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'an HTTP header name' }), z.string())
  .superRefine((values, ctx) => {
    for (const [header, value] of Object.entries(values)) {
      for (const [, variable = ''] of value.matchAll(/\$\{([^}]*)\}/g)) {
        if (!envName.safeParse(variable).success)
          ctx.addIssue({ code: 'custom', path: [header], message: `\${${variable}} is not a variable name` });
      }
      if (/^(authorization|.*token.*|.*key.*|cookie)$/i.test(header) && secretNames(value).length === 0)
        ctx.addIssue({
          code: 'custom',
          path: [header],
          message: `${header} holds a credential: name the worker variable instead of the value, e.g. "Bearer \${CP_ADMIN_API_TOKEN}"`,
        });
    }
  });

const jsonPath = z.string().superRefine((value, ctx) => {
  try {
    parseJsonPath(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const bodyTemplate: z.ZodType<JsonValue> = z.json();

const shortPin = z.strictObject({ url: httpUrl, tokenEnv: envName, readBack: z.boolean().default(true) });

const templatePin = z.strictObject({
  /** Which images, charts or packages; default: every image. */
  for: z.array(name).default([]),
  request: z.strictObject({
    method: z.enum(['POST', 'PUT', 'PATCH'], { error: 'POST, PUT or PATCH' }).default('POST'),
    url: templatedUrl,
    headers: headers.default({}),
    body: bodyTemplate.optional(),
  }),
  readBack: z
    .strictObject({
      url: templatedUrl,
      /** Default: the request's headers. */
      headers: headers.optional(),
      /** Where the served digest is in the answer, e.g. pins[template_name=codex].image_digest. */
      digestPath: jsonPath,
    })
    .optional(),
});

export const pinPlan = z.union([shortPin, templatePin], {
  error:
    'a pin is either {url, tokenEnv, readBack} or a template {for, request: {method, url, headers, body}, readBack: {url, digestPath}}',
});
export type PinPlan = z.infer<typeof pinPlan>;

/** The pin target the workflow carries: the short form becomes the template it stands for. */
export function pinTarget(pin: PinPlan): PinTarget {
  if ('tokenEnv' in pin) {
    const headers = { authorization: `Bearer \${${pin.tokenEnv}}` };
    return {
      for: [],
      request: {
        method: 'POST',
        url: pin.url,
        headers,
        body: { name: '{name}', digest: '{digest}', version: '{version}', gitSha: '{commit}' },
      },
      ...(pin.readBack ? { readBack: { method: 'GET', url: pin.url, headers, digestPath: 'digest' } } : {}),
    };
  }
  return {
    for: pin.for,
    request: {
      method: pin.request.method,
      url: pin.request.url,
      headers: pin.request.headers,
      ...(pin.request.body !== undefined ? { body: pin.request.body } : {}),
    },
    ...(pin.readBack
      ? {
          readBack: {
            method: 'GET',
            url: pin.readBack.url,
            headers: pin.readBack.headers ?? pin.request.headers,
            digestPath: pin.readBack.digestPath,
          },
        }
      : {}),
  };
}
