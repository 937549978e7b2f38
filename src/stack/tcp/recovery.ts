/**
 * The sender's side of an incoming ACK: acceptance (RFC 5961 § 5.2), window update, RTT sample,
 * freeing acknowledged data, congestion window growth, duplicate-ACK counting, fast retransmit
 * and fast recovery.
 *
 * Read first:
 * - RFC 9293 § 3.10.7.4 "fifth, check the ACK field" (ESTABLISHED: SND.UNA < SEG.ACK ≤ SND.NXT
 *   advances; SEG.ACK > SND.NXT → send ACK and drop; the SND.WL1/SND.WL2 window-update rule).
 * - RFC 5961 § 5.2: acceptable ACKs lie in [SND.UNA − MAX.SND.WND, SND.NXT]; older ones are
 *   answered with an ACK and dropped.
 * - RFC 6298 § 3 (Karn) and § 5 (5.2)/(5.3) (stop/restart the timer).
 * - RFC 5681 § 2 (duplicate ACK definition), § 3.2 (fast retransmit/fast recovery).
 * - RFC 6582 § 3.2 (NewReno: recover, partial and full ACKs).
 * - RFC 6675 § 5 (SACK-based recovery: DupAcks counts ACKs carrying new SACK information,
 *   entering on DupThresh or IsLost(HighACK + 1), leaving when HighACK ≥ RecoveryPoint).
 * - Reordering: DupThresh is the path's reordering degree in segments, raised when a segment
 *   that was sent once arrives after data above it (SACK), or a retransmission proves spurious
 *   (Linux tp->reordering / tcp_check_sack_reordering; RFC 4653 § 3 on adapting DupThresh;
 *   RFC 6675 § 2 allows DupThresh other than 3).
 * - Spurious retransmissions: RFC 2883 § 4 (recognising a D-SACK block), RFC 3708 § 3 (all
 *   retransmissions of an episode reported as duplicates → the recovery was unnecessary),
 *   RFC 3522 § 2 (Eifel detection: the ACK echoes a TSval older than the first retransmission),
 *   RFC 4015 § 2 (response to a spurious timeout: resume with new data, restore the congestion
 *   state without a burst; its RTO adaptation is left out); the cwnd/ssthresh restore follows Linux's
 *   tcp_undo_cwnd_reduction for fast recovery.
 */
import { rttSample } from './rtt.js';
import { ACK, FIN, SYN } from './segment.js';
import type { Seg } from './segment.js';
import { Scoreboard } from './sack.js';
import { seqDiff, seqGe, seqGt, seqLe, seqLt } from './seqnum.js';
import {
  dupThresh,
  rackLost,
  retransmitAt,
  retransmitFirst,
  sendAck,
  sendChallengeAck,
  tcpOutput,
} from './output.js';
import { ecnQueueCwr } from './ecn.js';
import { frtoDupAck, frtoNewAck, frtoOriginalAcked } from './frto.js';
import { hystartOnAck } from './hystart.js';
import { tlpOnAck } from './tlp.js';
import {
  FRTO_STEP3,
  F_CWR,
  F_IN_RECOVERY,
  F_LOSS,
  F_PERSIST,
  F_RTO_RECOVERY,
  F_RTT_TIMING,
  F_SACK_OK,
  F_SYN_RTX,
  F_TS_OK,
  F_UNDO,
} from './tcb.js';
import type { Tcb } from './tcb.js';
import { armRackTimer, armRto, armRtoOrProbe, stopRto } from './timers.js';

const DUP_THRESH = 3;

/** Takes an RTT sample if the timed segment is acknowledged (RFC 6298 § 3, Karn). */
function sampleRtt(t: Tcb, ack: number): void {
  if (!(t.flags & F_RTT_TIMING) || !seqGt(ack, t.rttSeq)) return;
  t.flags &= ~F_RTT_TIMING;
  const c = t.layer.config;
  rttSample(t, t.layer.host.clock.now() - t.rttStart, c.minRto, c.maxRto);
}

/** RTT sample for the SYN exchange (when the SYN was not retransmitted), then RFC 6298 § 5.7. */
export function handshakeRtt(t: Tcb, ack: number): void {
  sampleRtt(t, ack);
  // RFC 6298 § 5.7: after a SYN timeout the RTO for data starts at 3 s.
  if (t.flags & F_SYN_RTX && t.srtt === 0 && t.rto < 3_000_000_000) t.rto = 3_000_000_000;
}

