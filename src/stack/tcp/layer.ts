/**
 * TcpLayer: TCP for one node — demultiplexing, the connection and listener tables, port
 * allocation, ICMP errors, counters, and the Node-like NetApi applications use.
 *
 * Read first:
 * - RFC 9293 (TCP): § 3.10.7 (segment arrives: CLOSED, LISTEN, SYN-SENT, other states),
 *   § 3.10.1 (OPEN), § 3.4.1 (ISN, see isn.ts), § 3.9.2.1 / RFC 1122 § 4.2.3.9 (ICMP errors).
 * - RFC 5927 § 4.1 (accept ICMP errors only for sequence numbers in flight), RFC 5461 § 4
 *   (hard errors abort only connections being established), RFC 1191 § 6.3 (PMTU updates on
 *   "fragmentation needed"), RFC 6633 (ignore source quench).
 * - RFC 6056 § 3.3.1 (ephemeral port selection: here a seeded random start then sequential).
 *
 * Call chain: ipv4 → TcpLayer.input → decodeSegment (wire/tcp.ts) → lookup → segmentArrives
 * (input.ts) | listenInput (listener.ts) | closedInput (RST per RFC 9293 § 3.10.7.1).
 */
import { formatIpv4 } from '../../wire/addr.js';
import { SocketError } from '../api.js';
import type { SocketErrorCode } from '../api.js';
import type {
  ConnectOptions,
  IcmpErrorInfo,
  IpRxMeta,
  IpSendError,
  NetApi,
  NetServer,
  NetSocket,
  TransportHost,
  TransportProtocol,
} from '../api.js';
import { IPPROTO_TCP } from '../api.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import { DEFAULT_TCP_CONFIG, windowScaleFor } from './config.js';
import type { CongestionName, TcpConfig } from './config.js';
import { Cubic } from './congestion/cubic.js';
import { NewReno } from './congestion/newreno.js';
import type { CongestionOps } from './congestion/types.js';
import { decodeSegment } from './codec.js';
import { closeTcb, abortTcb } from './conn.js';
import { DONE, REOPEN, segmentArrives, updateMss } from './input.js';
import { IsnGenerator } from './isn.js';
import { Listener, listenInput } from './listener.js';
import type { ListenerUser } from './listener.js';
import { sendRstForSegment, sendSyn, tcpOutput } from './output.js';
import { ACK, SYN, flagString, newSeg, segLen } from './segment.js';
import type { Seg } from './segment.js';
import { newTcpStats } from './stats.js';
import type { TcpStats } from './stats.js';
import { seqGe, seqLt } from './seqnum.js';
import {
  CLOSED,
  ESTABLISHED,
  F_KEEPALIVE,
  F_NODELAY,
  F_NOOPT,
  F_PASSIVE,
  F_RTO_RECOVERY,
  LISTEN,
  SYN_RECEIVED,
  SYN_SENT,
  Tcb,
} from './tcb.js';
import { armKeep } from './timers.js';
import { TcpServer, TcpSocket } from './socket.js';
import './events.js';

/** Options of an active open beyond Node's ConnectOptions. */
export interface TcpConnectOptions extends ConnectOptions {
  /** Congestion control for this socket (default: the layer's). */
  congestion?: CongestionName;
  /** SO_SNDBUF / SO_RCVBUF for this socket. */
  sndBuf?: number;
  rcvBuf?: number;
  keepAlive?: boolean;
  /** Node's allowHalfOpen: keep the send side open after the peer's FIN (default false). */
  allowHalfOpen?: boolean;
}

/** Options of the core (BSD-like) active open. */
export interface OpenOptions {
  remoteAddr: Ipv4Addr;
  remotePort: number;
  localAddr?: Ipv4Addr;
  localPort?: number;
  rcvBuf?: number;
  sndBuf?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  noOpt?: boolean;
  congestion?: CongestionName;
  ttl?: number;
  tos?: number;
  /** Connection-establishment timeout (ns), 0 = SYN retries only. */
  timeout?: number;
}

