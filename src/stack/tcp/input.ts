/**
 * Segment arrival for an existing connection (RFC 9293 § 3.10.7.3 SYN-SENT and § 3.10.7.4 the
 * other states). Call chain: TcpLayer.input → segmentArrives → synSentInput | otherInput →
 * processAck (recovery.ts) → receiveText → receiveFin → tcpOutput.
 *
 * Read first:
 * - RFC 9293 § 3.10.7.3 (SYN-SENT) and § 3.10.7.4 (first: sequence number acceptability, with
 *   its four cases; second: RST; fourth: SYN; fifth: ACK; seventh: text; eighth: FIN).
 * - RFC 5961 § 3.2 (RST: reset only if SEG.SEQ = RCV.NXT, challenge ACK if in window), § 4.2
 *   (SYN in a synchronized state: challenge ACK), § 5.2 (ACK acceptance), § 7 (rate limit).
 * - RFC 7323 § 5.3 (PAWS: R1 drop segments with an old TSval, R3 update TS.Recent when
 *   SEG.SEQ ≤ Last.ACK.sent), § 3.2 (timestamps on every segment once negotiated).
 * - RFC 1337 § 3 (ignore RST in TIME-WAIT), RFC 6191 / RFC 1122 § 4.2.2.13 (a new SYN may
 *   reopen a TIME-WAIT connection when its sequence number or timestamp is larger).
 * - RFC 5681 § 4.2 and RFC 1122 § 4.2.3.2 (ACK at least every second full segment, immediately
 *   for out-of-order segments and for segments that fill a hole; delayed otherwise).
 * - RFC 2018 § 4 / RFC 2883 (SACK and D-SACK blocks in ACKs).
 */
import { Assembler } from './reassembly.js';
import { ACK, FIN, PSH, RST, SYN } from './segment.js';
import type { Seg } from './segment.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqInWindow, seqLe, seqLt } from './seqnum.js';
import { handshakeRtt, processAck, reduceOnce, updateWindow } from './recovery.js';
import { ecnInput, ecnOnSyn } from './ecn.js';
import {
  fixedOptionBytes,
  retransmitFin,
  sendAck,
  sendChallengeAck,
  sendRstFor,
  sendSyn,
  tcpOutput,
} from './output.js';
import { abortTcb, closeTcb, enterTimeWait, recvBuffer, setState } from './conn.js';
import {
  CLOSED,
  CLOSE_WAIT,
  CLOSING,
  ESTABLISHED,
  FIN_WAIT_1,
  FIN_WAIT_2,
  F_ACK_NOW,
  F_OOO_FIN,
  F_ORPHAN,
  F_PASSIVE,
  F_RCVD_FIN,
  F_SACK_OK,
  F_TS_OK,
  F_WS_OK,
  LAST_ACK,
  SYN_RECEIVED,
  SYN_SENT,
  TIME_WAIT,
} from './tcb.js';
import type { Tcb } from './tcb.js';
import { armDelack, armKeep, armKeepalive, stopRto } from './timers.js';

/** 24 days: TS.Recent older than this is invalid (RFC 7323 § 5.5). */
const PAWS_IDLE = 24 * 24 * 3600 * 1e9;

/** What the layer must do after a segment was handled by a connection. */
export const DONE = 0;
/** The TIME-WAIT connection was closed; hand the SYN to a listener (RFC 6191). */
export const REOPEN = 1;

/** Applies the peer's SYN options (RFC 9293 § 3.7.1, RFC 7323 § 2.2/§ 3.2, RFC 2018 § 2). */
export function applySynOptions(t: Tcb, seg: Seg, weOffered: boolean): void {
  const c = t.layer.config;
  t.peerMss = seg.mss > 0 ? seg.mss : 536; // RFC 9293 § 3.7.1 default
  if (c.windowScaling && seg.wscale >= 0 && weOffered) {
    t.flags |= F_WS_OK;
    t.sndScale = Math.min(seg.wscale, 14); // RFC 7323 § 2.3: larger values are treated as 14
  } else {
    t.flags &= ~F_WS_OK;
    t.sndScale = 0;
    t.rcvScale = 0;
  }
  if (c.sack && seg.sackPermitted && weOffered) t.flags |= F_SACK_OK;
  else t.flags &= ~F_SACK_OK;
  if (c.timestamps && seg.hasTs && weOffered) {
    t.flags |= F_TS_OK;
    t.tsRecent = seg.tsVal;
    t.tsRecentAt = t.layer.host.clock.now();
  } else t.flags &= ~F_TS_OK;
  ecnOnSyn(t, seg);
  updateMss(t);
}

