/**
 * Reno/NewReno window arithmetic.
 *
 * Read first:
 * - RFC 9293 § 3.8.2 (congestion control: RFC 5681 is normative).
 * - RFC 5681 § 3.1: slow start while cwnd < ssthresh; congestion avoidance adds about one SMSS
 *   per RTT (byte counting: +SMSS each time a cwnd's worth of bytes was acknowledged, RFC 3465);
 *   eq. (4) ssthresh = max(FlightSize / 2, 2·SMSS) on loss; LW = 1·SMSS after a timeout.
 * - RFC 6582 (NewReno): the recovery procedure itself is in recovery.ts.
 */
import type { CcConn, CongestionOps } from './types.js';
import { slowStart } from './types.js';

export const NewReno: CongestionOps = {
  name: 'newreno',
  init(c: CcConn, initialSegments: number): void {
    c.cwnd = initialSegments * c.mss;
    c.bytesAcked = 0;
  },
  onAck(c: CcConn, acked: number): void {
    if (c.cwnd < c.ssthresh) {
      acked = slowStart(c, acked);
      if (acked === 0) return;
    }
    // RFC 5681 § 3.1 congestion avoidance, byte counting.
    c.bytesAcked += acked;
    if (c.bytesAcked >= c.cwnd) {
      c.bytesAcked -= c.cwnd;
      c.cwnd += c.mss;
    }
  },
  onLoss(c: CcConn, flight: number): void {
    c.ssthresh = Math.max(Math.floor(flight / 2), 2 * c.mss); // RFC 5681 eq. (4)
    c.cwnd = c.ssthresh;
    c.bytesAcked = 0;
  },
  onRto(c: CcConn, flight: number): void {
    c.ssthresh = Math.max(Math.floor(flight / 2), 2 * c.mss); // RFC 5681 eq. (4)
    c.cwnd = c.mss; // loss window LW
    c.bytesAcked = 0;
  },
};
