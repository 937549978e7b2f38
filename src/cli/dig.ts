/**
 * `wiretrail dig [@server] [-p port] [-t type] [-x addr] name [type] [+trace] [+short] [+tcp] ...`
 *
 * By default dig runs inside the simulated default internet (src/world/examples/internet.yaml,
 * or --topology FILE), on the client node (--node, default pc), asking the node's resolver
 * from its resolv.conf, or @server (an address, a node name like dns-local or a-root, or a
 * name server's name like a.root-servers.net). The output is BIND's, with simulated times.
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
import { defaultServers, defaultZones } from '../apps/dns/hierarchy.js';
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
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../wire/addr.js';
import { canonicalName } from '../wire/dns.js';
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

/** @server names nothing with an address: BIND's dig says so on stderr and exits 10. */
class NoServerAddress extends Error {}

interface World {
  env: DigEnv;
  /** Resolves "@server" text to an address (throws NoServerAddress when nothing has one). */
  serverAddress(text: string | undefined): { address: Ipv4Addr; label: string };
  run<T>(p: Promise<T>): Promise<T>;
  after(io: CliIo): void;
}

async function simWorld(c: Common, io: CliIo): Promise<World> {
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
      throw new UsageError(`${file}: problems in the topology`);
    }
    throw e;
  }
  if (!net.nodes.has(c.node))
    throw new UsageError(`no node "${c.node}" (nodes: ${[...net.nodes.keys()].join(', ')})`);
  const h = net.hostNamed(c.node);
  if (!h.net) throw new UsageError(`${c.node} has no TCP/IP stack for dig`);
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
  const names = new Map<Ipv4Addr, string>();
  for (const s of defaultServers()) names.set(s.address, s.name.replace(/\.$/, ''));
  const stub = running.stubs.get(c.node);
  return {
    env: { dgram: h.dgram, net: h.net, clock: net.clock, rng: h.rng('dig'), serverNames: names },
    serverAddress(t) {
      if (t === undefined) {
        const ns = stub?.config.nameservers[0];
        if (ns === undefined)
          throw new UsageError(`${c.node} has no resolver in its configuration: give @server`);
        return { address: ns, label: formatIpv4(ns) };
      }
      const a = parseIpv4(t);
      if (a !== undefined) return { address: a, label: t };
      if (net.nodes.has(t)) {
        const addr = net
          .hostNamed(t)
          .localAddresses()
          .find((x) => x >>> 24 !== 127);
        if (addr !== undefined) return { address: addr, label: t };
      }
      const s = defaultServers().find((x) => x.name === canonicalName(t));
      if (s) return { address: s.address, label: t };
      // not an address, a node or a name server of the default hierarchy
      throw new NoServerAddress(`couldn't get address for '${t}': not found`);
    },
    run: (p) => net.runUntilSettled(p),
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

function realWorld(): World {
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
    run: (p) => p,
    after() {},
  };
}

async function runDig(argv: string[], io: CliIo): Promise<void> {
  const c = splitArgs(argv);
  const cmd = parseDigArgs(c.rest);
  if ('error' in cmd) throw new UsageError(`dig: ${cmd.error}`, DigExit.Usage);
  const world = c.real ? realWorld() : await simWorld(c, io);
  let srv: { address: Ipv4Addr; label: string };
  try {
    srv = world.serverAddress(cmd.server);
  } catch (e) {
    if (!(e instanceof NoServerAddress)) throw e;
    io.err(`dig: ${e.message}\n`);
    io.exitCode = DigExit.Internal;
    return;
  }
  const o = {
    ...cmd.options,
    server: srv.address,
    serverLabel: srv.label,
    serverGiven: cmd.server !== undefined,
  };
  if (cmd.trace) {
    const r = await world.run(digTrace(world.env, o));
    io.out(formatDigTrace(r));
    io.exitCode = digTraceExitCode(r);
  } else {
    const r = await world.run(dig(world.env, o));
    io.out(formatDig(r, world.env));
    io.exitCode = digExitCode(r);
  }
  world.after(io);
}

async function runHostLike(tool: 'host' | 'nslookup', argv: string[], io: CliIo): Promise<void> {
  const c = splitArgs(argv);
  let type: string | undefined;
  let port: number | undefined;
  const pos: string[] = [];
  for (let i = 0; i < c.rest.length; i++) {
    const a = c.rest[i];
    if (tool === 'host' && a === '-t') type = c.rest[++i];
    else if (tool === 'host' && a === '-p') port = Number(c.rest[++i]);
    else if (tool === 'nslookup' && a.startsWith('-type=')) type = a.slice(6);
    else if (tool === 'nslookup' && a.startsWith('-port=')) port = Number(a.slice(6));
    else if (a.startsWith('-')) throw new UsageError(`${tool}: unknown option ${a}`);
    else pos.push(a);
  }
  if (pos.length === 0 || pos.length > 2)
    throw new UsageError(`${tool}: usage: ${tool} [options] name [server]`);
  const world = c.real ? realWorld() : await simWorld(c, io);
  const srv = world.serverAddress(pos[1]);
  const server = { address: srv.address, label: srv.label, port };
  const r =
    tool === 'host'
      ? await world.run(
          host(world.env, { name: pos[0], type, server, showServer: pos[1] !== undefined }),
        )
      : await world.run(nslookup(world.env, { name: pos[0], type, server }));
  io.out(r.text);
  io.exitCode = r.exitCode;
  world.after(io);
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
    .helpOption('--help')
    .addHelpText(
      'after',
      COMMON_HELP +
        '\nExamples:\n  wiretrail dig +trace www.server.com\n  wiretrail dig --real @127.0.0.1 -p 5300 www.server.com\n',
    )
    .action(async (args: string[]) => runDig(args, io));
  program
    .command('nslookup')
    .description('DNS lookup like BIND nslookup, in the simulated internet (or --real)')
    .argument('[args...]', '[-type=T] [-port=N] name [server]')
    .allowUnknownOption()
    .helpOption('--help')
    .addHelpText('after', COMMON_HELP)
    .action(async (args: string[]) => runHostLike('nslookup', args, io));
  program
    .command('host')
    .description('DNS lookup like BIND host, in the simulated internet (or --real)')
    .argument('[args...]', '[-t type] [-p port] name [server]')
    .allowUnknownOption()
    .helpOption('--help')
    .addHelpText('after', COMMON_HELP)
    .action(async (args: string[]) => runHostLike('host', args, io));
});
