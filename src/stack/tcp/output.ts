/**
 * Sending: what to put on the wire now (data, SYN, FIN, ACK, RST) and building the segment.
 * Call chain: user send / input / timers → tcpOutput → sendData / sendAck → emit → host.ipSend.
 *
 * Read first:
 * - RFC 9293 § 3.8.6 (managing the window), § 3.8.6.1 (zero-window probing), § 3.8.6.2.1
 *   (sender SWS avoidance = RFC 1122 § 4.2.3.4), § 3.8.6.2.2 (receiver SWS avoidance), § 3.7.4
 *   (Nagle), § 3.10.7.1 (resets for segments to no connection), § 3.7.1 (MSS option).
 * - RFC 5681 § 3 (send no more than min(cwnd, rwnd) beyond SND.UNA), RFC 3042 (limited
 *   transmit), RFC 6675 § 5 (NextSeg and the pipe during SACK recovery).
 * - RFC 7323 § 2.3 (window scaling of the advertised window; never on SYNs), § 3 (TSopt on
 *   every segment once negotiated), RFC 2018 § 4 + RFC 2883 (SACK blocks on ACKs).
 * - RFC 6691 (data per segment = MSS − option bytes).
 */
import { ACK, FIN, PSH, RST, SYN, flagString, newSeg } from './segment.js';
import type { Seg } from './segment.js';
import type { IpSendError } from '../api.js';
import { encodeSegment } from './codec.js';
import { ecnOutgoing, synEcnFlags } from './ecn.js';
import { hystartStart } from './hystart.js';
import { Rack } from './rack.js';
import { reduceOnce } from './recovery.js';
import { seqDiff, seqGe, seqGt, seqLt } from './seqnum.js';
import {
  CLOSE_WAIT,
  CLOSING,
  ESTABLISHED,
  FIN_WAIT_1,
  F_ACK_NOW,
  F_FIN_QUEUED,
  F_HYSTART_DONE,
  F_IN_RECOVERY,
  F_NODELAY,
  F_NOOPT,
  F_PERSIST,
  F_PTO,
  F_RTO_RECOVERY,
  F_RTT_TIMING,
  F_SACK_OK,
  F_TS_OK,
  F_UNDO,
  F_WND_UPDATE,
  F_WS_OK,
  LAST_ACK,
  SYN_RECEIVED,
  SYN_SENT,
  TIME_WAIT,
} from './tcb.js';
import type { Tcb } from './tcb.js';
import { armPersist, armProbe, armRto, cancelDelack } from './timers.js';
import { tlpEligible } from './tlp.js';
import type { TcpLayer } from './layer.js';

/** The scratch segment every emit fills (emission is synchronous). */
const out: Seg = newSeg();

/** TSval now: milliseconds (RFC 7323 § 5.4: 1 ms – 1 s per tick) plus the connection's offset. */
export function tsNow(t: Tcb): number {
  return (Math.floor(t.layer.host.clock.now() / 1_000_000) + t.tsOffset) >>> 0;
}

/** Bytes of options on a non-SYN segment that reduce the data per segment (RFC 6691). */
export function fixedOptionBytes(t: Tcb): number {
  return t.flags & F_TS_OK ? 12 : 0;
}

/**
 * The window to advertise (bytes, unscaled). RFC 9293 § 3.8.6.2.2: the right edge moves right
 * only by at least min(RCV.BUFF / 2, MSS) (receiver SWS avoidance), and never moves left
 * (§ 3.8.6: shrinking the window is strongly discouraged).
 */
export function rcvWindow(t: Tcb): number {
  const buf = t.rcvBufSize;
  let space = buf - t.recvQueued;
  if (space < 0) space = 0;
  let cur = seqDiff(t.rcvAdv, t.rcvNxt);
  if (cur < 0) cur = 0;
  let wnd = cur;
  if (space > cur && space - cur >= Math.min(buf >> 1, t.advMss)) wnd = space;
  const max = t.flags & F_WS_OK ? 65535 << t.rcvScale : 65535; // < 2^31 (shift ≤ 14)
  return wnd > max ? max : wnd;
}

