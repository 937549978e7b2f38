/**
 * Round-trip time estimation and the retransmission timeout.
 *
 * Read first:
 * - RFC 9293 § 3.8.1 (retransmission timeout: RFC 6298 is normative).
 * - RFC 6298 § 2 (SRTT, RTTVAR, RTO with α = 1/8, β = 1/4, K = 4; RTO ≥ minRto, ≤ maxRto),
 *   § 3 (Karn's algorithm: no samples from retransmitted segments), § 5 (back-off on expiry).
 *
 * Samples come from one timed segment per window (RFC 6298 § 3: "at least once per RTT"),
 * measured with the simulator clock at nanosecond precision. Times are nanoseconds.
 */
import type { Duration } from '../../sim/time.js';

/** Clock granularity G of RFC 6298 (2.2/2.3): our clock is exact, use 1 ms as Linux's jiffy-free floor. */
const G: Duration = 1_000_000;

export interface RttState {
  srtt: number;
  rttvar: number;
  /** Current RTO before back-off. */
  rto: number;
  /** Latest sample (ns), 0 before the first. */
  lastRtt: number;
  minRtt: number;
}

/** Applies one RTT sample R (RFC 6298 § 2.2 / 2.3); returns the new RTO (unclamped by back-off). */
export function rttSample(s: RttState, r: Duration, minRto: Duration, maxRto: Duration): void {
  if (r < 0) r = 0;
  s.lastRtt = r;
  if (s.minRtt === 0 || r < s.minRtt) s.minRtt = r;
  if (s.srtt === 0 && s.rttvar === 0) {
    // (2.2) first measurement
    s.srtt = r;
    s.rttvar = r / 2;
  } else {
    // (2.3) RTTVAR first, with the old SRTT
    s.rttvar = 0.75 * s.rttvar + 0.25 * Math.abs(s.srtt - r);
    s.srtt = 0.875 * s.srtt + 0.125 * r;
  }
  let rto = s.srtt + Math.max(G, 4 * s.rttvar);
  if (rto < minRto) rto = minRto; // (2.4)
  if (rto > maxRto) rto = maxRto; // (2.5)
  s.rto = Math.round(rto);
}