/** Updates SND.WND from an acceptable segment (RFC 9293 § 3.10.7.4, SND.WL1/SND.WL2). */
export function updateWindow(t: Tcb, seg: Seg): boolean {
  if (seqLt(t.sndWl1, seg.seq) || (t.sndWl1 === seg.seq && seqLe(t.sndWl2, seg.ack))) {
    // RFC 7323 § 2.3: SYN segments carry unscaled windows.
    const wnd = seg.flags & SYN ? seg.window : seg.window << t.sndScale;
    const changed = wnd !== t.sndWnd;
    t.sndWnd = wnd;
    t.sndWl1 = seg.seq;
    t.sndWl2 = seg.ack;
    if (wnd > t.maxSndWnd) t.maxSndWnd = wnd;
    if (wnd > 0 && t.flags & F_PERSIST) {
      // The window reopened: leave persist; a probe octet goes again with the data.
      stopRto(t);
      t.rtxShift = 0;
      t.sndNxt = t.sndUna;
    }
    return changed;
  }
  return false;
}

/**
 * Starts an undoable episode before a congestion response (Linux tcp_init_undo): remembers
 * cwnd and ssthresh (ssthresh at least ¾·cwnd, Linux tcp_current_ssthresh) and SND.UNA.
 */
export function initUndo(t: Tcb): void {
  if (!t.layer.config.undo) {
    t.flags &= ~F_UNDO;
    return;
  }
  t.flags |= F_UNDO;
  t.undoMarker = t.sndUna;
  t.undoRetrans = 0;
  t.retransStamp = -1;
  t.priorCwnd = t.cwnd;
  t.priorSsthresh = Math.max(t.ssthresh, (t.cwnd >> 1) + (t.cwnd >> 2));
  t.undoFack = t.sb !== null && !t.sb.empty ? t.sb.highest : t.sndUna;
}

/**
 * Raises the reordering degree: `low` was delivered after data up to `fack` (Linux
 * tcp_check_sack_reordering), in segments, capped at maxReordering.
 */
function raiseReordering(t: Tcb, low: number, fack: number): void {
  const c = t.layer.config;
  if (c.maxReordering <= 0 || !(t.flags & F_SACK_OK) || !seqLt(low, fack)) return;
  const degree = Math.min(Math.ceil(seqDiff(fack, low) / t.mss), c.maxReordering);
  if (t.rack !== null) t.rack.reorderingSeen = true; // RFC 8985 § 6.2 step 3
  if (degree > t.reordering) {
    t.reordering = degree;
    t.layer.stats.reorderSeen++;
  }
}

/**
 * The episode's retransmissions were unnecessary: restore the congestion state (Linux
 * tcp_undo_cwnd_reduction; for a timeout RFC 4015 § 2) and leave recovery.
 */
function undo(t: Tcb, why: string, ackedNow: number): void {
  const layer = t.layer;
  t.flags &= ~F_UNDO;
  t.frto = 0;
  if (t.flags & F_LOSS) {
    // RFC 4015 § 2: spurious timeout. Resume with new data (no go-back-N), ssthresh back to
    // what it was, cwnd = FlightSize + min(bytes ACKed, IW) so no burst leaves at once.
    layer.stats.lossUndo++;
    layer.stats.spuriousRtos++;
    if (seqLt(t.sndNxt, t.sndMax)) t.sndNxt = t.sndMax;
    t.flags &= ~(F_RTO_RECOVERY | F_LOSS);
    const flight = seqDiff(t.sndMax, t.sndUna);
    const iw = layer.config.initialCwndSegments * t.mss;
    t.cwnd = Math.max(flight + Math.min(ackedNow, iw), 2 * t.mss);
    if (t.priorSsthresh > t.ssthresh) t.ssthresh = t.priorSsthresh;
  } else {
    if (t.priorSsthresh > t.ssthresh) t.ssthresh = t.priorSsthresh;
    if (t.priorCwnd > t.cwnd) t.cwnd = t.priorCwnd;
  }
  if (t.cc.onUndo !== undefined) t.cc.onUndo(t);
  t.bytesAcked = 0;
  if (t.flags & F_IN_RECOVERY) {
    t.flags &= ~F_IN_RECOVERY;
    t.dupAcks = 0;
  }
  t.rtxLog = null;
  // With SACK a new loss in this window may start a new recovery at once (RFC 6675 has no
  // RFC 6582 "recover" guard); NewReno keeps it against dup ACKs of the retransmissions.
  if (t.flags & F_SACK_OK) t.recover = (t.sndUna - 1) >>> 0;
  layer.traceCwnd(t, `undo (${why})`);
}

