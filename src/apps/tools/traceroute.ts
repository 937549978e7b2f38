/**
 * traceroute, as Linux's traceroute (2.x, Dmitry Butskoy) does it with its default UDP method:
 * UDP probes to ports 33434, 33435, … (one port per probe), 3 probes per hop, TTL rising from
 * 1, up to 16 probes in flight at once (-N), each probe on its own socket so that the ICMP
 * error it provokes comes back to it. A router on the way answers "time exceeded"; the
 * destination answers "port unreachable", which ends the trace.
 *
 * Read first: RFC 1393 background; RFC 792 (time exceeded, destination unreachable); RFC 1812
 * § 5.3.1 (a router decrements the TTL and reports when it reaches zero).
 *
 *   traceroute to 10.0.3.2 (10.0.3.2), 30 hops max, 60 byte packets
 *    1  192.168.3.1 (192.168.3.1)  0.314 ms  0.290 ms  0.288 ms
 *    2  * * *
 *
 * Output follows traceroute.c print_probe: "%2u " per hop, " %s (%s)" for a new address
 * (" %s" with -n), "  %.3f ms" per answered probe, " *" per unanswered one, " !H"-style
 * annotations for unreachables. The name is what getnameinfo() finds for the address (the
 * hosts file, then a PTR query: `names`, src/apps/dns/reverse.ts), or the address itself when
 * it finds none, as traceroute prints it. As in traceroute.c, the lookup happens when the
 * probe is printed and holds up the loop (new probes wait; answers to the probes in flight are
 * still timed when they arrive, as the kernel's timestamps time them for traceroute).
 */
import { Waker } from '../../sim/async.js';
import type { Duration } from '../../sim/time.js';
import { SECOND } from '../../sim/time.js';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { IcmpErrorInfo } from '../../stack/api.js';
import type { ReverseNames } from '../dns/reverse.js';
import type { NetStack } from '../../stack/netstack.js';
import type { UdpSocket } from '../../stack/udp.js';

export interface TracerouteOptions {
  target: Ipv4Addr | string;
  /** -f: first TTL (default 1). */
  firstTtl?: number;
  /** -m: max TTL (default 30). */
  maxTtl?: number;
  /** -q: probes per hop (default 3). */
  queries?: number;
  /** -N: probes in flight at once (default 16). */
  simQueries?: number;
  /** -w: max wait per probe (ns, default 5 s). */
  wait?: Duration;
  /** -p: first destination port (default 33434). */
  port?: number;
  /** -n: print numeric addresses only. */
  numeric?: boolean;
  /**
   * Reverse lookups for hop names (the node's hosts file and DNS); without them, or with -n,
   * no name is asked for and a hop prints as "address (address)" (or "address" with -n).
   */
  names?: ReverseNames;
  /** Total packet length including IP and UDP headers (default 60). */
  packetLen?: number;
}

export interface Probe {
  ttl: number;
  sent: boolean;
  port: number;
  sendTime: number;
  recvTime: number;
  from: Ipv4Addr;
  done: boolean;
  final: boolean;
  err: string;
  sock: UdpSocket | undefined;
}

export interface TracerouteResult {
  target: Ipv4Addr;
  hops: Probe[][];
  reached: boolean;
  exitCode: number;
  lines: string[];
}

/** traceroute.c parse_icmp_res: the annotation after an answered probe and whether it ends. */
export function icmpAnnotation(
  type: number,
  code: number,
  mtu: number,
): { err: string; final: boolean } {
  if (type === 11) return { err: '', final: code !== 0 };
  if (type === 3) {
    switch (code) {
      case 0:
      case 6:
      case 8:
      case 11:
        return { err: '!N', final: true };
      case 1:
      case 7:
      case 12:
        return { err: '!H', final: true };
      case 9:
      case 10:
      case 13:
        return { err: '!X', final: true };
      case 3:
        return { err: '', final: true };
      case 2:
        return { err: '!P', final: true };
      case 4:
        return { err: `!F-${mtu}`, final: true };
      case 5:
        return { err: '!S', final: true };
      case 14:
        return { err: '!V', final: true };
      case 15:
        return { err: '!C', final: true };
      default:
        return { err: `!<${code}>`, final: true };
    }
  }
  return { err: `!<${type}-${code}>`, final: true };
}

/**
 * One hop line from its probes (print_probe for each, then the newline). `nameOf` gives the
 * name of an address (undefined: none, the address is printed in its place).
 */
export function formatHop(
  ttl: number,
  probes: readonly Probe[],
  numeric: boolean,
  nameOf: (address: Ipv4Addr) => string | undefined = () => undefined,
): string {
  let s = `${String(ttl).padStart(2)} `;
  let prevFrom: Ipv4Addr | undefined;
  for (const pb of probes) {
    if (!pb.done || pb.from === 0) {
      s += ' *';
    } else {
      if (prevFrom === undefined || prevFrom !== pb.from) {
        const a = formatIpv4(pb.from);
        s += numeric ? ` ${a}` : ` ${nameOf(pb.from) ?? a} (${a})`;
      }
      prevFrom = pb.from;
    }
    if (pb.done && pb.from !== 0) s += `  ${((pb.recvTime - pb.sendTime) / 1e6).toFixed(3)} ms`;
    if (pb.err !== '') s += ` ${pb.err}`;
  }
  return s;
}

