/**
 * IPv4 reassembly.
 *
 * Read first:
 * - RFC 815 "IP Datagram Reassembly Algorithms": the hole descriptor list. A new datagram starts
 *   with one hole [0, infinity]; each fragment [first, last] removes the holes it covers and
 *   leaves at most two smaller ones (steps 1–8 of § 3); the last fragment (MF = 0) bounds the
 *   datagram. The datagram is complete when no hole is left.
 * - RFC 791 § 3.2 (fragments are identified by source, destination, protocol and
 *   identification; the reassembly timer) and RFC 1122 § 3.3.2 (the timer is 60–120 s in the
 *   RFC; Linux uses ipfrag_time = 30 s, wiretrail follows Linux; on expiry send ICMP time
 *   exceeded, code 1, if fragment zero arrived — RFC 792, RFC 1122 § 3.2.2.4).
 * - Overlaps: RFC 815 lets a later fragment overwrite earlier bytes. Since 2018 (v4.19, "ip:
 *   discard IPv4 datagrams with overlapping segments", in the spirit of RFC 5722 for IPv6)
 *   Linux drops the whole datagram when fragments overlap, keeping only exact duplicates
 *   harmless; wiretrail does the same, because overlapping fragments are an attack (tiny
 *   fragment / overlap attacks, RFC 1858), not something a correct sender produces.
 *
 * Limits (like Linux's ipfrag_high_thresh): at most `maxBytes` of fragment data held across
 * all datagrams and `maxDatagrams` in progress; when over, the oldest datagram is evicted.
 */
import type { Clock, TimerHandle } from '../sim/clock.js';
import type { Duration, Instant } from '../sim/time.js';
import { SECOND } from '../sim/time.js';
import type { Ipv4Repr } from '../wire/ipv4.js';
import { emitIpv4, IPV4_HEADER_LEN } from '../wire/ipv4.js';

export interface ReasmConfig {
  /** ipfrag_time (Linux 30 s). */
  timeout: Duration;
  /** Fragment data held across all datagrams (Linux ipfrag_high_thresh 4 MiB). */
  maxBytes: number;
  /** Datagrams being reassembled at once. */
  maxDatagrams: number;
}

export const DEFAULT_REASM_CONFIG: ReasmConfig = {
  timeout: 30 * SECOND,
  maxBytes: 4 * 1024 * 1024,
  maxDatagrams: 256,
};

/** What happened to one fragment. */
export type ReasmEvent = 'start' | 'fragment' | 'complete' | 'duplicate' | 'overlap' | 'bad-length';

interface Hole {
  first: number;
  last: number;
}

interface Piece {
  first: number;
  last: number;
  data: Uint8Array;
}

class Datagram {
  holes: Hole[] = [{ first: 0, last: Infinity }];
  pieces: Piece[] = [];
  bytes = 0;
  /** Header bytes of fragment zero (kept for the reassembled header and for ICMP). */
  firstHeader: Uint8Array | undefined;
  /** Fragment zero as received (IP header + data), quoted by the ICMP timeout error. */
  firstFragment: Uint8Array | undefined;
  firstRepr: Ipv4Repr | undefined;
  totalData = -1;
  timer: TimerHandle | undefined;
  constructor(
    readonly key: string,
    readonly created: Instant,
    readonly src: number,
    readonly dst: number,
    readonly protocol: number,
    readonly ident: number,
  ) {}
}

export interface ReasmResult {
  event: ReasmEvent;
  /** The whole datagram (header + data) when event = 'complete'. */
  datagram?: Uint8Array;
  /** Fragments received for this datagram so far. */
  fragments: number;
}

export interface ReasmExpired {
  src: number;
  dst: number;
  ident: number;
  protocol: number;
  fragments: number;
  /** Fragment zero if it arrived (then an ICMP time exceeded is due). */
  firstFragment: Uint8Array | undefined;
  reason: 'timeout' | 'evicted';
}

export class Reassembler {
  private datagrams = new Map<string, Datagram>();
  private heldBytes = 0;
  readonly config: ReasmConfig;
  readonly stats = { reqds: 0, oks: 0, fails: 0, timeouts: 0, overlaps: 0, duplicates: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly onExpire: (e: ReasmExpired) => void,
    config: Partial<ReasmConfig> = {},
  ) {
    this.config = { ...DEFAULT_REASM_CONFIG, ...config };
  }

  get inProgress(): number {
    return this.datagrams.size;
  }