/** Effective send MSS: min(peer MSS, path MTU − 40) less fixed options (RFC 6691, RFC 1191). */
export function updateMss(t: Tcb): void {
  let mss = Math.min(t.peerMss, t.pmtu - 40) - fixedOptionBytes(t);
  if (mss < 8) mss = 8;
  t.mss = mss;
  // Round the receive buffer to whole segments, as FreeBSD's tcp_mss_update does.
  const c = t.layer.config;
  if (c.roundRcvBufToMss && t.rcvBuf === null) {
    const seg = t.advMss - fixedOptionBytes(t);
    if (seg > 0) t.rcvBufSize = Math.ceil(t.rcvBufSize / seg) * seg;
  }
}

function now(t: Tcb): number {
  return t.layer.host.clock.now();
}

/** Entry point for a segment that matched connection `t`. */
export function segmentArrives(t: Tcb, seg: Seg): number {
  t.lastRecv = now(t);
  t.keepProbes = 0;
  t.segsIn++;
  if (seg.payload.length > 0) {
    t.dataSegsIn++;
    t.lastDataRecv = t.lastRecv;
  }
  let r = DONE;
  if (t.state === SYN_SENT) synSentInput(t, seg);
  else r = otherInput(t, seg);
  if (t.state !== CLOSED && r === DONE) tcpOutput(t);
  return r;
}

// ───────────────────────────── SYN-SENT (RFC 9293 § 3.10.7.3) ─────────────────────────────

function synSentInput(t: Tcb, seg: Seg): void {
  const layer = t.layer;
  const f = seg.flags;
  if (f & SYN && f & FIN && layer.config.dropSynFin) {
    layer.drop('syn-fin', t);
    return;
  }
  // first, check the ACK bit
  let ackOk = false;
  if (f & ACK) {
    if (seqLe(seg.ack, t.iss) || seqGt(seg.ack, t.sndMax)) {
      if (!(f & RST)) {
        layer.drop('syn-sent-bad-ack', t);
        layer.sendRstForSeg(t, seg, 'RST for an unacceptable ACK in SYN-SENT');
      } else layer.drop('syn-sent-bad-ack', t);
      return;
    }
    ackOk = true;
  }
  // second, check the RST bit (RFC 5961 § 3.2: only if it acknowledges our SYN)
  if (f & RST) {
    if (ackOk) {
      layer.stats.attemptFails++;
      closeTcb(t, 'ECONNREFUSED', 'RST in SYN-SENT: connection refused');
    } else layer.drop('syn-sent-rst-no-ack', t);
    return;
  }
  // fourth, check the SYN bit
  if (!(f & SYN)) {
    layer.drop('syn-sent-no-syn', t);
    return;
  }
  t.irs = seg.seq;
  t.rcvNxt = seqAdd(seg.seq, 1);
  // The window our SYN offered applies from RCV.NXT on.
  t.rcvAdv = seqAdd(t.rcvNxt, Math.min(t.rcvBufSize, 65535));
  applySynOptions(t, seg, true);
  if (ackOk) {
    // Our SYN is acknowledged: ESTABLISHED.
    t.sndUna = seg.ack;
    handshakeRtt(t, seg.ack);
    t.rtxShift = 0;
    stopRto(t);
    t.sndWnd = seg.window; // RFC 7323 § 2.2: unscaled in a SYN
    t.maxSndWnd = Math.max(t.maxSndWnd, t.sndWnd);
    t.sndWl1 = seg.seq;
    t.sndWl2 = seg.ack;
    t.cc.init(t, layer.config.initialCwndSegments);
    setState(t, ESTABLISHED, 'received SYN-ACK for our SYN');
    // Linux tcp_finish_connect / tcp_create_openreq_child: lastsnd and lastrcv count from here
    t.lastDataSent = t.lastDataRecv = t.lastRecv;
    t.connectDeadline = 0;
    t.keepAt = 0;
    armKeepalive(t);
    t.flags |= F_ACK_NOW;
    if (t.user !== null) t.user.onEstablished();
    if (t.state === CLOSED) return;
    // Data or FIN in the SYN-ACK (RFC 9293 § 3.10.7.3: continue at the sixth step).
    seg.seq = seqAdd(seg.seq, 1);
    seg.flags &= ~SYN;
    if (seg.payload.length > 0 || seg.flags & FIN) {
      receiveText(t, seg);
      if (t.state !== CLOSED) receiveFin(t, seg);
    }
    return;
  }
  // Simultaneous open: SYN-RECEIVED, send SYN,ACK (RFC 9293 § 3.10.7.3, § 3.5 Figure 8).
  t.sndWnd = seg.window;
  t.maxSndWnd = Math.max(t.maxSndWnd, t.sndWnd);
  t.sndWl1 = seg.seq;
  t.sndWl2 = t.iss;
  setState(t, SYN_RECEIVED, 'received SYN in SYN-SENT (simultaneous open)');
  t.rtxShift = 0;
  if (seg.payload.length > 0) {
    // RFC 9293 § 3.10.7.3: text in the SYN is queued until ESTABLISHED (held like
    // out-of-order data, acknowledged only then); a FIN with it is not kept.
    const n = Math.min(seg.payload.length, t.rcvBufSize);
    if (t.asm === null) t.asm = new Assembler(layer.config.maxOooRanges);
    t.asm.add(t.rcvNxt, seqAdd(t.rcvNxt, n));
    recvBuffer(t).writeAt(0, seg.payload, 0, n);
  }
  sendSyn(t, 'SYN-ACK (simultaneous open)');
}

