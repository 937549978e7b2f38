/**
 * RACK: time-based loss detection (RFC 8985 § 6). A segment is lost when a segment sent after
 * it has been delivered (ACKed or SACKed) and more than one RTT plus a reordering window has
 * passed since it was sent — instead of counting duplicate ACKs, which fails when the flight is
 * small (too few ACKs), when reordering raised DupThresh far above the flight, and for lost
 * retransmissions.
 *
 * Read first: RFC 8985 § 6.1 (RACK.xmit_ts / end_seq / rtt: the most recently sent segment
 * delivered), § 6.2 step 4 (the reordering window: 0 until reordering is seen outside
 * recovery, then min_RTT / 4 · multiplier, at most SRTT; the multiplier grows on D-SACK),
 * § 6.2 step 5 (detect loss and arm the reordering timer), § 6.3 (the timer).
 *
 * How it is kept here (one record per new data segment, in sequence order, which for data
 * sent once is also transmission order): the originals' send times are a ring of
 * (end sequence, send time) pairs, so "every original sent at or before T" is a prefix of the
 * sequence space, `lostBelow`: a hole of never-retransmitted data below it is lost. A
 * retransmission's send time is kept with it in `rtxLog` (recovery.ts), and it is lost when
 * data sent after it was delivered and an RTT plus the window has passed. Ambiguous samples
 * (a retransmitted segment's ACK) are not used for RACK.rtt (§ 6.2 step 2), except through
 * the originals sent after the retransmission.
 */
import { seqGt, seqLe, seqLt } from './seqnum.js';
import type { Tcb } from './tcb.js';

/** The originals' (end, send time) ring and the RACK state of one connection. */
export class Rack {
  private ends: number[] = [];
  private times: number[] = [];
  private head = 0;
  /** RACK.xmit_ts and RACK.end_seq (§ 6.1): the most recently sent segment delivered. */
  xmitTs = -1;
  endSeq = 0;
  /** RACK.rtt: the RTT of that delivery. */
  rtt = 0;
  /** Reordering was seen (RACK.reordering_seen); and the D-SACK multiplier of the window. */
  reorderingSeen = false;
  mult = 1;
  /** Never-retransmitted data below this sequence number is lost. */
  lostBelow: number;
  /** When the next original becomes lost (0: none pending): the reordering timer. */
  nextLossAt = 0;

  /** `una`: SND.UNA when RACK starts (nothing below it is in flight). */
  constructor(una: number) {
    this.lostBelow = una;
    this.endSeq = una;
  }

  /** A new data segment [.., end) was sent at `ts` (in sequence order). */
  sent(end: number, ts: number): void {
    this.ends.push(end);
    this.times.push(ts);
  }

  /** SND.UNA moved: forget the originals at or below it. */
  acked(una: number): void {
    let h = this.head;
    while (h < this.ends.length && seqLe(this.ends[h], una)) h++;
    if (h > 256 && h * 2 > this.ends.length) {
      this.ends = this.ends.slice(h);
      this.times = this.times.slice(h);
      h = 0;
    }
    this.head = h;
    if (seqLt(this.lostBelow, una)) this.lostBelow = una;
  }

  /** The send time of the original segment that holds `seq`, or −1. */
  private timeOf(seq: number): number {
    let lo = this.head;
    let hi = this.ends.length - 1;
    if (lo > hi || !seqLt(seq, this.ends[hi])) return -1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqLt(seq, this.ends[mid])) hi = mid;
      else lo = mid + 1;
    }
    return this.times[lo];
  }

  /**
   * Delivery of the original segment holding `seq` (the highest byte newly ACKed or SACKed by an
   * ACK, when it was sent once), observed at `now` (§ 6.2 steps 1–2).
   */
  delivered(seq: number, now: number): void {
    const ts = this.timeOf(seq);
    if (ts < 0) return;
    this.rtt = now - ts;
    if (ts > this.xmitTs || (ts === this.xmitTs && seqGt(seq, this.endSeq))) {
      this.xmitTs = ts;
      this.endSeq = (seq + 1) >>> 0;
    }
  }

  /** The reordering window (§ 6.2 step 4). */
  reoWnd(t: Tcb, inRecovery: boolean): number {
    if (!this.reorderingSeen && inRecovery) return 0;
    const minRtt = t.minRtt > 0 ? t.minRtt : this.rtt;
    // Whole nanoseconds: the timer must fire at or after the instant the segment becomes lost.
    return Math.ceil(Math.min((minRtt / 4) * this.mult, t.srtt > 0 ? t.srtt : Infinity));
  }

  /**
   * § 6.2 step 5 for the originals: every one sent before the RACK segment and more than
   * RACK.rtt + reoWnd ago is lost; returns true when `lostBelow` moved. `nextLossAt` is when
   * the next one would be, for the reordering timer.
   */
  detect(now: number, reoWnd: number): boolean {
    this.nextLossAt = 0;
    if (this.xmitTs < 0) return false;
    const deadline = now - this.rtt - reoWnd;
    const before = this.lostBelow;
    for (let i = this.head; i < this.ends.length; i++) {
      const ts = this.times[i];
      const end = this.ends[i];
      // Sent before the RACK segment (RACK_sent_after in § 6.2).
      if (ts > this.xmitTs || (ts === this.xmitTs && !seqLt(end, this.endSeq))) break;
      if (ts > deadline) {
        this.nextLossAt = Math.ceil(ts + this.rtt + reoWnd);
        break;
      }
      if (seqGt(end, this.lostBelow)) this.lostBelow = end;
    }
    return this.lostBelow !== before;
  }

  /** Is a retransmission sent at `ts` lost (data sent after it delivered, and too long ago)? */
  retransmissionLost(ts: number, now: number, reoWnd: number): boolean {
    return this.xmitTs > ts && now - ts >= this.rtt + reoWnd;
  }

  /** After a timeout everything is resent: start over from SND.UNA. */
  reset(una: number): void {
    this.xmitTs = -1;
    this.endSeq = una;
    this.lostBelow = una;
    this.nextLossAt = 0;
  }
}
