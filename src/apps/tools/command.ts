/**
 * Runs a tool command line ("ping -c 3 10.0.0.2", "curl -v http://www.server.com/", "dig
 * +trace www.server.com", "netstat -napt") on a node of a simulated network and prints what the
 * Linux tool would print. Browser-safe (the web console uses it too); src/cli/run.ts wraps it
 * for the `wiretrail run` command.
 *
 * Flags follow the Linux tools' (iputils ping, traceroute 2.x, net-tools arp/route/netstat,
 * iproute2 ip/ss, bridge-utils brctl, curl 8, BIND 9.18 dig/host/nslookup); unknown flags and
 * bad values raise ToolUsageError with one line.
 *
 * Names (ping nas.home, curl http://www.server.com/) are resolved by the node's stub resolver
 * (ToolContext.stubs, from the topology's `resolver:` and `hosts:`): /etc/hosts, the OS cache,
 * then the name servers of resolv.conf — the same path getaddrinfo() takes on Linux. Addresses
 * are named the way getnameinfo() names them (traceroute's hops, ping's replies, arp's
 * entries and netstat's sockets unless -n, ss's with -r): the hosts file, then a PTR query
 * through the same resolver, each address asked once per command (ReverseNames,
 * src/apps/dns/reverse.ts). netstat and ss name ports from /etc/services (services.ts).
 *
 * Between commands of one chain: a command that closed TCP connections (curl) lets their FIN
 * exchange finish (at most CLOSE_GRACE of simulated time) before the next command starts, so
 * `curl … ; netstat -napt` shows the TIME_WAIT a shell would see a moment later, not a
 * half-sent FIN.
 */
import { MS, SECOND } from '../../sim/time.js';
import { Host } from '../../devices/host.js';
import { Switch } from '../../devices/switch.js';
import type { Simulation as Network } from '../../sim/simulation.js';
import { sleep } from '../../sim/async.js';
import type { Rng } from '../../sim/rng.js';
import { TcpLayer } from '../../stack/tcp/index.js';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import { canonicalName, typeFromName } from '../../wire/dns.js';
import { defaultServers } from '../dns/hierarchy.js';
import { ReverseNames } from '../dns/reverse.js';
import { DnsLookupError } from '../dns/stub.js';
import type { StubResolver } from '../dns/stub.js';
import { arpRows, formatArpA, formatArpN, formatIpNeigh } from './arp.js';
import { formatFdb, formatShowMacs } from './bridge.js';
import { curl, CurlUsageError, parseCurlArgs } from './curl.js';
import {
  dig,
  DIG_USAGE,
  digExitCode,
  DigExit,
  digTrace,
  digTraceExitCode,
  formatDig,
  formatDigTrace,
  parseDigArgs,
} from './dig.js';
import type { DigEnv } from './dig.js';
import { host as hostTool } from './host.js';
import {
  explainRouteGet,
  formatIpAddr,
  formatIpAddrBrief,
  formatIpLink,
  formatIpLinkBrief,
  formatIpRoute,
  ipRouteGet,
} from './ip.js';
import { formatNetstatI, formatNetstatNapt, formatNetstatS, netstatLookups } from './netstat.js';
import type { InterfaceRow } from './netstat.js';
import { tcpSocketRows } from './sockets.js';
import type { TcpSocketRow } from './sockets.js';
import {
  formatSsSummary,
  formatSsTan,
  parseSsExpr,
  SS_ALL,
  SS_CONN,
  SS_LISTENING,
  SS_UDP_DEFAULT,
  ssExprMatches,
  ssLookups,
  ssServiceNames,
  ssShowsState,
  ssStateFilter,
  ssStateMatches,
} from './ss.js';
import { serviceName } from './services.js';
import { nslookup } from './nslookup.js';
import { ping } from './ping.js';
import { formatRoute, routeLookups } from './route.js';
import type { RouteLayout } from './route.js';
import { traceroute } from './traceroute.js';

/**
 * A mistake in a tool's command line: the CLI prints it as one line and exits with `exitCode`,
 * the tool's own usage status (2 for most Linux tools, 1 for BIND's dig).
 */
export class ToolUsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export const TOOLS = [
  'ping',
  'traceroute',
  'curl',
  'dig',
  'nslookup',
  'host',
  'netstat',
  'ss',
  'arp',
  'route',
  'ip',
  'brctl',
  'bridge',
  'hosts',
  'cat',
  'sleep',
  'help',
] as const;

/** What a command may use beyond the network: the node's resolver and where text goes. */
export interface ToolContext {
  /**
   * Stub resolvers by node name (RunningApps.stubs from src/world/services.ts): hosts file,
   * OS cache and resolv.conf of each host that has `resolver:` or `hosts:` in the topology.
   */
  stubs?: ReadonlyMap<string, StubResolver>;
  /** Raw standard output (curl writes bodies that need not end in a newline). */
  write?: (text: string) => void;
  /** Raw standard error (curl -v, curl's error line); default: standard output. */
  writeErr?: (text: string) => void;
}

/** How long a command's closing connections may take to finish before the next command. */
export const CLOSE_GRACE = 2 * SECOND;

interface FlagSpec {
  /** Flag letters/names that take a value. */
  readonly withValue: readonly string[];
  /** Flags without a value. */
  readonly bool: readonly string[];
}

interface Parsed {
  flags: Map<string, string[]>;
  positional: string[];
}

/** A small getopt: "-c 3", "-c3", "-nq", "--count=3", "--" ends flags. */
export function getopt(tool: string, args: readonly string[], spec: FlagSpec): Parsed {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  const put = (k: string, v: string): void => {
    const l = flags.get(k);
    if (l === undefined) flags.set(k, [v]);
    else l.push(v);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const [name, value] = a.slice(2).split('=', 2);
      if (spec.withValue.includes(name)) {
        const v = value ?? args[++i];
        if (v === undefined)
          throw new ToolUsageError(`${tool}: option --${name} requires an argument`);
        put(name, v);
      } else if (spec.bool.includes(name)) put(name, '');
      else throw new ToolUsageError(`${tool}: unrecognized option '--${name}'`);
      continue;
    }
    // "-4" is a flag when the tool has one by that name (netstat -4, ss -4), else a number.
    const digitFlag = spec.bool.includes(a[1]) || spec.withValue.includes(a[1]);
    if (a.startsWith('-') && a.length > 1 && (!/^-[0-9]/.test(a) || digitFlag)) {
      for (let k = 1; k < a.length; k++) {
        const c = a[k];
        if (spec.withValue.includes(c)) {
          const rest = a.slice(k + 1);
          const v = rest !== '' ? rest : args[++i];
          if (v === undefined)
            throw new ToolUsageError(`${tool}: option requires an argument -- '${c}'`);
          put(c, v);
          break;
        }
        if (spec.bool.includes(c)) put(c, '');
        else throw new ToolUsageError(`${tool}: invalid option -- '${c}'`);
      }
      continue;
    }
    positional.push(a);
  }
  return { flags, positional };
}

