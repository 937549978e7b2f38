/**
 * `netstat -napt`, `ss -tan` and the TCP part of `netstat -s`, shaped like net-tools'
 * netstat (netstat.c tcp_do_one, statistics.c) and iproute2's ss print them. Pure functions:
 * a TcpLayer (or rows taken from it) in, lines of text out; nothing is changed.
 *
 * Names, as the Linux tools print them unless told not to (the caller looks the hosts up and
 * passes what it found, EndpointNames):
 * - net-tools netstat (lib/inet.c INET_rresolve, get_sname; netstat.c addr_do_one) names
 *   every address but 0.0.0.0 (gethostbyaddr: the hosts file, then DNS) and every port in
 *   /etc/services; `-n` neither, `--numeric-hosts` / `--numeric-ports` one of them. Port 0
 *   is "*", 0.0.0.0 stays "0.0.0.0". A "host:port" longer than 22 characters is cut to fit
 *   the 23-character column unless `-W`: the port keeps its length (at most 18), the host
 *   part is shortened ("eth0.r-core.isp.ne:http").
 * - iproute2 ss (ss.c resolve_service, inet_addr_print; lib/utils.c format_host) names ports
 *   by default (`-n`: not), except a port of ip_local_port_range, never looked up; host names
 *   only with `-r`, and then every address, 0.0.0.0 included. Nothing is cut: the columns
 *   widen.
 *
 * Read first: RFC 9293 § 3.3.2 (the states shown), RFC 4022 (the TCP-MIB counters behind
 * `netstat -s`'s "Tcp:" section).
 */
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { TcpLayer } from '../../stack/tcp/layer.js';
import type { TcpStats } from '../../stack/tcp/stats.js';
import {
  F_KEEPALIVE,
  F_PASSIVE,
  F_PERSIST,
  F_SACK_OK,
  F_TS_OK,
  F_WS_OK,
  LINUX_STATE_NAMES,
} from '../../stack/tcp/tcb.js';
import { ECN_OK, ECN_SEEN } from '../../stack/tcp/ecn.js';
import type { Tcb } from '../../stack/tcp/tcb.js';
import type { Listener } from '../../stack/tcp/listener.js';
import { backedOffRto } from '../../stack/tcp/timers.js';
import { SERVICES, serviceName } from './services.js';
import type { ServiceProto } from './services.js';

/** One line of the socket table. */
export interface TcpSocketRow {
  /** RFC 9293 state number (0 CLOSED ... 10 TIME-WAIT). */
  state: number;
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  /** Receive queue: unread bytes, or for a listener the connections waiting for accept(). */
  recvQ: number;
  /** Send queue: unacknowledged + unsent bytes, or for a listener its backlog (ss). */
  sendQ: number;
  /** "pid/program" if the caller knows it (netstat -p), else "-". */
  program?: string;
  /** 'udp' for a UDP socket (state 0, unconnected); default 'tcp'. */
  proto?: ServiceProto;
  /**
   * What `ss -i` prints of a TCP socket (tcp_info); null for a socket the kernel gives none of
   * (TIME-WAIT, SYN-RECV: ss prints an empty second line).
   */
  info?: SsTcpInfo | null;
  /** What `ss -o` prints of a TCP socket's pending timer (inet_diag's idiag_timer); null: none. */
  timer?: SsTimer | null;
}

/**
 * A socket's timer as inet_diag reports it (Linux inet_sk_diag_fill, inet_twsk_diag_fill,
 * inet_req_diag_fill) and `ss -o` prints it: "on" (retransmission, RACK reordering or tail
 * loss probe timer), "persist" (zero-window probe), "keepalive" (the socket timer: keep-alive,
 * the FIN-WAIT-2 timeout), "timewait"; the delayed-ACK timer is never shown.
 */
export interface SsTimer {
  name: 'on' | 'keepalive' | 'timewait' | 'persist';
  /** ms until it fires (jiffies at HZ 1000: whole ms of the deadline minus whole ms of now). */
  ms: number;
  /** idiag_retrans: retransmissions ("on"), probes sent (persist, keepalive), 0 (timewait). */
  retrans: number;
}

/**
 * The part of Linux's struct tcp_info (and INET_DIAG_CONG) that `ss -i` prints and our TCB
 * has, in ss's units: times in ms, windows in segments. 0 (or '') is "not printed", as ss
 * leaves out zero fields.
 */
export interface SsTcpInfo {
  /** tcpi_options: timestamps, SACK, ECN, ECN-marked packets seen (printed with -o only). */
  ts?: boolean;
  sack?: boolean;
  ecn?: boolean;
  ecnseen?: boolean;
  /** Congestion control module name ("cubic", "reno"). */
  cong: string;
  /** wscale:snd,rcv when window scaling was negotiated. */
  wscale?: readonly [number, number];
  /** tcpi_rto (with back-off), tcpi_backoff. */
  rto: number;
  backoff: number;
  /** SRTT and RTTVAR (ms, whole microseconds as tcp_info's). */
  rtt: number;
  rttvar: number;
  /** Delayed-ACK timeout. */
  ato: number;
  /** tcpi_snd_mss, tcpi_pmtu, tcpi_advmss. */
  mss: number;
  pmtu: number;
  advmss: number;
  /** Congestion window and slow-start threshold in segments (ssthresh ≥ 0xFFFF: infinite). */
  cwnd: number;
  ssthresh: number;
  /** Data bytes sent and retransmitted (tcpi_bytes_sent, tcpi_bytes_retrans). */
  bytesSent?: number;
  bytesRetrans?: number;
  bytesAcked: number;
  bytesReceived: number;
  /** Segments out and in, and those of them carrying data. */
  segsOut?: number;
  segsIn?: number;
  dataSegsOut?: number;
  dataSegsIn?: number;
  /** ms since the last data sent and received (or establishment). */
  lastsnd?: number;
  lastrcv?: number;
  /** ms since the last ACK (segment) received. */
  lastack: number;
  /** A listener's accept queue (tcp_info aliases it as tcpi_unacked). */
  unacked: number;
  reordering: number;
  /**
   * retrans:current/total: segments of [SND.UNA, highest retransmitted) (an upper bound of
   * tcpi_retrans, Linux's retrans_out), and every retransmission (tcpi_total_retrans).
   */
  retrans?: number;
  totalRetrans?: number;
  /** Bytes written and not yet sent. */
  notsent: number;
  minrtt: number;
  /** The peer's window (bytes). */
  sndWnd: number;
}