/** Fills the window field of `out` and records the advertised right edge. */
function setWindow(t: Tcb, s: Seg): void {
  const wnd = rcvWindow(t);
  const shift = t.flags & F_WS_OK ? t.rcvScale : 0;
  let field = wnd >>> shift;
  // Round up rather than shrink below what was already advertised (RFC 7323 § 2.4).
  if (field << shift < wnd && (field + 1) << shift <= wnd + (1 << shift)) {
    const cur = seqDiff(t.rcvAdv, t.rcvNxt);
    if (field << shift < cur) field++;
  }
  if (field > 65535) field = 65535;
  s.window = field;
  const edge = (t.rcvNxt + (field << shift)) >>> 0;
  if (seqGt(edge, t.rcvAdv)) t.rcvAdv = edge;
}

function resetOut(t: Tcb): Seg {
  const s = out;
  s.srcPort = t.localPort;
  s.dstPort = t.remotePort;
  s.mss = 0;
  s.wscale = -1;
  s.sackPermitted = false;
  s.sack = null;
  s.urgent = 0;
  if (t.flags & F_TS_OK) {
    s.hasTs = true;
    s.tsVal = tsNow(t);
    s.tsEcr = t.tsRecent;
  } else s.hasTs = false;
  return s;
}

/** SACK blocks for an ACK we send (RFC 2018 § 4, RFC 2883 D-SACK first), consuming the D-SACK. */
function addSack(t: Tcb, s: Seg): void {
  if (!(t.flags & F_SACK_OK)) return;
  const dsack = t.dsackStart !== t.dsackEnd;
  if (!dsack && (t.asm === null || t.asm.empty)) return;
  const max = t.flags & F_TS_OK ? 3 : 4;
  const blocks =
    t.asm === null
      ? [t.dsackStart, t.dsackEnd]
      : t.asm.sackBlocks(max, dsack ? [t.dsackStart, t.dsackEnd] : undefined, t.rcvNxt);
  if (dsack) {
    t.layer.stats.dsackSent++;
    t.dsackStart = t.dsackEnd = 0;
  }
  if (blocks.length > 0) s.sack = blocks;
}

/**
 * Hands one segment to IPv4 and does the bookkeeping every segment shares: stats, trace, and
 * for ACK-carrying segments the delayed-ACK state and Last.ACK.sent (RFC 7323 § 4.3).
 */
function emit(
  t: Tcb,
  s: Seg,
  dataOff: number,
  len: number,
  why: string,
  retransmit: boolean,
): IpSendError | undefined {
  const layer = t.layer;
  if (s.flags & ACK) {
    t.ackPending = 0;
    t.flags &= ~(F_ACK_NOW | F_WND_UPDATE);
    t.lastAckSent = s.ack;
    if (t.delackAt !== 0) cancelDelack(t);
  }
  const ecn = ecnOutgoing(t, s, len, retransmit);
  const pb = encodeSegment(
    s,
    t.localAddr,
    t.remoteAddr,
    len > 0 ? t.sndBuf : null,
    dataOff,
    len,
    layer.host,
  );
  layer.stats.outSegs++;
  t.segsOut++;
  if (len > 0) {
    t.dataSegsOut++;
    t.bytesSent += len;
    t.lastDataSent = layer.host.clock.now();
  }
  if (t.flags & F_IN_RECOVERY) t.prrOut += len; // RFC 6937 prr_out
  if (retransmit) {
    layer.stats.retransSegs++;
    t.totalRetrans++;
    t.bytesRetrans += len;
    if (len > 0 || s.flags & FIN) noteRetransmit(t, s, len);
  }
  if (s.flags & RST) layer.stats.outRsts++;
  const trace = layer.host.trace;
  if (trace.active) {
    trace.emit('tcp.segment-out', layer.host.name, {
      laddr: t.localAddr,
      lport: t.localPort,
      raddr: t.remoteAddr,
      rport: t.remotePort,
      seq: s.seq,
      ack: s.flags & ACK ? s.ack : 0,
      flags: flagString(s.flags),
      len,
      win: s.window,
      why,
    });
  }
  const e = layer.host.ipSend({
    src: t.localAddr,
    dst: t.remoteAddr,
    protocol: 6,
    payload: pb,
    ttl: t.ttl,
    tos: (t.tos & ~3) | ecn,
    dontFragment: true,
    l4ChecksumOk: true,
  });
  if (e !== undefined) layer.onIpSendError(t, e);
  return e;
}

/**
 * Bookkeeping of a data/FIN retransmission for reordering detection and undo: data at or above
 * `rtxHigh` was sent once only; the episode counts retransmitted bytes (RFC 3708 § 3) and keeps
 * the TSval of its first retransmission (RFC 3522 § 2, Linux retrans_stamp).
 */