// ───────────────────────────── other states (RFC 9293 § 3.10.7.4) ─────────────────────────────

/**
 * RCV.WND for the acceptability test: what we advertised, or the free receive buffer if that is
 * larger (RFC 9293 § 3.10.7.4 lets a receiver accept what it can hold). An embryonic connection
 * in SYN-RECEIVED has no buffer yet and uses the window of its SYN-ACK.
 */
function recvWindowNow(t: Tcb): number {
  let adv = seqDiff(t.rcvAdv, t.rcvNxt);
  if (adv < 0) adv = 0;
  // Without a receive buffer (an embryonic passive connection, TIME-WAIT) it is the window
  // last advertised.
  if ((t.state === SYN_RECEIVED && t.flags & F_PASSIVE) || t.state === TIME_WAIT) return adv;
  const space = t.rcvBufSize - t.recvQueued;
  return space > adv ? space : adv;
}

function acceptable(t: Tcb, seq: number, len: number, wnd: number): boolean {
  if (len === 0) {
    if (wnd === 0) return seq === t.rcvNxt;
    return seqInWindow(seq, t.rcvNxt, wnd);
  }
  if (wnd === 0) return false;
  return seqInWindow(seq, t.rcvNxt, wnd) || seqInWindow(seqAdd(seq, len - 1), t.rcvNxt, wnd);
}

