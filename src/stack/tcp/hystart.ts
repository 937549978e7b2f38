/**
 * HyStart++ (RFC 9406): leave slow start on a rise in delay instead of waiting for the loss a
 * doubling window into a full queue ends in. Per round (one flight) the minimum RTT of the
 * ACKs is compared with the previous round's; a rise of max(4 ms, min(lastRound / 8, 16 ms))
 * moves the sender into Conservative Slow Start (CSS), which grows the window a quarter as
 * fast. If the RTT falls back below the baseline in CSS, the rise was spurious and slow start
 * resumes; after CSS_ROUNDS rounds of CSS, ssthresh = cwnd and congestion avoidance begins.
 *
 * Read first: RFC 9406 § 4.2 (the algorithm: rounds, RTT samples, the CSS entry check, CSS,
 * back to slow start, the end of CSS; HyStart++ for the initial slow start only, while
 * ssthresh is still "arbitrarily high"), § 4.3 (the constants). § 4: it modifies the slow
 * start of any congestion control, so it runs here beside NewReno and CUBIC alike.
 *
 * RTT samples (§ 4.2 "currRTT"): one per ACK that advances SND.UNA past data sent once — the
 * time since the newest segment it acknowledges was sent (Linux's ca_rtt). The send times are
 * kept here while HyStart++ runs (a ring of (end, time) pairs in sequence order, pushed by
 * output.ts for new data); the state is dropped when the initial slow start ends.
 *
 * Choices:
 * - L (the per-ACK increase limit of slow start) stays RFC 3465's 2·SMSS used by slow start
 *   everywhere in this stack (RFC 9406 § 4.3 has L = 8·SMSS without pacing); CSS adds a
 *   quarter of that increase.
 * - A round's end is the ACK that covers windowEnd, SND.NXT when the round began; the ACK that
 *   ends a round still belongs to it (its sample and its check), as in Linux's HyStart.
 * - The round in which CSS began counts as the first of its CSS_ROUNDS.
 */
import { MS } from '../../sim/time.js';
import { seqGe, seqLe } from './seqnum.js';
import { F_HYSTART_DONE } from './tcb.js';
import type { Tcb } from './tcb.js';

// RFC 9406 § 4.3
const MIN_RTT_THRESH = 4 * MS;
const MAX_RTT_THRESH = 16 * MS;
const MIN_RTT_DIVISOR = 8;
const N_RTT_SAMPLE = 8;
const CSS_GROWTH_DIVISOR = 4;
const CSS_ROUNDS = 5;

/** ssthresh before any congestion signal (RFC 5681 § 3.1 "arbitrarily high"). */
export const INITIAL_SSTHRESH = 0x7fffffff;

export class HyStart {
  private ends: number[] = [];
  private times: number[] = [];
  private head = 0;
  /** RFC 9406 § 4.2 variables; Infinity stands for "infinity". */
  windowEnd = 0;
  started = false;
  lastRoundMinRtt = Infinity;
  currentRoundMinRtt = Infinity;
  rttSampleCount = 0;
  /** In CSS: the baseline (finite), else Infinity. */
  cssBaselineMinRtt = Infinity;
  cssRounds = 0;
  /** CSS growth not yet added to cwnd (bytes · CSS_GROWTH_DIVISOR). */
  private cssCarry = 0;

  get inCss(): boolean {
    return this.cssBaselineMinRtt !== Infinity;
  }

  /** A new data segment ending at `end` was sent at `ts`. */
  sent(end: number, ts: number): void {
    this.ends.push(end);
    this.times.push(ts);
  }

  /**
   * SND.UNA moved to `ack`: forgets the segments it covers and returns the RTT of the newest
   * of them (of the one it covers in part for a partial ACK), -1 when none was recorded.
   */
  ackSample(ack: number, now: number): number {
    const ends = this.ends;
    let h = this.head;
    let ts = -1;
    while (h < ends.length && seqLe(ends[h], ack)) ts = this.times[h++];
    if (ts < 0 && h < ends.length) ts = this.times[h];
    if (h === ends.length) {
      ends.length = 0;
      this.times.length = 0;
      h = 0;
    } else if (h > 256 && h * 2 > ends.length) {
      this.ends = ends.slice(h);
      this.times = this.times.slice(h);
      h = 0;
    }
    this.head = h;
    return ts < 0 ? -1 : now - ts;
  }