function num(
  tool: string,
  flag: string,
  v: string | undefined,
  min: number,
  max: number,
  integer = true,
): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (
    v.trim() === '' ||
    !Number.isFinite(n) ||
    (integer && !Number.isInteger(n)) ||
    n < min ||
    n > max
  ) {
    throw new ToolUsageError(
      `${tool}: invalid argument to -${flag}: '${v}' (expected ${integer ? 'a whole number' : 'a number'} in ${min}..${max})`,
    );
  }
  return n;
}

const SLEEP_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
/** Simulated time one sleep may pass (a year: more is surely a typo). */
const SLEEP_MAX = 365 * 86400;

/**
 * GNU coreutils sleep's operands: NUMBER[SUFFIX]… (s, m, h, d), added up; its messages and its
 * usage status 1 ("sleep: invalid time interval 'abc'", "sleep: missing operand").
 */
export function sleepSeconds(args: readonly string[]): number {
  if (args.length === 0) throw new ToolUsageError('sleep: missing operand', 1);
  let total = 0;
  for (const a of args) {
    const m = /^\+?((?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)([smhd]?)$/.exec(a);
    if (m === null) throw new ToolUsageError(`sleep: invalid time interval '${a}'`, 1);
    total += Number(m[1]) * SLEEP_UNITS[m[2]];
  }
  if (!(total <= SLEEP_MAX))
    throw new ToolUsageError(`sleep: at most ${SLEEP_MAX / 86400} days of simulated time`, 1);
  return total;
}

function last(p: Parsed, k: string): string | undefined {
  const l = p.flags.get(k);
  return l === undefined ? undefined : l[l.length - 1];
}

/** getaddrinfo's gai_strerror() text for a failed lookup, as ping and traceroute print it. */
function gaiError(e: unknown): string {
  const code = e instanceof DnsLookupError ? e.code : '';
  switch (code) {
    case 'ENOTFOUND':
    case 'EBADNAME':
      return 'Name or service not known';
    case 'ENODATA':
      return 'No address associated with hostname';
    default:
      return 'Temporary failure in name resolution';
  }
}

/** A destination as typed: an address, or a name and what the node's resolver made of it. */
interface Destination {
  address: Ipv4Addr;
  /** The name typed, when it was not an address. */
  name?: string;
  /** Its canonical name (getaddrinfo's ai_canonname: after CNAMEs, the hosts file's first name). */
  canonical?: string;
}

/**
 * Resolves a ping/traceroute destination with the node's stub resolver. Returns the failure
 * text (gai_strerror) when the lookup fails; throws ToolUsageError when there is nothing to
 * resolve with.
 */
async function destination(
  net: Network,
  node: string,
  tool: string,
  p: Parsed,
  usage: string,
  ctx: ToolContext,
): Promise<Destination | { error: string }> {
  const t = p.positional[0];
  if (t === undefined) throw new ToolUsageError(`${tool}: missing destination (usage: ${usage})`);
  const a = parseIpv4(t);
  if (a !== undefined) return { address: a };
  const stub = ctx.stubs?.get(node);
  if (stub === undefined)
    throw new ToolUsageError(
      `${tool}: ${t}: not an IPv4 address, and ${node} has no resolver to look names up (give it "resolver:" or "hosts:" in the topology)`,
    );
  try {
    const r = await net.runUntilSettled(stub.lookup(t));
    if (r.addresses.length === 0) return { error: 'No address associated with hostname' };
    return { address: r.addresses[0], name: t, canonical: r.canonicalName };
  } catch (e) {
    return { error: gaiError(e) };
  }
}

/**
 * Reverse lookups for one command on `node` (getnameinfo: the hosts file, then a PTR query
 * through the node's stub resolver), or undefined when the node has no resolver (no names).
 */
function reverseNames(ctx: ToolContext, node: string): ReverseNames | undefined {
  const stub = ctx.stubs?.get(node);
  if (stub === undefined) return undefined;
  return new ReverseNames(async (a) => (await stub.reverse(a)).name);
}

export interface ToolRun {
  exitCode: number;
}

function hostOf(net: Network, node: string, tool: string): Host {
  const n = net.nodes.get(node);
  if (n === undefined)
    throw new ToolUsageError(
      `no node named "${node}" (nodes: ${[...net.nodes.keys()].join(', ')})`,
    );
  if (!(n instanceof Host))
    throw new ToolUsageError(`${tool} runs on a host or router; ${node} is a ${n.kind}`);
  return n;
}

/**
 * Runs one tool command on `node`, printing lines to `out`, driving the simulation until the
 * tool finishes. Returns the tool's exit status (the Linux tool's: curl 6 for an unknown host,
 * dig 9 when no server answered, ...).
 */
export async function runTool(
  net: Network,
  node: string,
  argv: readonly string[],
  out: (line: string) => void,
  ctx: ToolContext = {},
): Promise<ToolRun> {
  const [tool, ...args] = argv;
  if (tool === undefined)
    throw new ToolUsageError(`no command given (one of: ${TOOLS.join(', ')})`);
  switch (tool) {
    case 'ping': {
      const usage =
        'ping [-4] [-b] [-c count] [-i interval] [-s size] [-t ttl] [-W timeout] [-w deadline] [-M do|dont] [-I addr] [-n] [-q] destination';
      const p = getopt('ping', args, {
        withValue: ['c', 'i', 's', 't', 'W', 'w', 'M', 'I'],
        bool: ['q', 'n', 'h', '4', '6', 'b'],
      });
      if (p.flags.has('h')) {
        out(`Usage: ${usage}`);
        return { exitCode: 0 };
      }
      // iputils: -4 limits getaddrinfo to IPv4 (all there is here); -6 to IPv6, which the
      // simulated hosts do not have.
      if (p.flags.has('4') && p.flags.has('6'))
        throw new ToolUsageError('ping: only one -4 or -6 option may be specified');
      if (p.flags.has('6'))
        throw new ToolUsageError(
          'ping: -6: IPv6 is not supported (the simulated network is IPv4 only)',
        );
      const host = hostOf(net, node, 'ping');
      const m = last(p, 'M');
      if (m !== undefined && m !== 'do' && m !== 'dont' && m !== 'want')
        throw new ToolUsageError(`ping: invalid -M argument: ${m} (do, dont or want)`);
      const src = last(p, 'I');
      const source = src === undefined ? undefined : parseIpv4(src);
      if (src !== undefined && source === undefined)
        throw new ToolUsageError(`ping: -I: ${src} is not an IPv4 address`);
      const interval = num('ping', 'i', last(p, 'i'), 0.002, 3600, false);
      const linger = num('ping', 'W', last(p, 'W'), 0, 3600, false);
      const deadline = num('ping', 'w', last(p, 'w'), 0, 86400, false);
      // iputils: with -w and no -c, ping sends until the deadline (npackets 0); with neither,
      // 4 here (a simulation needs an end).
      const count =
        num('ping', 'c', last(p, 'c'), 1, 1_000_000) ?? (last(p, 'w') !== undefined ? 0 : 4);
      const size = num('ping', 's', last(p, 's'), 0, 65507);
      const ttl = num('ping', 't', last(p, 't'), 1, 255);
      const dst = await destination(net, node, 'ping', p, usage, ctx);
      if ('error' in dst) {
        out(`ping: ${p.positional[0]}: ${dst.error}`);
        return { exitCode: 2 };
      }
      // ping.c ping4_run: connect() of its probe socket fails with EACCES for a broadcast
      // address (255.255.255.255, or an interface's broadcast) unless -b set SO_BROADCAST.
      const broadcast =
        dst.address === 0xffffffff ||
        [...host.interfaces.values()].some((i) => i.isBroadcast(dst.address));
      if (broadcast) {
        const err = ctx.writeErr ?? ((t: string) => out(t.replace(/\n$/, '')));
        if (!p.flags.has('b')) {
          err(
            'ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n',
          );
          return { exitCode: 2 };
        }
        err('WARNING: pinging broadcast address\n');
      }
      const r = await net.runUntilSettled(
        ping(
          host,
          {
            target: dst.address,
            count,
            interval: interval === undefined ? undefined : Math.round(interval * SECOND),
            size,
            ttl,
            linger: linger === undefined ? undefined : Math.round(linger * SECOND),
            deadline: deadline === undefined ? undefined : Math.round(deadline * SECOND),
            // iputils: broadcast pings default to -M do
            dontFragment: m === 'do' || (m === undefined && p.flags.has('b')),
            quiet: p.flags.has('q'),
            broadcast: p.flags.has('b'),
            source,
            // iputils: a numeric target sets F_NUMERIC, as -n does
            names: dst.name === undefined || p.flags.has('n') ? undefined : reverseNames(ctx, node),
          },
          dst.name === undefined ? out : pingNames(dst, out),
        ),
      );
      return { exitCode: r.exitCode };
    }
    case 'traceroute': {
      const usage =
        'traceroute [-n] [-f first_ttl] [-m max_ttl] [-q nqueries] [-N squeries] [-w wait] [-p port] host [packetlen]';
      const p = getopt('traceroute', args, {
        withValue: ['f', 'm', 'q', 'N', 'w', 'p'],
        bool: ['n', 'I', 'U'],
      });
      const host = hostOf(net, node, 'traceroute');
      if (p.flags.has('I'))
        throw new ToolUsageError(
          'traceroute: -I (ICMP probes) is not supported; the default UDP method is',
        );
      const wait = num('traceroute', 'w', last(p, 'w'), 0, 60, false);
      const options = {
        numeric: p.flags.has('n'),
        firstTtl: num('traceroute', 'f', last(p, 'f'), 1, 255),
        maxTtl: num('traceroute', 'm', last(p, 'm'), 1, 255),
        queries: num('traceroute', 'q', last(p, 'q'), 1, 10),
        simQueries: num('traceroute', 'N', last(p, 'N'), 1, 255),
        wait: wait === undefined ? undefined : Math.round(wait * SECOND),
        port: num('traceroute', 'p', last(p, 'p'), 1, 65535),
        packetLen:
          p.positional[1] === undefined
            ? undefined
            : num('traceroute', 'packetlen', p.positional[1], 28, 65000),
      };
      const dst = await destination(net, node, 'traceroute', p, usage, ctx);
      if ('error' in dst) {
        // traceroute 2.x (traceroute.c getaddr + the command-line parser)
        out(`${p.positional[0]}: ${dst.error}`);
        out(
          `Cannot handle "host" cmdline arg \`${p.positional[0]}' on position 1 (argc ${args.length})`,
        );
        return { exitCode: 2 };
      }
      const r = await net.runUntilSettled(
        traceroute(
          host,
          {
            ...options,
            target: dst.address,
            names: options.numeric ? undefined : reverseNames(ctx, node),
          },
          traceNames(dst, out),
        ),
      );
      return { exitCode: r.exitCode };
    }
    case 'curl':
      return runCurl(net, node, args, out, ctx);
    case 'dig':
      return runDig(net, node, args, out, ctx);
    case 'host':
    case 'nslookup':
      return runHostLike(tool, net, node, args, out, ctx);
    case 'netstat':
      return runNetstat(net, node, args, out, ctx);
    case 'ss':
      return runSs(net, node, args, out, ctx);
    case 'hosts': {
      if (args.length > 0)
        throw new ToolUsageError('hosts: takes no arguments (prints /etc/hosts)');
      return catFile(net, node, '/etc/hosts', out, ctx);
    }
    case 'cat': {
      if (args.length !== 1)
        throw new ToolUsageError('cat: one file: /etc/hosts or /etc/resolv.conf');
      return catFile(net, node, args[0], out, ctx);
    }
    case 'help': {
      for (const l of HELP) out(l);
      return { exitCode: 0 };
    }
    case 'arp': {
      const p = getopt('arp', args, { withValue: ['i'], bool: ['n', 'a', 'e', 'v'] });
      const host = hostOf(net, node, 'arp');
      let rows = arpRows(host);
      const dev = last(p, 'i');
      if (dev !== undefined) rows = rows.filter((r) => r.iface === dev);
      // net-tools resolves each entry's name unless -n (gethostbyaddr: the hosts file, then
      // DNS), in the order it prints them.
      const names = p.flags.has('n') ? undefined : reverseNames(ctx, node);
      if (names !== undefined)
        await net.runUntilSettled(
          (async () => {
            for (const r of rows) await names.resolve(r.ip);
          })(),
        );
      const nameOf = names === undefined ? undefined : (ip: number) => names.get(ip);
      const lines = p.flags.has('a') ? formatArpA(rows, nameOf) : formatArpN(rows, nameOf);
      for (const l of lines) out(l);
      return { exitCode: 0 };
    }
    case 'route': {
      const p = getopt('route', args, { withValue: [], bool: ['n', 'e', 'v'] });
      if (p.positional.length > 0)
        throw new ToolUsageError(
          `route: only showing the table is supported ("route [-n] [-e]"), not "route ${p.positional.join(' ')}"`,
        );
      // net-tools route.c: each -e widens the layout (-e: netstat -r's MSS/Window/irtt, -ee: all)
      const layout = Math.min(3, 1 + (p.flags.get('e')?.length ?? 0)) as RouteLayout;
      await printRoutes(net, node, ctx, out, layout, p.flags.has('n'), 'route');
      return { exitCode: 0 };
    }
    case 'ip':
      return runIp(net, node, args, out, ctx);
    case 'brctl': {
      const [sub] = args;
      if (sub !== 'showmacs')
        throw new ToolUsageError(`brctl: only "brctl showmacs [switch]" is supported`);
      const sw = switchOf(net, args[1] ?? node);
      for (const l of formatShowMacs(sw)) out(l);
      return { exitCode: 0 };
    }
    case 'bridge': {
      if (args[0] !== 'fdb')
        throw new ToolUsageError('bridge: only "bridge fdb [show]" is supported');
      for (const l of formatFdb(switchOf(net, node))) out(l);
      return { exitCode: 0 };
    }
    case 'sleep': {
      const s = sleepSeconds(args);
      await net.runUntilSettled(sleep(net.clock, Math.round(s * SECOND)));
      return { exitCode: 0 };
    }
    default:
      throw new ToolUsageError(`unknown command "${tool}" (one of: ${TOOLS.join(', ')})`);
  }
}

function switchOf(net: Network, name: string): Switch {
  const n = net.nodes.get(name);
  if (!(n instanceof Switch)) throw new ToolUsageError(`${name} is not a switch`);
  return n;
}

function runIp(
  net: Network,
  node: string,
  args: readonly string[],
  out: (line: string) => void,
  ctx: ToolContext,
): ToolRun {
  let stats = 0;
  let brief = false;
  let inet4 = false;
  let i = 0;
  // ip.c: options match by prefix ("-b" is -batch, "-br" -brief)
  const opt = (a: string, name: string, min: number): boolean =>
    a.length >= min && name.startsWith(a);
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const a = args[i];
    if (opt(a, '-stats', 2) || opt(a, '-statistics', 2)) stats++;
    else if (opt(a, '-brief', 3)) brief = true;
    else if (a === '-4') inet4 = true;
    // iproute2 (ip.c): 'Option "-z" is unknown, try "ip -help".', exit 255
    else throw new ToolUsageError(`ip: option "${a}" is unknown (supported: -s, -br, -4)`, 255);
  }
  const host = hostOf(net, node, 'ip');
  const obj = args[i] ?? '';
  const rest = args.slice(i + 1);
  const is = (word: string, ...names: string[]): boolean =>
    names.some((n) => n.startsWith(word) && word.length > 0);
  /**
   * ipaddress.c ipaddr_list_flush_or_save: `show|list|lst [dev] NAME`; an unknown device is
   * `Device "eth9" does not exist.` on stderr, status 1 (nodev()).
   */
  const device = (what: string): { dev?: string } | { exitCode: number } => {
    if (rest.length === 0) return {};
    if (!is(rest[0], 'show', 'list', 'lst'))
      throw new ToolUsageError(`Command "${rest[0]}" is unknown, try "ip ${what} help".`, 255);
    const words = rest.slice(1).filter((w) => w !== 'dev');
    if (words.length > 1)
      throw new ToolUsageError(
        `Error: either "dev" is duplicate, or "${words[1]}" is a garbage.`,
        255,
      );
    const dev = words[0];
    if (dev !== undefined && host.iface(dev) === undefined) {
      (ctx.writeErr ?? ((t: string) => out(t.replace(/\n$/, ''))))(
        `Device "${dev}" does not exist.\n`,
      );
      return { exitCode: 1 };
    }
    return { dev };
  };
  if (is(obj, 'route', 'r')) {
    const sub = rest[0] ?? 'show';
    if (is(sub, 'get')) {
      const a = rest[1];
      if (a === undefined) throw new ToolUsageError('ip route get: missing address');
      const r = ipRouteGet(host, a);
      for (const l of r.lines) out(l);
      if (rest.includes('--explain')) {
        const d = parseIpv4(a);
        if (d !== undefined) for (const l of explainRouteGet(host, d)) out(`# ${l}`);
      }
      return { exitCode: r.exitCode };
    }
    if (is(sub, 'show', 'list')) {
      for (const l of formatIpRoute(host.routes.listForDisplay())) out(l);
      return { exitCode: 0 };
    }
    throw new ToolUsageError(`ip route: "${sub}" is not supported (show, get)`);
  }
  if (is(obj, 'link', 'l')) {
    const d = device('link');
    if ('exitCode' in d) return d;
    const lines = brief ? formatIpLinkBrief(host, d.dev) : formatIpLink(host, stats, d.dev);
    for (const l of lines) out(l);
    return { exitCode: 0 };
  }
  if (is(obj, 'addr', 'address', 'a')) {
    const d = device('address');
    if ('exitCode' in d) return d;
    const o = { only: d.dev, inet4 };
    for (const l of brief ? formatIpAddrBrief(host, o) : formatIpAddr(host, o)) out(l);
    return { exitCode: 0 };
  }
  if (is(obj, 'neigh', 'neighbour', 'neighbor', 'n')) {
    for (const l of formatIpNeigh(arpRows(host))) out(l);
    return { exitCode: 0 };
  }
  // iproute2 (ip.c do_cmd): 'Object "foo" is unknown, try "ip help".', exit 1
  throw new ToolUsageError(
    `ip: object "${obj}" is unknown or not supported (route, link, addr, neigh)`,
    1,
  );
}