function otherInput(t: Tcb, seg: Seg): number {
  const layer = t.layer;
  const f = seg.flags;
  const st = t.state;
  const slen = seg.payload.length + (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0);

  // TIME-WAIT: a new SYN may reopen the connection (RFC 6191, RFC 1122 § 4.2.2.13).
  // A SYN carrying FIN is not a connection request and takes the general path.
  if (st === TIME_WAIT && f & SYN && !(f & (ACK | RST | FIN)) && layer.config.timeWaitReuse) {
    const newer =
      t.flags & F_TS_OK && seg.hasTs ? seqGt(seg.tsVal, t.tsRecent) : seqGt(seg.seq, t.rcvNxt);
    if (newer) {
      layer.stats.timeWaitRecycled++;
      closeTcb(t, undefined, 'new SYN reuses the TIME-WAIT connection (RFC 6191)');
      return REOPEN;
    }
  }
  // SYN-RECEIVED after a simultaneous open: the peer's SYN-ACK repeats the SYN we have; its
  // SYN is old and trimmed ("only the new parts are processed"), its ACK completes the handshake.
  if (st === SYN_RECEIVED && f & SYN && f & ACK && !(f & RST) && seg.seq === t.irs) {
    seg.flags &= ~SYN;
    seg.seq = seqAdd(seg.seq, 1);
    return otherInput(t, seg);
  }
  // SYN-RECEIVED: a retransmitted SYN gets the SYN-ACK again.
  if (st === SYN_RECEIVED && f & SYN && !(f & (ACK | RST)) && seg.seq === t.irs) {
    sendSyn(t, 'retransmit SYN-ACK (duplicate SYN)');
    return DONE;
  }

  // RFC 7323 § 5.3 R1 (PAWS); RSTs are exempt, TS.Recent older than 24 days is invalid.
  if (t.flags & F_TS_OK && !(f & RST)) {
    if (seg.hasTs) {
      if (seqLt(seg.tsVal, t.tsRecent) && now(t) - t.tsRecentAt < PAWS_IDLE) {
        layer.stats.pawsEstab++;
        layer.drop('paws', t);
        if (!(f & RST)) sendAck(t, 'ACK for a PAWS-rejected segment');
        return DONE;
      }
    } else if (!layer.config.tolerateMissingTs && st !== SYN_RECEIVED) {
      // RFC 7323 § 3.2: once negotiated, non-RST segments without TSopt are dropped.
      layer.drop('missing-timestamp', t);
      return DONE;
    }
  }

  // first, check sequence number
  const wnd = recvWindowNow(t);
  if (!acceptable(t, seg.seq, slen, wnd)) {
    if (f & RST) {
      layer.drop('rst-out-of-window', t);
      return DONE;
    }
    if (st === SYN_RECEIVED && f & SYN && t.flags & F_PASSIVE) {
      // Handled below as a SYN in SYN-RECEIVED (return to LISTEN).
    } else if (
      layer.config.processOldAcks &&
      !(f & SYN) &&
      f & ACK &&
      st >= ESTABLISHED &&
      seqLt(seg.seq, t.rcvNxt) &&
      seqDiff(t.rcvNxt, seg.seq) <= Math.max(wnd, 1)
    ) {
      // BSD keeps processing the ACK field of a segment just left of the window (TCP/IP
      // Illustrated vol. 2 § 28.8): a dup ACK resynchronizes, the ACK still counts (validated
      // per RFC 5961 § 5.2 in processAck). Its text and FIN are old and dropped.
      return oldSegmentAck(t, seg);
    } else {
      layer.drop('out-of-window', t);
      dsackOld(t, seg);
      // RFC 5961 § 4.2: a SYN gets a challenge ACK (rate limited) even when out of window.
      if (f & SYN && st >= ESTABLISHED) {
        layer.stats.synChallenge++;
        sendChallengeAck(t, 'SYN out of window');
      } else sendAck(t, 'ACK for an unacceptable segment');
      return DONE;
    }
  }

  // second, check the RST bit
  if (f & RST) {
    if (st === TIME_WAIT) {
      // RFC 1337 § 3: ignore RST in TIME-WAIT (TIME-WAIT assassination).
      layer.drop('rst-in-time-wait', t);
      return DONE;
    }
    if (layer.config.rfc5961Rst && seg.seq !== t.rcvNxt) {
      // RFC 5961 § 3.2: in window but not exact: challenge ACK.
      layer.drop('rst-not-exact', t);
      sendChallengeAck(t, 'RST in window');
      return DONE;
    }
    switch (st) {
      case SYN_RECEIVED:
        if (t.flags & F_PASSIVE) {
          // RFC 9293: return to LISTEN (the listener stays; this embryonic connection goes).
          closeTcb(t, undefined, 'RST in SYN-RECEIVED: back to LISTEN');
        } else {
          layer.stats.attemptFails++;
          closeTcb(t, 'ECONNREFUSED', 'RST in SYN-RECEIVED: connection refused');
        }
        return DONE;
      case ESTABLISHED:
      case FIN_WAIT_1:
      case FIN_WAIT_2:
      case CLOSE_WAIT:
        layer.stats.estabResets += st === ESTABLISHED || st === CLOSE_WAIT ? 1 : 0;
        closeTcb(t, 'ECONNRESET', 'connection reset by peer');
        return DONE;
      default:
        // CLOSING, LAST-ACK: RFC 9293 only says "delete the TCB"; the application still
        // holding the socket hears ECONNRESET as on Linux and FreeBSD.
        closeTcb(t, t.user !== null ? 'ECONNRESET' : undefined, 'RST while closing');
        return DONE;
    }
  }

  // fourth, check the SYN bit
  if (f & SYN) {
    if (st === SYN_RECEIVED && t.flags & F_PASSIVE) {
      // RFC 9293 § 3.10.7.4: passive open returns to LISTEN.
      layer.drop('syn-in-syn-received', t);
      closeTcb(t, undefined, 'SYN in SYN-RECEIVED: back to LISTEN');
      return DONE;
    }
    if (layer.config.rfc5961Syn) {
      // RFC 5961 § 4.2: challenge ACK; the peer answers with a RST if it really restarted.
      layer.stats.synChallenge++;
      layer.drop('syn-in-window', t);
      sendChallengeAck(t, 'SYN in window');
      return DONE;
    }
    // RFC 793 behaviour: a SYN in the window is an error; reset the connection. A SYN left of
    // the window (with text or FIN reaching into it) is old: answer with an ACK.
    if (!seqInWindow(seg.seq, t.rcvNxt, wnd)) {
      layer.drop('old-syn', t);
      sendAck(t, 'ACK for an old SYN');
      return DONE;
    }
    sendRstFor(t, 'RST for an in-window SYN (RFC 793)');
    if (st === ESTABLISHED || st === CLOSE_WAIT) layer.stats.estabResets++;
    closeTcb(t, 'ECONNRESET', 'SYN in window');
    return DONE;
  }

  // fifth, check the ACK field
  if (!(f & ACK)) {
    layer.drop('no-ack', t);
    return DONE;
  }
  if (st === SYN_RECEIVED) {
    if (seqLt(t.sndUna, seg.ack) && seqLe(seg.ack, t.sndMax)) {
      handshakeRtt(t, seg.ack);
      t.sndWnd = seg.window << t.sndScale;
      t.maxSndWnd = Math.max(t.maxSndWnd, t.sndWnd);
      t.sndWl1 = seg.seq;
      t.sndWl2 = seg.ack;
      t.cc.init(t, layer.config.initialCwndSegments);
      setState(t, ESTABLISHED, 'ACK of our SYN-ACK');
      // Linux tcp_finish_connect / tcp_create_openreq_child: lastsnd and lastrcv count from here
      t.lastDataSent = t.lastDataRecv = t.lastRecv;
      t.connectDeadline = 0;
      t.keepAt = 0;
      armKeepalive(t);
      layer.established(t);
      if (t.state === CLOSED) return DONE;
      deliverQueued(t);
    } else {
      layer.drop('syn-received-bad-ack', t);
      layer.sendRstForSeg(t, seg, 'RST for an unacceptable ACK in SYN-RECEIVED');
      return DONE;
    }
  }
  const stAfter = t.state;
  // RFC 3168 § 6.1.2–6.1.3: CWR ends our ECE echo, CE starts it; an ECE from the peer reduces
  // our window once (before the ACK is processed, so that it does not grow it).
  if (ecnInput(t, seg) && reduceOnce(t, 'ECN-Echo: congestion marked on the path (CWR)'))
    layer.stats.ecnEceRecv++;
  if (stAfter !== TIME_WAIT) {
    if (!processAck(t, seg)) return DONE;
    if (t.state === CLOSED) return DONE;
  } else {
    if (seqGe(seg.ack, t.sndUna)) updateWindow(t, seg);
    // TIME-WAIT: anything but the peer's in-sequence ACK may be a retransmission of its FIN
    // that lost our ACK: acknowledge (RFC 9293 § 3.10.7.4, TIME-WAIT).
    if (seg.seq !== t.rcvNxt || seg.payload.length > 0) t.flags |= F_ACK_NOW;
  }
  const finWasAcked = t.finAcked;
  switch (t.state) {
    case FIN_WAIT_1:
      if (finWasAcked) {
        setState(t, FIN_WAIT_2, 'our FIN was acknowledged');
        if (t.flags & F_ORPHAN) armKeep(t, now(t) + layer.config.finWait2Timeout);
      }
      break;
    case CLOSING:
      if (finWasAcked) {
        enterTimeWait(t, 'our FIN was acknowledged in CLOSING');
        return DONE;
      }
      break;
    case LAST_ACK:
      if (finWasAcked) {
        closeTcb(t, undefined, 'our FIN was acknowledged in LAST-ACK');
        return DONE;
      }
      break;
  }

  // RFC 7323 § 4.3 R3: TS.Recent from a segment covering Last.ACK.sent.
  if (
    t.flags & F_TS_OK &&
    seg.hasTs &&
    seqLe(seg.seq, t.lastAckSent) &&
    seqGe(seg.tsVal, t.tsRecent)
  ) {
    t.tsRecent = seg.tsVal;
    t.tsRecentAt = now(t);
  }

  // seventh, process the segment text
  if (seg.payload.length > 0) {
    const s = t.state;
    if (s === ESTABLISHED || s === FIN_WAIT_1 || s === FIN_WAIT_2) {
      if (t.flags & F_ORPHAN && t.state !== ESTABLISHED) {
        // Data for a socket the application closed: reset (RFC 9293 § 3.6.1 / RFC 2525 § 2.17).
        layer.stats.abortOnData++;
        abortTcb(t, undefined, 'data received after close', true);
        return DONE;
      }
      receiveText(t, seg);
      if (t.state === CLOSED) return DONE;
    } else {
      // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: the peer already sent FIN; ignore.
      layer.drop('data-after-fin', t);
      if (seqLt(seg.seq, t.rcvNxt)) t.flags |= F_ACK_NOW;
    }
  }

  // eighth, check the FIN bit (receiveText may have turned a held FIN into this one)
  if (seg.flags & FIN) receiveFin(t, seg);
  return DONE;
}

