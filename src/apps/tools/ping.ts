/**
 * ping, as iputils' ping prints it (ping/ping_common.c: gather_statistics, finish; ping/ping.c:
 * print4_icmph), over the node's ICMP echo socket.
 *
 * Read first: RFC 792 (echo / echo reply), RFC 1122 § 3.2.2.6.
 *
 *   PING 10.0.1.80 (10.0.1.80) 56(84) bytes of data.
 *   64 bytes from 10.0.1.80: icmp_seq=1 ttl=62 time=10.0 ms
 *   From 10.0.0.1 icmp_seq=2 Time to live exceeded
 *
 *   --- 10.0.1.80 ping statistics ---
 *   3 packets transmitted, 3 received, 0% packet loss, time 2000ms
 *   rtt min/avg/max/mdev = 10.015/10.015/10.016/0.000 ms
 *
 * Like iputils: a request every `interval` (1 s); the data starts with the send time as a
 * struct timeval (16 bytes) followed by the bytes 0x10, 0x11, …; with -c the run ends when
 * every request was answered (or errored), or `linger` (10 s) after the last request. Times are
 * computed in whole microseconds as iputils does (from gettimeofday). The summary's "time" is
 * from the first request to the last one, as iputils' finish() prints it (cur_time, which
 * pinger() sets when it sends, minus start_time): 0ms for one request, 2000ms for three a
 * second apart, however long the replies take (real Linux adds a few ms of scheduling).
 *
 * Names (ping.c pr_addr): with `names`, the address of a reply or an error is printed as
 * "name (address)" when getnameinfo() finds a name for it (the hosts file, then a PTR query),
 * else as the address. iputils asks only when the target was given as a name and without -n
 * (a numeric target sets F_NUMERIC), the caller's choice here (command.ts). Like iputils the
 * lookup blocks the loop (the next request waits for it; round-trip times are not affected),
 * happens for replies even with -q (pr_addr is an argument of gather_statistics), and not for
 * errors with -q (receive_error_msg returns before it).
 */
import { Waker } from '../../sim/async.js';
import type { Duration } from '../../sim/time.js';
import { SECOND } from '../../sim/time.js';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { NetStack } from '../../stack/netstack.js';
import type { EchoError, EchoReply } from '../../stack/icmp.js';
import type { ReverseNames } from '../dns/reverse.js';

export interface PingOptions {
  target: Ipv4Addr | string;
  /**
   * -c: requests to send (default 4 here: a simulation needs an end). 0, with a `deadline`:
   * no count, send until the deadline (iputils' npackets 0, `ping -w 5` without -c).
   */
  count?: number;
  /** -i: interval between requests (ns, default 1 s). */
  interval?: Duration;
  /** -s: data bytes (default 56). */
  size?: number;
  /** -t: TTL. */
  ttl?: number;
  /** -W: how long to wait for replies after the last request (ns, default 10 s). */
  linger?: Duration;
  /** -w: deadline for the whole run (ns). */
  deadline?: Duration;
  /** -M do: set DF. */
  dontFragment?: boolean;
  /** -q: only the summary. */
  quiet?: boolean;
  /** -I: source address. */
  source?: Ipv4Addr;
  /**
   * -b (a broadcast ping): replies from any address count (ping.c sets `multicast`), and a
   * second reply to one request is not marked (DUP!) (gather_statistics, without -v).
   */
  broadcast?: boolean;
  /**
   * Reverse lookups for the addresses of replies and errors (pr_addr); absent: numeric output
   * (-n, or a numeric target).
   */
  names?: ReverseNames;
}

export interface PingResult {
  target: Ipv4Addr;
  transmitted: number;
  received: number;
  duplicates: number;
  errors: number;
  /** Round-trip times in µs, in arrival order. */
  rtts: number[];
  /** Elapsed time in ns: first request to the last request sent (iputils' "time"). */
  elapsed: number;
  /** iputils' exit status: 0 some reply, 1 none, 2 error. */
  exitCode: number;
  lines: string[];
}

const UNREACH: Record<number, string> = {
  0: 'Destination Net Unreachable',
  1: 'Destination Host Unreachable',
  2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable',
  5: 'Source Route Failed',
  6: 'Destination Net Unknown',
  7: 'Destination Host Unknown',
  9: 'Destination Net Prohibited',
  10: 'Destination Host Prohibited',
  13: 'Packet filtered',
};

/** iputils print4_icmph: the text after "From X icmp_seq=N ". */
export function icmpErrorText(type: number, code: number, mtu: number): string {
  if (type === 3) {
    if (code === 4) return `Frag needed and DF set (mtu = ${mtu})`;
    return UNREACH[code] ?? `Dest Unreachable, Bad Code: ${code}`;
  }
  if (type === 11)
    return code === 0
      ? 'Time to live exceeded'
      : code === 1
        ? 'Frag reassembly time exceeded'
        : `Time exceeded, Bad Code: ${code}`;
  return `Bad ICMP type: ${type}`;
}