// ───────────────────────────────────────── helpers ────────────────────────────────────────

const HELP = [
  'commands (flags as the Linux tools; chain several with ";"):',
  '  ping [-4] [-b] [-c n] [-i s] [-s size] [-t ttl] [-W s] [-w s] [-M do|dont] [-I addr] [-n] [-q] host',
  '  traceroute [-n] [-f ttl] [-m ttl] [-q n] [-N n] [-w s] [-p port] host [packetlen]',
  '  curl [-v] [-s] [-S] [-f] [-I] [-i] [-L] [-o file] [-D file|-] [-m s] [-w format] [--max-redirs n]',
  '       [-H "Name: value"] [-X method] [-A agent] url',
  '  dig [@server] [-t type] [-x addr] [-p port] [-h] [type] name [+trace] [+short] [+tcp] [+norecurse]',
  '      [+[no]all] [+[no]answer|question|authority|additional|comments|stats|cmd]',
  '  nslookup [-type=T] [-port=N] [-timeout=S] name [server]',
  '  host [-t type] [-p port] [-W s] name [server]',
  '  netstat [-napt] [-l] [-u] [-W] [-s] [-i] [-r] [-e]',
  '  ss [-tan] [-i] [-o] [-r] [-l] [-u] [-H] [-s] [state|exclude established|time-wait|listening|all|...]',
  '     [dport|sport =|!=|<|>|<=|>= :port] [dst|src addr[/bits][:port]] [and|or|not|( )]',
  '  arp [-n] [-a] [-i dev]   route [-n] [-e]   ip [-4] [-br] addr|link [show [dev] NAME]',
  '  ip route [get addr]   ip neigh   ip -s [-s] link',
  '  brctl showmacs [switch]   bridge fdb   hosts   cat /etc/hosts|/etc/resolv.conf   sleep N[smhd]',
];