function noteRetransmit(t: Tcb, s: Seg, len: number): void {
  const end = (s.seq + len + (s.flags & FIN ? 1 : 0)) >>> 0;
  if (seqGt(end, t.rtxHigh)) t.rtxHigh = end;
  if (t.flags & F_UNDO) {
    t.undoRetrans += len > 0 ? len : 1;
    if (t.retransStamp < 0) t.retransStamp = s.hasTs ? s.tsVal : 0;
  }
}

/** DupThresh in use: the reordering degree with SACK, RFC 5681's 3 without. */
/** RACK (RFC 8985 § 6): never-retransmitted data below this sequence number is lost. */
export function rackLostBelow(t: Tcb): number {
  return t.rack !== null && seqGt(t.rack.lostBelow, t.rtxHigh) ? t.rack.lostBelow : t.sndUna;
}

/** RACK says the byte at `seq`, sent once, is lost. */
export function rackLost(t: Tcb, seq: number): boolean {
  return t.rack !== null && seqLt(seq, t.rack.lostBelow) && seqGe(seq, t.rtxHigh);
}

export function dupThresh(t: Tcb): number {
  if (!(t.flags & F_SACK_OK)) return 3;
  const th = t.reordering;
  // RFC 5827 § 3.2 (Early Retransmit, SACK): with fewer than four segments outstanding and no
  // new segment the peer's window lets us send, ER_thresh = outstanding − 1, so the loss in a
  // small flight (a response's tail, after a tail loss probe) is repaired without the RTO.
  if (t.layer.config.earlyRetransmit) {
    const oseg = Math.ceil(seqDiff(t.sndMax, t.sndUna) / t.mss);
    if (oseg >= 2 && oseg < 4) {
      const unsent = t.sendQueued - seqDiff(t.sndMax, t.dataSeq);
      const room = t.sndWnd - seqDiff(t.sndMax, t.sndUna);
      if (unsent <= 0 || room < Math.min(t.mss, unsent)) return Math.min(th, oseg - 1);
    }
  }
  return th;
}

// ───────────────────────────── SYN / SYN-ACK ─────────────────────────────

/** Sends our SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED) with the options of RFC 9293 § 3.7.1, RFC 7323, RFC 2018. */
export function sendSyn(t: Tcb, why: string): void {
  const s = resetOut(t);
  const cfg = t.layer.config;
  const noopt = (t.flags & F_NOOPT) !== 0;
  s.seq = t.iss;
  s.flags = SYN;
  s.ack = 0;
  if (t.state === SYN_RECEIVED) {
    s.flags |= ACK;
    s.ack = t.rcvNxt;
  }
  s.flags |= synEcnFlags(t);
  // RFC 7323 § 2.2: the window field of a SYN is never scaled.
  const space = t.rcvBufSize - t.recvQueued;
  s.window = Math.max(0, Math.min(space, 65535));
  t.rcvAdv = (t.rcvNxt + s.window) >>> 0;
  s.hasTs = false;
  // Optionally fall back to a bare MSS option after repeated SYN losses.
  const dropAfter = cfg.synRtxDropOptions;
  const mssOnly = t.state === SYN_SENT && dropAfter > 0 && t.rtxShift >= dropAfter;
  if (!noopt && mssOnly) s.mss = t.advMss;
  else if (!noopt) {
    s.mss = t.advMss;
    const active = t.state === SYN_SENT;
    // Active open offers what is configured; a SYN-ACK answers only what the peer offered.
    if (active ? cfg.windowScaling : (t.flags & F_WS_OK) !== 0) s.wscale = t.rcvScale;
    if (active ? cfg.sack : (t.flags & F_SACK_OK) !== 0) s.sackPermitted = true;
    if (active ? cfg.timestamps : (t.flags & F_TS_OK) !== 0) {
      s.hasTs = true;
      s.tsVal = tsNow(t);
      s.tsEcr = active ? 0 : t.tsRecent;
    }
  }
  const retransmit = why.startsWith('retransmit');
  if (s.flags & ACK) {
    t.ackPending = 0;
    t.flags &= ~(F_ACK_NOW | F_WND_UPDATE);
    t.lastAckSent = s.ack;
  }
  emitRaw(t, s, why, retransmit);
  if (seqGt((t.iss + 1) >>> 0, t.sndMax)) t.sndMax = (t.iss + 1) >>> 0;
  t.sndNxt = (t.iss + 1) >>> 0;
  if (!retransmit) {
    t.flags |= F_RTT_TIMING;
    t.rttSeq = t.iss;
    t.rttStart = t.layer.host.clock.now();
  }
  armRto(t);
}

