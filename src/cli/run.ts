/**
 * `wiretrail run <topology.yaml> <node> [options] -- <command> [args...] [\; <command> ...]`:
 * builds the network a topology file describes, then runs Linux-like tools on one node —
 * ping, traceroute, arp, route, ip, brctl showmacs, sleep — and prints what the Linux tools
 * would print. Several commands may be chained with a ";" argument (quote it from the shell).
 *
 *   wiretrail run src/world/examples/simple.yaml pc -- ping -c 3 198.51.100.80
 *   wiretrail run simple.yaml pc --pcapng out.pcapng -- traceroute -n 198.51.100.80 \; arp -n
 *
 * Exit codes: 0 ok, 1 the last command failed (no reply, unreachable), 2 usage or topology
 * error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { runTool, ToolUsageError } from '../apps/tools/command.js';
import { Capture } from '../sim/capture.js';
import type { TraceEvent } from '../sim/trace.js';
import { loadNetwork, TopologyError } from '../world/topology.js';
import type { BuildOptions } from '../world/topology.js';

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

export async function runCommand(
  file: string,
  node: string,
  argv: readonly string[],
  opts: RunOptions,
  io: CliIo,
  extra: BuildOptions = {},
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read topology ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  let seed: number | undefined;
  if (opts.seed !== undefined) {
    seed = Number(opts.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw new UsageError(`--seed must be a whole number in 0..4294967295, got "${opts.seed}"`);
  }
  let net;
  try {
    net = loadNetwork(text, basename(file), { ...extra, seed });
  } catch (e) {
    if (e instanceof TopologyError) {
      io.err(`${e.message}\n`);
      throw new UsageError(
        `${file}: ${e.issues.length} problem${e.issues.length === 1 ? '' : 's'} in the topology`,
      );
    }
    throw e;
  }
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
          comment: `wiretrail run ${basename(file)} ${node}`,
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
      const r = await runTool(net, node, c, out);
      exitCode = r.exitCode;
    }
  } catch (e) {
    if (e instanceof ToolUsageError) throw new UsageError(e.message);
    throw e;
  } finally {
    capture?.stop();
    off?.();
    if (capture !== undefined && opts.pcapng !== undefined)
      writeFileSync(opts.pcapng, capture.bytes());
    if (opts.traceOut !== undefined)
      writeFileSync(opts.traceOut, trace.join('\n') + (trace.length > 0 ? '\n' : ''));
  }
  if (exitCode !== 0) io.exitCode = 1;
}

registerCommand((program: Command, io: CliIo) => {
  program
    .command('run')
    .description(
      'build a network from a topology file and run Linux-like tools on one of its nodes',
    )
    .argument('<topology>', 'topology YAML file (see docs/topology.md)')
    .argument('<node>', 'the node to run the commands on')
    .argument(
      '<command...>',
      'after "--": ping, traceroute, arp, route, ip, brctl showmacs, sleep; chain with ";"',
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
        '  wiretrail run src/world/examples/simple.yaml pc -- ping -c 3 198.51.100.80\n' +
        '  wiretrail run src/world/examples/simple.yaml pc -- traceroute -n 198.51.100.80\n' +
        "  wiretrail run src/world/examples/simple.yaml pc -- ping -c 1 198.51.100.80 ';' arp -n ';' route -n\n" +
        '  wiretrail run src/world/examples/simple.yaml sw-client -- brctl showmacs\n',
    )
    .action(async (topology: string, node: string, command: string[], opts: RunOptions) => {
      await runCommand(topology, node, command, opts, io);
    });
});