/** Text queued during the handshake becomes in-order once ESTABLISHED. */
function deliverQueued(t: Tcb): void {
  const a = t.asm;
  if (a === null || a.empty || a.ranges[0] !== t.rcvNxt) return;
  const nxt = a.advance(t.rcvNxt);
  t.rcvBuf!.commit(seqDiff(nxt, t.rcvNxt));
  t.rcvNxt = nxt;
  ackPolicy(t, false);
  if (t.user !== null) t.user.onReadable();
}

/** The ACK field of a segment left of the window (see config.processOldAcks). */
function oldSegmentAck(t: Tcb, seg: Seg): number {
  t.layer.drop('old-segment-ack-only', t);
  dsackOld(t, seg);
  const retransmittedFin = seg.flags & FIN && seqAdd(seg.seq, seg.payload.length + 1) === t.rcvNxt;
  seg.payload = EMPTY;
  seg.flags &= ~(FIN | PSH);
  if (t.state === TIME_WAIT) {
    // RFC 9293 § 3.10.7.4: a retransmission of the peer's FIN restarts the 2·MSL timeout.
    if (retransmittedFin && t.flags & F_RCVD_FIN) armKeep(t, now(t) + 2 * t.layer.config.msl);
    sendAck(t, retransmittedFin ? 'ACK of a retransmitted FIN' : 'ACK for an old segment');
    return DONE;
  }
  if (!processAck(t, seg)) return DONE;
  if (t.state === CLOSED) return DONE;
  const acked = t.finAcked;
  if (t.state === FIN_WAIT_1 && acked) setState(t, FIN_WAIT_2, 'our FIN was acknowledged');
  // (the dup ACK below resynchronizes the peer, as BSD does)
  else if (t.state === CLOSING && acked) {
    enterTimeWait(t, 'our FIN was acknowledged in CLOSING');
    return DONE;
  } else if (t.state === LAST_ACK && acked) {
    closeTcb(t, undefined, 'our FIN was acknowledged in LAST-ACK');
    return DONE;
  }
  t.flags |= F_ACK_NOW;
  return DONE;
}