function emitRaw(t: Tcb, s: Seg, why: string, retransmit: boolean): void {
  emit(t, s, 0, 0, why, retransmit);
}

// ───────────────────────────── ACK / RST / probes ─────────────────────────────

/** A pure ACK <SEQ=SND.NXT><ACK=RCV.NXT> (RFC 9293 § 3.10.7.4 and § 3.8.6.3). */
export function sendAck(t: Tcb, why: string): void {
  const s = resetOut(t);
  s.seq = t.sndNxt;
  s.ack = t.rcvNxt;
  s.flags = ACK;
  setWindow(t, s);
  addSack(t, s);
  if (why === 'delayed ACK') t.layer.stats.delayedAcks++;
  emit(t, s, 0, 0, why, false);
}

/**
 * RFC 5961 challenge ACK, rate limited for the whole layer (§ 7). Returns false when the limit
 * suppressed it.
 */
export function sendChallengeAck(t: Tcb, why: string): boolean {
  if (!t.layer.challengeAckAllowed()) {
    t.layer.drop('challenge-ack-limit', t);
    return false;
  }
  t.layer.stats.challengeAcks++;
  sendAck(t, `challenge ACK (${why})`);
  return true;
}

/** RST for an established connection we abort: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, window 0. */
export function sendRstFor(t: Tcb, why: string): void {
  const s = resetOut(t);
  s.hasTs = false;
  s.seq = t.sndNxt;
  s.ack = t.rcvNxt;
  s.flags = RST | ACK;
  s.window = 0;
  emit(t, s, 0, 0, why, false);
}

/** Keep-alive probe <SEQ=SND.UNA−1><ACK=RCV.NXT> with no data (RFC 1122 § 4.2.3.6, as Linux). */
export function sendKeepalive(t: Tcb): void {
  const s = resetOut(t);
  s.seq = (t.sndUna - 1) >>> 0;
  s.ack = t.rcvNxt;
  s.flags = ACK;
  setWindow(t, s);
  t.layer.stats.keepaliveProbes++;
  emit(t, s, 0, 0, 'keep-alive probe', false);
}

/**
 * Sends a segment in answer to a segment that has no connection (RFC 9293 § 3.10.7.1): if it
 * had ACK, <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 */
export function sendRstForSegment(
  layer: TcpLayer,
  localAddr: number,
  remoteAddr: number,
  seg: Seg,
  why: string,
): void {
  const s = out;
  s.srcPort = seg.dstPort;
  s.dstPort = seg.srcPort;
  s.mss = 0;
  s.wscale = -1;
  s.sackPermitted = false;
  s.sack = null;
  s.hasTs = false;
  s.window = 0;
  s.urgent = 0;
  if (seg.flags & ACK) {
    s.seq = seg.ack;
    s.ack = 0;
    s.flags = RST;
  } else {
    let len = seg.payload.length;
    if (seg.flags & SYN) len++;
    if (seg.flags & FIN) len++;
    s.seq = 0;
    s.ack = (seg.seq + len) >>> 0;
    s.flags = RST | ACK;
  }
  const pb = encodeSegment(s, localAddr, remoteAddr, null, 0, 0);
  layer.stats.outSegs++;
  layer.stats.outRsts++;
  const trace = layer.host.trace;
  if (trace.active) {
    trace.emit('tcp.segment-out', layer.host.name, {
      laddr: localAddr,
      lport: s.srcPort,
      raddr: remoteAddr,
      rport: s.dstPort,
      seq: s.seq,
      ack: s.ack,
      flags: flagString(s.flags),
      len: 0,
      win: 0,
      why,
    });
  }
  layer.host.ipSend({
    src: localAddr,
    dst: remoteAddr,
    protocol: 6,
    payload: pb,
    ttl: layer.config.ttl,
    dontFragment: true,
    l4ChecksumOk: true,
  });
}

// ───────────────────────────── data ─────────────────────────────

