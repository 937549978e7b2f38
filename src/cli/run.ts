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
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { runTool, ToolUsageError } from '../apps/tools/command.js';
import { Capture } from '../sim/capture.js';
import type { TraceEvent } from '../sim/trace.js';
import { TOPOLOGY_FILES, topologyFile } from '../world/examples/index.js';
import { TopologyError } from '../world/topology.js';
import { buildWorld } from '../world/visit.js';
import type { World } from '../world/visit.js';

interface RunOptions {
  seed?: string;
  pcapng?: string;
  capture?: string[];
  traceOut?: string;
}

/** Splits argv on ";" arguments into command lines. */
export function splitCommands(argv: readonly string[]): string[][] {
  const cmds: string[][] = [[]];
  for (const a of argv) {
    if (a === ';') cmds.push([]);
    else cmds[cmds.length - 1].push(a);
  }
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
    if (code === 'ENOENT' && !/[/\\.]/.test(arg))
      throw new UsageError(
        `no topology "${arg}": not a file, nor a shipped topology (${TOPOLOGY_FILES.map((t) => t.name).join(', ')})`,
      );
    throw new UsageError(
      `cannot read topology ${arg}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (e as Error).message}`,
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
    return buildWorld(topo, { seed });
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
  const topo = readTopologyArg(file);
  const seed = parseSeed(opts.seed);
  const world = buildWorldOrExplain(topo, seed, io, file);
  const { net, apps } = world;
  if (!net.nodes.has(node))
    throw new UsageError(
      `no node "${node}" in ${file} (nodes: ${[...net.nodes.keys()].join(', ')})`,
    );
  const cmds = splitCommands(argv);
  if (cmds.length === 0)
    throw new UsageError('no command after "--" (try: -- ping -c 3 <address>)');
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
  const out = (l: string): void => io.out(`${l}\n`);
  try {
    // Start-up: interfaces come up and announce themselves (gratuitous ARP); let that settle.
    await net.run();
    for (const c of cmds) {
      const r = await runTool(net, node, c, out, {
        stubs: apps.stubs,
        write: (t) => io.out(t),
        writeErr: (t) => io.err(t),
      });
      exitCode = r.exitCode;
    }
  } catch (e) {
    if (e instanceof ToolUsageError) throw new UsageError(e.message, e.exitCode);
    throw e;
  } finally {
    capture?.stop();
    off?.();
    if (capture !== undefined && opts.pcapng !== undefined)
      writeFileSync(opts.pcapng, capture.bytes());
    if (opts.traceOut !== undefined)
      writeFileSync(opts.traceOut, trace.join('\n') + (trace.length > 0 ? '\n' : ''));
  }
  io.exitCode = exitCode;
}

registerCommand((program: Command, io: CliIo) => {
  program
    .command('run')
    .description('build a network (services started) and run Linux-like tools on one of its nodes')
    .argument(
      '<topology>',
      'a shipped topology (internet, simple) or a topology YAML file (see docs/topology.md)',
    )
    .argument('<node>', 'the node to run the commands on')
    .argument(
      '<command...>',
      'after "--": ping, traceroute, curl, dig, nslookup, host, netstat, ss, arp, route, ip, brctl, bridge, hosts, cat, sleep, help; chain with ";"',
    )
    .option('--seed <n>', "override the topology's seed")
    .option('--pcapng <file>', 'write a pcapng capture of the run')
    .option(
      '--capture <point...>',
      "capture points for --pcapng: node.port, node.*, a link name, or * (default: the node's interfaces)",
    )
    .option('--trace-out <file>', 'write every trace event as JSON lines')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wiretrail run internet pc -- curl -v http://www.server.com/\n' +
        '  wiretrail run internet pc -- dig +trace www.server.com\n' +
        "  wiretrail run internet pc -- dig www.server.com ';' dig www.server.com\n" +
        "  wiretrail run internet pc -- curl -s http://www.server.com/ ';' netstat -napt\n" +
        '  wiretrail run internet pc -- ping -c 2 nas.home\n' +
        '  wiretrail run src/world/examples/simple.yaml pc -- ping -c 3 198.51.100.80\n' +
        '  wiretrail run src/world/examples/simple.yaml pc -- traceroute -n 198.51.100.80\n' +
        "  wiretrail run src/world/examples/simple.yaml pc -- ping -c 1 198.51.100.80 ';' arp -n ';' route -n\n" +
        '  wiretrail run src/world/examples/simple.yaml sw-client -- brctl showmacs\n',
    )
    .action(async (topology: string, node: string, command: string[], opts: RunOptions) => {
      await runCommand(topology, node, command, opts, io);
    });
});