/**
 * F-RTO found the timeout spurious (RFC 5682 § 2.1 / § 3.1 step 3b). Response (§ 4): RFC 4015's
 * — the undo above — when the episode can be undone; with `undo` off, the reduced window
 * stays but the unacknowledged data is not retransmitted (no go-back-N).
 */
function frtoSpurious(t: Tcb, acked: number): void {
  t.layer.stats.frtoSpurious++;
  if (t.flags & F_UNDO) {
    undo(t, 'F-RTO', acked);
    return;
  }
  t.layer.stats.spuriousRtos++;
  t.frto = 0;
  t.flags &= ~(F_RTO_RECOVERY | F_LOSS);
  if (seqLt(t.sndNxt, t.sndMax)) t.sndNxt = t.sndMax;
  t.layer.traceCwnd(t, 'F-RTO: spurious timeout (no undo)');
}

/** RFC 3522 § 2: the ACK echoes a TSval sent before the episode's first retransmission. */
function ackOfOriginal(t: Tcb, seg: Seg): boolean {
  return (
    (t.flags & F_TS_OK) !== 0 &&
    t.retransStamp >= 0 &&
    seg.hasTs &&
    seg.tsEcr !== 0 &&
    seqLt(seg.tsEcr, t.retransStamp)
  );
}

/** RFC 2883 § 4: the first block reports a duplicate (below the ACK, or inside the second block). */
function dsackBlock(blocks: number[], ack: number): boolean {
  if (blocks.length < 2) return false;
  const s0 = blocks[0];
  const e0 = blocks[1];
  if (!seqLt(s0, e0)) return false;
  if (seqLe(e0, ack)) return true;
  return blocks.length >= 4 && seqGe(s0, blocks[2]) && seqLe(e0, blocks[3]);
}

/** RFC 3708 § 3: a D-SACK for retransmitted data of the episode; all of it → undo. */
function onDsack(t: Tcb, s: number, e: number): void {
  t.layer.stats.dsackRecv++;
  // RFC 8985 § 6.2 step 4: a D-SACK widens RACK's reordering window (by min_RTT / 4 each).
  if (t.rack !== null && t.rack.mult < 16) t.rack.mult++;
  if (!(t.flags & F_UNDO) || t.retransStamp < 0) return;
  if (seqLt(s, t.undoMarker) || seqGt(e, t.rtxHigh)) return;
  t.undoRetrans -= seqDiff(e, s);
  if (t.undoRetrans > 0) return;
  // The retransmissions were all duplicates: the originals had arrived, late, after the data
  // SACKed above them.
  raiseReordering(t, t.undoMarker, t.undoFack);
  t.layer.stats.dsackUndo++;
  undo(t, 'D-SACK', 0);
}

/**
 * A retransmission made during SACK recovery is lost when enough data sent after it has been
 * SACKed (DupThresh segments above what SND.MAX was then; Linux's tcp_mark_lost_retrans, the
 * sequence-ordered form of RFC 8985's rule): send it again rather than wait for the RTO.
 */
function detectLostRetransmits(t: Tcb): void {
  const log = t.rtxLog;
  const sb = t.sb;
  if (log === null || sb === null || sb.empty) return;
  const thresh = t.reordering;
  const rack = t.rack;
  const now = t.layer.host.clock.now();
  const reo = rack !== null ? rack.reoWnd(t, true) : 0;
  for (let i = 0; i < log.length;) {
    const seq = log[i];
    const end = log[i + 1];
    if (seqLe(end, t.sndUna) || sb.covers(seqGt(seq, t.sndUna) ? seq : t.sndUna, end)) {
      log.splice(i, 4);
      continue;
    }
    // Lost by count (DupThresh SACKed above what SND.MAX was) or by time (RFC 8985 § 6.2:
    // data sent after the retransmission was delivered, and an RTT plus the window passed).
    if (
      sb.isLost(log[i + 2], t.mss, thresh) ||
      (rack !== null && rack.retransmissionLost(log[i + 3], now, reo))
    ) {
      log.splice(i, 4);
      t.layer.stats.lostRetransmit++;
      const from = seqGt(seq, t.sndUna) ? seq : t.sndUna;
      const to = sb.nextSackedAbove(from, end);
      retransmitAt(t, from, seqDiff(to, from), 'retransmit (lost retransmission)');
      continue;
    }
    i += 4;
  }
}

