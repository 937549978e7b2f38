/**
 * The sender's SACK scoreboard (what the peer reported holding above SND.UNA) and the loss
 * estimates of RFC 6675 built on it.
 *
 * Read first:
 * - RFC 9293 § 3.8.2 / § 3.10.7.4 (the ACK processing this refines).
 * - RFC 2018 § 3 (SACK option), § 8 (the sender keeps SACKed data until cumulatively ACKed, as
 *   the receiver may renege).
 * - RFC 2883 § 4 (D-SACK: a first block below the cumulative ACK, or inside the second block,
 *   reports a duplicate and is not new information).
 * - RFC 6675 § 2 (definitions), § 4 (IsLost, SetPipe, NextSeg), § 5 (the algorithm).
 *
 * Ranges are kept as flat sorted pairs in absolute sequence numbers. The number of ranges is
 * small (the peer reports at most 4 blocks per ACK and ranges merge), so linear scans are fine.
 */
import { seqGt, seqLe, seqLt, seqMax, seqMin } from './seqnum.js';

/** RFC 6675 § 2 DupThresh: the default; the connection passes its reordering degree. */
export const DUP_THRESH = 3;

export class Scoreboard {
  /** [start0, end0, start1, end1, ...] sorted, disjoint. */
  ranges: number[] = [];
  /** Sum of SACKed bytes. */
  sacked = 0;
  /** Lowest newly SACKed sequence number of the last update() that added bytes. */
  lowNew = 0;

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  clear(): void {
    this.ranges.length = 0;
    this.sacked = 0;
  }

  /** Highest SACKed sequence number (end of the last range); only when not empty. */
  get highest(): number {
    return this.ranges[this.ranges.length - 1];
  }

  /**
   * Applies the blocks of one ACK. Blocks outside (sndUna, sndMax] and D-SACK blocks are ignored.
   * Returns the number of newly SACKed bytes.
   */
  update(blocks: number[], sndUna: number, sndMax: number): number {
    let added = 0;
    for (let b = 0; b < blocks.length; b += 2) {
      let s = blocks[b];
      let e = blocks[b + 1];
      if (!seqLt(s, e)) continue;
      // RFC 2883 § 4: a D-SACK block lies below the cumulative ACK; only the part above counts.
      if (seqLe(e, sndUna) || seqGt(e, sndMax)) continue;
      if (seqLt(s, sndUna)) s = sndUna;
      const n = this.add(s, e);
      if (n > 0) {
        const low = this.lowestNewIn;
        if (added === 0 || seqLt(low, this.lowNew)) this.lowNew = low;
        added += n;
      }
    }
    return added;
  }

  private lowestNewIn = 0;

  private add(s: number, e: number): number {
    const r = this.ranges;
    let i = 0;
    while (i < r.length && seqLt(r[i + 1], s)) i += 2;
    // The first new byte: s, or the end of a range that already holds s.
    this.lowestNewIn = i < r.length && seqLe(r[i], s) ? r[i + 1] : s;
    let j = i;
    let ns = s;
    let ne = e;
    let covered = 0;
    while (j < r.length && seqLe(r[j], e)) {
      covered += (r[j + 1] - r[j]) >>> 0;
      ns = seqMin(ns, r[j]);
      ne = seqMax(ne, r[j + 1]);
      j += 2;
    }
    r.splice(i, j - i, ns, ne);
    const total = (ne - ns) >>> 0;
    const added = total - covered;
    this.sacked += added;
    return added;
  }

  /** SND.UNA advanced: forget ranges at or below it. */
  advance(sndUna: number): void {
    const r = this.ranges;
    while (r.length > 0 && seqLe(r[0], sndUna)) {
      if (seqGt(r[1], sndUna)) {
        this.sacked -= (sndUna - r[0]) >>> 0;
        r[0] = sndUna;
        break;
      }
      this.sacked -= (r[1] - r[0]) >>> 0;
      r.splice(0, 2);
    }
  }

  isSacked(seq: number): boolean {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      if (seqLt(seq, r[i])) return false;
      if (seqLt(seq, r[i + 1])) return true;
    }
    return false;
  }

  /** If seq is SACKed, the end of its range; else seq. */
  skipSacked(seq: number): number {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      if (seqLt(seq, r[i])) return seq;
      if (seqLt(seq, r[i + 1])) return r[i + 1];
    }
    return seq;
  }

  /** First SACKed sequence number above seq (start of the next range), or `limit`. */
  nextSackedAbove(seq: number, limit: number): number {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) if (seqGt(r[i], seq)) return seqMin(r[i], limit);
    return limit;
  }

  /**
   * RFC 6675 § 4 IsLost(seq): DupThresh discontiguous SACKed ranges above seq, or more than
   * (DupThresh − 1)·SMSS SACKed bytes above it. DupThresh is the connection's reordering degree.
   */
  isLost(seq: number, mss: number, dupThresh = DUP_THRESH): boolean {
    const r = this.ranges;
    let bytes = 0;
    let blocks = 0;
    const limit = (dupThresh - 1) * mss;
    for (let i = r.length - 2; i >= 0; i -= 2) {
      if (seqLe(r[i + 1], seq)) break;
      bytes += (r[i + 1] - seqMax(r[i], seq)) >>> 0;
      blocks++;
      if (blocks >= dupThresh || bytes > limit) return true;
    }
    return false;
  }

  /** True when [s, e) lies inside one SACKed range. */
  covers(s: number, e: number): boolean {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) {
      if (seqLt(s, r[i])) return false;
      if (seqLt(s, r[i + 1])) return seqLe(e, r[i + 1]);
    }
    return false;
  }

  /**
   * RFC 6675 § 4 SetPipe: bytes believed in flight in [sndUna, sndMax): each unSACKed hole that
   * is not lost counts, and holes (lost or not) count again up to HighRxt for retransmissions.
   */
  pipe(
    sndUna: number,
    sndMax: number,
    highRxt: number,
    mss: number,
    dupThresh = DUP_THRESH,
    /** RACK (RFC 8985): data below this that is not SACKed is lost too. */
    lostBelow = sndUna,
  ): number {
    let pipe = 0;
    let s = sndUna;
    const r = this.ranges;
    let i = 0;
    while (seqLt(s, sndMax)) {
      // hole [s, he)
      while (i < r.length && seqLe(r[i + 1], s)) i += 2;
      let he = sndMax;
      if (i < r.length && seqGt(r[i], s)) he = seqMin(r[i], sndMax);
      else if (i < r.length && seqLe(r[i], s)) {
        s = r[i + 1];
        continue;
      }
      // The part of the hole below lostBelow is lost (RACK); the rest as IsLost says.
      const ls = seqLt(s, lostBelow) ? seqMin(he, lostBelow) : s;
      if (seqLt(ls, he) && !this.isLost(ls, mss, dupThresh)) pipe += (he - ls) >>> 0;
      if (seqGt(highRxt, s)) pipe += (seqMin(highRxt, he) - s) >>> 0;
      s = he;
    }
    return pipe;
  }
}
