/**
 * Units in topology files: bandwidths ("100Mbit", "1Gbps", "10 kbit/s", or a number of bit/s),
 * durations ("5ms", "100us", "1.5s", "250ns"; 0 may be written without a unit), probabilities
 * ("1%", "0.5 %", or a number in [0, 1]) and byte sizes ("1500", "64KiB").
 *
 * Bandwidth suffixes all mean bits: "Mbit" and "Mbps" are the same thing here (tc reads "mbps"
 * as megabytes per second; topology authors almost never mean that). Decimal multipliers
 * (k = 10^3, M = 10^6, G = 10^9), as network line rates are decimal.
 */
import { MS, NS, SECOND, US } from '../sim/time.js';

export type UnitResult = { ok: true; value: number } | { ok: false; message: string };

const BW = /^([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtT]?)(bit|bps|b\/s|bit\/s)?$/;
const BW_MULT: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  m: 1e6,
  M: 1e6,
  g: 1e9,
  G: 1e9,
  t: 1e12,
  T: 1e12,
};

export function parseBandwidth(v: unknown): UnitResult {
  if (typeof v === 'number') {
    return v > 0 && Number.isFinite(v)
      ? { ok: true, value: v }
      : { ok: false, message: `bandwidth must be positive, got ${v}` };
  }
  if (typeof v !== 'string')
    return { ok: false, message: 'bandwidth must be a number of bit/s or a string like "100Mbit"' };
  const s = v.trim();
  if (s === 'unlimited' || s === 'infinite') return { ok: true, value: Infinity };
  const m = BW.exec(s);
  if (m === null) {
    return { ok: false, message: `"${v}" is not a bandwidth (like "100Mbit", "1Gbit", "10kbps")` };
  }
  const value = Number(m[1]) * BW_MULT[m[2]];
  if (!(value > 0)) return { ok: false, message: `bandwidth must be positive, got "${v}"` };
  return { ok: true, value };
}

const DUR = /^([0-9]+(?:\.[0-9]+)?)\s*(ns|us|µs|ms|s|m|min)?$/;
const DUR_MULT: Record<string, number> = {
  ns: NS,
  us: US,
  µs: US,
  ms: MS,
  s: SECOND,
  m: 60 * SECOND,
  min: 60 * SECOND,
};

/** Returns nanoseconds (rounded). */
export function parseDuration(v: unknown): UnitResult {
  if (v === 0 || v === '0') return { ok: true, value: 0 };
  if (typeof v !== 'string') {
    return {
      ok: false,
      message: `a duration needs a unit, like "5ms", "100us" or "1s"${typeof v === 'number' ? ` (got the bare number ${v})` : ''}`,
    };
  }
  const m = DUR.exec(v.trim());
  if (m === null || m[2] === undefined)
    return { ok: false, message: `"${v}" is not a duration (like "5ms", "100us", "1.5s")` };
  return { ok: true, value: Math.round(Number(m[1]) * DUR_MULT[m[2]]) };
}

/** Returns a probability in [0, 1]. */
export function parseProbability(v: unknown): UnitResult {
  let p: number;
  if (typeof v === 'number') p = v;
  else if (typeof v === 'string') {
    const m = /^([0-9]+(?:\.[0-9]+)?)\s*%$/.exec(v.trim());
    if (m === null) {
      const n = Number(v.trim());
      if (v.trim() === '' || Number.isNaN(n))
        return { ok: false, message: `"${v}" is not a probability (like "1%" or 0.01)` };
      p = n;
    } else p = Number(m[1]) / 100;
  } else
    return { ok: false, message: 'a probability is a number in [0, 1] or a percentage like "1%"' };
  if (!(p >= 0 && p <= 1))
    return { ok: false, message: `probability ${String(v)} is outside [0, 1] (0% to 100%)` };
  return { ok: true, value: p };
}

/** Non-negative integer (frames, bytes, counts). */
export function parseCount(v: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): UnitResult {
  if (typeof v !== 'number' || !Number.isInteger(v))
    return { ok: false, message: `expected a whole number, got ${JSON.stringify(v)}` };
  if (v < min || v > max) return { ok: false, message: `${v} is outside ${min}..${max}` };
  return { ok: true, value: v };
}