/** The congestion control names Linux's modules have (our NewReno is Linux's "reno"). */
const LINUX_CC: Readonly<Record<string, string>> = { newreno: 'reno', cubic: 'cubic' };

const NS_PER_US = 1_000;
const NS_PER_MS = 1_000_000;

/** ns as tcp_info's whole microseconds, then in ms as ss prints them (tcpi_rtt / 1000). */
function usMs(ns: number): number {
  return Math.floor(ns / NS_PER_US) / 1000;
}

/** Bytes as whole segments of `mss` (ss prints windows in segments). */
function segments(bytes: number, mss: number): number {
  return mss > 0 ? Math.floor(bytes / mss) : 0;
}

/**
 * `ss -i`'s view of a connection (Linux tcp_get_info): `now` is the simulator clock. TIME-WAIT
 * and SYN-RECV give null (the kernel answers no INET_DIAG_INFO for a timewait or request
 * socket).
 */
export function tcbInfo(t: Tcb, now: number): SsTcpInfo | null {
  if (t.state === 10 || t.state === 3) return null;
  const c = t.layer.config;
  const synced = t.state >= 4;
  const ts = (t.flags & F_TS_OK) !== 0;
  const srtt = usMs(t.srtt);
  // bytes_acked counts the SYN of an active opener (tcp_ack on the SYN-ACK), not a passive
  // one's (its snd_una starts after the SYN-ACK); the FIN counts when ACKed
  const acked = ((t.sndUna - t.iss) | 0) - ((t.flags & F_PASSIVE) !== 0 ? 1 : 0);
  const notsent = t.sndBuf === null ? 0 : (t.dataSeq + t.sendQueued - t.sndMax) | 0;
  // retransmitted data not yet cumulatively acknowledged
  const retransOut = (t.rtxHigh - t.sndUna) | 0;
  return {
    ts,
    sack: (t.flags & F_SACK_OK) !== 0,
    ecn: (t.ecn & ECN_OK) !== 0,
    ecnseen: (t.ecn & ECN_SEEN) !== 0,
    cong: LINUX_CC[t.cc.name] ?? t.cc.name,
    wscale: (t.flags & F_WS_OK) !== 0 ? [t.sndScale, t.rcvScale] : undefined,
    rto: usMs(backedOffRto(t)),
    backoff: t.rtxShift,
    rtt: srtt,
    rttvar: srtt > 0 ? usMs(t.rttvar) : 0,
    ato: synced && c.delayedAck ? usMs(c.delAckTimeout) : 0,
    mss: t.mss,
    pmtu: t.pmtu,
    advmss: t.advMss - (ts ? 12 : 0),
    cwnd: segments(t.cwnd, t.mss),
    ssthresh: segments(t.ssthresh, t.mss),
    bytesSent: t.bytesSent,
    bytesRetrans: t.bytesRetrans,
    bytesAcked: synced ? Math.max(0, acked) : 0,
    // the FIN counts (tcp_rcv_nxt_update), the SYN does not (rcv_nxt starts after it)
    bytesReceived: synced ? (t.rcvNxt - t.irs - 1) >>> 0 : 0,
    segsOut: t.segsOut,
    segsIn: t.segsIn,
    dataSegsOut: t.dataSegsOut,
    dataSegsIn: t.dataSegsIn,
    lastsnd: synced ? Math.floor((now - t.lastDataSent) / NS_PER_MS) : 0,
    lastrcv: synced ? Math.floor((now - t.lastDataRecv) / NS_PER_MS) : 0,
    lastack: synced ? Math.floor((now - t.lastRecv) / NS_PER_MS) : 0,
    unacked: 0,
    retrans: retransOut > 0 && t.mss > 0 ? Math.ceil(retransOut / t.mss) : 0,
    totalRetrans: t.totalRetrans,
    reordering: t.reordering,
    notsent: Math.max(0, notsent),
    minrtt: usMs(t.minRtt),
    sndWnd: synced ? t.sndWnd : 0,
  };
}

/**
 * A listener as tcp_get_info reports it: the congestion control, the initial window, and the
 * accept queue as tcpi_unacked (Linux fills nothing else for a LISTEN socket).
 */
export function listenerInfo(l: Listener): SsTcpInfo {
  const c = l.layer.config;
  return {
    cong: LINUX_CC[l.opts.cc.name] ?? l.opts.cc.name,
    rto: 0,
    backoff: 0,
    rtt: 0,
    rttvar: 0,
    ato: 0,
    mss: 0,
    pmtu: 0,
    advmss: 0,
    cwnd: c.initialCwndSegments,
    ssthresh: 0xffff,
    bytesAcked: 0,
    bytesReceived: 0,
    lastack: 0,
    unacked: l.acceptQueue.length,
    reordering: c.reordering,
    notsent: 0,
    minrtt: 0,
    sndWnd: 0,
  };
}

/** HZ 1000 jiffies: whole ms of `at` minus whole ms of `now`, never below 0. */
function msUntil(at: number, now: number): number {
  return Math.max(0, Math.floor(at / NS_PER_MS) - Math.floor(now / NS_PER_MS));
}

/**
 * The timer inet_diag reports for a connection (read only): the retransmission timer, the RACK
 * reordering timer or the tail loss probe as "on" with the retransmission count (the back-off),
 * the persist timer with the probes sent, the TIME-WAIT expiry, or the socket timer (keep-alive
 * with its unanswered probes, the FIN-WAIT-2 timeout) as "keepalive"; null when none is
 * pending (the delayed ACK's own timer is not reported).
 */
