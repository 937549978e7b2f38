/**
 * The congestion-control interface: slow start, congestion avoidance and the reaction to loss
 * are pluggable per socket (as Linux's tcp_congestion_ops); loss *detection* and recovery
 * (RFC 5681 fast retransmit, RFC 6582 NewReno, RFC 6675 SACK) live in recovery.ts and call these.
 *
 * Read first: RFC 9293 § 3.8.2, RFC 5681 § 3, RFC 9438 § 4.
 * Units: bytes for windows, nanoseconds for time.
 */
import type { Instant } from '../../../sim/time.js';
import type { CongestionName } from '../config.js';

/** The fields of a connection that congestion control reads and writes. */
export interface CcConn {
  cwnd: number;
  ssthresh: number;
  /** Sender MSS (SMSS). */
  mss: number;
  /** Bytes acknowledged since cwnd last grew in congestion avoidance (RFC 5681 § 3.1, RFC 3465). */
  bytesAcked: number;
  /** Smoothed RTT in ns (0 before the first sample). */
  srtt: number;
  /** Per-connection state of the algorithm (undefined for stateless ones). */
  ccState: unknown;
}

export interface CongestionOps {
  readonly name: CongestionName;
  /** Initial window (RFC 6928 / RFC 5681 § 3.1). */
  init(c: CcConn, initialSegments: number): void;
  /** New data acknowledged outside loss recovery. */
  onAck(c: CcConn, acked: number, now: Instant): void;
  /** Loss detected by duplicate ACKs or SACK: set ssthresh and cwnd for recovery. */
  onLoss(c: CcConn, flight: number, now: Instant): void;
  /** Retransmission timeout (RFC 5681 (4) and LW = 1 segment). */
  onRto(c: CcConn, flight: number, now: Instant): void;
  /** The last reduction was undone (spurious retransmission): restore the algorithm's state. */
  onUndo?(c: CcConn): void;
}

/** RFC 5681 § 3.1 slow start with appropriate byte counting, L = 2·SMSS (RFC 3465 § 2.3). */
export function slowStart(c: CcConn, acked: number): number {
  const inc = Math.min(acked, 2 * c.mss);
  const room = c.ssthresh - c.cwnd;
  if (inc <= room) {
    c.cwnd += inc;
    return 0;
  }
  c.cwnd = Math.max(c.cwnd, c.ssthresh);
  return acked - Math.max(room, 0);
}