  /** CSS growth for `inc` bytes of slow-start increase (RFC 9406 § 4.2: inc / CSS_GROWTH_DIVISOR). */
  cssGrowth(inc: number): number {
    this.cssCarry += inc;
    const add = Math.floor(this.cssCarry / CSS_GROWTH_DIVISOR);
    this.cssCarry -= add * CSS_GROWTH_DIVISOR;
    return add;
  }
}

/** Starts HyStart++ for the initial slow start when configured (called as new data goes out). */
export function hystartStart(t: Tcb): HyStart | null {
  if (!t.layer.config.hystart || t.ssthresh !== INITIAL_SSTHRESH) {
    t.flags |= F_HYSTART_DONE;
    return null;
  }
  return (t.hystart = new HyStart());
}

/** The initial slow start is over (a congestion signal, or CSS done): forget the state. */
function finish(t: Tcb): void {
  t.hystart = null;
  t.flags |= F_HYSTART_DONE;
}

/**
 * An ACK advanced SND.UNA to `ack` outside recovery, acknowledging `acked` bytes; `rtt` is
 * its RTT sample (-1: none, e.g. retransmitted data). Grows cwnd as slow start or CSS would
 * and runs the checks of RFC 9406 § 4.2. Returns false when HyStart++ is not (or no longer)
 * in charge: the congestion control's own onAck then applies.
 */
export function hystartOnAck(
  t: Tcb,
  ack: number,
  acked: number,
  rtt: number,
  now: number,
): boolean {
  const hs = t.hystart!;
  // § 4.2: only the initial slow start; any congestion response has set ssthresh.
  if (t.ssthresh !== INITIAL_SSTHRESH || t.cwnd >= t.ssthresh) {
    finish(t);
    return false;
  }
  if (!hs.started) {
    // § 4.2: the first round ends with the ACK of what was in flight when it began.
    hs.started = true;
    hs.windowEnd = t.sndMax;
  }
  if (rtt >= 0) {
    if (rtt < hs.currentRoundMinRtt) hs.currentRoundMinRtt = rtt;
    hs.rttSampleCount++;
  }
  const layer = t.layer;
  const mss = t.mss;
  if (!hs.inCss) {
    // § 4.2: standard slow start, cwnd += min(N, L·SMSS) (the congestion control's slow start).
    t.cc.onAck(t, acked, now);
    if (
      hs.rttSampleCount >= N_RTT_SAMPLE &&
      hs.currentRoundMinRtt !== Infinity &&
      hs.lastRoundMinRtt !== Infinity
    ) {
      // § 4.2: RttThresh = max(MIN_RTT_THRESH, min(lastRoundMinRTT / MIN_RTT_DIVISOR, MAX_RTT_THRESH))
      const thresh = Math.max(
        MIN_RTT_THRESH,
        Math.min(hs.lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH),
      );
      if (hs.currentRoundMinRtt >= hs.lastRoundMinRtt + thresh) {
        // § 4.2: the delay rose: leave slow start for CSS.
        hs.cssBaselineMinRtt = hs.currentRoundMinRtt;
        hs.cssRounds = 0;
        layer.stats.hystartDelayDetect++;
        layer.stats.hystartDelayCwnd += Math.round(t.cwnd / mss);
        layer.traceCwnd(t, 'HyStart++: RTT rose, conservative slow start');
      }
    }
  } else {
    // § 4.2 CSS: cwnd += min(N, L·SMSS) / CSS_GROWTH_DIVISOR.
    t.cwnd += hs.cssGrowth(Math.min(acked, 2 * mss));
    if (hs.rttSampleCount >= N_RTT_SAMPLE && hs.currentRoundMinRtt < hs.cssBaselineMinRtt) {
      // § 4.2: the RTT fell below the baseline: the rise was spurious, slow start again.
      hs.cssBaselineMinRtt = Infinity;
      layer.stats.hystartCssBack++;
      layer.traceCwnd(t, 'HyStart++: RTT fell, slow start again');
    }
  }
  if (seqGe(ack, hs.windowEnd)) {
    // § 4.2: a round ended; the next one ends with the ACK of what is in flight now.
    if (hs.inCss && ++hs.cssRounds >= CSS_ROUNDS) {
      // § 4.2: CSS_ROUNDS rounds of CSS: congestion avoidance from the current window.
      t.ssthresh = t.cwnd;
      layer.stats.hystartExits++;
      layer.traceCwnd(t, 'HyStart++: CSS done, congestion avoidance');
      finish(t);
      return true;
    }
    hs.lastRoundMinRtt = hs.currentRoundMinRtt;
    hs.currentRoundMinRtt = Infinity;
    hs.rttSampleCount = 0;
    hs.windowEnd = t.sndMax;
  }
  return true;
}
