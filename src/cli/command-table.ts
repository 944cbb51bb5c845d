import { Command, Help } from 'commander';

// Which module registers which commands, loaded only when needed: `shipgate status` loads the status command and
// the Temporal client, never the plan loader, the registry client or the worker. The summaries are what
// `shipgate --help` lists without loading any command module; test/unit/cli-command-table.test.ts checks that
// they match what the modules register, so they cannot drift.

type Register = (program: Command) => void;

interface CommandModule {
  load: () => Promise<Register>;
  /** Each command the module registers: its help term (name, options, arguments) and its description. */
  commands: { name: string; term: string; summary: string }[];
}

export const commandModules: CommandModule[] = [
  {
    load: async () => (await import('./commands/start.ts')).registerStart,
    commands: [
      {
        name: 'start',
        term: 'start [options]',
        summary:
          'start a release (from CI): publish by digest, then wait at the gate; idempotent per project and version',
      },
    ],
  },
  {
    load: async () => (await import('./commands/status.ts')).registerStatus,
    commands: [
      {
        name: 'status',
        term: 'status [options] <release...>',
        summary: 'show where a release is: phase, artifacts by digest, verification, gate, decisions',
      },
    ],
  },
  {
    load: async () => (await import('./commands/watch.ts')).registerWatch,
    commands: [
      {
        name: 'watch',
        term: 'watch [options] <release...>',
        summary:
          'follow a release until it waits for a person or ends: phase, step and each copy’s bytes, blobs, rate and ETA',
      },
    ],
  },
  {
    load: async () => (await import('./commands/list.ts')).registerList,
    commands: [{ name: 'list', term: 'list [options]', summary: 'list releases and rollbacks, newest first' }],
  },
  {
    load: async () => (await import('./commands/decisions.ts')).registerDecisions,
    commands: [
      {
        name: 'approve',
        term: 'approve [options] <release...>',
        summary: 'approve the open gate (sync go or promotion) for the exact digest set shown',
      },
      {
        name: 'reject',
        term: 'reject [options] <release...>',
        summary: 'reject the release at its gate: nothing is promoted',
      },
      {
        name: 'retry',
        term: 'retry [options] <release...>',
        summary: 'run a release that needs attention again from the step that failed',
      },
      {
        name: 'abort',
        term: 'abort [options] <release...>',
        summary: 'end a release that waits at a gate or needs attention; what was done stays recorded',
      },
      {
        name: 'report-check',
        term: 'report-check [options] <name> <release...>',
        summary: 'report the result of an external smoke check the plan declares',
      },
    ],
  },
  {
    load: async () => (await import('./commands/plan.ts')).registerPlan,
    commands: [
      {
        name: 'plan',
        term: 'plan [options]',
        summary:
          'dry run: resolve and verify artifacts and packages, check the commit, draft and PR, print the pin requests; changes nothing',
      },
    ],
  },
  {
    load: async () => (await import('./commands/rollback.ts')).registerRollback,
    commands: [
      {
        name: 'rollback',
        term: 'rollback [options] <project>',
        summary: 'go back to a promoted version: verified again, approved at its own gate, tags moved back, re-pinned',
      },
    ],
  },
  {
    load: async () => (await import('./commands/override-freeze.ts')).registerOverrideFreeze,
    commands: [
      {
        name: 'override-freeze',
        term: 'override-freeze [options] <release...>',
        summary:
          'let a frozen release promote now: a signed decision by a person the freeze window names, with a reason for the record',
      },
    ],
  },
  {
    load: async () => (await import('./commands/verify.ts')).registerVerify,
    commands: [
      {
        name: 'verify',
        term: 'verify [options] <ref>',
        summary: 'check the signed promotion record of a promoted digest: who approved it, when, what was verified',
      },
    ],
  },
  {
    load: async () => (await import('./commands/report.ts')).registerReport,
    commands: [
      {
        name: 'report',
        term: 'report [options] [release...]',
        summary:
          'print the whole record of a release: steps, verifications, decisions, tag moves, pins; from the workflow, or from the signed record in the registry',
      },
    ],
  },
  {
    load: async () => (await import('./commands/worker.ts')).registerWorker,
    commands: [
      {
        name: 'worker',
        term: 'worker [options]',
        summary: 'run a shipgate worker (connection from TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / profiles); JSON logs',
      },
    ],
  },
  {
    load: async () => (await import('./commands/dev.ts')).registerDev,
    commands: [
      {
        name: 'dev',
        term: 'dev [options]',
        summary:
          'run a local stack and a worker: the Temporal dev server (SQLite in .state/, web UI), or with --topology production PostgreSQL and the Temporal server with mTLS and JWT authorization; Ctrl-C stops it all',
      },
    ],
  },
  {
    load: async () => (await import('./commands/verify-decisions.ts')).registerVerifyDecisions,
    commands: [
      {
        name: 'verify-decisions',
        term: 'verify-decisions [options] <release...>',
        summary: "check a release's recorded decisions again: each statement and its SSH signature or OIDC token",
      },
    ],
  },
];

/** The command a command line names (`help status` names status), if it is one of ours. */
function namedModule(args: string[]): CommandModule | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return commandModules.find((module) => module.commands.some((command) => command.name === name));
}

/**
 * Registers what this command line needs: the one module that owns the named command; for `--help` (no command)
 * light stand-ins that only describe each command; for anything else (a typo) every module, so the error and its
 * suggestion are commander's own.
 */
export async function registerCommandsFor(program: Command, args: string[]): Promise<void> {
  const named = namedModule(args);
  if (named) return (await named.load())(program);
  const words = args.filter((arg) => !arg.startsWith('-'));
  if (words.length === 0 || (words.length === 1 && words[0] === 'help')) return describeCommands(program);
  await registerAll(program);
}

export async function registerAll(program: Command): Promise<void> {
  for (const register of await Promise.all(commandModules.map((module) => module.load()))) register(program);
}

function describeCommands(program: Command): void {
  const terms = new Map<string, string>();
  for (const { name, term, summary } of commandModules.flatMap((module) => module.commands)) {
    program.addCommand(new Command(name).description(summary));
    terms.set(name, term);
  }
  const standard = new Help();
  program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? standard.subcommandTerm(command) });
}
