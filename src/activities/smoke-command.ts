import { execa } from 'execa';
import { FailureTypes, permanent } from '../errors.ts';
import { cancellationSignal, heartbeatWhile } from './context.ts';

export interface SmokeCommandInput {
  name: string;
  run: string[];
  timeoutMs: number;
  /** Environment with the release's digests: SHIPGATE_VERSION, SHIPGATE_<NAME>_REF=host/repo@sha256:... */
  env: Record<string, string>;
}

export interface SmokeCommandResult {
  name: string;
  passed: true;
  durationMs: number;
  outputTail: string;
}

/** Runs one smoke check command (argument array, no shell unless the plan asks for one) against the digests. */
export async function runSmokeCommand(input: SmokeCommandInput): Promise<SmokeCommandResult> {
  const [command, ...args] = input.run;
  if (!command) throw permanent(FailureTypes.invalidInput, `smoke.commands "${input.name}": run is empty`);
  const started = Date.now();
  const signal = cancellationSignal();
  // Beats while the command runs, so a dead worker's smoke check is retried after the heartbeat timeout, not its own.
  const result = await heartbeatWhile(
    () => ({ check: input.name, runningMs: Date.now() - started }),
    () =>
      execa(command, args, {
        reject: false,
        all: true,
        // Only the release's variables and the basics a tool needs: never the worker's tokens and passwords.
        env: { ...passThrough(), ...input.env },
        extendEnv: false,
        timeout: input.timeoutMs,
        stdin: 'ignore',
        ...(signal ? { cancelSignal: signal } : {}),
      }),
    1_000,
  );
  const outputTail = (result.all ?? '').split('\n').slice(-20).join('\n');
  if (result.exitCode !== 0) {
    const why = result.timedOut
      ? `timed out after ${input.timeoutMs} ms`
      : `exited with ${result.exitCode ?? result.signal}`;
    throw permanent(FailureTypes.smokeCheckFailed, `smoke check "${input.name}" ${why}: ${outputTail.slice(-500)}`, {
      check: input.name,
    });
  }
  return { name: input.name, passed: true, durationMs: Date.now() - started, outputTail };
}

/** Worker variables a smoke command may see: how to find tools, where home and temp are, proxies, CA bundles. */
const passThroughNames = [
  'PATH',
  'HOME',
  'TMPDIR',
  'LANG',
  'LC_ALL',
  'TZ',
  'DOCKER_CONFIG',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
];

function passThrough(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of passThroughNames) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
