/**
 * Out-of-order reassembly bookkeeping: which sequence ranges above RCV.NXT have arrived, and
 * the SACK blocks that report them.
 *
 * Read first:
 * - RFC 9293 § 3.10.7.4 "seventh, process the segment text" (segments beyond RCV.NXT may be held
 *   for later) and § 3.8.6.2.2 (the receive window bounds what is held).
 * - RFC 2018 § 4 (receiver: first block holds the segment that triggered the ACK, then the most
 *   recently reported blocks), RFC 2883 § 4 (D-SACK: a duplicate range goes first).
 *
 * The bytes themselves are written straight into the receive ring at their offset (as smoltcp's
 * Assembler does), so this module only keeps a short sorted list of [start, end) ranges in
 * absolute sequence numbers, bounded by `maxRanges` (RFC 9293 lets a receiver drop what it cannot
 * hold; the sender retransmits).
 */
import { seqGe, seqGt, seqLe, seqLt, seqMax, seqMin } from './seqnum.js';

export class Assembler {
  /** Flat pairs [start0, end0, start1, end1, ...], sorted, disjoint, not adjacent. */
  ranges: number[] = [];
  /** Start sequence numbers of blocks in the order most recently touched (RFC 2018 § 4). */
  private recent: number[] = [];

  constructor(private readonly maxRanges: number) {}

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  get count(): number {
    return this.ranges.length >> 1;
  }

  /** Bytes held out of order. */
  bytes(): number {
    let n = 0;
    for (let i = 0; i < this.ranges.length; i += 2)
      n += (this.ranges[i + 1] - this.ranges[i]) >>> 0;
    return n;
  }

  /** Highest sequence number held (end of the last range), or undefined. */
  highest(): number | undefined {
    return this.ranges.length > 0 ? this.ranges[this.ranges.length - 1] : undefined;
  }

  /**
   * First range that overlaps [s, e) already (for D-SACK, RFC 2883 § 4), as [start, end), or
   * undefined.
   */
  overlap(s: number, e: number): [number, number] | undefined {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      const os = seqMax(s, r[i]);
      const oe = seqMin(e, r[i + 1]);
      if (seqLt(os, oe)) return [os, oe];
    }
    return undefined;
  }

  /**
   * Records [s, e) as received. Returns false (and records nothing) when that would need more
   * than maxRanges separate ranges.
   */
  add(s: number, e: number): boolean {
    const r = this.ranges;
    // Find the first range whose end ≥ s (could merge or lie after).
    let i = 0;
    while (i < r.length && seqLt(r[i + 1], s)) i += 2;
    // Ranges i.. that start ≤ e merge with [s, e).
    let j = i;
    let ns = s;
    let ne = e;
    while (j < r.length && seqLe(r[j], e)) {
      ns = seqMin(ns, r[j]);
      ne = seqMax(ne, r[j + 1]);
      j += 2;
    }
    const removed = (j - i) >> 1;
    if (removed === 0 && this.count >= this.maxRanges) return false;
    const oldStarts = removed > 0 ? r.slice(i, j).filter((_, k) => k % 2 === 0) : [];
    r.splice(i, j - i, ns, ne);
    // Recency: the merged block becomes the most recent; merged-away blocks are forgotten.
    this.recent = this.recent.filter((x) => !oldStarts.includes(x) && x !== ns);
    this.recent.unshift(ns);
    if (this.recent.length > 8) this.recent.length = 8;
    return true;
  }

  /**
   * RCV.NXT advanced to `rcvNxt`: removes ranges now below it; if the first range starts at or
   * below rcvNxt returns its end (the new RCV.NXT), else returns rcvNxt.
   */
  advance(rcvNxt: number): number {
    const r = this.ranges;
    let nxt = rcvNxt;
    while (r.length > 0 && seqLe(r[0], nxt)) {
      if (seqGt(r[1], nxt)) nxt = r[1];
      const start = r[0];
      r.splice(0, 2);
      this.recent = this.recent.filter((x) => x !== start);
    }
    return nxt;
  }

  clear(): void {
    this.ranges.length = 0;
    this.recent.length = 0;
  }

  /**
   * SACK blocks for an ACK (RFC 2018 § 4), at most `max`: an optional D-SACK block first
   * (RFC 2883), then blocks by recency. Output: flat pairs.
   */
  sackBlocks(max: number, dsack: [number, number] | undefined, rcvNxt: number): number[] {
    const out: number[] = [];
    if (dsack !== undefined) out.push(dsack[0], dsack[1]);
    const r = this.ranges;
    for (const start of this.recent) {
      if (out.length >= max * 2) break;
      for (let i = 0; i < r.length; i += 2) {
        if (r[i] === start) {
          if (seqGe(r[i], rcvNxt)) out.push(r[i], r[i + 1]);
          break;
        }
      }
    }
    // Blocks never reported yet (should not happen, recency covers all) in ascending order.
    for (let i = 0; i < r.length && out.length < max * 2; i += 2) {
      let present = false;
      for (let k = dsack ? 2 : 0; k < out.length; k += 2) if (out[k] === r[i]) present = true;
      if (!present) out.push(r[i], r[i + 1]);
    }
    return out;
  }
}