/** Writes raw text: to `write` when given, else split into lines for `out`. */
function textOut(
  out: (line: string) => void,
  write: ((text: string) => void) | undefined,
): { write(text: string): void; end(): void } {
  if (write !== undefined) return { write, end: () => {} };
  let pending = '';
  return {
    write(text) {
      pending += text;
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        out(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    },
    end() {
      if (pending !== '') out(pending);
      pending = '';
    },
  };
}

/**
 * ping's lines when the destination was a name: iputils prints its canonical name (ping.c
 * ping4_run: hostname = ai_canonname, so `ping static.server.com` says "PING www.server.com")
 * in the banner and the statistics (the replies' names are ping.ts's, from `names`).
 */
function pingNames(dst: Destination, out: (line: string) => void): (line: string) => void {
  const a = formatIpv4(dst.address);
  const name = dst.canonical || dst.name;
  return (line) => {
    if (line.startsWith(`PING ${a} (${a}) `))
      line = `PING ${name} (${a}) ${line.slice(`PING ${a} (${a}) `.length)}`;
    else if (line === `--- ${a} ping statistics ---`) line = `--- ${name} ping statistics ---`;
    out(line);
  };
}

/** traceroute's banner with the name typed (the hops' names are traceroute.ts's). */
function traceNames(dst: Destination, out: (line: string) => void): (line: string) => void {
  const a = formatIpv4(dst.address);
  const banner = `traceroute to ${a} (${a})`;
  return (line) => {
    if (dst.name !== undefined && line.startsWith(banner))
      line = `traceroute to ${dst.name} (${a})${line.slice(banner.length)}`;
    out(line);
  };
}

function tcpOf(host: Host): TcpLayer | undefined {
  const t = host.transport(6);
  return t instanceof TcpLayer ? t : undefined;
}

const FIN_WAIT1 = 5;
const FIN_WAIT2 = 6;
const CLOSING = 8;
const LAST_ACK = 9;

/**
 * Lets connections this node is closing finish their FIN exchange (at most CLOSE_GRACE), so
 * that the next command sees them in TIME_WAIT (or gone), as a shell's next command would.
 */
async function settleCloses(net: Network, host: Host): Promise<void> {
  const tcp = tcpOf(host);
  if (tcp === undefined) return;
  const closing = (): boolean =>
    tcp
      .connections()
      .some(
        (t) =>
          t.state === FIN_WAIT1 ||
          t.state === FIN_WAIT2 ||
          t.state === CLOSING ||
          t.state === LAST_ACK,
      );
  const end = net.clock.now() + CLOSE_GRACE;
  while (closing() && net.clock.now() < end)
    await net.run({ until: Math.min(net.clock.now() + MS, end) });
}

// ─────────────────────────────────────────── curl ─────────────────────────────────────────

async function runCurl(
  net: Network,
  node: string,
  args: readonly string[],
  out: (line: string) => void,
  ctx: ToolContext,
): Promise<ToolRun> {
  let parsed;
  try {
    parsed = parseCurlArgs(args);
  } catch (e) {
    if (e instanceof CurlUsageError) throw new ToolUsageError(`curl: ${e.message}`);
    throw e;
  }
  // the node has no file system: -o /dev/null discards the body (curl.ts), -o - is standard
  // output, anything else fails as curl does when it cannot write (23)
  if (parsed.output === '-') parsed.output = undefined;
  const host = hostOf(net, node, 'curl');
  if (host.net === undefined) throw new ToolUsageError(`curl: ${node} has no TCP layer`);
  const stub = ctx.stubs?.get(node);
  const stdout = textOut(out, ctx.write);
  const stderr = ctx.writeErr ?? ((t: string) => stdout.write(t));
  const decoder = new TextDecoder();
  const r = await net.runUntilSettled(
    curl(parsed, {
      net: host.net,
      resolve: async (name) => {
        if (stub === undefined) throw new Error(`${node} has no resolver`);
        const l = await stub.lookup(name);
        return { addresses: l.addresses };
      },
      clock: net.clock,
      trace: net.trace,
      node,
      out: (t) => stdout.write(typeof t === 'string' ? t : decoder.decode(t)),
      err: stderr,
    }),
  );
  stdout.end();
  await settleCloses(net, host);
  return { exitCode: r.exitCode };
}

// ──────────────────────────────────── dig, host, nslookup ─────────────────────────────────

let knownServers: Map<Ipv4Addr, string> | undefined;
/** Names of the default DNS hierarchy's servers (a.root-servers.net, ...), by address. */
function serverNames(): Map<Ipv4Addr, string> {
  if (knownServers === undefined) {
    knownServers = new Map();
    for (const s of defaultServers()) knownServers.set(s.address, s.name.replace(/\.$/, ''));
  }
  return knownServers;
}

/** One query-ID/port stream per node for the whole chain (two digs do not repeat IDs). */
const digRngs = new WeakMap<Host, Rng>();

function digEnv(net: Network, host: Host): DigEnv {
  let rng = digRngs.get(host);
  if (rng === undefined) {
    rng = host.rng('dig');
    digRngs.set(host, rng);
  }
  return {
    dgram: host.dgram,
    net: host.net,
    clock: net.clock,
    rng,
    serverNames: new Map(serverNames()),
  };
}

/**
 * The server of `@server` / nslookup's second argument: an address, a node of the topology
 * (dns-local), a name server of the default hierarchy (a.root-servers.net), or any name the
 * node's resolver knows. Without one, the first nameserver of the node's resolv.conf.
 */
async function dnsServer(
  net: Network,
  node: string,
  tool: string,
  text: string | undefined,
  ctx: ToolContext,
): Promise<{ address: Ipv4Addr; label: string } | { error: string }> {
  const stub = ctx.stubs?.get(node);
  if (text === undefined) {
    const ns = stub?.config.nameservers[0];
    if (ns === undefined)
      throw new ToolUsageError(
        `${tool}: ${node} has no name server in its resolv.conf (no "resolver:" in the topology): give a server`,
      );
    return { address: ns, label: formatIpv4(ns) };
  }
  const a = parseIpv4(text);
  if (a !== undefined) return { address: a, label: text };
  const n = net.nodes.get(text);
  if (n instanceof Host) {
    const addr = n.localAddresses().find((x) => x >>> 24 !== 127);
    if (addr !== undefined) return { address: addr, label: text };
  }
  const s = defaultServers().find((x) => x.name === canonicalName(text));
  if (s !== undefined) return { address: s.address, label: text };
  if (stub !== undefined) {
    try {
      const r = await net.runUntilSettled(stub.lookup(text));
      if (r.addresses.length > 0) return { address: r.addresses[0], label: text };
    } catch {
      // fall through
    }
  }
  return { error: `couldn't get address for '${text}': not found` };
}

async function runDig(
  net: Network,
  node: string,
  args: readonly string[],
  out: (line: string) => void,
  ctx: ToolContext,
): Promise<ToolRun> {
  const cmd = parseDigArgs(args);
  if ('error' in cmd) throw new ToolUsageError(`dig: ${cmd.error}`, DigExit.Usage);
  const stdout = textOut(out, ctx.write);
  if (cmd.help) {
    // dig.c: -h prints the usage on standard output and exits 0
    stdout.write(DIG_USAGE);
    stdout.end();
    return { exitCode: 0 };
  }
  const host = hostOf(net, node, 'dig');
  for (const w of cmd.warnings) (ctx.writeErr ?? ((t: string) => stdout.write(t)))(`${w}\n`);
  const srv = await dnsServer(net, node, 'dig', cmd.server, ctx);
  if ('error' in srv) {
    // dighost.c fatal(): the message on stderr, exit 10
    (ctx.writeErr ?? ((t: string) => stdout.write(t)))(`dig: ${srv.error}\n`);
    stdout.end();
    return { exitCode: DigExit.Internal };
  }
  const env = digEnv(net, host);
  const o = {
    ...cmd.options,
    server: srv.address,
    serverLabel: srv.label,
    serverGiven: cmd.server !== undefined,
  };
  let exitCode: number;
  if (cmd.trace) {
    const r = await net.runUntilSettled(digTrace(env, o));
    stdout.write(formatDigTrace(r));
    exitCode = digTraceExitCode(r);
  } else {
    const r = await net.runUntilSettled(dig(env, o));
    stdout.write(formatDig(r, env));
    exitCode = digExitCode(r);
  }
  stdout.end();
  return { exitCode };
}

async function runHostLike(
  tool: 'host' | 'nslookup',
  net: Network,
  node: string,
  args: readonly string[],
  out: (line: string) => void,
  ctx: ToolContext,
): Promise<ToolRun> {
  let type: string | undefined;
  let port: number | undefined;
  let timeout: number | undefined;
  const pos: string[] = [];
  const value = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined) throw new ToolUsageError(`${tool}: option ${flag} requires an argument`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (tool === 'host' && a === '-t') type = value(++i, a);
    else if (tool === 'host' && a === '-p') port = num(tool, 'p', value(++i, a), 1, 65535);
    else if (tool === 'host' && a === '-W') timeout = num(tool, 'W', value(++i, a), 1, 3600);
    else if (tool === 'nslookup' && /^-(type|query|q|ty)=/.test(a))
      type = a.slice(a.indexOf('=') + 1);
    else if (tool === 'nslookup' && a.startsWith('-port='))
      port = num(tool, 'port', a.slice(6), 1, 65535);
    else if (tool === 'nslookup' && a.startsWith('-timeout='))
      timeout = num(tool, 'timeout', a.slice(9), 1, 3600);
    else if (a.startsWith('-') && a.length > 1)
      throw new ToolUsageError(`${tool}: invalid option ${a}`);
    else pos.push(a);
  }
  if (type !== undefined && typeFromName(type) === undefined)
    throw new ToolUsageError(`${tool}: invalid type: ${type}`);
  if (pos.length === 0 || pos.length > 2)
    throw new ToolUsageError(`${tool}: usage: ${tool} [options] name [server]`);
  const h = hostOf(net, node, tool);
  const srv = await dnsServer(net, node, tool, pos[1], ctx);
  const stdout = textOut(out, ctx.write);
  if ('error' in srv) {
    stdout.write(`${tool}: ${srv.error}\n`);
    stdout.end();
    return { exitCode: 1 };
  }
  const env = digEnv(net, h);
  const server = { address: srv.address, label: srv.label, port };
  const r =
    tool === 'host'
      ? await net.runUntilSettled(
          hostTool(env, { name: pos[0], type, server, timeout, showServer: pos[1] !== undefined }),
        )
      : await net.runUntilSettled(nslookup(env, { name: pos[0], type, server, timeout }));
  stdout.write(r.text);
  stdout.end();
  return { exitCode: r.exitCode };
}