export function tcbTimer(t: Tcb, now: number): SsTimer | null {
  if (t.state === 10)
    return t.keepAt !== 0 ? { name: 'timewait', ms: msUntil(t.keepAt, now), retrans: 0 } : null;
  let at = t.rtoAt;
  if (t.rackAt !== 0 && (at === 0 || t.rackAt < at)) at = t.rackAt;
  if (at !== 0) {
    const persist = at === t.rtoAt && (t.flags & F_PERSIST) !== 0;
    return { name: persist ? 'persist' : 'on', ms: msUntil(at, now), retrans: t.rtxShift };
  }
  if (t.keepAt !== 0)
    return {
      name: 'keepalive',
      ms: msUntil(t.keepAt, now),
      retrans: (t.flags & F_KEEPALIVE) !== 0 ? t.keepProbes : 0,
    };
  return null;
}

/**
 * ss.c print_ms_timer: "1min", "59sec", "200ms", "1.500ms" as iproute2 spells them (minutes
 * drop the ms, and above 9 minutes the seconds; seconds above 9 drop the ms; 0 is "").
 */
export function printMsTimer(timeout: number): string {
  let secs = Math.floor(timeout / 1000);
  const minutes = Math.floor(secs / 60);
  secs %= 60;
  let msecs = timeout % 1000;
  let buf = '';
  if (minutes) {
    msecs = 0;
    buf = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs) {
    if (secs > 9) msecs = 0;
    buf += `${secs}${msecs ? '.' : 'sec'}`;
  }
  if (msecs) buf += `${String(msecs).padStart(3, '0')}ms`;
  return buf;
}

/** ss.c tcp_timer_print: " timer:(name,time,retrans)", nothing without a timer. */
export function formatSsTimer(t: SsTimer | null | undefined): string {
  if (t === null || t === undefined) return '';
  return ` timer:(${t.name},${printMsTimer(t.ms)},${t.retrans})`;
}

/**
 * C's printf("%.Pg") (P = 6 by default): P significant digits, trailing zeros dropped, an
 * exponent when it is below -4 or at least P.
 */
