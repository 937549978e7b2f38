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
 */
import { rttSample } from './rtt.js';
import { ACK, FIN, SYN } from './segment.js';
import type { Seg } from './segment.js';
import { Scoreboard } from './sack.js';
import { seqDiff, seqGe, seqGt, seqLe, seqLt } from './seqnum.js';
import { retransmitFirst, sendAck, sendChallengeAck } from './output.js';
import { F_IN_RECOVERY, F_PERSIST, F_RTT_TIMING, F_SACK_OK, F_SYN_RTX } from './tcb.js';
import type { Tcb } from './tcb.js';
import { armRto, stopRto } from './timers.js';

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

function enterRecovery(t: Tcb): void {
  const layer = t.layer;
  const flight = seqDiff(t.sndMax, t.sndUna);
  t.cc.onLoss(t, flight, layer.host.clock.now());
  t.recover = t.sndMax;
  t.flags |= F_IN_RECOVERY;
  t.highRxt = t.sndUna;
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
  if (t.flags & F_SACK_OK && seg.sack !== null) {
    if (t.sb === null) t.sb = new Scoreboard();
    layer.stats.sackBlocksRecv += seg.sack.length >> 1;
    newlySacked = t.sb.update(seg.sack, t.sndUna, t.sndMax);
  }

  if (seqGt(ack, t.sndUna)) {
    const acked = seqDiff(ack, t.sndUna);
    layer.stats.hpAcks++;
    // Data bytes acknowledged (the SYN and FIN occupy sequence space but no buffer).
    let dataAcked = acked;
    if (t.sndUna === t.iss) dataAcked--;
    if (dataAcked > t.sendQueued) dataAcked = t.sendQueued;
    if (dataAcked > 0) t.sndBuf!.consume(dataAcked);
    t.sndUna = ack;
    if (seqLt(t.sndNxt, ack)) t.sndNxt = ack;
    if (seqLt(t.highRxt, ack)) t.highRxt = ack;
    if (t.sb !== null) t.sb.advance(ack);
    sampleRtt(t, ack);
    t.rtxShift = 0;
    const now = layer.host.clock.now();
    if (t.flags & F_IN_RECOVERY) {
      if (seqGe(ack, t.recover)) {
        // Full ACK: leave recovery (RFC 6582 § 3.2 step 3, RFC 6675 § 5).
        t.flags &= ~F_IN_RECOVERY;
        t.dupAcks = 0;
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
        }
      }
    } else {
      t.dupAcks = 0;
      // Keep `recover` just below SND.UNA so the RFC 6582 test survives sequence wrap.
      if (seqGt(ack, t.recover)) t.recover = (ack - 1) >>> 0;
      t.cc.onAck(t, acked, now);
      if (layer.host.trace.active) layer.traceCwnd(t, 'ACK');
    }
    // RFC 6298 (5.2)/(5.3)
    if (t.sndUna === t.sndMax) stopRto(t);
    else if (!(t.flags & F_PERSIST)) armRto(t);
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
      t.dupAcks++;
      if (!(t.flags & F_IN_RECOVERY)) {
        const lost = sackInfo ? t.sb!.isLost(t.sndUna, t.mss) : false;
        // RFC 6582 § 3.2 step 2: only if the ACK covers more than `recover`.
        if ((t.dupAcks >= DUP_THRESH || lost) && seqGt(ack, t.recover)) enterRecovery(t);
      } else if (!sackInfo) {
        t.cwnd += t.mss; // RFC 5681 § 3.2 step 4: inflate
      }
    }
  }
  return true;
}