// ───────────────────────────────────────── netstat, ss ────────────────────────────────────

interface SocketSelection {
  tcp: boolean;
  udp: boolean;
  /** 'all' (-a), 'listening' (-l), or the tool's default. */
  which: 'all' | 'listening' | 'default';
}

function selection(p: Parsed): SocketSelection {
  const t = p.flags.has('t');
  const u = p.flags.has('u');
  return {
    tcp: t || !u,
    udp: u || !t,
    which: p.flags.has('a') ? 'all' : p.flags.has('l') ? 'listening' : 'default',
  };
}

/** UDP sockets as rows (state 0: unconnected, as /proc/net/udp's TCP_CLOSE). */
/** The node's interfaces with the counters `netstat -i` prints. */
function interfaceRows(host: Host): InterfaceRow[] {
  return [...host.interfaces.values()].map((i) => {
    const c = i.counters;
    return {
      name: i.name,
      mtu: i.mtu,
      loopback: i.kind === 'loopback',
      up: i.up,
      running: i.kind === 'loopback' ? i.up : i.nic!.running,
      promiscuous: i.nic?.promiscuous ?? false,
      rxPackets: c.rxPackets,
      rxErrors: c.rxErrors,
      rxDropped: c.rxDropped,
      rxFifoErrors: c.rxFifoErrors,
      txPackets: c.txPackets,
      txErrors: c.txErrors,
      txDropped: c.txDropped,
      txFifoErrors: c.txFifoErrors,
    };
  });
}

