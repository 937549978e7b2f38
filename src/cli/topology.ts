/**
 * `wiretrail topology [name|file] [--routes] [--json] [--seed N]`: what a topology is — a
 * diagram of its nodes and links (kinds, descriptions, interfaces with addresses and MACs, link
 * properties), then the links, every host's and router's routing table in `route -n` form,
 * the switches, the DNS servers and their zones, and the web servers and their sites.
 *
 *   wiretrail topology                    the default internet
 *   wiretrail topology simple --routes    only the routing tables
 *   wiretrail topology my.yaml --json     the description as JSON (src/world/describe.ts)
 *
 * The network is built (services started, nothing run) so that the tables are the stacks' own:
 * connected routes included, MACs as assigned. Exit codes: 0 ok, 2 usage or topology error.
 */
import type { Command } from 'commander';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { buildWorldOrExplain, parseSeed, readTopologyArg } from './run.js';
import { describeWorld, formatTopology } from '../world/describe.js';

interface TopologyOptions {
  routes?: boolean;
  json?: boolean;
  seed?: string;
}

export function topologyCommand(arg: string, opts: TopologyOptions, io: CliIo): void {
  if (opts.routes && opts.json)
    throw new UsageError('--routes and --json do not go together (the JSON has the routes)');
  const topo = readTopologyArg(arg);
  const world = buildWorldOrExplain(topo, parseSeed(opts.seed), io, arg);
  const d = describeWorld(world);
  if (opts.json) {
    io.out(`${JSON.stringify(d, null, 2)}\n`);
    return;
  }
  io.out(`${formatTopology(d, { routesOnly: opts.routes }).join('\n')}\n`);
}

registerCommand((program: Command, io: CliIo) => {
  program
    .command('topology')
    .description(
      'show a topology: a diagram of nodes and links, routing tables, switches, DNS and web servers',
    )
    .argument(
      '[topology]',
      'a shipped topology (internet, simple) or a topology YAML file',
      'internet',
    )
    .option('--routes', 'only the routing tables (route -n of every host and router)')
    .option('--json', 'the description as JSON')
    .option(
      '--seed <n>',
      "override the topology's seed (shown in the title; nothing else here depends on it)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wiretrail topology\n' +
        '  wiretrail topology simple --routes\n' +
        '  wiretrail topology src/world/examples/internet.yaml --json\n',
    )
    .action((topology: string, opts: TopologyOptions) => {
      topologyCommand(topology, opts, io);
    });
});
