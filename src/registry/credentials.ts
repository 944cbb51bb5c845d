import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FailureTypes, permanent } from '../errors.ts';
import type { RegistryEndpoint } from '../artifacts/types.ts';
import { fromCredentialHelper } from './credential-helpers.ts';

export interface BasicCredentials {
  username: string;
  password: string;
  /** Where they came from, for error hints (never the secret itself). */
  source: string;
}

/**
 * Credentials for a registry: the environment variables the plan names, else the standard docker config
 * ($DOCKER_CONFIG/config.json or ~/.docker/config.json: credHelpers, credsStore, auths), else anonymous.
 */
export function credentialsFor(endpoint: RegistryEndpoint): BasicCredentials | undefined {
  if (endpoint.usernameEnv || endpoint.passwordEnv) {
    const missing = [endpoint.usernameEnv, endpoint.passwordEnv].filter((name) => !name || !process.env[name]);
    if (missing.length > 0) {
      throw permanent(
        FailureTypes.invalidInput,
        `credentials for registry ${endpoint.host}: environment variable ${missing.join(' and ') || '(unnamed)'} is not set on the worker; ` +
          'set both usernameEnv and passwordEnv variables in the worker environment',
      );
    }
    return {
      username: process.env[endpoint.usernameEnv ?? ''] ?? '',
      password: process.env[endpoint.passwordEnv ?? ''] ?? '',
      source: `environment variables ${endpoint.usernameEnv} and ${endpoint.passwordEnv}`,
    };
  }
  return fromDockerConfig(endpoint.host);
}

function dockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** As docker does: credHelpers[host] first, then the credsStore for every registry, then auths. */
function fromDockerConfig(host: string): BasicCredentials | undefined {
  const path = dockerConfigPath();
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
  const helper = config.credHelpers?.[host] ?? config.credsStore;
  if (helper) {
    const key = config.credHelpers?.[host] ? `credHelpers["${host}"]` : 'credsStore';
    const creds = fromCredentialHelper(helper, host, `registry ${host} (${path} ${key})`);
    return creds && { ...creds, source: `credential helper docker-credential-${helper} (${path} ${key})` };
  }
  const entry = config.auths?.[host] ?? config.auths?.[`https://${host}`] ?? config.auths?.[`http://${host}`];
  if (!entry) return undefined;
  let username = entry.username;
  let password = entry.password;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  if (!username || password === undefined) return undefined;
  return { username, password, source: `docker auth file ${path} (auths["${host}"])` };
}

/** Where a person should look when a registry refuses these credentials. */
export function credentialHint(endpoint: RegistryEndpoint, creds: BasicCredentials | undefined): string {
  if (creds) return `check the credentials from ${creds.source}`;
  if (endpoint.usernameEnv || endpoint.passwordEnv) return `set ${endpoint.usernameEnv} and ${endpoint.passwordEnv}`;
  return `no credentials found for ${endpoint.host}: add them to ${dockerConfigPath()} (docker login ${endpoint.host}) or name usernameEnv/passwordEnv in the plan`;
}