/** iputils' " time=…" for a round trip of `us` microseconds. */
export function formatPingTime(us: number): string {
  if (us >= 100000 - 50) return `${Math.floor((us + 500) / 1000)} ms`;
  if (us >= 10000 - 5) {
    const t = us + 50;
    return `${Math.floor(t / 1000)}.${Math.floor((t % 1000) / 100)} ms`;
  }
  if (us >= 1000) {
    const t = us + 5;
    return `${Math.floor(t / 1000)}.${String(Math.floor((t % 1000) / 10)).padStart(2, '0')} ms`;
  }
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')} ms`;
}

function ms3(us: number): string {
  return `${Math.floor(us / 1000)}.${String(Math.floor(us % 1000)).padStart(3, '0')}`;
}

/** The C library's "%g" for a float percentage (6 significant digits, trailing zeros cut). */
function formatG(x: number): string {
  if (x === 0) return '0';
  const f = Math.fround(x);
  let s = f.toPrecision(6);
  if (s.includes('e')) return s;
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** The statistics block (iputils finish()). */
export function formatPingSummary(r: Omit<PingResult, 'lines' | 'exitCode'>): string[] {
  const lines = ['', `--- ${formatIpv4(r.target)} ping statistics ---`];
  let s = `${r.transmitted} packets transmitted, ${r.received} received`;
  if (r.duplicates > 0) s += `, +${r.duplicates} duplicates`;
  if (r.errors > 0) s += `, +${r.errors} errors`;
  if (r.transmitted > 0) {
    const loss = ((r.transmitted - r.received) * 100) / r.transmitted;
    s += `, ${formatG(loss)}% packet loss, time ${Math.floor((r.elapsed + 500_000) / 1_000_000)}ms`;
  }
  lines.push(s);
  if (r.received > 0 && r.rtts.length > 0) {
    const total = r.rtts.length;
    let tsum = 0;
    let tsum2 = 0;
    let tmin = Infinity;
    let tmax = 0;
    for (const t of r.rtts) {
      tsum += t;
      tsum2 += t * t;
      tmin = Math.min(tmin, t);
      tmax = Math.max(tmax, t);
    }
    const tmavg = Math.floor(tsum / total);
    // iputils: tmvar = (tsum2 - tsum*tsum/total) / total in integer arithmetic; mdev = sqrt.
    const tmvar = Math.floor((tsum2 - Math.floor((tsum * tsum) / total)) / total);
    const tmdev = tmvar > 0 ? Math.floor(Math.sqrt(tmvar)) : 0;
    lines.push(`rtt min/avg/max/mdev = ${ms3(tmin)}/${ms3(tmavg)}/${ms3(tmax)}/${ms3(tmdev)} ms`);
  }
  return lines;
}

/** Fills the echo data like iputils: a timeval of the send time, then 0x10, 0x11, … */
function echoData(size: number, now: number): Uint8Array {
  const d = new Uint8Array(size);
  for (let i = 0; i < size; i++) d[i] = i & 0xff;
  if (size >= 16) {
    const sec = Math.floor(now / SECOND);
    const usec = Math.floor((now % SECOND) / 1000);
    const v = new DataView(d.buffer);
    v.setUint32(0, sec >>> 0, true);
    v.setUint32(4, Math.floor(sec / 2 ** 32), true);
    v.setUint32(8, usec, true);
    v.setUint32(12, 0, true);
  }
  return d;
}

/**
 * Runs ping on `host`. `out` receives each line as it would appear on the terminal. Drive the
 * simulation with `sim.runUntilSettled(ping(...))`.
 */
export async function ping(
  host: NetStack,
  options: PingOptions,
  out: (line: string) => void = () => {},
): Promise<PingResult> {
  const lines: string[] = [];
  const print = (l: string): void => {
    lines.push(l);
    out(l);
  };
  const target =
    typeof options.target === 'string' ? parseIpv4(options.target) : options.target >>> 0;
  if (target === undefined)
    throw new Error(`ping: ${String(options.target)}: Name or service not known`);
  const count = options.count ?? 4;
  if (count === 0 && options.deadline === undefined)
    throw new Error('ping: count 0 (no count) needs a deadline');
  const interval = options.interval ?? SECOND;
  const size = options.size ?? 56;
  const linger = options.linger ?? 10 * SECOND;
  const clock = host.clock;
  const base = {
    target,
    transmitted: 0,
    received: 0,
    duplicates: 0,
    errors: 0,
    rtts: [] as number[],
    elapsed: 0,
  };
  if (host.route(target) === undefined) {
    print('ping: connect: Network is unreachable');
    return { ...base, exitCode: 2, lines };
  }
  const sock = host.icmp.openPing();
  const sent = new Map<number, number>();
  const seen = new Set<number>();
  const waker = new Waker(clock);
  const t = formatIpv4(target);
  // pr_addr: "name (address)" when a name was found that differs from the address
  const names = options.names;
  const who = (a: Ipv4Addr): string => {
    const s = formatIpv4(a);
    const n = names?.get(a);
    return n !== undefined && n !== s ? `${n} (${s})` : s;
  };
  // Lines waiting for a name (printed in order by the loop, which waits for the lookup);
  // `line` undefined: nothing to print (-q), the lookup happens all the same.
  const pending: { from: Ipv4Addr; line?: (who: string) => string }[] = [];
  const emit = (from: Ipv4Addr, line?: (who: string) => string): void => {
    if (pending.length === 0 && (names === undefined || names.has(from))) {
      if (line !== undefined) print(line(who(from)));
    } else pending.push({ from, line });
  };
  const flush = async (): Promise<void> => {
    while (pending.length > 0) {
      const p = pending[0];
      if (names !== undefined && !names.has(p.from)) await names.resolve(p.from);
      pending.shift();
      if (p.line !== undefined) print(p.line(who(p.from)));
    }
  };
  sock.on('reply', (r: EchoReply) => {
    const at = sent.get(r.seq);
    if (at === undefined || (r.from !== target && !options.broadcast)) return;
    const us = Math.floor((clock.now() - at) / 1000);
    const dup = seen.has(r.seq);
    if (dup) base.duplicates++;
    else {
      seen.add(r.seq);
      base.received++;
    }
    base.rtts.push(us);
    emit(
      r.from,
      options.quiet
        ? undefined
        : (w) =>
            `${r.len} bytes from ${w}: icmp_seq=${r.seq} ttl=${r.ttl} time=${formatPingTime(us)}${dup && !options.broadcast ? ' (DUP!)' : ''}`,
    );
    waker.wake();
  });
  sock.on('error', (e: EchoError) => {
    if (!sent.has(e.seq)) return;
    base.errors++;
    if (!options.quiet)
      emit(e.from, (w) => `From ${w} icmp_seq=${e.seq} ${icmpErrorText(e.type, e.code, e.mtu)}`);
    waker.wake();
  });
  print(`PING ${t} (${t}) ${size}(${size + 28}) bytes of data.`);
  const start = clock.now();
  const deadline = options.deadline === undefined ? Infinity : start + options.deadline;
  let next = start;
  let seq = 0;
  let lastSend = start;
  // iputils: with -w, -c counts replies — ping keeps sending until that many came back or the
  // deadline passes; without it, -c counts requests.
  const byReplies = options.deadline !== undefined;
  const moreToSend = (): boolean =>
    count === 0 || (byReplies ? base.received < count : seq < count);
  for (;;) {
    if (pending.length > 0) {
      await flush(); // the name lookups hold up the loop, as pr_addr holds up iputils'
      continue;
    }
    const now = clock.now();
    if (
      count > 0 &&
      (byReplies ? base.received >= count : base.received + base.errors >= count && seq >= count)
    )
      break;
    if (now >= deadline) break;
    if (moreToSend() && now >= next) {
      seq++;
      sent.set(seq, now);
      base.transmitted++;
      lastSend = now;
      const err = sock.send(target, seq, echoData(size, now), {
        ttl: options.ttl,
        dontFragment: options.dontFragment,
        src: options.source,
      });
      if (err === 'too-big') {
        print(`ping: local error: message too long, mtu=${host.route(target)?.mtu ?? 0}`);
        base.errors++;
      } else if (err !== undefined) {
        print(
          `ping: sendmsg: ${err === 'no-route' ? 'Network is unreachable' : 'No buffer space available'}`,
        );
        base.errors++;
      }
      next = now + interval;
      continue;
    }
    const wakeAt = moreToSend()
      ? Math.min(next, deadline)
      : Math.min(lastSendTime(sent, seq) + linger, deadline);
    if (!moreToSend() && now >= wakeAt) break;
    await waker.wait(wakeAt);
  }
  await flush();
  sock.close();
  base.elapsed = lastSend - start;
  const summary = formatPingSummary(base);
  for (const l of summary) print(l);
  // finish(): !nreceived || (deadline && nreceived < npackets) — no count, no shortfall
  const exitCode =
    base.received > 0 && !(options.deadline !== undefined && base.received < count) ? 0 : 1;
  return { ...base, exitCode, lines };
}

function lastSendTime(sent: Map<number, number>, seq: number): number {
  return sent.get(seq) ?? 0;
}
