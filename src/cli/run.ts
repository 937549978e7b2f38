/**
 * `wiretrail run <topology> <node> [options] -- <command> [args...] [\; <command> ...]`:
 * builds the network a topology describes — a shipped one by name ("internet", "simple") or a
 * YAML file — with TCP on every host and the services of its hosts started (DNS servers, the
 * recursive resolver, web servers, a stub resolver per host with `resolver:`/`hosts:`), then
 * runs Linux-like tools on one node — ping, traceroute, curl, dig, nslookup, host, netstat, ss,
 * arp, route, ip, brctl, bridge, hosts, cat, sleep — and prints what the Linux tools would
 * print. Several commands may be chained with a ";" argument (quote it from the shell); they
 * run one after the other in the same simulated world, so caches carry over.
 *
 *   wiretrail run internet pc -- curl -v http://www.server.com/
 *   wiretrail run internet pc -- dig www.server.com \; dig www.server.com
 *   wiretrail run simple.yaml pc --pcapng out.pcapng -- traceroute -n 198.51.100.80 \; arp -n
 *
 * Exit status: the last command's, as a shell gives for a ";" list — the Linux tool's own
 * (ping 1 no reply, 2 unknown host; curl 6, 7, 23, ...; BIND dig 9 no reply, 10 no address
 * for @server, 1 usage) — or 2 for a mistake in wiretrail's own arguments or the topology.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { checkWritable, writeOutputFile, writeStdoutBytes } from './io.js';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { runTool, ToolUsageError } from '../apps/tools/command.js';
import { Capture } from '../sim/capture.js';
import type { Simulation } from '../sim/simulation.js';
import type { TraceEvent } from '../sim/trace.js';
import { TOPOLOGY_FILES, topologyFile } from '../world/examples/index.js';
import { formatIssue, TopologyError } from '../world/topology.js';
import { buildWorld } from '../world/visit.js';
import type { World } from '../world/visit.js';

interface RunOptions {
  seed?: string;
  pcapng?: string;
  capture?: string[];
  traceOut?: string;
}

/**
 * Splits argv on ";" arguments into command lines. A command given as one quoted string, as
 * ssh takes it (`-- 'curl -s http://www.server.com/; netstat -napt'`), is split into words
 * and commands as a shell would (quotes, backslashes, ";").
 */
export function splitCommands(argv: readonly string[]): string[][] {
  if (argv.length === 1 && /[\s;]/.test(argv[0])) return shellSplit(argv[0]);
  const cmds: string[][] = [[]];
  for (const a of argv) {
    if (a === ';') cmds.push([]);
    else cmds[cmds.length - 1].push(a);
  }
  return cmds.filter((c) => c.length > 0);
}

/** Words and ";"-separated commands of a shell-like line: '…', "…", \x; nothing expanded. */
export function shellSplit(line: string): string[][] {
  const cmds: string[][] = [[]];
  let word: string | undefined;
  const end = (): void => {
    if (word !== undefined) cmds[cmds.length - 1].push(word);
    word = undefined;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const close = line.indexOf(c, i + 1);
      if (close < 0) throw new UsageError(`unmatched ${c} in the command: ${line}`);
      word = (word ?? '') + line.slice(i + 1, close);
      i = close;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (c === ';') {
      end();
      cmds.push([]);
    } else if ('|&<>'.includes(c)) {
      throw new UsageError(
        `"${c}" in the command: run starts the tools, not a shell (no pipes, redirections or &&; curl -o /dev/null discards a body)`,
      );
    } else if (/\s/.test(c)) end();
    else word = (word ?? '') + c;
  }
  end();
  return cmds.filter((c) => c.length > 0);
}

function jsonReplacer(_k: string, v: unknown): unknown {
  if (v instanceof Uint8Array) {
    let s = '';
    for (const b of v) s += b.toString(16).padStart(2, '0');
    return s;
  }
  return v;
}

/**
 * The text of a topology given on the command line: a file when one exists at that path, else
 * a shipped topology by name ("internet", "simple").
 */
export function readTopologyArg(arg: string): { text: string; file: string } {
  const shipped = topologyFile(arg);
  if (shipped !== undefined && !existsSync(arg)) return { text: shipped.text, file: shipped.file };
  try {
    return { text: readFileSync(arg, 'utf8'), file: basename(arg) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // "simple.yaml" or "Internet" for a shipped topology: say its name.
    const near = TOPOLOGY_FILES.find(
      (t) =>
        t.name ===
        basename(arg)
          .replace(/\.ya?ml$/i, '')
          .toLowerCase(),
    );
    const hint =
      code === 'ENOENT' && near !== undefined ? ` (the shipped one is "${near.name}")` : '';
    if (code === 'ENOENT' && !/[/\\.]/.test(arg))
      throw new UsageError(
        `no topology "${arg}": not a file, nor a shipped topology (${near !== undefined ? `did you mean ${near.name}?` : TOPOLOGY_FILES.map((t) => t.name).join(', ')})`,
      );
    throw new UsageError(
      `cannot read topology ${arg}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (e as Error).message}${hint}`,
    );
  }
}

/** Parses --seed. */
export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new UsageError(`--seed must be a whole number in 0..4294967295, got "${text}"`);
  return seed;
}