export function formatTracerouteHeader(
  target: Ipv4Addr,
  maxTtl: number,
  packetLen: number,
): string {
  const t = formatIpv4(target);
  return `traceroute to ${t} (${t}), ${maxTtl} hops max, ${packetLen} byte packets`;
}

/** Runs traceroute on `host`; `out` receives each line as it is complete. */
export async function traceroute(
  host: NetStack,
  options: TracerouteOptions,
  out: (line: string) => void = () => {},
): Promise<TracerouteResult> {
  const lines: string[] = [];
  const print = (l: string): void => {
    lines.push(l);
    out(l);
  };
  const target =
    typeof options.target === 'string' ? parseIpv4(options.target) : options.target >>> 0;
  if (target === undefined) throw new Error(`${String(options.target)}: Name or service not known`);
  const firstTtl = options.firstTtl ?? 1;
  const maxTtl = options.maxTtl ?? 30;
  const queries = options.queries ?? 3;
  const simQueries = options.simQueries ?? 16;
  const wait = options.wait ?? 5 * SECOND;
  const packetLen = options.packetLen ?? 60;
  const numeric = options.numeric ?? false;
  const names = numeric ? undefined : options.names;
  const nameOf = (a: Ipv4Addr): string | undefined => names?.get(a);
  const clock = host.clock;
  if (host.route(target) === undefined) {
    print(formatTracerouteHeader(target, maxTtl, packetLen));
    print('connect: Network is unreachable');
    return { target, hops: [], reached: false, exitCode: 1, lines };
  }
  const dataLen = Math.max(0, packetLen - 28);
  const data = new Uint8Array(dataLen);
  for (let i = 0; i < dataLen; i++) data[i] = 0x40 + (i & 0x3f);
  let port = options.port ?? 33434;
  const probes: Probe[] = [];
  for (let ttl = firstTtl; ttl <= maxTtl; ttl++) {
    for (let q = 0; q < queries; q++) {
      probes.push({
        ttl,
        sent: false,
        port: 0,
        sendTime: 0,
        recvTime: 0,
        from: 0,
        done: false,
        final: false,
        err: '',
        sock: undefined,
      });
    }
  }
  const waker = new Waker(clock);
  print(formatTracerouteHeader(target, maxTtl, packetLen));

  const finishProbe = (pb: Probe): void => {
    pb.done = true;
    pb.sock?.close();
    pb.sock = undefined;
  };

  const send = (pb: Probe): void => {
    const s = host.udp.createSocket();
    s.bind(0, 0);
    s.setTTL(pb.ttl);
    pb.port = port++;
    pb.sock = s;
    s.on('icmp', (info: IcmpErrorInfo) => {
      if (pb.done || info.dst !== target) return;
      pb.recvTime = clock.now();
      pb.from = info.from;
      const a = icmpAnnotation(info.type, info.code, info.mtu);
      pb.err = a.err;
      pb.final = a.final;
      finishProbe(pb);
      waker.wake();
    });
    s.on('message', (_msg, rinfo) => {
      // A UDP answer from the target itself (something listens on the port): final.
      if (pb.done || rinfo.address !== target) return;
      pb.recvTime = clock.now();
      pb.from = target;
      pb.final = true;
      finishProbe(pb);
      waker.wake();
    });
    pb.sendTime = clock.now();
    pb.sent = true;
    s.send(data, pb.port, target);
  };

  // traceroute.c do_it(): print in order, keep up to sim_probes in flight, stop after the hop
  // that produced a final answer.
  let start = 0;
  let end = probes.length;
  let reached = false;
  let lineProbes: Probe[] = [];
  pass: while (start < end) {
    let nextTime = Infinity;
    let inFlight = 0;
    const now = clock.now();
    for (let n = start; n < end; n++) {
      const pb = probes[n];
      if (n === start && !pb.done && pb.sent) {
        const expire = pb.sendTime + wait;
        if (expire > now) nextTime = Math.min(nextTime, expire);
        else finishProbe(pb); // expired: printed as " *"
      }
      if (pb.done) {
        if (n === start) {
          // print_probe → getnameinfo(): the name of a new address, before the probe is
          // printed; the loop waits for it, then looks at the clock again.
          if (names !== undefined && pb.from !== 0 && !names.has(pb.from)) {
            await names.resolve(pb.from);
            continue pass;
          }
          lineProbes.push(pb);
          if (lineProbes.length === queries) {
            print(formatHop(pb.ttl, lineProbes, numeric, nameOf));
            lineProbes = [];
          }
          start++;
        }
        if (pb.final) {
          end = Math.min(end, (Math.floor(n / queries) + 1) * queries);
          reached = true;
        }
        continue;
      }
      if (!pb.sent) send(pb);
      nextTime = Math.min(nextTime, pb.sendTime + wait);
      inFlight++;
      if (inFlight >= simQueries) break;
    }
    if (start >= end) break;
    await waker.wait(nextTime);
  }
  for (const pb of probes) if (pb.sock !== undefined) pb.sock.close();
  const hops: Probe[][] = [];
  for (let i = 0; i < end && i < probes.length; i += queries)
    hops.push(probes.slice(i, i + queries));
  return { target, hops, reached, exitCode: 0, lines };
}