function canSendData(state: number): boolean {
  return (
    state === ESTABLISHED ||
    state === CLOSE_WAIT ||
    state === FIN_WAIT_1 ||
    state === CLOSING ||
    state === LAST_ACK
  );
}

/**
 * Sends one data/FIN segment at `seq` of `len` bytes (FIN when `fin`); updates SND.NXT/SND.MAX,
 * starts RTT timing for new data and the retransmission timer.
 */
function sendDataSegment(
  t: Tcb,
  seq: number,
  len: number,
  fin: boolean,
  why: string,
  probe = false,
): boolean {
  const s = resetOut(t);
  const dataStart = t.dataSeq;
  s.seq = seq;
  s.ack = t.rcvNxt;
  s.flags = ACK;
  const off = seqDiff(seq, dataStart);
  if (len > 0 && off + len === t.sendQueued) s.flags |= PSH;
  if (fin) s.flags |= FIN;
  setWindow(t, s);
  addSack(t, s);
  const retransmit = seqLt(seq, t.sndMax);
  const e = emit(t, s, off, len, why, retransmit);
  if (e === 'queue-full' && !retransmit && t.sndUna !== t.sndMax) {
    // Local congestion: our own device queue refused the segment (Linux tcp_transmit_skb
    // sees NET_XMIT_DROP). It never left, so it is not in flight and not lost: SND.NXT stays,
    // it goes out again when the next ACK opens room, and the window is reduced once.
    t.layer.stats.localCongestion++;
    reduceOnce(t, 'local congestion: the device queue is full (CWR)');
    return false;
  }
  const end = (seq + len + (fin ? 1 : 0)) >>> 0;
  if (len > 0 && len < t.mss) t.smallEnd = end;
  if (seqGt(end, t.sndNxt)) t.sndNxt = end;
  // RACK (RFC 8985 § 6) keeps the send time of every new segment, in sequence order.
  if (!retransmit && seqGt(end, t.sndMax) && t.flags & F_SACK_OK && t.layer.config.rack)
    (t.rack ??= new Rack(t.sndUna)).sent(end, t.layer.host.clock.now());
  if (seqGt(end, t.sndMax)) {
    // HyStart++ (RFC 9406 § 4.2) takes an RTT sample from every ACK of new data in the
    // initial slow start: keep the send times while it runs.
    if (!retransmit && !(t.flags & F_HYSTART_DONE)) {
      const hs = t.hystart ?? hystartStart(t);
      if (hs !== null) hs.sent(end, t.layer.host.clock.now());
    }
    // RFC 6298 § 3 / Karn: time new data only.
    if (!(t.flags & F_RTT_TIMING) && !retransmit) {
      t.flags |= F_RTT_TIMING;
      t.rttSeq = seq;
      t.rttStart = t.layer.host.clock.now();
    }
    t.sndMax = end;
  }
  // A zero-window probe stays under the persist timer (timers.ts re-arms it). After new data
  // the tail loss probe timeout is (re)armed in the RTO's place when allowed (RFC 8985 § 7.2).
  if (!probe) {
    if (!retransmit && tlpEligible(t)) armProbe(t);
    else if (t.rtoAt === 0 || t.flags & (F_PERSIST | F_PTO)) armRto(t);
  }
  return true;
}

/**
 * Sends at most one new segment whatever the congestion window says (sendData with cwnd
 * opened by one MSS for the call): what SACK recovery's NextSeg rule 2 and a tail loss probe
 * need. `force` bypasses Nagle, as for a probe.
 */
function sendOneNew(t: Tcb, force: boolean): boolean {
  const saveCwnd = t.cwnd;
  t.cwnd = seqDiff(t.sndNxt, t.sndUna) + t.mss;
  const sent = sendData(t, force);
  t.cwnd = saveCwnd;
  return sent;
}

/**
 * Up to `n` new segments from SND.NXT (= SND.MAX) whatever the congestion window says, one at
 * a time as sendOneNew (here also whatever limited transmit would add): F-RTO's step 2b
 * (RFC 5682 § 2.1 / § 3.1). Returns how many went out.
 */
export function sendNewSegments(t: Tcb, n: number): number {
  const saveCwnd = t.cwnd;
  let sent = 0;
  while (sent < n && seqGe(t.sndNxt, t.sndMax)) {
    const before = t.sndMax;
    const unsent = t.sendQueued - seqDiff(t.sndNxt, t.dataSeq);
    if (unsent <= 0 || seqDiff(t.sndNxt, t.sndUna) >= t.sndWnd) break;
    t.cwnd = seqDiff(t.sndNxt, t.sndUna) + t.mss - limitedTransmit(t);
    if (!sendData(t, true) || t.sndMax === before) break;
    sent++;
  }
  t.cwnd = saveCwnd;
  return sent;
}

