/**
 * CUBIC congestion control.
 *
 * Read first: RFC 9293 § 3.8.2 (congestion control), then RFC 9438 § 4 — W_cubic(t) = C·(t − K)³ + W_max (eq. 1), K = ∛((W_max − cwnd_epoch)/C)
 * (eq. 2), target from W_cubic(t + RTT) clamped to [cwnd, 1.5·cwnd] (§ 4.2), the Reno-friendly
 * estimate W_est with α_cubic = 3(1 − β)/(1 + β) (§ 4.3), multiplicative decrease β = 0.7 (§ 4.6),
 * fast convergence (§ 4.7), timeout (§ 4.8). Slow start as RFC 5681; the initial one runs under
 * HyStart++ (RFC 9406, hystart.ts) by default.
 * Windows are computed in segments (as the RFC writes them) and stored in bytes.
 */
import type { Instant } from '../../../sim/time.js';
import type { CcConn, CongestionOps } from './types.js';
import { slowStart } from './types.js';

const C = 0.4;
const BETA = 0.7;
const ALPHA = (3 * (1 - BETA)) / (1 + BETA);

interface CubicState {
  wMax: number; // segments
  k: number; // seconds
  epochStart: number; // ns, -1 = no epoch
  origin: number; // segments (cwnd_epoch / W_max chosen as origin)
  wEst: number; // segments
  priorWMax: number; // segments, W_max before the last reduction (undo)
}

function state(c: CcConn): CubicState {
  let s = c.ccState as CubicState | undefined;
  if (s === undefined) {
    s = { wMax: 0, k: 0, epochStart: -1, origin: 0, wEst: 0, priorWMax: 0 };
    c.ccState = s;
  }
  return s;
}

function reduce(c: CcConn, s: CubicState): void {
  const w = c.cwnd / c.mss;
  s.priorWMax = s.wMax;
  // § 4.7 fast convergence
  s.wMax = w < s.wMax ? (w * (1 + BETA)) / 2 : w;
  c.ssthresh = Math.max(Math.floor(c.cwnd * BETA), 2 * c.mss); // § 4.6
  s.epochStart = -1;
  c.bytesAcked = 0;
}

export const Cubic: CongestionOps = {
  name: 'cubic',
  init(c: CcConn, initialSegments: number): void {
    c.cwnd = initialSegments * c.mss;
    c.bytesAcked = 0;
    c.ccState = undefined;
  },
  onAck(c: CcConn, acked: number, now: Instant): void {
    if (c.cwnd < c.ssthresh) {
      acked = slowStart(c, acked);
      if (acked === 0) return;
    }
    const s = state(c);
    const mss = c.mss;
    const w = c.cwnd / mss;
    if (s.epochStart < 0) {
      s.epochStart = now;
      if (w < s.wMax) {
        s.k = Math.cbrt((s.wMax - w) / C); // eq. 2
        s.origin = s.wMax;
      } else {
        s.k = 0;
        s.origin = w;
      }
      s.wEst = w;
    }
    const rtt = c.srtt > 0 ? c.srtt / 1e9 : 0.1;
    const t = (now - s.epochStart) / 1e9;
    const wCubicNow = C * (t - s.k) ** 3 + s.origin;
    let target = C * (t + rtt - s.k) ** 3 + s.origin; // § 4.2
    if (target < w) target = w;
    if (target > 1.5 * w) target = 1.5 * w;
    // § 4.3 Reno-friendly region
    s.wEst += ALPHA * (acked / mss / w);
    if (wCubicNow < s.wEst) {
      const next = s.wEst * mss;
      if (next > c.cwnd) c.cwnd = Math.floor(next);
      return;
    }
    // § 4.4 / 4.5: cwnd grows by (target − cwnd)/cwnd per acknowledged segment.
    c.bytesAcked += Math.floor(((target - w) / w) * acked);
    if (c.bytesAcked >= mss) {
      const n = Math.floor(c.bytesAcked / mss);
      c.cwnd += n * mss;
      c.bytesAcked -= n * mss;
    }
  },
  onLoss(c: CcConn): void {
    const s = state(c);
    reduce(c, s);
    c.cwnd = c.ssthresh;
  },
  onRto(c: CcConn): void {
    const s = state(c);
    reduce(c, s);
    c.cwnd = c.mss; // § 4.8
  },
  onUndo(c: CcConn): void {
    // The reduction was spurious: W_max as before it, a new epoch from the restored cwnd.
    const s = state(c);
    s.wMax = Math.max(s.priorWMax, c.cwnd / c.mss);
    s.epochStart = -1;
  },
};
