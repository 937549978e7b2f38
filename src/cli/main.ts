/**
 * The `wiretrail` command line. Each subcommand lives in its own module under src/cli/ and is
 * registered here. User mistakes get a one-line message and a non-zero exit code, never a
 * stack trace (UX.md "Errors").
 *
 * Exit codes: 0 ok, 1 the operation failed (unreachable, NXDOMAIN, ...), 2 usage error,
 * 70 internal error. Commands that emulate a tool exit with that tool's statuses instead
 * (`wiretrail dig` as BIND's dig; `wiretrail run` as the last command it ran).
 */
import { Command, CommanderError } from 'commander';
import { endQuietlyOnClosedOutput } from './io.js';

export type CommandRegistrar = (program: Command, io: CliIo) => void;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Bytes on standard output (`--pcapng -`); tests may leave it out. */
  outBytes?(bytes: Uint8Array): void;
  /** Set by a subcommand to report its result. */
  exitCode: number;
}

const registrars: CommandRegistrar[] = [];

/** Subcommand modules call this at import time. */
export function registerCommand(r: CommandRegistrar): void {
  registrars.push(r);
}

/**
 * The order `wiretrail --help` lists the commands in: the main job first, then the README's
 * table (commands.ts imports them alphabetically).
 */
const HELP_ORDER = [
  'visit',
  'run',
  'topology',
  'dig',
  'nslookup',
  'host',
  'dns',
  'decode',
  'tap',
  'web',
  'help',
];

export async function main(argv: string[], io: CliIo = stdio()): Promise<number> {
  await import('./commands.js');
  // A usage error points at the help that lists what went wrong: the subcommand's own
  // (`wiretrail visit --help` has visit's options; `wiretrail --help` only the commands).
  let helpHint = 'wiretrail --help';
  const program = new Command('wiretrail')
    .description(
      'What happens between typing a URL and seeing the page, packet by packet, on real wire formats.',
    )
    .version('0.1.0')
    .exitOverride()
    // The list of commands without "[options]" after each name (every command has options),
    // so that names, arguments and descriptions fit in 80 columns.
    .configureHelp({
      subcommandTerm: (cmd) =>
        [
          cmd.name(),
          ...cmd.registeredArguments.map((a) => {
            const name = a.name() + (a.variadic ? '...' : '');
            return a.required ? `<${name}>` : `[${name}]`;
          }),
        ].join(' '),
    })
    // Arguments a command does not take are a usage error, not silently ignored (inherited by
    // every subcommand registered below).
    .allowExcessArguments(false)
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // Commander's "error: unknown option '--x'" becomes the one line every usage error is.
      // ("Did you mean --pcapng?" joins the same line.)
      outputError: (s, write) =>
        write(
          `wiretrail: ${s
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')} (see ${helpHint})\n`,
        ),
    });
  program.addHelpText(
    'after',
    '\nStart here:\n' +
      '  wiretrail visit http://www.server.com/     the journey of one page load\n' +
      '  wiretrail run internet pc -- help          the Linux tools on a simulated host\n' +
      '  wiretrail topology                         the default internet, drawn\n' +
      "  wiretrail <command> --help                 a command's options\n",
  );
  for (const r of registrars) r(program, io);
  const rank = (name: string): number => {
    const i = HELP_ORDER.indexOf(name);
    return i < 0 ? HELP_ORDER.length : i;
  };
  (program.commands as Command[]).sort((a, b) => rank(a.name()) - rank(b.name()));
  const sub = program.commands.find((c) => c.name() === argv[0]);
  if (sub !== undefined) {
    const subsub = sub.commands.find((c) => c.name() === argv[1]);
    helpHint = `wiretrail ${sub.name()}${subsub !== undefined ? ` ${subsub.name()}` : ''} --help`;
  }
  if (argv[0] === 'help') {
    helpHint = 'wiretrail --help';
    // `wiretrail help`, `wiretrail help help` and `wiretrail help --help`: the list of commands
    // (commander would call "help" and "--help" unknown commands).
    if (argv.length === 1 || (argv.length === 2 && ['help', '--help', '-h'].includes(argv[1]))) {
      program.outputHelp();
      return 0;
    }
    // `wiretrail help nosuch` is a usage error, as `wiretrail nosuch` is (commander would print
    // the general help and succeed).
    if (!program.commands.some((c) => c.name() === argv[1])) {
      io.err(`wiretrail: unknown command '${argv[1]}' (see wiretrail --help)\n`);
      return 2;
    }
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`wiretrail: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  return io.exitCode;
}

/**
 * An error in what the user typed: printed as one line, exit code 2 — or the emulated tool's
 * own usage status when it has another one (BIND's dig exits 1).
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

function stdio(): CliIo {
  const io: CliIo = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    outBytes: (b) => process.stdout.write(b),
    exitCode: 0,
  };
  // `wiretrail … | head`: the reader going away ends the command quietly (src/cli/io.ts).
  endQuietlyOnClosedOutput(() => io.exitCode);
  return io;
}