/**
 * The tail loss probe (RFC 8985 § 7.3), when the probe timeout fires: one new segment if the
 * peer's window allows it (the congestion window does not limit a probe), else the last
 * segment sent, again; then the RTO takes over. Its ACK (or SACK) lets the loss be repaired
 * without waiting for the RTO; tlp.ts watches whether it repaired one (§ 7.4).
 */
export function sendProbe(t: Tcb): void {
  if (!canSendData(t.state) || t.sndMax === t.sndUna) return;
  const before = t.sndMax;
  let sentNew = false;
  const unsent = t.sendQueued - seqDiff(t.sndNxt, t.dataSeq);
  if (unsent > 0 && t.sndNxt === t.sndMax && seqDiff(t.sndNxt, t.sndUna) < t.sndWnd)
    sentNew = sendOneNew(t, true) && t.sndMax !== before;
  if (!sentNew) {
    // The highest-sequence segment: the last MSS of data (with the FIN if it was sent).
    const finSent = (t.flags & F_FIN_QUEUED) !== 0 && seqLt(t.sndFin, t.sndMax);
    const dataEnd = finSent ? t.sndFin : t.sndMax;
    const start = seqDiff(dataEnd, t.sndUna) > t.mss ? (dataEnd - t.mss) >>> 0 : t.sndUna;
    retransmitAt(t, start, seqDiff(dataEnd, start), 'tail loss probe (last segment again)');
  }
  t.tlpEnd = t.sndMax;
  t.tlpRetrans = !sentNew;
  t.layer.stats.lossProbes++;
  armRto(t);
}

/**
 * RFC 3042 limited transmit: one extra segment per duplicate ACK for the first two. With SACK,
 * before recovery, the SACKed bytes have left the network and do not count against cwnd (the
 * RFC 6675 pipe; RFC 4653 § 3.3 extended limited transmit, as Linux's packets_in_flight): this
 * keeps the ACK clock running while a raised reordering threshold delays fast retransmit.
 */
function limitedTransmit(t: Tcb): number {
  if (t.flags & (F_IN_RECOVERY | F_RTO_RECOVERY)) return 0;
  const lt = t.dupAcks > 0 && t.dupAcks < 3 ? t.dupAcks * t.mss : 0;
  if (t.sb !== null && t.sb.sacked > lt) return t.sb.sacked;
  return lt;
}

/**
 * Sends new data and retransmissions after an RTO within min(cwnd, rwnd) (RFC 5681 § 3),
 * applying Nagle and sender SWS avoidance (RFC 1122 § 4.2.3.4) to new data. Returns true when
 * a segment went out.
 */
