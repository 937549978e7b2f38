/**
 * F-RTO: telling a spurious retransmission timeout from a real one without timestamps. After
 * the timeout the first unacknowledged segment is retransmitted as usual; when its ACK comes
 * back, the sender sends two *new* segments instead of going back N. If the next ACK then
 * covers data that was never retransmitted, the originals were delivered — the timeout was
 * spurious (a delay spike, not a loss) and its window reduction is undone; if it is a
 * duplicate ACK, the loss was real and the usual slow-start retransmission continues.
 *
 * Read first: RFC 5682 § 2.1 (the basic algorithm, used without SACK), § 3.1 (the
 * SACK-enhanced version, used with SACK, as Linux's tcp_frto = 2: duplicate ACKs in step 2
 * only update the scoreboard, and in step 3 a SACK block for never-retransmitted data below
 * RecoveryPoint counts as well as a cumulative ACK), § 4 (the response is separate: here
 * RFC 4015's, the undo in recovery.ts, which resumes with new data and restores ssthresh with
 * cwnd = FlightSize + min(bytes ACKed, IW)).
 *
 * Steps (Tcb.frto):
 * 1. At the timeout (frtoOnRto): F-RTO runs unless a fast recovery or an earlier timeout's
 *    conventional recovery is under way (§ 2.1 / § 3.1 step 1, "recover" ≥ SND.UNA); a timeout
 *    that recurs while F-RTO has not decided yet (step 2, § 2.1 step 2 "go to step 1", and
 *    step 3) starts it again, as Linux's tcp_enter_loss does. RecoveryPoint (frtoHigh) is
 *    SND.MAX.
 * 2. FRTO_STEP2, the first ACK that advances SND.UNA: if it covers RecoveryPoint — or, without
 *    SACK, is a duplicate or does not cover all of the retransmission — conventional recovery
 *    (§ 2.1 / § 3.1 step 2a); else up to two new segments go out (step 2b), or conventional
 *    recovery when there is nothing new to send or no window for it.
 * 3. FRTO_STEP3, the next ACK: never-retransmitted data below RecoveryPoint acknowledged
 *    (cumulatively, or with SACK in a block) → spurious (step 3b); otherwise the loss was real:
 *    cwnd ≤ 3·SMSS and retransmission from SND.UNA in slow start (step 3a).
 */
import { sendNewSegments } from './output.js';
import { seqGe, seqGt, seqLt, seqMax, seqMin } from './seqnum.js';
import { FRTO_STEP2, FRTO_STEP3, F_IN_RECOVERY, F_LOSS, F_RTO_RECOVERY, F_SACK_OK } from './tcb.js';
import type { Tcb } from './tcb.js';

/** RFC 5682 § 2.1 / § 3.1 step 1, at a retransmission timeout, before the window is cut. */
export function frtoOnRto(t: Tcb): void {
  const on =
    t.layer.config.frto &&
    !(t.flags & F_IN_RECOVERY) &&
    // Not after an earlier timeout's conventional recovery began — but a timeout that recurs
    // while F-RTO is still deciding starts it again (Linux; a strict reading of step 1 would
    // not restart it in step 3 — measured no different on the netsim cells, see docs/tcp.md).
    (!(t.flags & F_LOSS) || t.frto !== 0);
  t.frto = on ? FRTO_STEP2 : 0;
  if (on) t.frtoHigh = t.sndMax;
}

/**
 * Step 3b's test (RFC 5682 § 2.1 step 3b, § 3.1 step 3b): does this ACK acknowledge data
 * below RecoveryPoint that was never retransmitted — cumulatively (bytes not SACKed before),
 * or in a SACK block? Called before SND.UNA and rtxHigh move, after the scoreboard took the
 * ACK's blocks (`newlySacked` bytes).
 */
export function frtoOriginalAcked(t: Tcb, ack: number, newlySacked: number): boolean {
  const high = t.frtoHigh;
  if (seqGt(ack, t.sndUna)) {
    const from = seqMax(t.sndUna, t.rtxHigh);
    const to = seqMin(ack, high);
    if (seqLt(from, to) && !(t.sb !== null && t.sb.covers(from, to))) return true;
  }
  const sb = t.sb;
  return (
    newlySacked > 0 &&
    sb !== null &&
    (t.flags & F_SACK_OK) !== 0 &&
    seqGe(sb.lowNew, t.rtxHigh) &&
    seqLt(sb.lowNew, high)
  );
}

/** Leave F-RTO for the conventional RTO recovery (RFC 5681 slow start from SND.UNA). */
function conventional(t: Tcb, step3: boolean): void {
  t.frto = 0;
  if (!step3) return; // step 2a: the go-back-N that started at the timeout simply continues
  // Step 3a: cwnd no more than 3·SMSS, retransmit the unacknowledged segments in slow start.
  if (t.cwnd > 3 * t.mss) t.cwnd = 3 * t.mss;
  t.sndNxt = t.sndUna;
  t.flags |= F_RTO_RECOVERY;
  t.layer.traceCwnd(t, 'F-RTO: the timeout was real');
}

/**
 * An ACK that advanced SND.UNA (already moved to `ack`; the RTO retransmission ended at
 * `rtxEnd`, SND.NXT before the ACK) while F-RTO runs. `original`: frtoOriginalAcked before
 * the ACK was applied. Returns true when the timeout is now known to be spurious (step 3b):
 * the caller applies the response.
 */
export function frtoNewAck(t: Tcb, ack: number, rtxEnd: number, original: boolean): boolean {
  if (t.frto === FRTO_STEP3) {
    if (original) return true; // step 3b
    conventional(t, true); // step 3a: only data sent after the timeout was acknowledged
    return false;
  }
  // Step 2: the first ACK after the retransmission. RecoveryPoint = the highest sequence
  // number sent so far (nothing new went out since the timeout).
  t.frtoHigh = t.sndMax;
  const sack = (t.flags & F_SACK_OK) !== 0;
  if (seqGe(ack, t.frtoHigh) || (!sack && seqLt(ack, rtxEnd))) {
    conventional(t, false); // step 2a
    return false;
  }
  // Step 2b: up to two previously unsent segments instead of more retransmissions.
  const saveNxt = t.sndNxt;
  t.sndNxt = t.sndMax;
  if (sendNewSegments(t, 2) === 0) {
    // Nothing new to send, or no window for it: conventional recovery (§ 2.1 / § 3.1 step 2b).
    t.sndNxt = saveNxt;
    conventional(t, false);
    return false;
  }
  t.flags &= ~F_RTO_RECOVERY;
  t.frto = FRTO_STEP3;
  t.layer.traceCwnd(t, 'F-RTO: new data after the retransmission');
  return false;
}

/**
 * A duplicate ACK, or one with new SACK information, while F-RTO runs. Returns true when the
 * timeout is known to be spurious (§ 3.1 step 3b: a SACK block for an original).
 */
export function frtoDupAck(t: Tcb, isDup: boolean, original: boolean): boolean {
  const sack = (t.flags & F_SACK_OK) !== 0;
  if (t.frto === FRTO_STEP2) {
    // § 2.1 step 2a: a duplicate ACK means loss; § 3.1 step 2: with SACK it only updates the
    // scoreboard and the sender keeps waiting for the retransmission's ACK.
    if (!sack && isDup) conventional(t, false);
    return false;
  }
  if (original) return true; // § 3.1 step 3b
  if (isDup || sack) conventional(t, true); // step 3a
  return false;
}