/** What a capture point may be besides a port "node.port" (Capture, src/sim/capture.ts). */
export interface CapturePointKinds {
  /** "*": every port. */
  all?: boolean;
  /** "node.*": every port of a node. */
  nodePorts?: boolean;
  /** A link or segment by name. */
  links?: boolean;
}

/**
 * Checks capture points against the network, so that a typo is one line (exit 2) instead of
 * an empty capture. `usage` ends the message: what the command's --capture takes. A point
 * shaped like "node.port" must be a port, as Capture reads it.
 */
export function checkCapturePoints(
  net: Simulation,
  points: readonly string[],
  usage: string,
  kinds: CapturePointKinds = {},
): void {
  for (const p of points) {
    if (kinds.all === true && p === '*') continue;
    if (kinds.nodePorts === true && p.endsWith('.*')) {
      if (net.nodes.has(p.slice(0, -2))) continue;
      throw new UsageError(`--capture: no node "${p.slice(0, -2)}" (use ${usage})`);
    }
    if (net.port(p) !== undefined) continue;
    const portShaped = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+$/.test(p);
    if (kinds.links === true && !portShaped && net.medium(p) !== undefined) continue;
    throw new UsageError(
      `--capture: no ${portShaped || kinds.links !== true ? 'port' : 'port or link'} "${p}" (use ${usage})`,
    );
  }
}

/**
 * buildWorld for the CLI: topology problems are printed (one per line, file:line:col) and
 * become a usage error; a service that cannot start is one line too.
 */
export function buildWorldOrExplain(
  topo: { text: string; file: string },
  seed: number | undefined,
  io: CliIo,
  shownAs: string,
): World {
  try {
    const world = buildWorld(topo, { seed });
    // Likely mistakes that still build (a gateway nobody has, ...): said, not fatal.
    for (const w of world.topology.warnings) io.err(`${formatIssue(w)}\n`);
    return world;
  } catch (e) {
    if (e instanceof TopologyError) {
      io.err(`${e.message}\n`);
      throw new UsageError(
        `${shownAs}: ${e.issues.length} problem${e.issues.length === 1 ? '' : 's'} in the topology`,
      );
    }
    if (e instanceof Error && !(e instanceof TypeError) && !(e instanceof RangeError))
      throw new UsageError(`${shownAs}: ${e.message}`);
    throw e;
  }
}

export async function runCommand(
  file: string,
  node: string,
  argv: readonly string[],
  opts: RunOptions,
  io: CliIo,
): Promise<void> {
  // What the user typed is checked before the network is built and anything runs.
  const seed = parseSeed(opts.seed);
  const cmds = splitCommands(argv);
  if (cmds.length === 0)
    throw new UsageError('no command after "--" (try: -- ping -c 3 <address>)');
  if (opts.capture !== undefined && opts.pcapng === undefined)
    throw new UsageError(
      '--capture needs --pcapng FILE (it chooses what the capture file records)',
    );
  const pcapngToStdout = opts.pcapng === '-';
  if (pcapngToStdout && opts.traceOut === '-')
    throw new UsageError('--pcapng - and --trace-out - cannot both go to standard output');
  if (opts.pcapng !== undefined && !pcapngToStdout) checkWritable('--pcapng', opts.pcapng);
  // --trace-out - or --pcapng -: the trace or the capture on standard output, so the commands'
  // output goes to stderr.
  const traceToStdout = opts.traceOut === '-';
  if (opts.traceOut !== undefined && !traceToStdout) checkWritable('--trace-out', opts.traceOut);
  const topo = readTopologyArg(file);
  const world = buildWorldOrExplain(topo, seed, io, file);
  const { net, apps } = world;
  if (!net.nodes.has(node))
    throw new UsageError(
      `no node "${node}" in ${file} (nodes: ${[...net.nodes.keys()].join(', ')})`,
    );
  if (opts.capture !== undefined)
    checkCapturePoints(net, opts.capture, 'node.port such as pc.eth0, node.*, a link name, or *', {
      all: true,
      nodePorts: true,
      links: true,
    });
  const capture =
    opts.pcapng !== undefined
      ? new Capture(net.trace, {
          points: opts.capture ?? [`${node}.*`],
          comment: `wiretrail run ${topo.file} ${node}`,
        })
      : undefined;
  const trace: string[] = [];
  const off =
    opts.traceOut !== undefined
      ? net.trace.subscribe((e: TraceEvent) => trace.push(JSON.stringify(e, jsonReplacer)))
      : undefined;
  let exitCode = 0;
  const write = (t: string): void => (traceToStdout || pcapngToStdout ? io.err(t) : io.out(t));
  const out = (l: string): void => write(`${l}\n`);
  try {
    // Start-up: interfaces come up and announce themselves (gratuitous ARP); let that settle.
    await net.run();
    for (const c of cmds) {
      try {
        const r = await runTool(net, node, c, out, {
          stubs: apps.stubs,
          write: (t) => write(t),
          writeErr: (t) => io.err(t),
        });
        exitCode = r.exitCode;
      } catch (e) {
        if (!(e instanceof ToolUsageError)) throw e;
        // A mistake in one command of a ";" list is that command's one line and status; the
        // next commands still run, as in a shell (`netstat -x; ss -tan`).
        if (cmds.length === 1) throw new UsageError(e.message, e.exitCode);
        io.err(`wiretrail: ${e.message}\n`);
        exitCode = e.exitCode;
      }
    }
  } finally {
    capture?.stop();
    off?.();
    if (capture !== undefined && opts.pcapng !== undefined) {
      if (pcapngToStdout) writeStdoutBytes(io, capture.bytes());
      else writeOutputFile('--pcapng', opts.pcapng, capture.bytes());
    }
    if (opts.traceOut !== undefined) {
      const lines = trace.join('\n') + (trace.length > 0 ? '\n' : '');
      if (traceToStdout) io.out(lines);
      else writeOutputFile('--trace-out', opts.traceOut, lines);
    }
  }
  io.exitCode = exitCode;
}

