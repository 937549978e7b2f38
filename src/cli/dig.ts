/**
 * `wiretrail dig [@server] [-p port] [-t type] [-x addr] name [type] [+trace] [+short] [+tcp] ...`
 *
 * By default dig runs inside the simulated default internet (src/world/examples/internet.yaml,
 * or --topology FILE), on the client node (--node, default pc), asking the node's resolver
 * from its resolv.conf, or @server (an address, a node name like dns-local or a-root, a name
 * server's name like a.root-servers.net, or any name the node's resolver finds). The output is
 * BIND's, with simulated times. In the simulated world dig, host and nslookup are the very
 * tools of `wiretrail run <topology> <node> -- dig …` (src/apps/tools/command.ts): the same
 * flags, messages and statuses.
 *
 *   wiretrail dig www.server.com
 *   wiretrail dig +trace www.server.com              root → .com → server.com, as the seeds draw it
 *   wiretrail dig @a-root www.server.com +norecurse  the root's referral
 *   wiretrail dig www.server.com --events --cache    what the resolver did, and its cache after
 *
 * With --real, dig uses real sockets instead (for `wiretrail dns serve` or any server):
 *
 *   wiretrail dig --real @127.0.0.1 -p 5300 www.server.com
 *
 * Also `wiretrail nslookup` and `wiretrail host`, with the same --real/--topology/--node.
 * Exit codes of dig are BIND's (bin/dig/dighost.c): 0 a reply came (any rcode, NXDOMAIN
 * included), 1 a mistake in dig's arguments, 9 no reply from the server, 10 no address for
 * @server ("couldn't get address for ..."). A mistake in wiretrail's own options (--seed,
 * --topology, --node) or the topology exits 2, as every wiretrail command does.
 */
import type { Command } from 'commander';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { nodeClock, nodeDgram, nodeNetApi } from './dns.js';
import { formatCacheDump } from '../apps/dns/cache.js';
import { describeDnsEvent } from '../apps/dns/events.js';
import { defaultZones } from '../apps/dns/hierarchy.js';
import {
  dig,
  digExitCode,
  DigExit,
  digTrace,
  digTraceExitCode,
  formatDig,
  formatDigTrace,
  parseDigArgs,
  type DigEnv,
} from '../apps/tools/dig.js';
import { host } from '../apps/tools/host.js';
import { nslookup } from '../apps/tools/nslookup.js';
import { Rng } from '../sim/rng.js';
import type { TraceEvent } from '../sim/trace.js';
import { TcpLayer } from '../stack/tcp/index.js';
import { parseIpv4, type Ipv4Addr } from '../wire/addr.js';
import { typeFromName } from '../wire/dns.js';
import { runTool, ToolUsageError } from '../apps/tools/command.js';
import type { StubResolver } from '../apps/dns/stub.js';
import { topologyFile } from '../world/examples/index.js';
import { readTopologyArg } from './run.js';
import { readApps, startApps, type RunningApps } from '../world/services.js';
import { buildNetwork, parseTopology, TopologyError } from '../world/topology.js';
import type { Network } from '../world/network.js';

interface Common {
  real: boolean;
  topology?: string;
  node: string;
  seed?: number;
  qmin: boolean;
  events: boolean;
  cache: boolean;
  rest: string[];
}

/** Splits wiretrail's own --options from the tool's arguments. */
function splitArgs(argv: readonly string[]): Common {
  const c: Common = { real: false, node: 'pc', qmin: false, events: false, cache: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--real') c.real = true;
    else if (a === '--topology') c.topology = value();
    else if (a === '--node') c.node = value();
    else if (a === '--seed') {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
        throw new UsageError(`--seed must be a whole number in 0..4294967295, got "${v}"`);
      c.seed = n;
    } else if (a === '--qmin') c.qmin = true;
    else if (a === '--events') c.events = true;
    else if (a === '--cache') c.cache = true;
    else c.rest.push(a);
  }
  return c;
}

/** The simulated world the tools run in: the same network and tools as `wiretrail run`. */
interface SimWorld {
  net: Network;
  stubs: ReadonlyMap<string, StubResolver>;
  after(io: CliIo): void;
}