/** Seventh step: in-order data to the user or the buffer, out-of-order data to reassembly. */
function receiveText(t: Tcb, seg: Seg): void {
  const layer = t.layer;
  let data = seg.payload;
  let seq = seg.seq;
  // Trim what we already have (RFC 9293 § 3.10.7.4 "trim"), remembering it for D-SACK.
  if (seqLt(seq, t.rcvNxt)) {
    const dup = Math.min(seqDiff(t.rcvNxt, seq), data.length);
    if (t.flags & F_SACK_OK) {
      t.dsackStart = seq;
      t.dsackEnd = seqAdd(seq, dup);
    }
    data = data.subarray(dup);
    seq = seqAdd(seq, dup);
    t.flags |= F_ACK_NOW;
    if (data.length === 0) {
      layer.drop('duplicate-data', t);
      return;
    }
  }
  // Trim to the window we can hold (RFC 9293 § 3.10.7.4: data beyond the window is dropped).
  const room = t.rcvBufSize - t.recvQueued - seqDiff(seq, t.rcvNxt);
  if (room <= 0) {
    layer.drop('rcv-window-full', t);
    t.flags |= F_ACK_NOW;
    seg.flags &= ~FIN;
    return;
  }
  if (data.length > room) {
    data = data.subarray(0, room);
    seg.flags &= ~FIN;
    layer.drop('rcv-window-trimmed', t);
  }
  if (seq === t.rcvNxt) {
    const hadHoles = t.asm !== null && !t.asm.empty;
    if (hadHoles && t.flags & F_SACK_OK && t.dsackStart === t.dsackEnd) {
      // RFC 2883 § 4: part of this segment duplicates data held out of order.
      const dup = t.asm!.overlap(seq, seqAdd(seq, data.length));
      if (dup !== undefined) {
        t.dsackStart = dup[0];
        t.dsackEnd = dup[1];
      }
    }
    const user = t.user;
    const rb = t.rcvBuf;
    // Fast path: flowing reader, nothing buffered, no reassembly: hand the view over.
    if (
      !hadHoles &&
      user !== null &&
      user.flowing === true &&
      (rb === null || rb.length === 0) &&
      !(t.flags & F_ORPHAN)
    ) {
      t.rcvNxt = seqAdd(t.rcvNxt, data.length);
      ackPolicy(t, false);
      heldFin(t, seg);
      if (!user.onData!(data)) {
        // Not taken: buffer it after all.
        recvBuffer(t).writeAt(0, data, 0, data.length);
        t.rcvBuf!.commit(data.length);
        user.onReadable();
      }
      return;
    }
    const buf = recvBuffer(t);
    buf.writeAt(0, data, 0, data.length);
    let advance = data.length;
    let nxt = seqAdd(t.rcvNxt, data.length);
    if (hadHoles) {
      const a = t.asm!;
      const merged = a.advance(nxt);
      advance += seqDiff(merged, nxt);
      nxt = merged;
    }
    buf.commit(advance);
    t.rcvNxt = nxt;
    ackPolicy(t, hadHoles);
    heldFin(t, seg);
    if (user !== null) user.onReadable();
    return;
  }
  // Out of order: keep it within the window and the range limit, ACK at once (RFC 5681 § 4.2).
  if (t.asm === null) t.asm = new Assembler(layer.config.maxOooRanges);
  const end = seqAdd(seq, data.length);
  const dup = t.flags & F_SACK_OK ? t.asm.overlap(seq, end) : undefined;
  if (!t.asm.add(seq, end)) {
    layer.stats.ofoDrop++;
    layer.drop('ofo-range-limit', t);
    t.flags |= F_ACK_NOW;
    return;
  }
  recvBuffer(t).writeAt(seqDiff(seq, t.rcvNxt), data, 0, data.length);
  layer.stats.ofoQueue++;
  if (dup !== undefined) {
    t.dsackStart = dup[0];
    t.dsackEnd = dup[1];
  }
  if (seg.flags & FIN && data.length === seg.payload.length) {
    t.flags |= F_OOO_FIN;
    t.oooFinSeq = end;
    seg.flags &= ~FIN;
  }
  layer.stats.quickAcks++;
  t.flags |= F_ACK_NOW;
}