/**
 * RFC 8985 § 6.2 steps 4–5 and § 6.3: marks the originals RACK now considers lost and arms
 * the reordering timer for the next one. Returns true when more data became lost.
 */
function rackDetect(t: Tcb): boolean {
  const rack = t.rack;
  if (rack === null) return false;
  const now = t.layer.host.clock.now();
  const moved = rack.detect(now, rack.reoWnd(t, (t.flags & F_IN_RECOVERY) !== 0));
  t.rackAt = rack.nextLossAt;
  if (t.rackAt !== 0) armRackTimer(t);
  return moved;
}

/** The RACK reordering timer fired (RFC 8985 § 6.3): detect again, recover, send. */
export function rackTimeout(t: Tcb): void {
  if (t.rack === null || t.sndUna === t.sndMax) return;
  if (!rackDetect(t)) return;
  if (
    !(t.flags & (F_IN_RECOVERY | F_RTO_RECOVERY)) &&
    t.sb !== null &&
    rackLost(t, t.sndUna) &&
    seqGe(t.sndUna, t.recover)
  ) {
    enterRecovery(t);
  }
  tcpOutput(t);
}

function enterRecovery(t: Tcb): void {
  const layer = t.layer;
  const flight = seqDiff(t.sndMax, t.sndUna);
  initUndo(t);
  t.rtxLog = null;
  // Already reduced in this window (F_CWR: local congestion or ECE): not twice (Linux
  // tcp_enter_recovery skips tcp_init_cwnd_reduction when in CWR).
  if (t.flags & F_CWR) t.flags &= ~F_CWR;
  else {
    t.cc.onLoss(t, flight, layer.host.clock.now());
    ecnQueueCwr(t);
  }
  t.recover = t.sndMax;
  t.flags |= F_IN_RECOVERY;
  t.highRxt = t.sndUna;
  t.tlpEnd = 0; // the probe did its job: recovery takes over (RFC 8985 § 7.4)
  // RFC 6937 § 3: RecoverFS is the flight at the start; the fast retransmit counts in prr_out.
  t.recoverFs = flight;
  t.prrDelivered = 0;
  t.prrOut = 0;
  layer.stats.fastRetrans++;
  if (t.flags & F_SACK_OK && t.sb !== null) {
    layer.stats.sackRecovery++;
    retransmitFirst(t, 'fast retransmit (SACK)');
  } else {
    layer.stats.renoRecovery++;
    retransmitFirst(t, 'fast retransmit');
    t.cwnd = t.ssthresh + DUP_THRESH * t.mss; // RFC 5681 § 3.2 step 3
  }
  layer.traceCwnd(t, 'fast retransmit');
}

/**
 * Proportional Rate Reduction (RFC 6937 § 3), on every ACK of a SACK recovery but the one that
 * ends it: `delivered` bytes left the network (cumulatively ACKed plus newly SACKed). While the
 * pipe is above ssthresh, sending follows ssthresh / RecoverFS of what is delivered (the
 * window comes down smoothly, no burst and no silence); below it, PRR-SSRB grows back at most
 * one MSS more than delivered per ACK (slow-start reduction bound). The result is the cwnd
 * that SACK recovery's "cwnd − pipe ≥ 1 SMSS" test (RFC 6675 § 5) then uses.
 */
function prrOnAck(t: Tcb, delivered: number): void {
  if (!t.layer.config.prr || t.sb === null || t.recoverFs <= 0) return;
  t.prrDelivered += delivered;
  const mss = t.mss;
  const pipe = t.sb.pipe(t.sndUna, t.sndMax, t.highRxt, mss, t.reordering);
  let sndcnt: number;
  if (pipe > t.ssthresh) {
    sndcnt = Math.ceil((t.prrDelivered * t.ssthresh) / t.recoverFs) - t.prrOut;
  } else {
    const limit = Math.max(t.prrDelivered - t.prrOut, delivered) + mss;
    sndcnt = Math.min(t.ssthresh - pipe, limit);
  }
  if (sndcnt < 0) sndcnt = 0;
  t.cwnd = pipe + sndcnt;
}

