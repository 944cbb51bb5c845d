import { execaSync } from 'execa';
import { FailureTypes, permanent } from '../errors.ts';

export interface HelperCredentials {
  username: string;
  password: string;
}

/** A helper name becomes part of a program name (docker-credential-NAME): no path, no option. */
const helperName = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * Asks a docker credential helper (docker-credential-ecr-login, -gcloud, -acr-env, -desktop, -pass, ...) on
 * PATH, as docker does: `docker-credential-NAME get` with the registry host on stdin answers
 * {ServerURL, Username, Secret}. "credentials not found" means anonymous; any other failure names the helper.
 */
export function fromCredentialHelper(helper: string, host: string, where: string): HelperCredentials | undefined {
  if (!helperName.test(helper)) {
    throw permanent(
      FailureTypes.invalidInput,
      `${where}: credential helper "${helper}" is not a helper name (docker-credential-<name> on PATH); fix the docker config`,
    );
  }
  const program = `docker-credential-${helper}`;
  const result = execaSync(program, ['get'], { input: host, reject: false, timeout: 60_000, stripFinalNewline: true });
  const stdout = String(result.stdout ?? '');
  if (result.failed) {
    if (/credentials not found/i.test(stdout) || /credentials not found/i.test(String(result.stderr ?? '')))
      return undefined;
    const missing = (result as { code?: string }).code === 'ENOENT';
    throw permanent(
      FailureTypes.registryUnauthorized,
      missing
        ? `${where}: ${program} is not on the worker's PATH; install it there or remove "${helper}" from the docker config`
        : `${where}: ${program} get failed (exit ${result.exitCode ?? '?'}): ${String(result.stderr || stdout).slice(0, 200)}`,
    );
  }
  let answer: { Username?: string; Secret?: string };
  try {
    answer = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch {
    throw permanent(FailureTypes.registryUnauthorized, `${where}: ${program} get did not answer JSON`);
  }
  if (!answer.Username || answer.Secret === undefined) return undefined;
  if (answer.Username === '<token>') {
    throw permanent(
      FailureTypes.registryUnauthorized,
      `${where}: ${program} answered an identity token (Username "<token>"), which shipgate does not exchange; use a helper mode that returns a username and password, or name usernameEnv/passwordEnv in the plan`,
    );
  }
  return { username: answer.Username, password: answer.Secret };
}
