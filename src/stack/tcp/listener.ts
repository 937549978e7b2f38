/**
 * Passive open: a listening endpoint with its SYN queue (connections in SYN-RECEIVED) and accept
 * queue (ESTABLISHED, waiting for accept()), and SYN cookies when the SYN queue is full.
 *
 * Read first:
 * - RFC 9293 § 3.10.7.2 (LISTEN: ignore RST; an ACK gets <SEQ=SEG.ACK><CTL=RST>; a SYN creates
 *   the connection in SYN-RECEIVED and sends <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>).
 * - RFC 4987 § 3.6 (SYN cookies) and § 3.1/3.2 (backlog and SYN-queue exhaustion).
 * - RFC 6528 (ISN), RFC 7323 § 2.2/3.2 and RFC 2018 § 2 (answer only options the peer offered).
 * - Linux's listen(2) semantics: `backlog` bounds the accept queue; a SYN is dropped while the
 *   accept queue is full (ListenDrops), a final ACK is dropped if it would overflow
 *   (ListenOverflows) and the SYN-ACK is retransmitted later.
 */
import type { Ipv4Addr } from '../../wire/addr.js';
import { windowScaleFor } from './config.js';
import { COOKIE_MSS_TABLE, cookieMssIndex } from './isn.js';
import { applySynOptions, updateMss } from './input.js';
import { ACK, FIN, RST, SYN, newSeg } from './segment.js';
import type { Seg } from './segment.js';
import { seqAdd } from './seqnum.js';
import { sendSyn } from './output.js';
import { abortTcb, setState } from './conn.js';
import {
  ESTABLISHED,
  F_KEEPALIVE,
  F_NODELAY,
  F_NOOPT,
  F_PASSIVE,
  F_SACK_OK,
  F_TS_OK,
  F_WS_OK,
  LISTEN,
  SYN_RECEIVED,
  Tcb,
} from './tcb.js';
import type { TcpLayer } from './layer.js';
import { armKeep, armKeepalive } from './timers.js';
import type { CongestionOps } from './congestion/types.js';
import { encodeSegment } from './codec.js';

/** What a listener tells its owner (NetServer or the packetdrill shim). */
export interface ListenerUser {
  /** A connection is ready in the accept queue. */
  onAcceptable(): void;
}

/** Options a listener passes to the connections it creates (inherited socket options). */
export interface ListenerOptions {
  rcvBuf: number;
  sndBuf: number;
  noDelay: boolean;
  keepAlive: boolean;
  noOpt: boolean;
  cc: CongestionOps;
  ttl: number;
  tos: number;
}

export class Listener {
  /** Connections in SYN-RECEIVED that belong to this listener. */
  synQueue = 0;
  readonly acceptQueue: Tcb[] = [];
  user: ListenerUser | null = null;
  closed = false;
  readonly opts: ListenerOptions;

  constructor(
    readonly layer: TcpLayer,
    readonly localAddr: Ipv4Addr,
    readonly localPort: number,
    public backlog: number,
  ) {
    const c = layer.config;
    this.opts = {
      rcvBuf: c.rcvBuf,
      sndBuf: c.sndBuf,
      noDelay: false,
      keepAlive: false,
      noOpt: false,
      cc: layer.defaultCc,
      ttl: c.ttl,
      tos: 0,
    };
  }

  get synQueueLimit(): number {
    return Math.max(this.backlog, this.layer.config.synQueueMin);
  }

  get acceptQueueFull(): boolean {
    return this.acceptQueue.length >= Math.max(this.backlog, 1);
  }

  /** Takes the oldest established connection (accept(2)). */
  accept(): Tcb | undefined {
    const t = this.acceptQueue.shift();
    if (t !== undefined) t.listener = null;
    return t;
  }

  /** A connection of ours left SYN-RECEIVED for ESTABLISHED. */
  established(t: Tcb): void {
    this.synQueue--;
    this.acceptQueue.push(t);
    if (this.user !== null) this.user.onAcceptable();
  }

  /** A connection of ours was deleted before accept(). */
  forget(t: Tcb): void {
    const i = this.acceptQueue.indexOf(t);
    if (i >= 0) this.acceptQueue.splice(i, 1);
    else if (this.synQueue > 0) this.synQueue--;
  }