function sendData(t: Tcb, force: boolean): boolean {
  let sent = false;
  const mss = t.mss;
  for (;;) {
    const bufLen = t.sendQueued;
    const dataStart = t.dataSeq;
    let seq = t.sndNxt;
    // After an RTO (go-back-N) skip what the peer SACKed (RFC 6675 § 5.1, RFC 2018 § 8 keeps it).
    if (t.sb !== null && !t.sb.empty && seqLt(seq, t.sndMax)) {
      const skipped = t.sb.skipSacked(seq);
      if (skipped !== seq) {
        seq = skipped;
        t.sndNxt = seq;
      }
    }
    const off = seqDiff(seq, dataStart);
    const avail = bufLen - off;
    const win = Math.min(t.sndWnd, t.cwnd + limitedTransmit(t));
    const usable = win - seqDiff(seq, t.sndUna);
    let len = Math.min(avail, mss, usable);
    if (len < 0) len = 0;
    const retransmit = seqLt(seq, t.sndMax);
    if (retransmit && t.sb !== null && !t.sb.empty) {
      len = Math.min(len, seqDiff(t.sb.nextSackedAbove(seq, t.sndMax), seq));
    }
    // Zero window with nothing in flight: a forced probe sends one octet (RFC 9293 § 3.8.6.1).
    const probe = force && len === 0 && avail > 0 && t.sndWnd === 0 && seq === t.sndUna;
    if (probe) len = 1;
    if (force && len === 0 && avail > 0 && usable > 0) len = Math.min(avail, mss, usable);
    const finQueued = (t.flags & F_FIN_QUEUED) !== 0;
    const fin =
      finQueued && len === avail && seq === (t.sndFin - len) >>> 0 && seqGe(t.sndFin, seq);
    if (len === 0 && !fin) break;
    if (len > 0 && len < mss && !retransmit && !force && !fin) {
      // Nagle (RFC 9293 § 3.7.4, RFC 1122 § 4.2.3.4) with Minshall's modification (as Linux):
      // a short segment waits only while another short segment is unacknowledged.
      // Sender SWS avoidance: or at least half the largest window the peer offered.
      const allQueued = len === avail;
      const idle = t.sndUna === t.sndMax || !seqGt(t.smallEnd, t.sndUna);
      const nagleOk = allQueued && ((t.flags & F_NODELAY) !== 0 || idle);
      const halfWnd = t.maxSndWnd > 0 && len >= t.maxSndWnd >> 1;
      if (!nagleOk && !halfWnd) break;
    }
    let why = 'data';
    if (retransmit) why = t.flags & F_RTO_RECOVERY ? 'retransmit (RTO)' : 'retransmit';
    else if (force && t.sndWnd === 0) why = 'zero-window probe';
    else if (len === 0 && fin) why = 'FIN';
    if (!sendDataSegment(t, seq, len, fin, why, probe)) break;
    sent = true;
    force = false;
    if (probe) break;
    if (fin) break;
  }
  if (seqGe(t.sndNxt, t.sndMax)) t.flags &= ~F_RTO_RECOVERY;
  return sent;
}

/**
 * SACK-based loss recovery transmission (RFC 6675 § 5 steps (C)): while cwnd − pipe ≥ 1 SMSS,
 * send NextSeg(). Falls back to sendData for new data.
 */
function sendRecovery(t: Tcb): boolean {
  const sb = t.sb!;
  const mss = t.mss;
  let sent = false;
  for (let guard = 0; guard < 1000; guard++) {
    const thresh = t.reordering;
    const pipe = sb.pipe(t.sndUna, t.sndMax, t.highRxt, mss, thresh, rackLostBelow(t));
    if (t.cwnd - pipe < mss) break;
    // NextSeg rule (1): the first lost, unSACKed range above HighRxt.
    let seq = seqGt(t.highRxt, t.sndUna) ? t.highRxt : t.sndUna;
    let found = false;
    let rule3 = -1;
    const high = sb.empty ? t.sndUna : sb.highest;
    while (seqLt(seq, high)) {
      seq = sb.skipSacked(seq);
      if (!seqLt(seq, high)) break;
      if (sb.isLost(seq, mss, thresh) || rackLost(t, seq)) {
        found = true;
        break;
      }
      if (rule3 < 0) rule3 = seq;
      seq = sb.nextSackedAbove(seq, high);
    }
    if (found) {
      const end = sb.nextSackedAbove(seq, t.sndMax);
      const len = Math.min(mss, seqDiff(end, seq));
      if (len > 0 || isFinAt(t, seq)) {
        retransmitAt(t, seq, Math.max(len, 0), 'fast retransmit (SACK)');
        sent = true;
        continue;
      }
    }
    // Rule (2): new data, if the receiver's window allows.
    const before = t.sndMax;
    if (seqGe(t.sndNxt, t.sndMax)) {
      // The pipe, not SND.NXT − SND.UNA, limits sending during recovery: allow one segment.
      const ok = sendOneNew(t, false);
      if (ok && t.sndMax !== before) {
        sent = true;
        continue;
      }
    }
    // Rule (3): an unSACKed range below the highest SACKed octet that is not yet lost.
    if (rule3 >= 0 && seqGe(rule3, t.highRxt)) {
      const end = sb.nextSackedAbove(rule3, t.sndMax);
      const len = Math.min(mss, seqDiff(end, rule3));
      if (len > 0) {
        retransmitAt(t, rule3, len, 'retransmit (SACK rule 3)');
        sent = true;
        continue;
      }
    }
    break;
  }
  return sent;
}

function isFinAt(t: Tcb, seq: number): boolean {
  return (t.flags & F_FIN_QUEUED) !== 0 && seq === t.sndFin;
}