/** An argument as a shell would need it typed (for the command lines messages suggest). */
function shellWord(a: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/**
 * The message for an option `run` does not know when it came after the command's first word
 * with no "--" on the line (`run internet pc ping -c 1 x`): the user meant it for the node's
 * command, so the message shows the line with "--" in its place. Undefined otherwise (a typo in
 * one of run's own options keeps the parser's message).
 */
export function forgottenDashDash(args: readonly string[], flag: string): string | undefined {
  if (args.includes('--')) return undefined;
  const at = args.indexOf(flag);
  if ((at < 0 ? args.length : at) < 3) return undefined;
  const [topology, node, ...command] = args;
  return (
    `unknown option '${flag}' — put the node's command after --: ` +
    `wiretrail run ${[topology, node, '--', ...command].map(shellWord).join(' ')}`
  );
}

registerCommand((program: Command, io: CliIo) => {
  const run = program
    .command('run')
    .description('build a network (services started) and run Linux-like tools on one of its nodes')
    .usage("[options] <topology> <node> -- <command> [args...] [';' <command> ...]")
    .argument(
      '<topology>',
      'a shipped topology (internet, simple) or a topology YAML file (see docs/topology.md)',
    )
    .argument('<node>', 'the node to run the commands on')
    .argument(
      '<command...>',
      'after "--": ping, traceroute, curl, dig, nslookup, host, netstat, ss, arp, route, ip, brctl, bridge, hosts, cat, sleep, help; chain with ";" (or the whole line as one quoted string)',
    )
    .option('--seed <n>', "override the topology's seed")
    .option(
      '--pcapng <file>',
      'write a pcapng capture of the run ("-" for stdout; the commands\' output then goes to stderr)',
    )
    .option(
      '--capture <point...>',
      "capture points for --pcapng: node.port, node.*, a link name, or * (default: the node's interfaces)",
    )
    .option(
      '--trace-out <file>',
      'write every trace event as JSON lines ("-" for stdout; the commands\' output then goes to stderr)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wiretrail run internet pc -- curl -v http://www.server.com/\n' +
        '  wiretrail run internet pc -- dig +trace www.server.com\n' +
        "  wiretrail run internet pc -- dig www.server.com ';' dig www.server.com\n" +
        "  wiretrail run internet pc -- curl -s http://www.server.com/ ';' netstat -napt\n" +
        '  wiretrail run internet pc -- ping -c 2 nas.home\n' +
        '  wiretrail run internet pc -- help                  (the commands and their flags)\n' +
        '  wiretrail run simple pc -- traceroute -n 198.51.100.80\n' +
        "  wiretrail run simple pc -- ping -c 1 198.51.100.80 ';' arp -n ';' route -n\n" +
        '  wiretrail run simple sw-client -- brctl showmacs\n' +
        '  wiretrail run src/world/examples/simple.yaml pc -- ping -c 3 198.51.100.80   (a YAML file)\n',
    )
    .action(async (topology: string, node: string, command: string[], opts: RunOptions) => {
      await runCommand(topology, node, command, opts, io);
    });
  // Commander reports an unknown option through this method (not in its typings); the
  // arguments are parsed by then (run.args), so the message can say where "--" belongs.
  const parser = run as unknown as {
    unknownOption(flag: string): void;
    missingArgument(name: string): void;
  };
  // `wiretrail run internet pc` (or with a "--" and nothing after it): say what goes there.
  const missingArgument = parser.missingArgument.bind(run);
  parser.missingArgument = (name: string): void => {
    const [topology, node] = run.args;
    if (name === 'command' && topology !== undefined && node !== undefined)
      throw new UsageError(
        `no command for ${node}: put it after --, e.g. wiretrail run ${shellWord(topology)} ${shellWord(node)} -- ping -c 1 198.51.100.80 (-- help lists the commands)`,
      );
    missingArgument(name);
  };
  const unknownOption = parser.unknownOption.bind(run);
  parser.unknownOption = (flag: string): void => {
    const hint = forgottenDashDash(run.args, flag);
    if (hint !== undefined) throw new UsageError(hint);
    unknownOption(flag);
  };
});
