import type { BasicCredentials } from './credentials.ts';

// What registry clients in this worker process share about auth, and the header helpers.

/** Registries (by base URL) that asked for basic auth: later clients send it without waiting for a 401. */
export const basicRegistries = new Set<string>();
/** Registries whose first request is in flight (see learnAuthOnce). */
export const firstRequests = new Map<string, Promise<void>>();

/** The token scope of a repository: pull, or pull and push. */
export function scopeOf(repository: string, push: boolean): string {
  return `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
}

export function basicHeader(credentials: BasicCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