function udpRows(host: Host): TcpSocketRow[] {
  return host.udp
    .sockets()
    .filter((s) => !s.closed)
    .map((s) => ({
      state: 0,
      localAddr: s.localAddress,
      localPort: s.localPort,
      remoteAddr: 0,
      remotePort: 0,
      recvQ: 0,
      sendQ: 0,
      proto: 'udp' as const,
    }))
    .sort((a, b) => a.localPort - b.localPort || a.localAddr - b.localAddr);
}

/**
 * Looks up the names of `addresses` in order, one query each (ReverseNames), as the tool
 * would while printing; undefined when there is nothing to look up with (no resolver).
 */
async function lookUp(
  net: Network,
  ctx: ToolContext,
  node: string,
  addresses: readonly Ipv4Addr[],
): Promise<((a: Ipv4Addr) => string | undefined) | undefined> {
  const names = reverseNames(ctx, node);
  if (names === undefined) return undefined;
  await net.runUntilSettled(
    (async () => {
      for (const a of addresses) await names.resolve(a);
    })(),
  );
  return (a) => names.get(a);
}

const LISTEN = 1;

/**
 * The routing table as route and netstat -r print it; without `numeric`, gateways and host
 * routes are named by gethostbyaddr (the hosts file, then DNS).
 */
