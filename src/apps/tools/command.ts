/**
 * Runs a tool command line ("ping -c 3 10.0.0.2", "ip route get 8.8.8.8", "arp -n") on a node
 * of a simulated network and prints what the Linux tool would print. Browser-safe (the web
 * console uses it too); src/cli/run.ts wraps it for the `wiretrail run` command.
 *
 * Flags follow the Linux tools' (iputils ping, traceroute 2.x, net-tools arp/route, iproute2
 * ip, bridge-utils brctl); unknown flags and bad values raise ToolUsageError with one line.
 */
import { SECOND } from '../../sim/time.js';
import { Host } from '../../devices/host.js';
import { Switch } from '../../devices/switch.js';
import type { Simulation as Network } from '../../sim/simulation.js';
import { sleep } from '../../sim/async.js';
import { parseIpv4 } from '../../wire/addr.js';
import { arpRows, formatArpA, formatArpN, formatIpNeigh } from './arp.js';
import { formatFdb, formatShowMacs } from './bridge.js';
import { explainRouteGet, formatIpAddr, formatIpLink, formatIpRoute, ipRouteGet } from './ip.js';
import { ping } from './ping.js';
import { routeN } from './route.js';
import { traceroute } from './traceroute.js';

/** A mistake in a tool's command line (the CLI prints it as one line, exit status 2). */
export class ToolUsageError extends Error {}

export const TOOLS = [
  'ping',
  'traceroute',
  'arp',
  'route',
  'ip',
  'brctl',
  'bridge',
  'sleep',
] as const;

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
    if (a.startsWith('-') && a.length > 1 && !/^-[0-9]/.test(a)) {
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

function last(p: Parsed, k: string): string | undefined {
  const l = p.flags.get(k);
  return l === undefined ? undefined : l[l.length - 1];
}

function target(tool: string, p: Parsed, usage: string): number {
  const t = p.positional[0];
  if (t === undefined) throw new ToolUsageError(`${tool}: missing destination (usage: ${usage})`);
  const a = parseIpv4(t);
  if (a === undefined)
    throw new ToolUsageError(
      `${tool}: ${t}: not an IPv4 address (names need DNS, which this command does not use)`,
    );
  return a;
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
 * tool finishes. Returns the tool's exit status.
 */
export async function runTool(
  net: Network,
  node: string,
  argv: readonly string[],
  out: (line: string) => void,
): Promise<ToolRun> {
  const [tool, ...args] = argv;
  if (tool === undefined)
    throw new ToolUsageError(`no command given (one of: ${TOOLS.join(', ')})`);
  switch (tool) {
    case 'ping': {
      const usage =
        'ping [-c count] [-i interval] [-s size] [-t ttl] [-W timeout] [-w deadline] [-M do|dont] [-I addr] [-q] destination';
      const p = getopt('ping', args, {
        withValue: ['c', 'i', 's', 't', 'W', 'w', 'M', 'I'],
        bool: ['q', 'n', 'h'],
      });
      if (p.flags.has('h')) {
        out(`Usage: ${usage}`);
        return { exitCode: 0 };
      }
      const host = hostOf(net, node, 'ping');
      const dst = target('ping', p, usage);
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
      const r = await net.runUntilSettled(
        ping(
          host,
          {
            target: dst,
            count: num('ping', 'c', last(p, 'c'), 1, 1_000_000) ?? 4,
            interval: interval === undefined ? undefined : Math.round(interval * SECOND),
            size: num('ping', 's', last(p, 's'), 0, 65507),
            ttl: num('ping', 't', last(p, 't'), 1, 255),
            linger: linger === undefined ? undefined : Math.round(linger * SECOND),
            deadline: deadline === undefined ? undefined : Math.round(deadline * SECOND),
            dontFragment: m === 'do',
            quiet: p.flags.has('q'),
            source,
          },
          out,
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
      const dst = target('traceroute', p, usage);
      if (p.flags.has('I'))
        throw new ToolUsageError(
          'traceroute: -I (ICMP probes) is not supported; the default UDP method is',
        );
      const wait = num('traceroute', 'w', last(p, 'w'), 0, 60, false);
      const r = await net.runUntilSettled(
        traceroute(
          host,
          {
            target: dst,
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
          },
          out,
        ),
      );
      return { exitCode: r.exitCode };
    }
    case 'arp': {
      const p = getopt('arp', args, { withValue: ['i'], bool: ['n', 'a', 'e', 'v'] });
      const host = hostOf(net, node, 'arp');
      let rows = arpRows(host);
      const dev = last(p, 'i');
      if (dev !== undefined) rows = rows.filter((r) => r.iface === dev);
      const lines = p.flags.has('a') ? formatArpA(rows) : formatArpN(rows);
      for (const l of lines) out(l);
      return { exitCode: 0 };
    }
    case 'route': {
      const p = getopt('route', args, { withValue: [], bool: ['n', 'e', 'v'] });
      if (p.positional.length > 0)
        throw new ToolUsageError(
          `route: only "route -n" (show the table) is supported, not "route ${p.positional.join(' ')}"`,
        );
      for (const l of routeN(hostOf(net, node, 'route'))) out(l);
      return { exitCode: 0 };
    }
    case 'ip':
      return runIp(net, node, args, out);
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
      const s = num('sleep', 'seconds', args[0], 0, 86400 * 365, false);
      if (s === undefined) throw new ToolUsageError('sleep: missing operand (seconds)');
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
): ToolRun {
  let stats = 0;
  let i = 0;
  for (; i < args.length && args[i].startsWith('-'); i++) {
    const a = args[i];
    if (a === '-s' || a === '-stats' || a === '-statistics') stats++;
    else if (a === '-4') continue;
    else throw new ToolUsageError(`ip: option "${a}" is unknown (supported: -s)`);
  }
  const host = hostOf(net, node, 'ip');
  const obj = args[i] ?? '';
  const rest = args.slice(i + 1);
  const is = (word: string, ...names: string[]): boolean =>
    names.some((n) => n.startsWith(word) && word.length > 0);
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
    const devIdx = rest.indexOf('dev');
    const dev = devIdx >= 0 ? rest[devIdx + 1] : rest[0] === 'show' ? rest[1] : undefined;
    if (dev !== undefined && host.iface(dev) === undefined)
      throw new ToolUsageError(`Device "${dev}" does not exist.`);
    for (const l of formatIpLink(host, stats, dev)) out(l);
    return { exitCode: 0 };
  }
  if (is(obj, 'addr', 'address', 'a')) {
    for (const l of formatIpAddr(host)) out(l);
    return { exitCode: 0 };
  }
  if (is(obj, 'neigh', 'neighbour', 'neighbor', 'n')) {
    for (const l of formatIpNeigh(arpRows(host))) out(l);
    return { exitCode: 0 };
  }
  throw new ToolUsageError(
    `ip: object "${obj}" is unknown or not supported (route, link, addr, neigh)`,
  );
}