export function formatG(x: number, precision = 6): string {
  if (x === 0) return '0';
  const [m, ex] = x.toExponential(precision - 1).split('e');
  const e = Number(ex);
  const trim = (d: string): string =>
    d.includes('.') ? d.replace(/0+$/, '').replace(/\.$/, '') : d;
  if (e < -4 || e >= precision)
    return `${trim(m)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return trim(x.toFixed(Math.max(0, precision - 1 - e)));
}

/**
 * ss's sprint_bw: bits per second, "%.0f" with -n, else "%.3g" and T/G/M/k ("2.32G"; the
 * caller adds "bps").
 */
export function formatBw(bps: number, numeric: boolean): string {
  if (numeric) return bps.toFixed(0);
  if (bps >= 1e12) return `${formatG(bps / 1e12, 3)}T`;
  if (bps >= 1e9) return `${formatG(bps / 1e9, 3)}G`;
  if (bps >= 1e6) return `${formatG(bps / 1e6, 3)}M`;
  if (bps >= 1e3) return `${formatG(bps / 1e3, 3)}k`;
  return formatG(bps);
}

/**
 * The second line `ss -i` prints under a TCP socket (iproute2 ss.c tcp_stats_print, in its
 * order): a tab, then " name:value" for each field that is not zero. Fields we do not model
 * (rcvmss, pacing_rate, delivery_rate, delivered, busy, a connection's unacked, lost, sacked,
 * rcv_rtt, rcv_space, rcv_ssthresh, rcv_wnd) are left out. With `options` (-o) the line opens
 * with the option words (ts sack ecn ecnseen). null (TIME-WAIT, SYN-RECV): the tab alone.
 */
export function formatSsInfo(i: SsTcpInfo | null, numeric = false, options = false): string {
  let s = '\t';
  if (i === null) return s;
  // tcp_show_info reads the option words only with -o (show_options)
  if (options) {
    if (i.ts) s += ' ts';
    if (i.sack) s += ' sack';
    if (i.ecn) s += ' ecn';
    if (i.ecnseen) s += ' ecnseen';
  }
  if (i.cong !== '') s += ` ${i.cong}`;
  if (i.wscale !== undefined) s += ` wscale:${i.wscale[0]},${i.wscale[1]}`;
  if (i.rto) s += ` rto:${formatG(i.rto)}`;
  if (i.backoff) s += ` backoff:${i.backoff}`;
  if (i.rtt) s += ` rtt:${formatG(i.rtt)}/${formatG(i.rttvar)}`;
  if (i.ato) s += ` ato:${formatG(i.ato)}`;
  if (i.mss) s += ` mss:${i.mss}`;
  if (i.pmtu) s += ` pmtu:${i.pmtu}`;
  if (i.advmss) s += ` advmss:${i.advmss}`;
  if (i.cwnd) s += ` cwnd:${i.cwnd}`;
  if (i.ssthresh && i.ssthresh < 0xffff) s += ` ssthresh:${i.ssthresh}`;
  if (i.bytesSent) s += ` bytes_sent:${i.bytesSent}`;
  if (i.bytesRetrans) s += ` bytes_retrans:${i.bytesRetrans}`;
  if (i.bytesAcked) s += ` bytes_acked:${i.bytesAcked}`;
  if (i.bytesReceived) s += ` bytes_received:${i.bytesReceived}`;
  if (i.segsOut) s += ` segs_out:${i.segsOut}`;
  if (i.segsIn) s += ` segs_in:${i.segsIn}`;
  if (i.dataSegsOut) s += ` data_segs_out:${i.dataSegsOut}`;
  if (i.dataSegsIn) s += ` data_segs_in:${i.dataSegsIn}`;
  // tcp_show_info: cwnd · mss · 8 / rtt, from tcp_info's whole microseconds
  const rttUs = Math.round(i.rtt * 1000);
  if (rttUs > 0 && i.mss && i.cwnd)
    s += ` send ${formatBw((i.cwnd * i.mss * 8_000_000) / rttUs, numeric)}bps`;
  if (i.lastsnd) s += ` lastsnd:${i.lastsnd}`;
  if (i.lastrcv) s += ` lastrcv:${i.lastrcv}`;
  if (i.lastack) s += ` lastack:${i.lastack}`;
  if (i.unacked) s += ` unacked:${i.unacked}`;
  if (i.retrans || i.totalRetrans) s += ` retrans:${i.retrans ?? 0}/${i.totalRetrans ?? 0}`;
  if (i.reordering !== 3) s += ` reordering:${i.reordering}`;
  if (i.notsent) s += ` notsent:${i.notsent}`;
  if (i.minrtt) s += ` minrtt:${formatG(i.minrtt)}`;
  if (i.sndWnd) s += ` snd_wnd:${i.sndWnd}`;
  return s;
}

/**
 * How addresses and ports are named; a missing function, or one that answers undefined,
 * leaves the number (`-n`).
 */
export interface EndpointNames {
  /** The host name of an address (looked up beforehand: the hosts file, then a PTR query). */
  host?: (addr: Ipv4Addr) => string | undefined;
  /** The service name of a port (/etc/services). */
  service?: (port: number, proto: ServiceProto) => string | undefined;
}

/** netstat's options beyond the rows. */
export interface NetstatOptions {
  names?: EndpointNames;
  /** -W: never cut a long "host:port". */
  wide?: boolean;
  /** -p: the PID/Program name column (default: shown). */
  programs?: boolean;
}

/** addr_do_one's short_len: the longest "host:port" netstat prints whole without -W. */
const NETSTAT_SHORT = 22;

/**
 * One endpoint as net-tools' netstat prints it (netstat.c addr_do_one): "host:port", named
 * unless numeric, cut to 23 characters when longer than 22 (the port kept, at most 18
 * characters of it; the host shortened) unless `wide`.
 */
export function netstatEndpoint(
  addr: Ipv4Addr,
  port: number,
  proto: ServiceProto = 'tcp',
  o: NetstatOptions = {},
): string {
  // INET_rresolve: 0.0.0.0 is never looked up
  const a = (addr === 0 ? undefined : o.names?.host?.(addr)) ?? formatIpv4(addr);
  // get_sname: port 0 is "*" even with -n
  const p = port === 0 ? '*' : (o.names?.service?.(port, proto) ?? String(port));
  if (!o.wide && a.length + p.length > NETSTAT_SHORT) {
    const pl = Math.min(p.length, NETSTAT_SHORT - 4);
    return `${a.slice(0, NETSTAT_SHORT - pl)}:${p.slice(0, pl)}`;
  }
  return `${a}:${p}`;
}

/** The addresses netstat asks names for, in the order it prints them (0.0.0.0 never). */
export function netstatLookups(rows: readonly TcpSocketRow[]): Ipv4Addr[] {
  const seen = new Set<Ipv4Addr>();
  for (const r of rows) for (const a of [r.localAddr, r.remoteAddr]) if (a !== 0) seen.add(a >>> 0);
  return [...seen];
}

/** The addresses `ss -r` asks names for, in the order it prints them (0.0.0.0 too). */
export function ssLookups(rows: readonly TcpSocketRow[]): Ipv4Addr[] {
  const seen = new Set<Ipv4Addr>();
  for (const r of rows) for (const a of [r.localAddr, r.remoteAddr]) seen.add(a >>> 0);
  return [...seen];
}

/** Linux's default net.ipv4.ip_local_port_range. */
const LOCAL_PORT_RANGE: readonly [number, number] = [32768, 60999];

/**
 * ss's service names (ss.c resolve_service, is_ephemeral): /etc/services, but never for a
 * port of ip_local_port_range (default 32768–60999: "socks" or "cfinger" on a client port
 * would mislead).
 */
export function ssServiceNames(
  range: readonly [number, number] = LOCAL_PORT_RANGE,
): (port: number, proto: ServiceProto) => string | undefined {
  return (port, proto) =>
    port >= range[0] && port <= range[1] ? undefined : serviceName(port, proto);
}

const SS_STATE = [
  'UNCONN',
  'LISTEN',
  'SYN-SENT',
  'SYN-RECV',
  'ESTAB',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
];

/**
 * Listeners first (by port), then connections (by local port, remote address and port); with
 * `info`, each row carries what `ss -i` prints of it, with `timers` its `ss -o` timer.
 */
export function tcpSocketRows(layer: TcpLayer, info = false, timers = false): TcpSocketRow[] {
  const now = layer.host.clock.now();
  const rows: TcpSocketRow[] = [];
  for (const l of layer.listenerList()) {
    rows.push({
      state: 1,
      localAddr: l.localAddr,
      localPort: l.localPort,
      remoteAddr: 0,
      remotePort: 0,
      recvQ: l.acceptQueue.length,
      sendQ: l.backlog,
      ...(info ? { info: listenerInfo(l) } : {}),
    });
  }
  rows.sort((a, b) => a.localPort - b.localPort || a.localAddr - b.localAddr);
  const conns = layer
    .connections()
    .map((t) => ({
      state: t.state,
      localAddr: t.localAddr,
      localPort: t.localPort,
      remoteAddr: t.remoteAddr,
      remotePort: t.remotePort,
      recvQ: t.recvQueued,
      sendQ: t.sendQueued,
      ...(info ? { info: tcbInfo(t, now) } : {}),
      ...(timers ? { timer: tcbTimer(t, now) } : {}),
    }))
    .sort(
      (a, b) =>
        a.localPort - b.localPort ||
        a.localAddr - b.localAddr ||
        a.remoteAddr - b.remoteAddr ||
        a.remotePort - b.remotePort,
    );
  return rows.concat(conns);
}

/**
 * `netstat -napt` (net-tools: "%-4s  %6ld %6ld %-23s %-23s %-11s %-20s"; UDP sockets "%-5s"
 * and no state). netstat shows a listener's Send-Q as 0, as /proc/net/tcp does.
 */
export function formatNetstatNapt(rows: readonly TcpSocketRow[], o: NetstatOptions = {}): string[] {
  const programs = o.programs ?? true;
  const out = [
    'Active Internet connections (servers and established)',
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ' +
      (programs ? ' PID/Program name    ' : ''),
  ];
  for (const r of rows) {
    const proto = r.proto ?? 'tcp';
    const sendQ = r.state === 1 ? 0 : r.sendQ;
    const state =
      proto === 'udp' ? (r.state === 4 ? 'ESTABLISHED' : '') : LINUX_STATE_NAMES[r.state];
    out.push(
      proto.padEnd(4) +
        '  ' +
        String(r.recvQ).padStart(6) +
        ' ' +
        String(sendQ).padStart(6) +
        ' ' +
        netstatEndpoint(r.localAddr, r.localPort, proto, o).padEnd(23) +
        ' ' +
        netstatEndpoint(r.remoteAddr, r.remotePort, proto, o).padEnd(23) +
        ' ' +
        state.padEnd(11) +
        (programs ? ' ' + (r.program ?? '-').padEnd(20) : ''),
    );
  }
  return out;
}

/** ss's display options beyond the names. */
export interface SsOptions {
  /** -i: a second line of TCP internals under each TCP socket (rows carry `info`). */
  info?: boolean;
  /** -o: the timer column (rows carry `timer`), and with -i the option words. */
  options?: boolean;
  /** -n: also makes the rates of -i plain numbers (sprint_bw). */
  numeric?: boolean;
  /**
   * The State column (default shown). iproute2 hides it when the state filter holds one
   * state only (`ss -t state established`, `ss -u`).
   */
  state?: boolean;
}

/**
 * `ss -tan`: addresses right-aligned on the ':' as iproute2 prints them; with `names`, `ss -ta`
 * (services) and `ss -tar` (hosts too); with `o.info`, `ss -tani`.
 */
export function formatSsTan(
  rows: readonly TcpSocketRow[],
  names: EndpointNames = {},
  o: SsOptions = {},
): string[] {
  const stateCol = o.state ?? true;
  const host = (a: Ipv4Addr): string => names.host?.(a) ?? formatIpv4(a);
  const port = (p: number, proto: ServiceProto): string =>
    p === 0 ? '*' : (names.service?.(p, proto) ?? String(p));
  const la = rows.map((r) => host(r.localAddr));
  const lp = rows.map((r) => port(r.localPort, r.proto ?? 'tcp'));
  const pa = rows.map((r) => host(r.remoteAddr));
  const pp = rows.map((r) => port(r.remotePort, r.proto ?? 'tcp'));
  const law = Math.max(13, ...la.map((s) => s.length));
  const lpw = Math.max(4, ...lp.map((s) => s.length));
  const paw = Math.max(12, ...pa.map((s) => s.length));
  const ppw = Math.max(4, ...pp.map((s) => s.length));
  const out = [
    (stateCol ? 'State'.padEnd(10) + ' ' : '') +
      'Recv-Q'.padEnd(6) +
      ' ' +
      'Send-Q'.padEnd(6) +
      ' ' +
      'Local Address'.padStart(law) +
      ':' +
      'Port'.padEnd(lpw) +
      ' ' +
      'Peer Address'.padStart(paw) +
      ':' +
      'Port'.padEnd(ppw) +
      ' ' +
      'Process',
  ];
  rows.forEach((r, i) => {
    out.push(
      (
        (stateCol ? SS_STATE[r.state].padEnd(10) + ' ' : '') +
        String(r.recvQ).padEnd(6) +
        ' ' +
        String(r.sendQ).padEnd(6) +
        ' ' +
        la[i].padStart(law) +
        ':' +
        lp[i].padEnd(lpw) +
        ' ' +
        pa[i].padStart(paw) +
        ':' +
        pp[i].padEnd(ppw) +
        // the Process column: proc_ctx_print's " users:(...)", then inet_show_sock's timer
        (r.program !== undefined ? ` users:(("${r.program}"))` : '') +
        (o.options ? formatSsTimer(r.timer) : '')
      ).trimEnd(),
    );
    // ss.c inet_show_sock: no tcp_info line for UDP
    if (o.info && (r.proto ?? 'tcp') === 'tcp')
      out.push(formatSsInfo(r.info ?? null, o.numeric, o.options));
  });
  return out;
}

/** The "Tcp:" and "TcpExt:" sections of `netstat -s` (TcpExt lines only when non-zero, as net-tools). */
export function formatNetstatS(s: TcpStats, currEstab: number): string[] {
  const out = [
    'Tcp:',
    `    ${s.activeOpens} active connection openings`,
    `    ${s.passiveOpens} passive connection openings`,
    `    ${s.attemptFails} failed connection attempts`,
    `    ${s.estabResets} connection resets received`,
    `    ${currEstab} connections established`,
    `    ${s.inSegs} segments received`,
    `    ${s.outSegs} segments sent out`,
    `    ${s.retransSegs} segments retransmitted`,
    `    ${s.inErrs} bad segments received`,
    `    ${s.outRsts} resets sent`,
  ];
  if (s.inCsumErrors > 0) out.push(`    InCsumErrors: ${s.inCsumErrors}`);
  const ext: [number, string][] = [
    [s.syncookiesSent, 'SYN cookies sent'],
    [s.syncookiesRecv, 'SYN cookies received'],
    [s.syncookiesFailed, 'invalid SYN cookies received'],
    [s.pawsEstab, 'packets rejected in established connections because of timestamp'],
    [s.delayedAcks, 'delayed acks sent'],
    [s.listenOverflows, 'times the listen queue of a socket overflowed'],
    [s.listenDrops, 'SYNs to LISTEN sockets dropped'],
    [s.hpAcks, 'acknowledgments not containing data payload received'],
    [s.renoRecovery, 'times recovered from packet loss due to fast retransmit'],
    [s.sackRecovery, 'times recovered from packet loss by selective acknowledgements'],
    [s.fastRetrans, 'fast retransmits'],
    [s.slowStartRetrans, 'retransmits in slow start'],
    [s.timeouts, 'other TCP timeouts'],
    [s.dsackSent, 'DSACKs sent for old packets'],
    [s.abortOnData, 'connections reset due to unexpected data'],
    [s.abortOnClose, 'connections reset due to early user close'],
    [s.abortOnTimeout, 'connections aborted due to timeout'],
    [s.lossUndo, 'congestion windows recovered without slow start after partial ack'],
  ];
  const named: [number, string][] = [
    [s.challengeAcks, 'TCPChallengeACK'],
    [s.synChallenge, 'TCPSYNChallenge'],
    [s.ofoQueue, 'TCPOFOQueue'],
    [s.ofoDrop, 'TCPOFODrop'],
    [s.lossProbes, 'TCPWinProbe'],
    [s.keepaliveProbes, 'TCPKeepAlive'],
    [s.partialUndo, 'TCPPartialUndo'],
    [s.sackBlocksRecv, 'TCPSACKBlocksReceived'],
    [s.timeWaitRecycled, 'TCPTimeWaitReuse'],
    [s.pmtuUpdates, 'TCPPMTUUpdate'],
    [s.spuriousRtos, 'TCPSpuriousRTOs'],
    [s.hystartDelayDetect, 'TCPHystartDelayDetect'],
    [s.hystartDelayCwnd, 'TCPHystartDelayCwnd'],
  ];
  const lines: string[] = [];
  for (const [v, text] of ext) if (v > 0) lines.push(`    ${v} ${text}`);
  for (const [v, name] of named) if (v > 0) lines.push(`    ${name}: ${v}`);
  const drops = Object.entries(s.drops).sort(([a], [b]) => a.localeCompare(b));
  for (const [reason, n] of drops) lines.push(`    TCPDrop(${reason}): ${n}`);
  if (lines.length > 0) out.push('TcpExt:', ...lines);
  return out;
}

/** `netstat -napt` of a layer. */
export function netstatNapt(layer: TcpLayer): string {
  return formatNetstatNapt(tcpSocketRows(layer)).join('\n');
}

/** `ss -tan` of a layer. */
export function ssTan(layer: TcpLayer): string {
  return formatSsTan(tcpSocketRows(layer)).join('\n');
}

/** `netstat -s` (TCP part) of a layer. */
export function netstatS(layer: TcpLayer): string {
  return formatNetstatS(layer.stats, layer.currEstab).join('\n');
}

/** One interface as `netstat -i` reads it (/proc/net/dev and the SIOCGIFFLAGS bits). */
export interface InterfaceRow {
  name: string;
  mtu: number;
  loopback: boolean;
  up: boolean;
  /** Carrier (IFF_RUNNING). */
  running: boolean;
  promiscuous: boolean;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  /** RX-OVR: the receive FIFO overruns (rx_fifo_errors). */
  rxFifoErrors: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
  txFifoErrors: number;
}

/**
 * `netstat -i` (net-tools lib/interface.c ife_print_short: "%-15.15s %5d %8llu %6lu %6lu %-6lu
 * %8llu %6lu %6lu %6lu ", then one letter per flag in its fixed order). Interfaces that are
 * down are listed only with -a, as net-tools does.
 */
export function formatNetstatI(rows: readonly InterfaceRow[], all = false): string[] {
  const out = [
    'Kernel Interface table',
    'Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg',
  ];
  // net-tools keeps its interface list sorted by name, numbers compared as numbers (nstrcmp)
  const byName = [...rows].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const r of byName) {
    if (!r.up && !all) continue;
    let flg = '';
    if (!r.loopback) flg += 'B';
    if (r.loopback) flg += 'L';
    if (!r.loopback) flg += 'M';
    if (r.promiscuous) flg += 'P';
    if (r.running) flg += 'R';
    if (r.up) flg += 'U';
    const n = (v: number, w: number): string => String(v).padStart(w);
    out.push(
      `${r.name.slice(0, 15).padEnd(15)} ${n(r.mtu, 5)} ${n(r.rxPackets, 8)} ${n(r.rxErrors, 6)} ${n(r.rxDropped, 6)} ${String(r.rxFifoErrors).padEnd(6)} ` +
        `${n(r.txPackets, 8)} ${n(r.txErrors, 6)} ${n(r.txDropped, 6)} ${n(r.txFifoErrors, 6)} ${flg === '' ? '[NO FLAGS]' : flg}`,
    );
  }
  return out;
}

/**
 * `ss -s` (iproute2 ss.c print_summary, from /proc/net/sockstat): "Total" counts every socket;
 * the TCP line's total counts TIME-WAIT ones too, "closed" is total − hashed + timewait as ss
 * computes it, "estab" is CurrEstab (ESTABLISHED and CLOSE-WAIT). No IPv6, raw sockets or
 * fragments here: those columns are 0.
 */
export function formatSsSummary(tcp: readonly TcpSocketRow[], udpSockets: number): string[] {
  const CLOSED = 0;
  const ESTABLISHED = 4;
  const CLOSE_WAIT = 7;
  const TIME_WAIT = 10;
  const total = tcp.length;
  const hashed = tcp.filter((r) => r.state !== CLOSED).length;
  const tw = tcp.filter((r) => r.state === TIME_WAIT).length;
  const estab = tcp.filter((r) => r.state === ESTABLISHED || r.state === CLOSE_WAIT).length;
  const row = (name: string, n: number): string =>
    `${name}\t  ${String(n).padEnd(9)} ${String(n).padEnd(9)} ${'0'.padEnd(9)}`;
  return [
    `Total: ${total + udpSockets}`,
    `TCP:   ${total} (estab ${estab}, closed ${total - hashed + tw}, orphaned 0, timewait ${tw})`,
    '',
    'Transport Total     IP        IPv6',
    row('RAW', 0),
    row('UDP', udpSockets),
    row('TCP', hashed),
    row('INET', udpSockets + hashed),
    row('FRAG', 0),
  ];
}

// ───────────────────────────── ss state filters (iproute2 ss.c) ──────────────────────────────

/** ss's state bits (ss.c SS_UNKNOWN ... SS_CLOSING), by our RFC 9293 state number. */
const SS_BIT_OF_STATE = [7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6];
const SS_ESTABLISHED = 1;
const SS_SYN_SENT = 2;
const SS_SYN_RECV = 3;
const SS_TIME_WAIT = 6;
const SS_CLOSE = 7;
const SS_LISTEN = 10;
/** SS_ALL: every state bit (1 << SS_MAX) - 1. */
export const SS_ALL = (1 << 12) - 1;
/** SS_CONN: what ss lists of TCP by default (not LISTEN, CLOSE, TIME-WAIT, SYN-RECV). */
export const SS_CONN =
  SS_ALL & ~((1 << SS_LISTEN) | (1 << SS_CLOSE) | (1 << SS_TIME_WAIT) | (1 << SS_SYN_RECV));
/** `-l`: listening (TCP) and unconnected (UDP) sockets. */
export const SS_LISTENING = (1 << SS_LISTEN) | (1 << SS_CLOSE);
/** UDP's default: connected sockets only. */
export const SS_UDP_DEFAULT = 1 << SS_ESTABLISHED;

/** ss.c scan_state's names (sstate_namel), by state bit. */
const SS_STATE_NAMES = [
  'UNKNOWN',
  'established',
  'syn-sent',
  'syn-recv',
  'fin-wait-1',
  'fin-wait-2',
  'time-wait',
  'unconnected',
  'close-wait',
  'last-ack',
  'listening',
  'closing',
];

/** ss.c scan_state: one STATE-FILTER word as state bits, undefined if unknown. */
export function ssScanState(word: string): number | undefined {
  const w = word.toLowerCase();
  if (w === 'close' || w === 'closed') return 1 << SS_CLOSE;
  if (w === 'syn-rcv') return 1 << SS_SYN_RECV;
  if (w === 'all') return SS_ALL;
  if (w === 'connected') return SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN));
  if (w === 'synchronized')
    return SS_ALL & ~((1 << SS_CLOSE) | (1 << SS_LISTEN) | (1 << SS_SYN_SENT));
  if (w === 'bucket') return (1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT);
  if (w === 'big') return SS_ALL & ~((1 << SS_SYN_RECV) | (1 << SS_TIME_WAIT));
  const i = SS_STATE_NAMES.findIndex((n) => n.toLowerCase() === w);
  return i < 0 ? undefined : 1 << i;
}

/**
 * ss's leading `state STATE` / `exclude STATE` (or `excl`) words, as its main() reads them:
 * the first `state` replaces what -a/-l chose (`initial`), the first `exclude` starts from
 * all states; later ones add or take away. What follows is an expression (`rest`).
 */
export function ssStateFilter(
  initial: number,
  args: readonly string[],
): { states: number; rest: string[] } | { error: string } {
  let states = initial;
  let saw = false;
  let i = 0;
  for (; i < args.length; i++) {
    const kw = args[i];
    if (kw !== 'state' && kw !== 'exclude' && kw !== 'excl') break;
    const word = args[++i];
    if (word === undefined) return { error: 'Command line is not complete. Try option "help"' };
    const bits = ssScanState(word);
    if (bits === undefined) return { error: `ss: wrong state name: ${word}` };
    if (kw === 'state') states = (saw ? states : 0) | bits;
    else states = (saw ? states : SS_ALL) & ~bits;
    saw = true;
  }
  return { states, rest: args.slice(i) };
}

/** Whether a row's state is one of `states` (ss's state bits). */
export function ssStateMatches(states: number, rfcState: number): boolean {
  return (states & (1 << SS_BIT_OF_STATE[rfcState])) !== 0;
}

/** iproute2 hides the State column when the filter holds a single state. */
export function ssShowsState(states: number): boolean {
  return (states & (states - 1)) !== 0;
}

// ─────────────────────── ss filter expressions (iproute2 ssfilter.y) ──────────────────────────

/** A parsed ss filter expression (ssfilter.y's nodes: SSF_DCOND, SSF_D_GE, SSF_AND, ...). */
export type SsExpr =
  | { k: 'and' | 'or'; a: SsExpr; b: SsExpr }
  | { k: 'not'; a: SsExpr }
  /** dport/sport compared with >= or <= (SSF_D_GE, SSF_S_LE, ...). */
  | { k: 'range'; side: 'd' | 's'; ge: boolean; port: number }
  /** dst/src/dport/sport equal to a host condition: an address prefix and/or a port. */
  | { k: 'cond'; side: 'd' | 's'; addr: number; bits: number; port: number };

/** getservbyname(): the port of a service name or alias, for TCP (ss tries UDP too). */
function servicePort(name: string): number | undefined {
  for (const proto of ['tcp', 'udp'] as const)
    for (const s of SERVICES)
      if (s.proto === proto && (s.name === name || s.aliases.includes(name))) return s.port;
  return undefined;
}

/**
 * ss.c parse_hostcond for IPv4: "ADDR[/BITS][:PORT]", "*:PORT", ":PORT" (a port of "*" or
 * none: any); with `portOnly` (dport/sport, parse_port) a bare "80" or "http" is a port.
 */
function hostCond(
  text: string,
  portOnly: boolean,
): { addr: number; bits: number; port: number } | string {
  let t = text;
  if (portOnly && !t.startsWith(':')) t = `:${t}`;
  let addrText = t;
  let portText = '';
  const colon = t.lastIndexOf(':');
  if (colon >= 0) {
    addrText = t.slice(0, colon);
    portText = t.slice(colon + 1);
  }
  let port = -1;
  if (portText !== '' && portText !== '*') {
    if (/^\d+$/.test(portText)) port = Number(portText);
    else {
      const p = servicePort(portText);
      if (p === undefined) return `Error: "${portText}" does not look like a port.`;
      port = p;
    }
  }
  if (addrText === '' || addrText === '*') return { addr: 0, bits: 0, port };
  const [a, b] = addrText.split('/');
  const addr = parseIpv4(a);
  const bits = b === undefined ? 32 : /^\d+$/.test(b) ? Number(b) : NaN;
  if (addr === undefined || !(bits >= 0 && bits <= 32))
    return `Error: an inet prefix is expected rather than "${addrText}".`;
  return { addr, bits, port };
}

const SS_OPS: Readonly<Record<string, string>> = {
  '=': 'eq',
  '==': 'eq',
  eq: 'eq',
  '!=': 'ne',
  ne: 'ne',
  neq: 'ne',
  '>=': 'ge',
  ge: 'ge',
  geq: 'ge',
  '<=': 'le',
  le: 'le',
  leq: 'le',
  '>': 'gt',
  gt: 'gt',
  '<': 'lt',
  lt: 'lt',
};

/**
 * ss's filter expression (ssfilter.y): `dport`/`sport` OP port, `dst`/`src` [=|!=] host
 * condition, joined by `and` (`&`, `&&`, or nothing), `or` (`|`, `||`), `not` (`!`) and
 * parentheses, which may sit inside one quoted word (`'( dport = :http )'`). OP: = == eq,
 * != ne neq, > gt, < lt, >= ge geq, <= le leq. Other keywords (dev, fwmark, cgroup, host
 * names) are not supported: an error string.
 */
export function parseSsExpr(args: readonly string[]): SsExpr | string {
  const toks = args
    .join(' ')
    .replace(/([()])/g, ' $1 ')
    .split(/\s+/)
    .filter((w) => w !== '');
  let i = 0;
  const syntax = 'ss: bison bellows (while parsing filter): "syntax error!"';
  const peek = (): string | undefined => toks[i];
  function cond(): SsExpr | string {
    const kw = toks[i++];
    if (kw === undefined) return syntax;
    const side = kw === 'dport' || kw === 'dst' ? 'd' : 's';
    if (kw === 'dport' || kw === 'sport') {
      let op = 'eq';
      if (peek() !== undefined && SS_OPS[peek()!] !== undefined) op = SS_OPS[toks[i++]];
      const v = toks[i++];
      if (v === undefined) return syntax;
      const h = hostCond(v, true);
      if (typeof h === 'string') return h;
      if (op === 'eq' || op === 'ne') {
        const c: SsExpr = { k: 'cond', side, ...h };
        return op === 'eq' ? c : { k: 'not', a: c };
      }
      // ssfilter.y: > is not <=, < is not >=
      if (op === 'ge' || op === 'le') return { k: 'range', side, ge: op === 'ge', port: h.port };
      return { k: 'not', a: { k: 'range', side, ge: op === 'lt', port: h.port } };
    }
    if (kw === 'dst' || kw === 'src') {
      let neg = false;
      const op = SS_OPS[peek() ?? ''];
      if (op === 'eq' || op === 'ne') {
        neg = op === 'ne';
        i++;
      }
      const v = toks[i++];
      if (v === undefined) return syntax;
      const h = hostCond(v, false);
      if (typeof h === 'string') return h;
      const c: SsExpr = { k: 'cond', side, ...h };
      return neg ? { k: 'not', a: c } : c;
    }
    return `ss: "${kw}" in a filter expression is not supported (dport, sport, dst, src with addresses, and, or, not)`;
  }
  function unary(): SsExpr | string {
    const t = peek();
    if (t === '!' || t === 'not') {
      i++;
      const a = unary();
      return typeof a === 'string' ? a : { k: 'not', a };
    }
    if (t === '(') {
      i++;
      const e = or();
      if (typeof e === 'string') return e;
      if (toks[i++] !== ')') return syntax;
      return e;
    }
    return cond();
  }
  function and(): SsExpr | string {
    let a = unary();
    for (;;) {
      if (typeof a === 'string') return a;
      const t = peek();
      if (t === undefined || t === ')' || t === '|' || t === '||' || t === 'or') return a;
      if (t === '&' || t === '&&' || t === 'and') i++;
      const b = unary();
      if (typeof b === 'string') return b;
      a = { k: 'and', a, b };
    }
  }
  function or(): SsExpr | string {
    let a = and();
    for (;;) {
      if (typeof a === 'string') return a;
      const t = peek();
      if (t !== '|' && t !== '||' && t !== 'or') return a;
      i++;
      const b = and();
      if (typeof b === 'string') return b;
      a = { k: 'or', a, b };
    }
  }
  const e = or();
  if (typeof e !== 'string' && i < toks.length) return syntax;
  return e;
}

/** ss.c run_ssfilter: whether a socket passes the expression. */
export function ssExprMatches(e: SsExpr, r: TcpSocketRow): boolean {
  switch (e.k) {
    case 'and':
      return ssExprMatches(e.a, r) && ssExprMatches(e.b, r);
    case 'or':
      return ssExprMatches(e.a, r) || ssExprMatches(e.b, r);
    case 'not':
      return !ssExprMatches(e.a, r);
    case 'range': {
      const port = e.side === 'd' ? r.remotePort : r.localPort;
      return e.ge ? port >= e.port : port <= e.port;
    }
    case 'cond': {
      const port = e.side === 'd' ? r.remotePort : r.localPort;
      const addr = e.side === 'd' ? r.remoteAddr : r.localAddr;
      if (e.port !== -1 && port !== e.port) return false;
      if (e.bits === 0) return true;
      const mask = e.bits === 32 ? 0xffffffff : ~(0xffffffff >>> e.bits);
      return ((addr ^ e.addr) & mask) === 0;
    }
  }
}