async function printRoutes(
  net: Network,
  node: string,
  ctx: ToolContext,
  out: (line: string) => void,
  layout: RouteLayout,
  numeric: boolean,
  tool: string,
): Promise<void> {
  const routes = hostOf(net, node, tool).routes.listForDisplay();
  const names = numeric ? undefined : reverseNames(ctx, node);
  if (names !== undefined)
    await net.runUntilSettled(
      (async () => {
        for (const a of routeLookups(routes)) await names.resolve(a);
      })(),
    );
  const nameOf = numeric ? undefined : (a: Ipv4Addr) => names?.get(a);
  for (const l of formatRoute(routes, { layout, nameOf })) out(l);
}

async function runNetstat(
  net: Network,
  node: string,
  args: readonly string[],
  out: (line: string) => void,
  ctx: ToolContext,
): Promise<ToolRun> {
  const p = getopt('netstat', args, {
    withValue: [],
    bool: [
      'n',
      'a',
      'p',
      't',
      'u',
      'l',
      's',
      'W',
      '4',
      'e',
      'numeric',
      'numeric-hosts',
      'numeric-ports',
      'numeric-users',
      'all',
      'programs',
      'tcp',
      'udp',
      'listening',
      'statistics',
      'wide',
      'i',
      'interfaces',
      'r',
      'route',
    ],
  });
  for (const [long, short] of [
    ['numeric', 'n'],
    ['all', 'a'],
    ['programs', 'p'],
    ['tcp', 't'],
    ['udp', 'u'],
    ['listening', 'l'],
    ['statistics', 's'],
    ['wide', 'W'],
    ['interfaces', 'i'],
    ['route', 'r'],
  ])
    if (p.flags.has(long)) p.flags.set(short, ['']);
  if (p.positional.length > 0)
    throw new ToolUsageError(`netstat: unexpected argument "${p.positional[0]}"`);
  const host = hostOf(net, node, 'netstat');
  const tcp = tcpOf(host);
  const sel = selection(p);
  if (p.flags.has('s')) {
    for (const l of netstatStats(host, tcp, sel)) out(l);
    return { exitCode: 0 };
  }
  if (p.flags.has('r')) {
    // net-tools netstat -r: the MSS/Window/irtt columns (route -e); -re: route's own
    // Metric/Ref/Use columns; -ree: both (route -ee) — as Linux's netstat prints them
    const e = p.flags.get('e')?.length ?? 0;
    const layout = (e === 0 ? 2 : e === 1 ? 1 : 3) as RouteLayout;
    await printRoutes(net, node, ctx, out, layout, p.flags.has('n'), 'netstat');
    return { exitCode: 0 };
  }
  if (p.flags.has('i')) {
    for (const l of formatNetstatI(interfaceRows(host), p.flags.has('a'))) out(l);
    return { exitCode: 0 };
  }
  // The tables are read first (the name lookups below open and close sockets of their own).
  const rows: TcpSocketRow[] = [];
  const keep = (listening: boolean): boolean =>
    sel.which === 'all' || (sel.which === 'listening' ? listening : !listening);
  if (sel.tcp && tcp !== undefined)
    rows.push(...tcpSocketRows(tcp).filter((r) => keep(r.state === LISTEN)));
  if (sel.udp) rows.push(...udpRows(host).filter(() => keep(true)));
  // net-tools: -n is --numeric-hosts and --numeric-ports together
  const numeric = p.flags.has('n');
  const hostName =
    numeric || p.flags.has('numeric-hosts')
      ? undefined
      : await lookUp(net, ctx, node, netstatLookups(rows));
  const lines = formatNetstatNapt(rows, {
    names: {
      host: hostName,
      service: numeric || p.flags.has('numeric-ports') ? undefined : serviceName,
    },
    wide: p.flags.has('W'),
    programs: p.flags.has('p'),
  });
  lines[0] = `Active Internet connections (${sel.which === 'all' ? 'servers and established' : sel.which === 'listening' ? 'only servers' : 'w/o servers'})`;
  for (const l of lines) out(l);
  return { exitCode: 0 };
}

async function runSs(
  net: Network,
  node: string,
  args: readonly string[],
  out: (line: string) => void,
  ctx: ToolContext,
): Promise<ToolRun> {
  const p = getopt('ss', args, {
    withValue: [],
    bool: [
      't',
      'u',
      'a',
      'n',
      'r',
      'l',
      'p',
      'H',
      '4',
      'numeric',
      'resolve',
      'all',
      'listening',
      'tcp',
      'udp',
      'no-header',
      's',
      'summary',
      'i',
      'info',
      'o',
      'options',
    ],
  });
  for (const [long, short] of [
    ['numeric', 'n'],
    ['resolve', 'r'],
    ['summary', 's'],
    ['all', 'a'],
    ['listening', 'l'],
    ['tcp', 't'],
    ['udp', 'u'],
    ['no-header', 'H'],
    ['info', 'i'],
    ['options', 'o'],
  ])
    if (p.flags.has(long)) p.flags.set(short, ['']);
  // iproute2 ss main(): -a and -l choose the states, then leading "state X" / "exclude X" words
  const filter = ssStateFilter(
    p.flags.has('a') ? SS_ALL : p.flags.has('l') ? SS_LISTENING : 0,
    p.positional,
  );
  if ('error' in filter) throw new ToolUsageError(filter.error, 255);
  // then an expression (ssfilter.y): dport/sport comparisons, dst/src address prefixes
  const expr = filter.rest.length > 0 ? parseSsExpr(filter.rest) : undefined;
  if (typeof expr === 'string') throw new ToolUsageError(expr, 255);
  const host = hostOf(net, node, 'ss');
  const tcp = tcpOf(host);
  if (p.flags.has('s')) {
    // listeners included: a listening socket is a hashed TCP socket too
    const rows = tcp === undefined ? [] : tcpSocketRows(tcp);
    for (const l of formatSsSummary(rows, udpRows(host).length)) out(l);
    return { exitCode: 0 };
  }
  const sel = selection(p);
  // without -a, -l or a state filter (or with one that leaves no state: `exclude all`, which
  // iproute2's filter_states_set ignores), each table's default: TCP's connected sockets (not
  // LISTEN, CLOSE, TIME-WAIT, SYN-RECV), UDP's connected ones; plain `ss` takes TCP's for all
  const t = p.flags.has('t');
  const u = p.flags.has('u');
  const states =
    filter.states !== 0
      ? filter.states
      : !t && !u
        ? SS_CONN
        : (t ? SS_CONN : 0) | (u ? SS_UDP_DEFAULT : 0);
  const keep = (r: TcpSocketRow): boolean =>
    ssStateMatches(states, r.state) && (expr === undefined || ssExprMatches(expr, r));
  const info = p.flags.has('i');
  const options = p.flags.has('o');
  // ss lists UDP sockets before TCP ones (ss.c: udp_show, then tcp_show)
  const tagged: [string, TcpSocketRow][] = [];
  if (sel.udp) for (const r of udpRows(host)) if (keep(r)) tagged.push(['udp', r]);
  if (sel.tcp && tcp !== undefined)
    for (const r of tcpSocketRows(tcp, info, options)) if (keep(r)) tagged.push(['tcp', r]);
  const rows = tagged.map(([, r]) => r);
  // iproute2: service names unless -n, host names only with -r (-r -n: hosts, not ports)
  const hostName = p.flags.has('r') ? await lookUp(net, ctx, node, ssLookups(rows)) : undefined;
  let lines = formatSsTan(
    rows,
    {
      host: hostName,
      service: p.flags.has('n')
        ? undefined
        : ssServiceNames(
            tcp === undefined ? undefined : [tcp.config.ephemeralLow, tcp.config.ephemeralHigh],
          ),
    },
    { info, options, numeric: p.flags.has('n'), state: ssShowsState(states) },
  );
  if (sel.tcp && sel.udp) {
    // the Netid column: "udp"/"tcp" on each socket's line, none on its -i line
    let k = 0;
    lines = lines.map((l, i) =>
      i === 0 ? 'Netid ' + l : l.startsWith('\t') ? l : `${tagged[k++][0].padEnd(5)} ${l}`,
    );
  }
  if (p.flags.has('H')) lines = lines.slice(1);
  for (const l of lines) out(l);
  return { exitCode: 0 };
}

