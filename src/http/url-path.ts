import { FailureTypes, permanent } from '../errors.ts';

// URLs built from plan values. A value is one path segment, percent-encoded, so it cannot add a path or a query;
// "." and ".." are refused outright, since URLs normalize them away even when encoded (%2e%2e), which is how
// `forge.project: ../../escape` once sent the forge token to another path on the forge host.

/** One URL path segment made of a plan or input value; "", "." and ".." are refused (permanent, nothing sent). */
export function pathSegment(value: string, what: string): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..')
    throw permanent(
      FailureTypes.invalidInput,
      `${what} "${String(value)}" cannot be a URL path segment (empty, "." or ".." would leave its place in the URL)`,
    );
  return encodeURIComponent(value);
}

/** Several segments ("acme/gateway" as an owner and a repository), each encoded on its own. */
export function pathSegments(value: string, what: string): string {
  return value
    .split('/')
    .map((segment) => pathSegment(segment, what))
    .join('/');
}

/**
 * Why `url`, as fetch resolves it, is not below `base` (another origin, or a path outside base's path), or
 * undefined. The last check before a credential goes out: send() refuses such a request.
 */
export function outsideBase(url: string | URL, base: string): string | undefined {
  const target = new URL(url);
  const root = new URL(base);
  const rootPath = root.pathname.endsWith('/') ? root.pathname : `${root.pathname}/`;
  if (target.origin === root.origin && `${target.pathname}/`.startsWith(rootPath)) return undefined;
  return `${target.origin}${target.pathname} is not below ${root.origin}${rootPath}`;
}