function hashKey(la: number, lp: number, ra: number, rp: number): number {
  let h = Math.imul(ra ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(la, 0xc2b2ae35);
  h ^= Math.imul((lp << 16) | rp, 0x27d4eb2f);
  h ^= h >>> 15;
  return h >>> 0;
}

const CONGESTION: Record<CongestionName, CongestionOps> = { newreno: NewReno, cubic: Cubic };

export class TcpLayer implements TransportProtocol, NetApi {
  readonly protocol = IPPROTO_TCP;
  readonly config: TcpConfig;
  readonly stats: TcpStats = newTcpStats();
  readonly isnGen: IsnGenerator;
  /** The NetApi applications use (this object). */
  readonly net: NetApi = this;
  defaultCc: CongestionOps;
  /** Connections in ESTABLISHED or CLOSE-WAIT (RFC 4022 tcpCurrEstab). */
  currEstab = 0;

  private readonly table = new Map<number, Tcb>();
  private count = 0;
  private readonly listeners = new Map<number, Listener[]>();
  private readonly rx: Seg = newSeg();
  private nextPort: number;
  private caStart = 0;
  private caCount = 0;
  private readonly pmtuCache = new Map<number, number>();

  constructor(
    readonly host: TransportHost,
    config: Partial<TcpConfig> = {},
  ) {
    this.config = { ...DEFAULT_TCP_CONFIG, ...config };
    this.isnGen = new IsnGenerator(host.rng('tcp-isn'));
    this.defaultCc = CONGESTION[this.config.congestion];
    const c = this.config;
    this.nextPort = c.ephemeralLow + host.rng('tcp-port').int(c.ephemeralHigh - c.ephemeralLow + 1);
  }

  /** Changes configuration at run time (sysctl). */
  configure(changes: Partial<TcpConfig>): void {
    Object.assign(this.config, changes);
    if (changes.congestion !== undefined) this.defaultCc = CONGESTION[changes.congestion];
  }

  congestionOps(name: CongestionName): CongestionOps {
    return CONGESTION[name];
  }

  // ───────────────────────────── demultiplexing ─────────────────────────────

  hash(t: Tcb): void {
    const k = hashKey(t.localAddr, t.localPort, t.remoteAddr, t.remotePort);
    t.hashKey = k;
    t.hashNext = this.table.get(k) ?? null;
    this.table.set(k, t);
    this.count++;
  }

  unhash(t: Tcb): void {
    const k = t.hashKey;
    let p = this.table.get(k);
    if (p === undefined) return;
    if (p === t) {
      if (t.hashNext === null) this.table.delete(k);
      else this.table.set(k, t.hashNext);
      t.hashNext = null;
      this.count--;
      return;
    }
    while (p.hashNext !== null && p.hashNext !== t) p = p.hashNext;
    if (p.hashNext === t) {
      p.hashNext = t.hashNext;
      t.hashNext = null;
      this.count--;
    }
  }

  lookup(la: number, lp: number, ra: number, rp: number): Tcb | undefined {
    let t = this.table.get(hashKey(la, lp, ra, rp)) ?? null;
    while (t !== null) {
      if (t.remotePort === rp && t.localPort === lp && t.remoteAddr === ra && t.localAddr === la)
        return t;
      t = t.hashNext;
    }
    return undefined;
  }

  findListener(addr: number, port: number): Listener | undefined {
    const list = this.listeners.get(port);
    if (list === undefined) return undefined;
    let any: Listener | undefined;
    for (const l of list) {
      if (l.localAddr === addr) return l;
      if (l.localAddr === 0) any = l;
    }
    return any;
  }

  /** Every connection (netstat), in table order. */
  connections(): Tcb[] {
    const out: Tcb[] = [];
    for (let t of this.table.values()) {
      for (let p: Tcb | null = t; p !== null; p = p.hashNext) out.push(p);
      void t;
    }
    return out;
  }

  /** Connections (SYN-RECEIVED) owned by a listener. */
  connectionsOf(l: Listener): Tcb[] {
    return this.connections().filter((t) => t.listener === l && t.state === SYN_RECEIVED);
  }

  listenerList(): Listener[] {
    const out: Listener[] = [];
    for (const list of this.listeners.values()) out.push(...list);
    return out;
  }

  get connectionCount(): number {
    return this.count;
  }

  // ───────────────────────────── TransportProtocol ─────────────────────────────

  input(meta: IpRxMeta, payload: Uint8Array): void {
    const st = this.stats;
    st.inSegs++;
    const seg = this.rx;
    const e = decodeSegment(payload, meta.src, meta.dst, seg, meta.l4ChecksumOk === true);
    seg.ipEcn = meta.tos & 3;
    if (e !== undefined) {
      st.inErrs++;
      if (e === 'bad-checksum') st.inCsumErrors++;
      this.drop(e);
      return;
    }
    // RFC 1122 § 4.2.3.10: segments to broadcast/multicast addresses are discarded.
    if (meta.broadcast || meta.dst >>> 28 === 14) {
      this.drop('broadcast');
      return;
    }
    const trace = this.host.trace;
    if (trace.active) {
      trace.emit('tcp.segment-in', this.host.name, {
        laddr: meta.dst,
        lport: seg.dstPort,
        raddr: meta.src,
        rport: seg.srcPort,
        seq: seg.seq,
        ack: seg.ack,
        flags: flagString(seg.flags),
        len: seg.payload.length,
        win: seg.window,
      });
    }
    const t = this.lookup(meta.dst, seg.dstPort, meta.src, seg.srcPort);
    if (t !== undefined) {
      if (segmentArrives(t, seg) !== REOPEN) return;
    }
    const l = this.findListener(meta.dst, seg.dstPort);
    if (l !== undefined) {
      const n = listenInput(l, meta.dst, meta.src, seg);
      if (n !== undefined) {
        const r = segmentArrives(n, seg);
        void r;
      }
      return;
    }
    // RFC 9293 § 3.10.7.1: CLOSED (no connection) — RST unless it was one. SYN+FIN probes
    // are dropped silently when configured (FreeBSD's net.inet.tcp.drop_synfin).
    if ((seg.flags & 0x03) === 0x03 && this.config.dropSynFin) {
      this.drop('syn-fin');
      return;
    }
    this.drop('no-socket');
    if (seg.flags & 0x04) return;
    this.sendRstForAddrs(meta.dst, meta.src, seg, 'RST: no socket for this segment');
  }

  icmpError(info: IcmpErrorInfo): void {
    const st = this.stats;
    st.icmpErrors++;
    const q = info.quoted;
    if (q.length < 8) {
      this.drop('icmp-short-quote');
      return;
    }
    const sport = (q[0] << 8) | q[1];
    const dport = (q[2] << 8) | q[3];
    const seq = ((q[4] << 24) | (q[5] << 16) | (q[6] << 8) | q[7]) >>> 0;
    const t = this.lookup(info.src, sport, info.dst, dport);
    if (t === undefined) {
      this.drop('icmp-no-connection');
      return;
    }
    // RFC 5927 § 4.1: the quoted sequence number must be in flight.
    const inFlight =
      t.state === SYN_SENT || t.state === SYN_RECEIVED
        ? seq === t.iss
        : seqGe(seq, t.sndUna) && seqLt(seq, t.sndMax);
    if (!inFlight) {
      this.drop('icmp-out-of-window', t);
      return;
    }
    const c = this.config;
    if (info.type === 3) {
      if (info.code === 4) {
        // RFC 1191 § 6.3: fragmentation needed; shrink to the reported MTU (≥ 68).
        const mtu = info.mtu > 0 ? info.mtu : plateauBelow(t.pmtu);
        if (mtu >= t.pmtu) return;
        t.pmtu = Math.max(mtu, 68);
        this.pmtuCache.set(t.remoteAddr, t.pmtu);
        st.pmtuUpdates++;
        updateMss(t);
        if (this.host.trace.active) {
          this.host.trace.emit('tcp.pmtu', this.host.name, {
            laddr: t.localAddr,
            lport: t.localPort,
            raddr: t.remoteAddr,
            rport: t.remotePort,
            from: formatIpv4(info.from),
            mtu: t.pmtu,
            mss: t.mss,
          });
        }
        if (t.state >= ESTABLISHED) {
          // Resend what was too big now, without a congestion response (as Linux's tcp_simple_retransmit).
          t.sndNxt = t.sndUna;
          t.flags |= F_RTO_RECOVERY;
          tcpOutput(t);
        }
        return;
      }
      const hard =
        info.code === 2 ||
        info.code === 3 ||
        info.code === 9 ||
        info.code === 10 ||
        info.code === 13;
      const code =
        info.code === 2 || info.code === 3
          ? 'ECONNREFUSED'
          : info.code === 0 || info.code === 6 || info.code === 9 || info.code === 11
            ? 'ENETUNREACH' // as Linux's icmp_err_convert: net codes ENETUNREACH, host codes EHOSTUNREACH
            : 'EHOSTUNREACH';
      // RFC 5461 § 4: hard errors abort a connection being established; so do soft ones as
      // Linux has it (icmpSoftErrorsAbortConnect); otherwise they are remembered (soft).
      if ((hard ? c.icmpHardErrorsAbort : c.icmpSoftErrorsAbortConnect) && this.connecting(t)) {
        this.abortConnect(t, code, `ICMP destination unreachable (code ${info.code})`);
        return;
      }
      t.softError = code;
      return;
    }
    if (info.type === 11 || info.type === 12) {
      // Time exceeded / parameter problem: soft (RFC 1122 § 4.2.3.9), but fatal to a connection
      // being established on Linux (EHOSTUNREACH).
      if (c.icmpSoftErrorsAbortConnect && this.connecting(t)) {
        this.abortConnect(
          t,
          'EHOSTUNREACH',
          `ICMP ${info.type === 11 ? 'time exceeded' : 'parameter problem'}`,
        );
        return;
      }
      t.softError = 'EHOSTUNREACH';
      return;
    }
    // Source quench (type 4) is ignored (RFC 6633); other types are not errors for TCP.
    this.drop('icmp-ignored', t);
  }

  /** An active open still waiting for its SYN to be answered (RFC 5461 § 4). */
  private connecting(t: Tcb): boolean {
    return t.state === SYN_SENT || (t.state === SYN_RECEIVED && !(t.flags & F_PASSIVE));
  }

  private abortConnect(t: Tcb, code: SocketErrorCode, what: string): void {
    this.stats.attemptFails++;
    closeTcb(t, code, `${what} during connection establishment`);
  }

  // ───────────────────────────── opening ─────────────────────────────

  private portInUse(port: number): boolean {
    if (this.listeners.has(port)) return true;
    for (const t of this.table.values()) {
      for (let p: Tcb | null = t; p !== null; p = p.hashNext) if (p.localPort === port) return true;
    }
    return false;
  }

  /** RFC 6056-style ephemeral port: next free port from a seeded start; unique 4-tuple. */
  private ephemeralPort(la: number, ra: number, rp: number): number {
    const c = this.config;
    const n = c.ephemeralHigh - c.ephemeralLow + 1;
    for (let i = 0; i < n; i++) {
      const p = this.nextPort;
      this.nextPort = p >= c.ephemeralHigh ? c.ephemeralLow : p + 1;
      if (this.listeners.has(p)) continue;
      if (this.lookup(la, p, ra, rp) === undefined) return p;
    }
    throw new SocketError('EADDRNOTAVAIL', 'no free ephemeral port');
  }

  /** Sets the path MTU and advertised MSS from the route (RFC 9293 § 3.7.1, RFC 1191). */
  initPath(t: Tcb): void {
    const route = this.host.route(t.remoteAddr);
    const mtu = route?.mtu ?? 1500;
    t.pmtu = Math.min(mtu, this.pmtuFor(t.remoteAddr));
    // RFC 9293 § 3.7.1: MSS = MTU − 40 (the minimum IPv4 MTU of 68 gives 28).
    t.advMss = Math.max(mtu - 40, 28);
    t.peerMss = 536;
    t.mss = Math.min(t.peerMss, t.pmtu - 40);
  }

  pmtuFor(addr: number): number {
    return this.pmtuCache.get(addr) ?? 65535;
  }

  /** Active OPEN (RFC 9293 § 3.10.1): sends the SYN. Throws SocketError (ENETUNREACH, EADDRINUSE...). */
  openActive(o: OpenOptions): Tcb {
    const c = this.config;
    const route = this.host.route(o.remoteAddr);
    if (route === undefined) throw new SocketError('ENETUNREACH', 'no route to the destination');
    const la = o.localAddr !== undefined && o.localAddr !== 0 ? o.localAddr : route.src;
    if (o.localAddr !== undefined && o.localAddr !== 0 && !this.host.isLocalAddress(o.localAddr)) {
      throw new SocketError('EADDRNOTAVAIL', 'local address is not on this host');
    }
    let lp = o.localPort ?? 0;
    if (lp === 0) lp = this.ephemeralPort(la, o.remoteAddr, o.remotePort);
    else if (this.lookup(la, lp, o.remoteAddr, o.remotePort) !== undefined) {
      throw new SocketError('EADDRINUSE', `port ${lp} is in use for this destination`);
    }
    const t = new Tcb(this, la, lp, o.remoteAddr, o.remotePort);
    if (o.rcvBuf !== undefined) t.rcvBufSize = o.rcvBuf;
    if (o.sndBuf !== undefined) t.sndBufSize = o.sndBuf;
    if (o.noDelay === true) t.flags |= F_NODELAY;
    if (o.keepAlive === true) t.flags |= F_KEEPALIVE;
    if (o.noOpt === true) t.flags |= F_NOOPT;
    if (o.congestion !== undefined) t.cc = CONGESTION[o.congestion];
    if (o.ttl !== undefined) t.ttl = o.ttl;
    if (o.tos !== undefined) t.tos = o.tos;
    this.initPath(t);
    t.rcvScale = c.windowScaling ? windowScaleFor(Math.max(t.rcvBufSize, c.maxBuf)) : 0;
    const now = this.host.clock.now();
    t.iss = this.isnGen.isn(now, la, lp, o.remoteAddr, o.remotePort);
    t.tsOffset = this.isnGen.tsOffset(la, lp, o.remoteAddr, o.remotePort);
    t.sndUna = t.sndNxt = t.sndMax = t.iss;
    t.recover = t.rtxHigh = t.iss;
    t.lastRecv = now;
    this.hash(t);
    this.stats.activeOpens++;
    t.state = CLOSED;
    // setState via conn would import a cycle at module init; the transition is traced here.
    this.traceState(t, 'CLOSED', 'SYN-SENT', 'active open (connect)');
    t.state = SYN_SENT;
    const timeout = o.timeout ?? c.keepInit;
    if (timeout > 0) {
      t.connectDeadline = now + timeout;
      armKeep(t, t.connectDeadline);
    }
    sendSyn(t, 'SYN (active open)');
    return t;
  }

  /** Passive OPEN: a listener on addr:port (EADDRINUSE if taken). Port 0 picks an ephemeral one. */
  listen(
    addr: Ipv4Addr,
    port: number,
    backlog: number,
    user: ListenerUser | null = null,
  ): Listener {
    if (addr !== 0 && !this.host.isLocalAddress(addr))
      throw new SocketError('EADDRNOTAVAIL', 'address is not local');
    if (port === 0) {
      const c = this.config;
      for (let i = 0; i <= c.ephemeralHigh - c.ephemeralLow; i++) {
        const p = this.nextPort;
        this.nextPort = p >= c.ephemeralHigh ? c.ephemeralLow : p + 1;
        if (!this.portInUse(p)) {
          port = p;
          break;
        }
      }
      if (port === 0) throw new SocketError('EADDRINUSE', 'no free port');
    }
    const list = this.listeners.get(port) ?? [];
    for (const l of list) {
      if (l.localAddr === addr || l.localAddr === 0 || addr === 0) {
        throw new SocketError('EADDRINUSE', `port ${port} is already listening`);
      }
    }
    const l = new Listener(this, addr, port, backlog);
    l.user = user;
    list.push(l);
    this.listeners.set(port, list);
    return l;
  }

  removeListener(l: Listener): void {
    const list = this.listeners.get(l.localPort);
    if (list === undefined) return;
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.listeners.delete(l.localPort);
  }

  /** A connection reached ESTABLISHED from SYN-RECEIVED. */
  established(t: Tcb): void {
    if (t.listener !== null) t.listener.established(t);
    else if (t.user !== null) t.user.onEstablished();
  }

  // ───────────────────────────── NetApi ─────────────────────────────

  connect(options: TcpConnectOptions): NetSocket {
    return TcpSocket.connect(this, options);
  }

  createServer(onConnection?: (socket: NetSocket) => void): NetServer {
    const s = new TcpServer(this);
    if (onConnection !== undefined) s.on('connection', onConnection);
    return s;
  }

  // ───────────────────────────── engine services ─────────────────────────────

  /** Counts and traces a dropped segment. */
  drop(reason: string, t?: Tcb): void {
    const d = this.stats.drops;
    d[reason] = (d[reason] ?? 0) + 1;
    const trace = this.host.trace;
    if (trace.active) {
      trace.emit('tcp.drop', this.host.name, {
        laddr: t?.localAddr ?? 0,
        lport: t?.localPort ?? 0,
        raddr: t?.remoteAddr ?? 0,
        rport: t?.remotePort ?? 0,
        reason,
      });
    }
  }

  /** RFC 5961 § 7: at most challengeAckLimit challenge ACKs per second for the whole layer. */
  challengeAckAllowed(): boolean {
    const limit = this.config.challengeAckLimit;
    if (limit <= 0) return true;
    const now = this.host.clock.now();
    if (now - this.caStart >= 1e9) {
      this.caStart = now;
      this.caCount = 0;
    }
    return this.caCount++ < limit;
  }

  onIpSendError(t: Tcb, e: IpSendError): void {
    if (e === 'too-big') {
      // EMSGSIZE from our own interface: take its MTU (RFC 1191 § 6.3).
      const r = this.host.route(t.remoteAddr);
      if (r !== undefined && r.mtu < t.pmtu) {
        t.pmtu = r.mtu;
        updateMss(t);
      }
    } else if (e === 'no-route') t.softError = 'ENETUNREACH';
    // 'queue-full' (ENOBUFS) is transient: the segment counts as lost and is retransmitted.
    this.drop(`ip-send-${e}`, t);
  }

  traceCwnd(t: Tcb, why: string): void {
    const trace = this.host.trace;
    if (!trace.active) return;
    trace.emit('tcp.cwnd', this.host.name, {
      laddr: t.localAddr,
      lport: t.localPort,
      raddr: t.remoteAddr,
      rport: t.remotePort,
      cwnd: t.cwnd,
      ssthresh: t.ssthresh,
      rtt: Math.round(t.srtt),
      rto: t.rto,
      why,
    });
  }

  traceState(t: Tcb, from: string, to: string, why: string): void {
    const trace = this.host.trace;
    if (!trace.active) return;
    trace.emit('tcp.state', this.host.name, {
      laddr: t.localAddr,
      lport: t.localPort,
      raddr: t.remoteAddr,
      rport: t.remotePort,
      from,
      to,
      why,
    });
  }

  traceSegmentOut(la: number, ra: number, s: Seg, len: number, why: string): void {
    const trace = this.host.trace;
    if (!trace.active) return;
    trace.emit('tcp.segment-out', this.host.name, {
      laddr: la,
      lport: s.srcPort,
      raddr: ra,
      rport: s.dstPort,
      seq: s.seq,
      ack: s.flags & ACK ? s.ack : 0,
      flags: flagString(s.flags),
      len,
      win: s.window,
      why,
    });
  }

  /** RST in answer to `seg` that reached connection `t` (RFC 9293 § 3.10.7.3/4 "send a reset"). */
  sendRstForSeg(t: Tcb, seg: Seg, why: string): void {
    sendRstForSegment(this, t.localAddr, t.remoteAddr, seg, why);
  }

  sendRstForAddrs(localAddr: number, remoteAddr: number, seg: Seg, why: string): void {
    sendRstForSegment(this, localAddr, remoteAddr, seg, why);
  }

  /** Aborts every connection (node shutdown). */
  abortAll(): void {
    for (const t of this.connections()) abortTcb(t, 'ECONNRESET', 'stack shut down', true);
    for (const l of this.listenerList()) l.close();
  }

  /** Drops every connection in TIME-WAIT (FreeBSD's `tcpdrop -s TIME_WAIT`). */
  dropTimeWait(): number {
    let n = 0;
    for (const t of this.connections()) {
      if (t.state === 10) {
        closeTcb(t, undefined, 'TIME-WAIT dropped by administrator');
        n++;
      }
    }
    return n;
  }
}

/** RFC 1191 § 7 plateau table: the next plateau below `mtu` (for ICMP without a next-hop MTU). */
function plateauBelow(mtu: number): number {
  const plateaus = [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68];
  for (const p of plateaus) if (p < mtu) return p;
  return 68;
}
