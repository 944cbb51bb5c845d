import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandModules, registerAll, registerCommandsFor } from '../../src/cli/command-table.ts';

const program = (): Command => new Command('shipgate').description('d').exitOverride();

describe('CLI command table (commands loaded on demand)', () => {
  it('`shipgate --help` from the table reads exactly as with every command module loaded', async () => {
    const full = program();
    await registerAll(full);
    const fast = program();
    await registerCommandsFor(fast, ['--help']);
    expect(fast.helpInformation()).toBe(full.helpInformation());
  });

  it('names every command the modules register, and only those', async () => {
    const full = program();
    await registerAll(full);
    const listed = commandModules.flatMap((module) => module.commands.map((command) => command.name));
    expect(listed).toEqual(full.commands.map((command) => command.name()));
  });

  it('a command line loads only the module of its command', async () => {
    const status = program();
    await registerCommandsFor(status, ['status', 'acme/app', '1.0.0', '--json']);
    expect(status.commands.map((command) => command.name())).toEqual(['status']);
    const approve = program();
    await registerCommandsFor(approve, ['help', 'approve']);
    expect(approve.commands.map((command) => command.name())).toEqual([
      'approve',
      'reject',
      'retry',
      'abort',
      'report-check',
    ]);
  });

  it('an unknown command gets every module, so commander can suggest the right one', async () => {
    const typo = program();
    await registerCommandsFor(typo, ['stauts']);
    expect(typo.commands.length).toBe(commandModules.flatMap((module) => module.commands).length);
  });
});