  /**
   * Adds a fragment: `ip` is its parsed header, buf[hdrStart..dataStart) the header and
   * buf[dataStart..dataEnd) its data.
   */
  add(
    ip: Ipv4Repr,
    buf: Uint8Array,
    hdrStart: number,
    dataStart: number,
    dataEnd: number,
  ): ReasmResult {
    this.stats.reqds++;
    const key = `${ip.src}/${ip.dst}/${ip.protocol}/${ip.ident}`;
    let d = this.datagrams.get(key);
    let event: ReasmEvent = 'fragment';
    if (d === undefined) {
      d = new Datagram(key, this.clock.now(), ip.src, ip.dst, ip.protocol, ip.ident);
      this.datagrams.set(key, d);
      const dd = d;
      d.timer = this.clock.schedule(this.config.timeout, () => this.expire(dd, 'timeout'));
      event = 'start';
    }
    const first = ip.fragOffset;
    const len = dataEnd - dataStart;
    const last = first + len - 1;
    // RFC 791: every fragment but the last carries a multiple of 8 data bytes.
    if (
      (ip.moreFrags && (len & 7) !== 0) ||
      len <= 0 ||
      (!ip.moreFrags && d.totalData >= 0 && last + 1 !== d.totalData)
    ) {
      this.discard(d);
      this.stats.fails++;
      return { event: 'bad-length', fragments: d.pieces.length };
    }
    for (const p of d.pieces) {
      if (p.first === first && p.last === last) {
        this.stats.duplicates++;
        return { event: 'duplicate', fragments: d.pieces.length };
      }
      if (first <= p.last && last >= p.first) {
        this.stats.overlaps++;
        this.stats.fails++;
        this.discard(d);
        return { event: 'overlap', fragments: d.pieces.length + 1 };
      }
    }
    if (d.totalData >= 0 && last >= d.totalData) {
      this.stats.fails++;
      this.discard(d);
      return { event: 'bad-length', fragments: d.pieces.length };
    }
    if (!ip.moreFrags) d.totalData = last + 1;
    const data = buf.slice(dataStart, dataEnd);
    d.pieces.push({ first, last, data });
    d.bytes += len;
    this.heldBytes += len;
    if (first === 0) {
      d.firstHeader = buf.slice(hdrStart, dataStart);
      d.firstFragment = buf.slice(hdrStart, dataEnd);
      d.firstRepr = ip;
    }
    // RFC 815 § 3, steps 1–8.
    const holes: Hole[] = [];
    for (const h of d.holes) {
      if (first > h.last || last < h.first) {
        holes.push(h);
        continue;
      }
      if (first > h.first) holes.push({ first: h.first, last: first - 1 });
      if (last < h.last && ip.moreFrags) holes.push({ first: last + 1, last: h.last });
    }
    // A last fragment bounds the datagram: drop the open-ended tail of any hole past it.
    d.holes =
      d.totalData >= 0
        ? holes
            .filter((h) => h.first < d.totalData)
            .map((h) => (h.last > d.totalData - 1 ? { first: h.first, last: d.totalData - 1 } : h))
        : holes;
    if (d.holes.length === 0 && d.firstHeader !== undefined && d.totalData >= 0) {
      const datagram = this.assemble(d);
      const fragments = d.pieces.length;
      this.discard(d);
      this.stats.oks++;
      return { event: 'complete', datagram, fragments };
    }
    this.enforceLimits(d);
    return { event, fragments: d.pieces.length };
  }

  private assemble(d: Datagram): Uint8Array {
    const r = d.firstRepr!;
    const hl = d.firstHeader!.length;
    const out = new Uint8Array(hl + d.totalData);
    for (const p of d.pieces) out.set(p.data, hl + p.first);
    // The reassembled header: fragment zero's, unfragmented, with the whole length.
    const opt = hl > IPV4_HEADER_LEN ? d.firstHeader!.subarray(IPV4_HEADER_LEN, hl) : undefined;
    emitIpv4(
      { ...r, options: opt, moreFrags: false, fragOffset: 0, payloadLen: d.totalData },
      out,
      0,
    );
    return out;
  }

  private discard(d: Datagram): void {
    d.timer?.cancel();
    this.heldBytes -= d.bytes;
    this.datagrams.delete(d.key);
  }

  private enforceLimits(keep: Datagram): void {
    while (
      this.heldBytes > this.config.maxBytes ||
      this.datagrams.size > this.config.maxDatagrams
    ) {
      let oldest: Datagram | undefined;
      for (const d of this.datagrams.values()) {
        if (d !== keep) {
          oldest = d;
          break;
        }
      }
      if (oldest === undefined) break;
      this.expire(oldest, 'evicted');
    }
  }

  private expire(d: Datagram, reason: 'timeout' | 'evicted'): void {
    if (this.datagrams.get(d.key) !== d) return;
    this.discard(d);
    this.stats.fails++;
    if (reason === 'timeout') this.stats.timeouts++;
    this.onExpire({
      src: d.src,
      dst: d.dst,
      ident: d.ident,
      protocol: d.protocol,
      fragments: d.pieces.length,
      firstFragment: d.firstFragment,
      reason,
    });
  }
}