  /** close() on the listening socket: unaccepted connections are reset (as Linux and BSD do). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.layer.removeListener(this);
    // Embryonic connections vanish silently (as a SYN cache entry would); established ones
    // that were never accepted are reset.
    for (const t of this.layer.connectionsOf(this))
      abortTcb(t, undefined, 'listener closed', false);
    for (const t of this.acceptQueue.splice(0)) {
      t.listener = null;
      abortTcb(t, undefined, 'listener closed before accept', true);
    }
    this.synQueue = 0;
  }
}

/** Configures a new passive connection from the listener and the SYN. */
function newPassive(l: Listener, localAddr: Ipv4Addr, remoteAddr: Ipv4Addr, seg: Seg): Tcb {
  const layer = l.layer;
  const t = new Tcb(layer, localAddr, l.localPort, remoteAddr, seg.srcPort);
  const o = l.opts;
  t.flags |= F_PASSIVE;
  if (o.noDelay) t.flags |= F_NODELAY;
  if (o.keepAlive) t.flags |= F_KEEPALIVE;
  if (o.noOpt) t.flags |= F_NOOPT;
  t.cc = o.cc;
  t.rcvBufSize = o.rcvBuf;
  t.sndBufSize = o.sndBuf;
  t.ttl = o.ttl;
  t.tos = o.tos;
  layer.initPath(t);
  t.rcvScale = windowScaleFor(Math.max(t.rcvBufSize, layer.config.maxBuf));
  t.irs = seg.seq;
  t.rcvNxt = seqAdd(seg.seq, 1);
  t.tsOffset = layer.isnGen.tsOffset(localAddr, l.localPort, remoteAddr, seg.srcPort);
  return t;
}

/** RFC 9293 § 3.10.7.2: a segment for a listener. Returns the new connection for an accepted cookie ACK. */
export function listenInput(
  l: Listener,
  localAddr: Ipv4Addr,
  remoteAddr: Ipv4Addr,
  seg: Seg,
): Tcb | undefined {
  const layer = l.layer;
  const f = seg.flags;
  if (f & RST) {
    layer.drop('rst-to-listener');
    return undefined;
  }
  if (f & ACK) {
    if (!(f & SYN) && layer.config.synCookies) {
      const t = cookieAck(l, localAddr, remoteAddr, seg);
      if (t !== undefined) return t;
    }
    layer.drop('ack-to-listener');
    layer.sendRstForAddrs(localAddr, remoteAddr, seg, 'RST for an ACK to a listener');
    return undefined;
  }
  if (!(f & SYN)) {
    layer.drop('listener-no-syn');
    return undefined;
  }
  if (f & FIN && layer.config.dropSynFin) {
    layer.drop('syn-fin');
    return undefined;
  }
  if (l.acceptQueueFull) {
    layer.stats.listenOverflows++;
    layer.stats.listenDrops++;
    layer.drop('accept-queue-full');
    return undefined;
  }
  if (l.synQueue >= l.synQueueLimit) {
    if (layer.config.synCookies) {
      sendCookieSynAck(l, localAddr, remoteAddr, seg);
      return undefined;
    }
    layer.stats.listenDrops++;
    layer.drop('syn-queue-full');
    return undefined;
  }
  const t = newPassive(l, localAddr, remoteAddr, seg);
  const noopt = (t.flags & F_NOOPT) !== 0;
  applySynOptions(t, seg, !noopt);
  t.iss = layer.isnGen.isn(layer.host.clock.now(), localAddr, l.localPort, remoteAddr, seg.srcPort);
  t.sndUna = t.sndNxt = t.sndMax = t.iss;
  t.recover = t.rtxHigh = t.iss;
  t.sndWnd = seg.window; // RFC 7323 § 2.2: unscaled in a SYN
  t.maxSndWnd = t.sndWnd;
  t.sndWl1 = seg.seq;
  t.sndWl2 = t.iss;
  t.listener = l;
  l.synQueue++;
  layer.stats.passiveOpens++;
  layer.hash(t);
  t.state = LISTEN;
  setState(t, SYN_RECEIVED, 'received SYN on a listening socket');
  t.lastRecv = layer.host.clock.now();
  t.segsIn = 1; // the SYN the connection was made from
  if (layer.config.keepInit > 0) armKeep(t, t.lastRecv + layer.config.keepInit);
  sendSyn(t, 'SYN-ACK');
  // RFC 9293 § 3.10.7.2: "any other control or text should be queued for processing later";
  // data and FIN in a SYN are not kept here (the peer retransmits them).
  return undefined;
}

// ───────────────────────────── SYN cookies (RFC 4987 § 3.6) ─────────────────────────────

/** Low TSval bits carry the peer's window scale (4 bits, 15 = none) and SACK-permitted (1 bit). */
const TS_BITS = 6;
const TS_MASK = (1 << TS_BITS) - 1;

function sendCookieSynAck(l: Listener, localAddr: Ipv4Addr, remoteAddr: Ipv4Addr, seg: Seg): void {
  const layer = l.layer;
  const c = layer.config;
  const route = layer.host.route(remoteAddr);
  const mtu = Math.min(route?.mtu ?? 1500, layer.pmtuFor(remoteAddr));
  const advMss = mtu - 40;
  const peerMss = seg.mss > 0 ? seg.mss : 536;
  const idx = cookieMssIndex(Math.min(peerMss, advMss));
  const now = layer.host.clock.now();
  const cookie = layer.isnGen.cookie(
    now,
    localAddr,
    l.localPort,
    remoteAddr,
    seg.srcPort,
    seg.seq,
    idx,
  );
  const s = newSeg();
  s.srcPort = l.localPort;
  s.dstPort = seg.srcPort;
  s.seq = cookie;
  s.ack = seqAdd(seg.seq, 1);
  s.flags = SYN | ACK;
  s.window = Math.min(l.opts.rcvBuf, 65535);
  s.mss = advMss;
  // Without timestamps there is nowhere to keep window scale and SACK: offer neither.
  if (c.timestamps && seg.hasTs && !l.opts.noOpt) {
    const ws = c.windowScaling && seg.wscale >= 0 ? Math.min(seg.wscale, 14) : 15;
    const sack = c.sack && seg.sackPermitted ? 1 : 0;
    const off = layer.isnGen.tsOffset(localAddr, l.localPort, remoteAddr, seg.srcPort);
    const nowTs = (Math.floor(now / 1_000_000) + off) >>> 0;
    let ts = ((nowTs & ~TS_MASK) | ws | (sack << 4)) >>> 0;
    if (ts > nowTs && ts - nowTs < 64) ts = (ts - (1 << TS_BITS)) >>> 0;
    s.hasTs = true;
    s.tsVal = ts;
    s.tsEcr = seg.tsVal;
    if (ws !== 15) s.wscale = windowScaleFor(Math.max(l.opts.rcvBuf, c.maxBuf));
    s.sackPermitted = sack === 1;
  }
  layer.stats.syncookiesSent++;
  layer.stats.outSegs++;
  layer.traceSegmentOut(localAddr, remoteAddr, s, 0, 'SYN-ACK with SYN cookie (SYN queue full)');
  const pb = encodeSegment(s, localAddr, remoteAddr, null, 0, 0);
  layer.host.ipSend({
    src: localAddr,
    dst: remoteAddr,
    protocol: 6,
    payload: pb,
    ttl: l.opts.ttl,
    dontFragment: true,
    l4ChecksumOk: true,
  });
}

function cookieAck(
  l: Listener,
  localAddr: Ipv4Addr,
  remoteAddr: Ipv4Addr,
  seg: Seg,
): Tcb | undefined {
  const layer = l.layer;
  const c = layer.config;
  const now = layer.host.clock.now();
  const peerIsn = seqAdd(seg.seq, -1);
  const cookie = seqAdd(seg.ack, -1);
  const info = layer.isnGen.checkCookie(
    now,
    localAddr,
    l.localPort,
    remoteAddr,
    seg.srcPort,
    peerIsn,
    cookie,
  );
  if (info === undefined) {
    layer.stats.syncookiesFailed++;
    return undefined;
  }
  if (l.acceptQueueFull) {
    layer.stats.listenOverflows++;
    layer.drop('accept-queue-full');
    return undefined;
  }
  layer.stats.syncookiesRecv++;
  const t = newPassive(l, localAddr, remoteAddr, { ...seg, seq: peerIsn });
  t.peerMss = COOKIE_MSS_TABLE[info.mssIndex];
  if (seg.hasTs && c.timestamps && seg.tsEcr !== 0) {
    const bits = seg.tsEcr & TS_MASK;
    const ws = bits & 15;
    t.flags |= F_TS_OK;
    t.tsRecent = seg.tsVal;
    t.tsRecentAt = now;
    if (ws !== 15) {
      t.flags |= F_WS_OK;
      t.sndScale = ws;
    } else t.rcvScale = 0;
    if (bits & 16) t.flags |= F_SACK_OK;
  } else t.rcvScale = 0;
  updateMss(t);
  t.iss = cookie;
  t.sndUna = t.sndNxt = t.sndMax = seg.ack;
  t.recover = t.rtxHigh = t.sndUna;
  t.sndWnd = seg.window << t.sndScale;
  t.maxSndWnd = t.sndWnd;
  t.sndWl1 = seg.seq;
  t.sndWl2 = seg.ack;
  t.rcvAdv = seqAdd(t.rcvNxt, Math.min(t.rcvBufSize, 65535));
  t.cc.init(t, c.initialCwndSegments);
  layer.stats.passiveOpens++;
  layer.hash(t);
  t.state = LISTEN;
  setState(t, ESTABLISHED, 'ACK carried a valid SYN cookie');
  t.lastRecv = now;
  t.lastDataSent = t.lastDataRecv = now;
  armKeepalive(t);
  t.listener = l;
  l.synQueue++; // established() takes it off again
  l.established(t);
  return t;
}