const EMPTY = new Uint8Array(0);

/** RFC 2883 § 4.1.1: report a segment that was entirely a duplicate in a D-SACK block. */
function dsackOld(t: Tcb, seg: Seg): void {
  if (!(t.flags & F_SACK_OK) || seg.payload.length === 0) return;
  if (!seqLt(seg.seq, t.rcvNxt)) return;
  t.dsackStart = seg.seq;
  t.dsackEnd = seqAdd(seg.seq, Math.min(seg.payload.length, seqDiff(t.rcvNxt, seg.seq)));
}

/** A FIN held back out of order becomes this segment's FIN once RCV.NXT reaches it. */
function heldFin(t: Tcb, seg: Seg): void {
  if (t.flags & F_OOO_FIN && t.rcvNxt === t.oooFinSeq) {
    t.flags &= ~F_OOO_FIN;
    seg.flags |= FIN;
    seg.seq = t.rcvNxt;
    seg.payload = EMPTY;
  }
}

/** RFC 5681 § 4.2: ACK every second segment at once, fill-a-hole at once, else delay. */
function ackPolicy(t: Tcb, filledHole: boolean): void {
  t.ackPending++;
  const c = t.layer.config;
  if (filledHole || !c.delayedAck || t.ackPending >= 2) {
    if (filledHole) t.layer.stats.quickAcks++;
    t.flags |= F_ACK_NOW;
  } else armDelack(t);
}

