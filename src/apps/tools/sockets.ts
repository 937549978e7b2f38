/**
 * The TCP socket table as the Linux tools read it: one row per listener and connection
 * (/proc/net/tcp), with what `ss -i` reads of each (struct tcp_info: congestion control,
 * RTT, cwnd, counters) and its `ss -o` timer. Read-only views of a TcpLayer; nothing is
 * changed. The formatters are in netstat.ts (net-tools) and ss.ts (iproute2).
 *
 * Read first: RFC 9293 § 3.3.2 (the states shown); Linux include/uapi/linux/tcp.h (tcp_info).
 */
import type { Ipv4Addr } from '../../wire/addr.js';
import type { TcpLayer } from '../../stack/tcp/layer.js';
import {
  F_KEEPALIVE,
  F_PASSIVE,
  F_PERSIST,
  F_SACK_OK,
  F_TS_OK,
  F_WS_OK,
} from '../../stack/tcp/tcb.js';
import { ECN_OK, ECN_SEEN } from '../../stack/tcp/ecn.js';
import type { Tcb } from '../../stack/tcp/tcb.js';
import type { Listener } from '../../stack/tcp/listener.js';
import { backedOffRto } from '../../stack/tcp/timers.js';
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
 * How addresses and ports are named; a missing function, or one that answers undefined,
 * leaves the number (`-n`).
 */
export interface EndpointNames {
  /** The host name of an address (looked up beforehand: the hosts file, then a PTR query). */
  host?: (addr: Ipv4Addr) => string | undefined;
  /** The service name of a port (/etc/services). */
  service?: (port: number, proto: ServiceProto) => string | undefined;
}

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
