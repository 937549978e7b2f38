/**
 * Wrap-safe 32-bit TCP sequence-number arithmetic, in one place (as gVisor's seqnum).
 *
 * Read first: RFC 9293 § 3.4 ("all arithmetic dealing with sequence numbers must be performed
 * modulo 2^32") and RFC 1982 (serial number arithmetic: a < b iff the forward distance from a
 * to b is in (0, 2^31)). Comparisons are only meaningful for numbers less than 2^31 apart,
 * which TCP guarantees by keeping windows below 2^30 (RFC 7323 § 2.3).
 *
 * Sequence numbers are plain numbers in [0, 2^32). Every function is branch-light and
 * allocation-free so that V8 inlines it.
 */

/** a + n mod 2^32 (n may be negative). */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** Signed distance a − b as a 32-bit integer in [−2^31, 2^31). */
export function seqSub(a: number, b: number): number {
  return (a - b) | 0;
}

/** a < b in sequence space. */
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** a ≤ b in sequence space. */
export function seqLeq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}

/** a > b in sequence space. */
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

/** a ≥ b in sequence space. */
export function seqGeq(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** The later of a and b. */
export function seqMax(a: number, b: number): number {
  return ((a - b) | 0) >= 0 ? a : b;
}

/** The earlier of a and b. */
export function seqMin(a: number, b: number): number {
  return ((a - b) | 0) <= 0 ? a : b;
}

/**
 * start ≤ x < start + len in sequence space (len in [0, 2^32)): the window test of RFC 9293
 * § 3.10.7.4 for one octet. A zero-length window contains nothing.
 */
export function seqInWindow(x: number, start: number, len: number): boolean {
  return (x - start) >>> 0 < len;
}

/** start ≤ x ≤ end in sequence space (for acceptability tests written with both bounds). */
export function seqBetween(start: number, x: number, end: number): boolean {
  return (x - start) >>> 0 <= (end - start) >>> 0;
}
