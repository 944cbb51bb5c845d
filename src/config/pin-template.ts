// Pin requests as templates (seed 003 and any other control plane): pure rendering and reading, shared by the
// plan check (which refuses a template it could not render) and the pin activity (which renders it).

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The release fields a pin template may use, as {field}. */
export const pinFields = ['name', 'kind', 'digest', 'version', 'tag', 'commit', 'notes', 'project'] as const;
export type PinFields = Record<(typeof pinFields)[number], string>;

export interface PinRequestTemplate {
  method: 'POST' | 'PUT' | 'PATCH' | 'GET';
  url: string;
  /** Values may name worker variables as ${VAR}; the value is read by the activity and never recorded. */
  headers: Record<string, string>;
  body?: JsonValue;
}

/** One pin target, derived from the plan: a write request, and the read-back that confirms it. */
export interface PinTarget {
  /** Names of the images, charts or packages pinned here; empty = every image. */
  for: string[];
  request: PinRequestTemplate;
  readBack?: PinRequestTemplate & { digestPath: string };
}

const fieldPattern = /\{([a-z]+)\}/g;
const secretPattern = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

/** The {field}s a template uses that are not release fields. */
export function unknownFields(template: string): string[] {
  return [...template.matchAll(fieldPattern)]
    .map((m) => m[1] ?? '')
    .filter((field) => !(pinFields as readonly string[]).includes(field));
}

/** Fills {field}s; in URLs each value is percent-encoded so a name cannot add a path or query. */
export function renderString(template: string, fields: PinFields, encode = false): string {
  return template.replace(fieldPattern, (whole, field: string) => {
    const value = (fields as Record<string, string | undefined>)[field];
    if (value === undefined) return whole;
    return encode ? encodeURIComponent(value) : value;
  });
}

/** The fixed start of a URL template up to the last "/" before its first {field}: every rendering stays below it. */
export function templateBase(template: string): string {
  const fixed = template.split('{')[0] ?? '';
  return fixed.slice(0, fixed.lastIndexOf('/') + 1);
}

/** Fills {field}s in every string of a JSON body template (keys stay as written). */
export function renderJson(template: JsonValue, fields: PinFields): JsonValue {
  if (typeof template === 'string') return renderString(template, fields);
  if (Array.isArray(template)) return template.map((item) => renderJson(item, fields));
  if (template && typeof template === 'object')
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, renderJson(value, fields)]));
  return template;
}

/** The worker variables a header value names as ${VAR}. */
export function secretNames(value: string): string[] {
  return [...value.matchAll(secretPattern)].map((m) => m[1] ?? '');
}

/** Fills ${VAR}s from a lookup (the activity passes the worker environment). */
export function renderSecrets(value: string, lookup: (variable: string) => string): string {
  return value.replace(secretPattern, (_whole, variable: string) => lookup(variable));
}

type PathStep = { key: string } | { index: number } | { where: string; equals: string };

/**
 * A small JSON path: `a.b`, `items[0]`, `pins[template_name={name}].image_digest`, or `[name=x].digest` on a
 * top-level array. Filters pick the first array element whose field equals the (templated) value.
 */
export function parseJsonPath(path: string): PathStep[] {
  const steps: PathStep[] = [];
  const token = /\.?([A-Za-z0-9_$-]+)|\[(\d+)\]|\[([A-Za-z0-9_$-]+)=([^\]]*)\]/y;
  let at = 0;
  while (at < path.length) {
    token.lastIndex = at;
    const m = token.exec(path);
    if (!m || (at === 0 && path.startsWith('.'))) {
      throw new Error(
        `"${path}" is not a JSON path at position ${at + 1}: use fields and [index] or [field=value], e.g. pins[template_name={name}].image_digest`,
      );
    }
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else steps.push({ where: m[3] ?? '', equals: m[4] ?? '' });
    at = token.lastIndex;
  }
  if (steps.length === 0) throw new Error('the JSON path is empty: name the field holding the digest, e.g. digest');
  return steps;
}

/** The value at a path in a JSON document, or undefined when any step does not match. */
export function valueAt(document: unknown, path: string, fields: PinFields): unknown {
  let current: unknown = document;
  for (const step of parseJsonPath(path)) {
    if (current === null || typeof current !== 'object') return undefined;
    if ('key' in step) current = (current as Record<string, unknown>)[step.key];
    else if ('index' in step) current = Array.isArray(current) ? current[step.index] : undefined;
    else {
      const wanted = renderString(step.equals, fields);
      current = Array.isArray(current)
        ? current.find(
            (item: unknown) =>
              item !== null &&
              typeof item === 'object' &&
              String((item as Record<string, unknown>)[step.where]) === wanted,
          )
        : undefined;
    }
  }
  return current;
}