/**
 * A congestion signal that is not a loss — our own device queue refused a segment (Linux
 * tcp_enter_cwr on NET_XMIT_DROP) or the peer echoed a CE mark (RFC 3168 § 6.1.2): ssthresh
 * and cwnd as for a loss, at most once until the data outstanding now is acknowledged (F_CWR,
 * Linux TCP_CA_CWR; no growth meanwhile), not again inside a recovery; CWR goes out on the
 * next new data segment when ECN is on. Returns true when it reduced the window.
 */
export function reduceOnce(t: Tcb, why: string): boolean {
  if (t.flags & (F_CWR | F_IN_RECOVERY | F_RTO_RECOVERY)) return false;
  const layer = t.layer;
  t.cc.onLoss(t, seqDiff(t.sndMax, t.sndUna), layer.host.clock.now());
  t.flags |= F_CWR;
  t.cwrEnd = t.sndMax;
  ecnQueueCwr(t);
  layer.traceCwnd(t, why);
  return true;
}

/**
 * Processes the ACK field of a segment in a synchronized state. Returns false when the segment
 * must be dropped (an ACK was sent when required).
 */
export function processAck(t: Tcb, seg: Seg): boolean {
  const layer = t.layer;
  const ack = seg.ack;
  if (seqGt(ack, t.sndMax)) {
    // RFC 9293 § 3.10.7.4: acknowledges something not yet sent.
    layer.drop('ack-too-new', t);
    sendAck(t, 'ACK for unsent data');
    return false;
  }
  if (seqLt(ack, (t.sndUna - t.maxSndWnd) >>> 0)) {
    // RFC 5961 § 5.2: too old to be valid.
    layer.drop('ack-too-old', t);
    sendChallengeAck(t, 'old ACK');
    return false;
  }
  const prevWnd = t.sndWnd;
  if (seqGe(ack, t.sndUna)) updateWindow(t, seg);

  let newlySacked = 0;
  // RFC 6937 DeliveredData = change in SND.UNA + change in SACKed bytes (which falls when the
  // cumulative ACK absorbs data SACKed before).
  const sackedBefore = t.sb !== null ? t.sb.sacked : 0;
  // Highest SACKed sequence number before this ACK (RFC 6675 HighSACK; Linux's fack).
  const prevFack = t.sb !== null && !t.sb.empty ? t.sb.highest : t.sndUna;
  if (t.flags & F_SACK_OK && seg.sack !== null) {
    if (t.sb === null) t.sb = new Scoreboard();
    layer.stats.sackBlocksRecv += seg.sack.length >> 1;
    newlySacked = t.sb.update(seg.sack, t.sndUna, t.sndMax);
    // A segment sent once, SACKed below data SACKed before it, arrived out of order.
    if (newlySacked > 0 && seqGe(t.sb.lowNew, t.rtxHigh)) raiseReordering(t, t.sb.lowNew, prevFack);
    // While the episode's first hole is open, remember how far above it data was SACKed.
    if (
      t.flags & F_UNDO &&
      seqLe(t.sndUna, t.undoMarker) &&
      !t.sb.empty &&
      seqGt(t.sb.highest, t.undoFack)
    )
      t.undoFack = t.sb.highest;
    if (dsackBlock(seg.sack, ack)) onDsack(t, seg.sack[0], seg.sack[1]);
  }
  // RFC 8985 § 6.2 steps 1–2: the most recently sent segment this ACK delivered (data sent
  // once only: at or above rtxHigh), for RACK.xmit_ts and RACK.rtt.
  if (t.rack !== null) {
    let hi = seqGt(ack, t.sndUna) ? (ack - 1) >>> 0 : -1;
    if (newlySacked > 0 && t.sb !== null && seqGt(t.sb.highest, prevFack)) {
      const top = (t.sb.highest - 1) >>> 0;
      if (hi === -1 || seqGt(top, hi)) hi = top;
    }
    if (hi !== -1 && seqGe(hi, t.rtxHigh)) t.rack.delivered(hi, layer.host.clock.now());
  }
  // RFC 8985 § 7.4: did the tail loss probe repair a loss (a retransmission ACKed, no D-SACK)?
  if (t.tlpEnd !== 0) {
    const dsack = t.flags & F_SACK_OK && seg.sack !== null && dsackBlock(seg.sack, ack);
    if (tlpOnAck(t, seg, dsack === true)) reduceOnce(t, 'tail loss probe repaired a loss');
  }

  // F-RTO step 3b (RFC 5682 § 2.1 / § 3.1): does the ACK cover never-retransmitted data?
  const frtoOrig = t.frto === FRTO_STEP3 && frtoOriginalAcked(t, ack, newlySacked);

  if (seqGt(ack, t.sndUna)) {
    const acked = seqDiff(ack, t.sndUna);
    const rtxEnd = t.sndNxt; // after an RTO: the end of its retransmission (F-RTO step 2)
    layer.stats.hpAcks++;
    // The hole at SND.UNA, filled by data sent once, arrived after data above it.
    if (seqGt(prevFack, t.sndUna) && seqGe(t.sndUna, t.rtxHigh))
      raiseReordering(t, t.sndUna, prevFack);
    // RFC 3522 § 2 (Eifel detection): this ACK was sent for an original transmission.
    const original = t.flags & F_UNDO && ackOfOriginal(t, seg);
    if (original && t.flags & F_IN_RECOVERY) raiseReordering(t, t.sndUna, prevFack);
    // Data bytes acknowledged (the SYN and FIN occupy sequence space but no buffer).
    let dataAcked = acked;
    if (t.sndUna === t.iss) dataAcked--;
    if (dataAcked > t.sendQueued) dataAcked = t.sendQueued;
    if (dataAcked > 0) t.sndBuf!.consume(dataAcked);
    const now = layer.host.clock.now();
    // RFC 9406 § 4.2 currRTT: the newest segment this ACK covers, if it was sent once (Karn).
    let hsRtt = -1;
    if (t.hystart !== null) {
      hsRtt = t.hystart.ackSample(ack, now);
      if (!seqGe((ack - 1) >>> 0, t.rtxHigh)) hsRtt = -1;
    }
    t.sndUna = ack;
    if (seqLt(t.sndNxt, ack)) t.sndNxt = ack;
    if (seqLt(t.highRxt, ack)) t.highRxt = ack;
    if (seqLt(t.rtxHigh, ack)) t.rtxHigh = ack;
    if (t.sb !== null) t.sb.advance(ack);
    if (t.rack !== null) t.rack.acked(ack);
    sampleRtt(t, ack);
    t.rtxShift = 0;
    let rtoUndone = false;
    if (original && t.flags & F_LOSS) {
      rtoUndone = true;
      // RFC 3522 / RFC 4015: the timeout was spurious. (RFC 4015's RTO adaptation from the
      // echoed TSval is not applied: under ACK loss TS.Recent is stale and the sample inflates
      // SRTT to seconds; the next ACKs sample the RTT as usual.)
      undo(t, 'spurious RTO', acked);
    } else if (
      original &&
      t.flags & F_IN_RECOVERY &&
      (seqGe(ack, t.recover) || seqLe(t.rtxHigh, ack))
    ) {
      // Every retransmission is covered by an ACK of originals: the recovery was unnecessary
      // (Linux tcp_try_undo_recovery / tcp_try_undo_partial).
      if (seqGe(ack, t.recover)) layer.stats.fullUndo++;
      else layer.stats.partialUndoSpurious++;
      undo(t, 'timestamps', acked);
    } else {
      if (t.frto !== 0 && t.flags & F_LOSS && frtoNewAck(t, ack, rtxEnd, frtoOrig)) {
        rtoUndone = true;
        frtoSpurious(t, acked);
      }
      if (t.flags & F_LOSS && seqGe(ack, t.recover)) t.flags &= ~F_LOSS;
    }
    rackDetect(t);
    if (t.flags & F_IN_RECOVERY) {
      if (seqGe(ack, t.recover)) {
        // Full ACK: leave recovery (RFC 6582 § 3.2 step 3, RFC 6675 § 5).
        t.flags &= ~F_IN_RECOVERY;
        t.dupAcks = 0;
        t.rtxLog = null;
        if (t.flags & F_SACK_OK && t.sb !== null) t.cwnd = t.ssthresh;
        else {
          const flight = seqDiff(t.sndMax, t.sndUna);
          t.cwnd = Math.min(t.ssthresh, Math.max(flight, t.mss) + t.mss);
        }
        t.bytesAcked = 0;
        layer.traceCwnd(t, 'recovery done');
      } else {
        layer.stats.partialUndo++;
        if (!(t.flags & F_SACK_OK && t.sb !== null)) {
          // RFC 6582 § 3.2 step 4: partial ACK — retransmit the next hole, deflate cwnd.
          retransmitFirst(t, 'fast retransmit (partial ACK)');
          t.cwnd = t.cwnd - acked + (acked >= t.mss ? t.mss : 0);
          if (t.cwnd < t.mss) t.cwnd = t.mss;
          armRto(t);
        } else {
          detectLostRetransmits(t);
          prrOnAck(t, acked + t.sb.sacked - sackedBefore);
        }
      }
    } else {
      t.dupAcks = 0;
      // Keep `recover` just below SND.UNA so the RFC 6582 test survives sequence wrap.
      if (seqGt(ack, t.recover)) t.recover = (ack - 1) >>> 0;
      // (RFC 4015's cwnd after a spurious timeout already counts this ACK's bytes.)
      // While reduced for local congestion (F_CWR) the window does not grow (Linux CWR).
      if (t.flags & F_CWR && seqGe(ack, t.cwrEnd)) t.flags &= ~F_CWR;
      else if (!rtoUndone && !(t.flags & F_CWR)) {
        // The initial slow start runs under HyStart++ (RFC 9406) while it is on.
        if (t.hystart === null || !hystartOnAck(t, ack, acked, hsRtt, now))
          t.cc.onAck(t, acked, now);
      }
      if (layer.host.trace.active) layer.traceCwnd(t, 'ACK');
      // RACK (RFC 8985 § 6): a hole at SND.UNA left behind data delivered long enough ago
      // starts a recovery, however few duplicate ACKs there were.
      if (
        !(t.flags & F_RTO_RECOVERY) &&
        t.sb !== null &&
        !t.sb.empty &&
        rackLost(t, t.sndUna) &&
        seqGe(ack, t.recover)
      )
        enterRecovery(t);
    }
    // RFC 6298 (5.2)/(5.3)
    if (t.sndUna === t.sndMax) stopRto(t);
    else if (!(t.flags & F_PERSIST)) armRtoOrProbe(t);
    if (dataAcked > 0 && t.user !== null) t.user.onWritable();
    return true;
  }

  // SEG.ACK = SND.UNA (or a little older but acceptable): duplicate ACK accounting.
  if (ack === t.sndUna && t.sndUna !== t.sndMax) {
    const isDup =
      seg.payload.length === 0 &&
      !(seg.flags & (SYN | FIN)) &&
      t.sndWnd === prevWnd &&
      (seg.flags & ACK) !== 0;
    const sackInfo = t.flags & F_SACK_OK && t.sb !== null;
    if (isDup || (sackInfo && newlySacked > 0)) {
      if (t.frto !== 0 && t.flags & F_LOSS && frtoDupAck(t, isDup, frtoOrig)) {
        frtoSpurious(t, 0);
        return true;
      }
      t.dupAcks++;
      const thresh = dupThresh(t);
      if (sackInfo) rackDetect(t);
      if (!(t.flags & F_IN_RECOVERY)) {
        const lost = sackInfo
          ? t.sb!.isLost(t.sndUna, t.mss, thresh) || rackLost(t, t.sndUna)
          : false;
        // RFC 6582 § 3.2 step 2: only if the ACK covers more than `recover`, the highest
        // sequence number sent when the last recovery began (ours holds SND.MAX, one past it:
        // an ACK equal to it covers everything, and a loss just after it must not wait for
        // the RTO).
        if ((t.dupAcks >= thresh || lost) && seqGe(ack, t.recover)) {
          enterRecovery(t);
          if (sackInfo) prrOnAck(t, t.sb!.sacked - sackedBefore);
        }
      } else if (!sackInfo) {
        t.cwnd += t.mss; // RFC 5681 § 3.2 step 4: inflate
      } else {
        detectLostRetransmits(t);
        prrOnAck(t, t.sb!.sacked - sackedBefore);
      }
    }
  }
  return true;
}
