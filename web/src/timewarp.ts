/**
 * Playback time. A visit mixes microsecond LAN hops with millisecond WAN hops and second-long
 * timers: played linearly, the LAN would be invisible and the timers endless. The compressed
 * clock gives every stretch between two moments where something happens on a wire a display
 * duration that grows with the logarithm of its simulated length, so each hop is visible and
 * longer waits still look longer. The mapping is monotonic and piecewise linear both ways; the
 * clock shown to the user is always the simulated time.
 */
export type WarpMode = 'compressed' | 'linear';

export class TimeWarp {
  /** Simulated instants (ns), increasing. */
  private readonly sim: number[];
  /** Display seconds at those instants (at speed 1). */
  private readonly disp: number[];

  constructor(
    moments: readonly number[],
    endT: number,
    readonly mode: WarpMode = 'compressed',
  ) {
    const ts = [...new Set([0, ...moments, endT])].filter((t) => t >= 0).sort((a, b) => a - b);
    this.sim = ts;
    this.disp = new Array<number>(ts.length);
    let d = 0;
    for (let i = 0; i < ts.length; i++) {
      if (i > 0) d += gapSeconds(ts[i] - ts[i - 1], mode);
      this.disp[i] = d;
    }
  }

  /** Display length of the whole run at speed 1 (s). */
  get duration(): number {
    return this.disp[this.disp.length - 1];
  }

  get end(): number {
    return this.sim[this.sim.length - 1];
  }

  toDisplay(t: number): number {
    return interp(this.sim, this.disp, t);
  }

  toSim(d: number): number {
    return interp(this.disp, this.sim, d);
  }
}

function gapSeconds(dt: number, mode: WarpMode): number {
  if (dt <= 0) return 0;
  if (mode === 'linear') return dt / 1e6 / 20; // 1 ms of simulated time = 50 ms at speed 1
  return Math.min(1.2, 0.1 + 0.2 * Math.log10(1 + dt / 1000));
}

/** Piecewise-linear interpolation of y(x) for increasing xs. */
function interp(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 0) return 0;
  if (x <= xs[0]) return ys[0];
  if (x >= xs[n - 1]) return ys[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const span = xs[hi] - xs[lo];
  if (span === 0) return ys[hi];
  return ys[lo] + ((ys[hi] - ys[lo]) * (x - xs[lo])) / span;
}