async function simWorld(c: Common, io: CliIo): Promise<SimWorld> {
  let text: string;
  let file: string;
  if (c.topology) {
    // A shipped topology by name ("internet", "simple") or a YAML file, as `run` takes it.
    ({ text, file } = readTopologyArg(c.topology));
  } else {
    text = topologyFile('internet')!.text;
    file = 'internet.yaml';
  }
  let net: Network;
  let running: RunningApps;
  try {
    const topo = parseTopology(text, file);
    const apps = readApps(topo);
    net = buildNetwork(topo, { seed: c.seed, tcp: (h) => new TcpLayer(h) });
    if (c.qmin) for (const a of apps) if (a.dnsResolver) a.dnsResolver.qnameMinimisation = true;
    running = startApps(net, apps, defaultZones());
  } catch (e) {
    if (e instanceof TopologyError) {
      io.err(`${e.message}\n`);
      const n = e.issues.length;
      throw new UsageError(`${file}: ${n} problem${n === 1 ? '' : 's'} in the topology`);
    }
    throw e;
  }
  if (!net.nodes.has(c.node))
    throw new UsageError(`no node "${c.node}" (nodes: ${[...net.nodes.keys()].join(', ')})`);
  const lines: string[] = [];
  if (c.events)
    net.trace.subscribe((e: TraceEvent) => {
      const l = describeDnsEvent(
        e as unknown as { kind: string; node: string } & Record<string, unknown>,
      );
      if (l) lines.push(`${(e.t / 1e6).toFixed(3).padStart(9)} ms  ${l}`);
    });
  // let start-up traffic (gratuitous ARP) settle, as `wiretrail visit` does
  await net.run({ until: net.clock.now() + 10_000_000 });
  const stub = running.stubs.get(c.node);
  return {
    net,
    stubs: running.stubs,
    after(out) {
      if (c.events) out.out(`\n;; what happened (simulated time):\n${lines.join('\n')}\n`);
      if (c.cache) {
        for (const [node, r] of running.resolvers)
          out.out(`\n;; cache of the resolver on ${node}\n${formatCacheDump(r.cache)}`);
        if (stub) {
          out.out(`\n;; OS cache of ${c.node}\n`);
          for (const e of stub.cacheEntries())
            out.out(`${e.name}\t${e.ttl}\t${e.type}\t${e.negative ?? e.addresses.join(' ')}\n`);
        }
      }
    },
  };
}

/**
 * dig, host or nslookup on a node of the simulated world: the same tool, flags and messages as
 * `wiretrail run <topology> <node> -- <tool> …` (src/apps/tools/command.ts).
 */
async function runSimulated(
  tool: 'dig' | 'host' | 'nslookup',
  c: Common,
  io: CliIo,
): Promise<void> {
  const world = await simWorld(c, io);
  try {
    const r = await runTool(world.net, c.node, [tool, ...c.rest], (l) => io.out(`${l}\n`), {
      stubs: world.stubs,
      write: (t) => io.out(t),
      writeErr: (t) => io.err(t),
    });
    io.exitCode = r.exitCode;
  } catch (e) {
    if (e instanceof ToolUsageError) throw new UsageError(e.message, e.exitCode);
    throw e;
  }
  world.after(io);
}

/** Real sockets (--real): the server is an address, 127.0.0.1 when none is given. */
interface RealWorld {
  env: DigEnv;
  serverAddress(text: string | undefined): { address: Ipv4Addr; label: string };
}

function realWorld(): RealWorld {
  const clock = nodeClock();
  const epochMs = Date.now();
  return {
    env: {
      dgram: nodeDgram(),
      net: nodeNetApi(),
      clock,
      rng: new Rng(epochMs >>> 0, 'dig'),
      epochMs,
    },
    serverAddress(t) {
      const text = t ?? '127.0.0.1';
      const a = parseIpv4(text);
      if (a === undefined)
        throw new UsageError(`--real: @server must be an IPv4 address, got "${text}"`);
      return { address: a, label: text };
    },
  };
}

async function runDig(argv: string[], io: CliIo): Promise<void> {
  const c = splitArgs(argv);
  if (!c.real) return runSimulated('dig', c, io);
  const cmd = parseDigArgs(c.rest);
  if ('error' in cmd) throw new UsageError(`dig: ${cmd.error}`, DigExit.Usage);
  const world = realWorld();
  const srv = world.serverAddress(cmd.server);
  const o = {
    ...cmd.options,
    server: srv.address,
    serverLabel: srv.label,
    serverGiven: cmd.server !== undefined,
  };
  if (cmd.trace) {
    const r = await digTrace(world.env, o);
    io.out(formatDigTrace(r));
    io.exitCode = digTraceExitCode(r);
  } else {
    const r = await dig(world.env, o);
    io.out(formatDig(r, world.env));
    io.exitCode = digExitCode(r);
  }
}

/** A whole number in min..max for a host/nslookup option, as `run` checks it. */
function optionNumber(tool: string, flag: string, v: string | undefined, max: number): number {
  if (v === undefined) throw new UsageError(`${tool}: option ${flag} requires an argument`);
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > max)
    throw new UsageError(
      `${tool}: invalid argument to ${flag}: '${v}' (expected a whole number in 1..${max})`,
    );
  return n;
}

