import { dirname } from 'node:path';
import { execa } from 'execa';
import { inject } from 'vitest';
import { toolPath } from '../../src/tools/locate.ts';

/** The ```sh block of release notes: the commands shipgate ran at the destination, as printed. */
export function notesCommands(body: string): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(body)?.[1] ?? '';
  return block.split('\n').filter(Boolean);
}

/** Runs printed commands as a consumer would: a shell, in a folder holding the files they name, logged in. */
export async function runAsPrinted(commands: string[], cwd: string): Promise<{ command: string; exitCode: number }[]> {
  return Promise.all(
    commands.map(async (command) => {
      const result = await execa('sh', ['-c', command], {
        cwd,
        reject: false,
        env: { PATH: `${dirname(toolPath('cosign'))}:${process.env.PATH}`, DOCKER_CONFIG: inject('dockerConfigDir') },
      });
      return { command, exitCode: result.exitCode ?? -1 };
    }),
  );
}