/** Eighth step: the FIN (RFC 9293 § 3.10.7.4), once it is in sequence. */
function receiveFin(t: Tcb, seg: Seg): void {
  if (!(seg.flags & FIN)) return;
  const st = t.state;
  if (st === CLOSED || st === SYN_SENT) return;
  const finSeq = seqAdd(seg.seq, seg.payload.length);
  if (t.flags & F_RCVD_FIN) {
    // A retransmitted FIN: ACK it; in TIME-WAIT restart the 2·MSL timeout.
    if (seqLe(finSeq, t.rcvNxt)) {
      t.flags |= F_ACK_NOW;
      if (st === TIME_WAIT) {
        armKeep(t, now(t) + 2 * t.layer.config.msl);
        sendAck(t, 'ACK of a retransmitted FIN');
      }
    }
    return;
  }
  if (finSeq !== t.rcvNxt) {
    if (seqGt(finSeq, t.rcvNxt)) {
      // Out of order FIN: remember it for when the hole is filled; ACK (with SACK) at once.
      t.flags |= F_OOO_FIN | F_ACK_NOW;
      t.oooFinSeq = finSeq;
    }
    return;
  }
  t.rcvNxt = seqAdd(t.rcvNxt, 1);
  // The FIN takes sequence space but no buffer: the window keeps its size (right edge + 1).
  if (seqGe(t.rcvAdv, t.rcvNxt)) t.rcvAdv = seqAdd(t.rcvAdv, 1);
  t.flags |= F_RCVD_FIN | F_ACK_NOW;
  t.flags &= ~F_OOO_FIN;
  // The user hears 'end' before the connection may leave for TIME-WAIT ('close').
  const user = t.user;
  switch (st) {
    case SYN_RECEIVED:
    case ESTABLISHED:
      setState(t, CLOSE_WAIT, 'received FIN');
      if (user !== null) user.onEof();
      break;
    case FIN_WAIT_1:
      if (t.finAcked) {
        sendAck(t, 'ACK of FIN');
        if (user !== null) user.onEof();
        if (t.state === FIN_WAIT_1) enterTimeWait(t, 'received FIN after our FIN was acknowledged');
      } else {
        setState(t, CLOSING, 'received FIN while our FIN is unacknowledged (simultaneous close)');
        // Acknowledge with our FIN again (as BSD's tcp_output does in CLOSING): a retransmission
        // that also repairs a lost FIN at once.
        retransmitFin(t);
        if (user !== null) user.onEof();
      }
      break;
    case FIN_WAIT_2:
      sendAck(t, 'ACK of FIN');
      if (user !== null) user.onEof();
      if (t.state === FIN_WAIT_2) enterTimeWait(t, 'received FIN in FIN-WAIT-2');
      break;
  }
}