async function runHostLike(tool: 'host' | 'nslookup', argv: string[], io: CliIo): Promise<void> {
  const c = splitArgs(argv);
  if (!c.real) return runSimulated(tool, c, io);
  // --real: the options `run` takes (src/apps/tools/command.ts), with the same messages.
  let type: string | undefined;
  let port: number | undefined;
  let timeout: number | undefined;
  const pos: string[] = [];
  for (let i = 0; i < c.rest.length; i++) {
    const a = c.rest[i];
    if (tool === 'host' && a === '-t') {
      type = c.rest[++i];
      if (type === undefined) throw new UsageError(`${tool}: option -t requires an argument`);
    } else if (tool === 'host' && a === '-p') port = optionNumber(tool, '-p', c.rest[++i], 65535);
    else if (tool === 'host' && a === '-W') timeout = optionNumber(tool, '-W', c.rest[++i], 3600);
    else if (tool === 'nslookup' && /^-(type|query|q|ty)=/.test(a))
      type = a.slice(a.indexOf('=') + 1);
    else if (tool === 'nslookup' && a.startsWith('-port='))
      port = optionNumber(tool, '-port', a.slice(6), 65535);
    else if (tool === 'nslookup' && a.startsWith('-timeout='))
      timeout = optionNumber(tool, '-timeout', a.slice(9), 3600);
    else if (a.startsWith('-') && a.length > 1)
      throw new UsageError(`${tool}: invalid option ${a}`);
    else pos.push(a);
  }
  if (type !== undefined && typeFromName(type) === undefined)
    throw new UsageError(`${tool}: invalid type: ${type}`);
  if (pos.length === 0 || pos.length > 2)
    throw new UsageError(`${tool}: usage: ${tool} [options] name [server]`);
  const world = realWorld();
  const srv = world.serverAddress(pos[1]);
  const server = { address: srv.address, label: srv.label, port };
  const r =
    tool === 'host'
      ? await host(world.env, {
          name: pos[0],
          type,
          server,
          timeout,
          showServer: pos[1] !== undefined,
        })
      : await nslookup(world.env, { name: pos[0], type, server, timeout });
  io.out(r.text);
  io.exitCode = r.exitCode;
}

const COMMON_HELP =
  '\nwiretrail options (anywhere on the line):\n' +
  '  --real            real sockets instead of the simulated internet (@server is an address)\n' +
  '  --topology T      a shipped topology (internet, simple) or a YAML file (default: internet)\n' +
  '  --node NODE       the node the lookup runs on (default: pc)\n' +
  '  --seed N          simulation seed\n' +
  '  --qmin            the resolver uses QNAME minimisation (RFC 9156)\n' +
  '  --events          print what the DNS servers did (simulated time)\n' +
  '  --cache           print the resolver cache and the OS cache afterwards\n';

registerCommand((program: Command, io: CliIo) => {
  program
    .command('dig')
    .description('DNS lookup like BIND dig, in the simulated internet (or --real)')
    .argument(
      '[args...]',
      '[@server] [-p port] [-t type] [-x addr] name [type] [+trace] [+short] [+tcp] [+norecurse] ...',
    )
    .allowUnknownOption()
    // BIND's `dig -h` prints its usage and exits 0 (host's and nslookup's -h are not help).
    .helpOption('-h, --help')
    .addHelpText(
      'after',
      COMMON_HELP +
        '\nExamples:\n  wiretrail dig +trace www.server.com\n  wiretrail dig @a.root-servers.net www.server.com +norecurse\n  wiretrail dig www.server.com --events --cache\n  wiretrail dig --real @127.0.0.1 -p 5300 www.server.com\n',
    )
    .action(async (args: string[]) => runDig(args, io));
  program
    .command('nslookup')
    .description('DNS lookup like BIND nslookup, in the simulated internet (or --real)')
    .argument('[args...]', '[-type=T] [-port=N] [-timeout=S] name [server]')
    .allowUnknownOption()
    .helpOption('--help')
    .addHelpText('after', COMMON_HELP)
    .action(async (args: string[]) => runHostLike('nslookup', args, io));
  program
    .command('host')
    .description('DNS lookup like BIND host, in the simulated internet (or --real)')
    .argument('[args...]', '[-t type] [-p port] [-W wait] name [server]')
    .allowUnknownOption()
    .helpOption('--help')
    .addHelpText('after', COMMON_HELP)
    .action(async (args: string[]) => runHostLike('host', args, io));
});