/** Retransmits [seq, seq+len) (plus FIN if it sits there) during recovery; advances HighRxt. */
export function retransmitAt(t: Tcb, seq: number, len: number, why: string): void {
  const avail = t.sendQueued - seqDiff(seq, t.dataSeq);
  if (len > avail) len = Math.max(avail, 0);
  const fin =
    (t.flags & F_FIN_QUEUED) !== 0 && (seq + len) >>> 0 === t.sndFin && seqLt(t.sndFin, t.sndMax);
  const s = resetOut(t);
  s.seq = seq;
  s.ack = t.rcvNxt;
  s.flags = ACK | (fin ? FIN : 0);
  setWindow(t, s);
  addSack(t, s);
  emit(t, s, seqDiff(seq, t.dataSeq), len, why, true);
  const end = (seq + len + (fin ? 1 : 0)) >>> 0;
  if (seqGt(end, t.highRxt)) t.highRxt = end;
  // Watch retransmissions during SACK recovery for loss (recovery.ts detectLostRetransmits).
  if (t.flags & F_IN_RECOVERY && t.sb !== null && t.layer.config.lostRetransmitDetection) {
    const log = t.rtxLog ?? (t.rtxLog = []);
    if (log.length < 4 * 256) log.push(seq, end, t.sndMax, t.layer.host.clock.now());
  }
  // Karn (RFC 6298 § 3): a retransmission invalidates a timing that covers it.
  if (t.flags & F_RTT_TIMING && seqGe(t.rttSeq, seq) && seqLt(t.rttSeq, end))
    t.flags &= ~F_RTT_TIMING;
  if (t.rtoAt === 0 || t.flags & F_PTO) armRto(t);
}

/**
 * tcp_output: sends whatever the state, windows and timers allow — data, FIN, retransmissions
 * during recovery, and a pure ACK when one is owed (F_ACK_NOW / window update).
 * `force` is set by the persist timer (RFC 1122 § 4.2.3.4 override timeout / window probe).
 */
export function tcpOutput(t: Tcb, force = false): void {
  const st = t.state;
  if (st === SYN_SENT || st === SYN_RECEIVED) {
    if (t.flags & F_ACK_NOW && st === SYN_RECEIVED) sendAck(t, 'ACK');
    return;
  }
  if (st === TIME_WAIT) {
    if (t.flags & F_ACK_NOW) sendAck(t, 'ACK');
    return;
  }
  if (!canSendData(st)) {
    if (t.flags & F_ACK_NOW) sendAck(t, 'ACK');
    return;
  }
  let sent: boolean;
  if (t.flags & F_IN_RECOVERY && t.sb !== null && t.flags & F_SACK_OK) sent = sendRecovery(t);
  else sent = sendData(t, force);
  if (!sent && t.flags & (F_ACK_NOW | F_WND_UPDATE))
    sendAck(t, t.flags & F_ACK_NOW ? 'ACK' : 'window update');
  // Data waiting but nothing in flight and nothing could go: persist (RFC 9293 § 3.8.6.1,
  // RFC 1122 § 4.2.3.4 override timeout).
  if (t.rtoAt === 0) {
    if (t.sndUna === t.sndMax) {
      if (t.sendQueued > seqDiff(t.sndNxt, t.dataSeq)) armPersist(t);
    } else if (t.sndWnd === 0) armPersist(t);
    else armRto(t); // RFC 6298 (5.1): outstanding data always has a timer
  }
}

/** Sends our (unacknowledged) FIN again with the current ACK, when no data precedes it. */
export function retransmitFin(t: Tcb): void {
  if (!(t.flags & F_FIN_QUEUED) || t.sendQueued > 0 || !seqLt(t.sndFin, t.sndMax)) {
    sendAck(t, 'ACK of FIN');
    return;
  }
  retransmitAt(t, t.sndFin, 0, 'ACK of FIN with our FIN again (CLOSING)');
}

/** Retransmits the first unacknowledged segment (fast retransmit, RFC 5681 § 3.2 step 3). */
export function retransmitFirst(t: Tcb, why: string): void {
  const seq = t.sndUna;
  let len = Math.min(t.mss, t.sendQueued - seqDiff(seq, t.dataSeq));
  if (t.sb !== null && !t.sb.empty)
    len = Math.min(len, seqDiff(t.sb.nextSackedAbove(seq, t.sndMax), seq));
  retransmitAt(t, seq, Math.max(len, 0), why);
}