/** `netstat -s` as net-tools prints /proc/net/snmp (Ip, Icmp, IcmpMsg, Tcp, Udp, then TcpExt). */
function netstatStats(host: Host, tcp: TcpLayer | undefined, sel: SocketSelection): string[] {
  const L: string[] = [];
  const both = sel.tcp && sel.udp;
  const ip = host.ipStats;
  const opt = (v: number, text: string): void => {
    if (v > 0) L.push(`    ${v} ${text}`);
  };
  if (both) {
    L.push('Ip:', `    Forwarding: ${host.forwarding ? 1 : 2}`);
    L.push(`    ${ip.InReceives} total packets received`);
    opt(ip.InHdrErrors, 'with invalid headers');
    opt(ip.InAddrErrors, 'with invalid addresses');
    L.push(`    ${ip.ForwDatagrams} forwarded`);
    opt(ip.InUnknownProtos, 'with unknown protocol');
    L.push(`    ${ip.InDiscards} incoming packets discarded`);
    L.push(`    ${ip.InDelivers} incoming packets delivered`);
    L.push(`    ${ip.OutRequests} requests sent out`);
    opt(ip.OutDiscards, 'outgoing packets dropped');
    opt(ip.OutNoRoutes, 'dropped because of missing route');
    opt(ip.ReasmTimeout, 'fragments dropped after timeout');
    opt(ip.ReasmReqds, 'reassemblies required');
    opt(ip.ReasmOKs, 'packets reassembled ok');
    opt(ip.ReasmFails, 'packet reassemblies failed');
    opt(ip.FragOKs, 'fragments received ok');
    opt(ip.FragFails, 'fragments failed');
    opt(ip.FragCreates, 'fragments created');
    const ic = host.icmp.stats;
    L.push(
      'Icmp:',
      `    ${ic.InMsgs} ICMP messages received`,
      `    ${ic.InErrors} input ICMP message failed`,
    );
    const hist = (title: string, rows: [number, string][]): void => {
      if (rows.every(([v]) => v === 0)) return;
      L.push(`    ${title}`);
      for (const [v, t] of rows) if (v > 0) L.push(`        ${t}: ${v}`);
    };
    hist('ICMP input histogram:', [
      [ic.InDestUnreachs, 'destination unreachable'],
      [ic.InTimeExcds, 'timeout in transit'],
      [ic.InEchos, 'echo requests'],
      [ic.InEchoReps, 'echo replies'],
    ]);
    L.push(`    ${ic.OutMsgs} ICMP messages sent`, `    ${ic.OutErrors} ICMP messages failed`);
    hist('ICMP output histogram:', [
      [ic.OutDestUnreachs, 'destination unreachable'],
      [ic.OutTimeExcds, 'time exceeded'],
      [ic.OutEchos, 'echo requests'],
      [ic.OutEchoReps, 'echo replies'],
    ]);
    const msg: [number, string][] = [
      [ic.InEchoReps, 'InType0'],
      [ic.InDestUnreachs, 'InType3'],
      [ic.InEchos, 'InType8'],
      [ic.InTimeExcds, 'InType11'],
      [ic.OutEchoReps, 'OutType0'],
      [ic.OutDestUnreachs, 'OutType3'],
      [ic.OutEchos, 'OutType8'],
      [ic.OutTimeExcds, 'OutType11'],
    ];
    if (msg.some(([v]) => v > 0)) {
      L.push('IcmpMsg:');
      for (const [v, t] of msg) if (v > 0) L.push(`        ${t}: ${v}`);
    }
  }
  let tcpExt: string[] = [];
  if (sel.tcp && tcp !== undefined) {
    const t = formatNetstatS(tcp.stats, tcp.currEstab);
    const ext = t.indexOf('TcpExt:');
    L.push(...(ext < 0 ? t : t.slice(0, ext)));
    tcpExt = ext < 0 ? [] : t.slice(ext);
  }
  if (sel.udp) {
    const u = host.udp.stats;
    L.push(
      'Udp:',
      `    ${u.InDatagrams} packets received`,
      `    ${u.NoPorts} packets to unknown port received`,
      `    ${u.InErrors} packet receive errors`,
      `    ${u.OutDatagrams} packets sent`,
      `    ${u.RcvbufErrors} receive buffer errors`,
      `    ${u.SndbufErrors} send buffer errors`,
    );
    if (u.InCsumErrors > 0) L.push(`    InCsumErrors: ${u.InCsumErrors}`);
  }
  L.push(...tcpExt);
  return L;
}

// ─────────────────────────────────────────── files ────────────────────────────────────────

function catFile(
  net: Network,
  node: string,
  file: string,
  out: (line: string) => void,
  ctx: ToolContext,
): ToolRun {
  hostOf(net, node, 'cat');
  const stub = ctx.stubs?.get(node);
  if (file === '/etc/hosts') {
    const text = stub !== undefined ? stub.hosts.format() : '127.0.0.1\tlocalhost';
    for (const l of text.split('\n')) out(l);
    return { exitCode: 0 };
  }
  if (file === '/etc/resolv.conf' && stub !== undefined && stub.config.nameservers.length > 0) {
    if (stub.config.search.length > 0)
      out(`search ${stub.config.search.map((s) => s.replace(/\.$/, '')).join(' ')}`);
    for (const ns of stub.config.nameservers) out(`nameserver ${formatIpv4(ns)}`);
    return { exitCode: 0 };
  }
  out(`cat: ${file}: No such file or directory`);
  return { exitCode: 1 };
}
