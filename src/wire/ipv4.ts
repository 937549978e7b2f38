/**
 * IPv4 headers.
 *
 * Read first:
 * - RFC 791 § 3.1 (header format): version, IHL, type of service, total length, identification,
 *   flags, fragment offset, TTL, protocol, header checksum, addresses, options.
 * - RFC 2474 § 3 / RFC 3168 § 5: the TOS byte is DSCP (6 bits) + ECN (2 bits).
 * - RFC 1122 § 3.2.1.1–3.2.1.8: what a host checks on receipt (version, checksum, lengths).
 * - RFC 1812 § 5.2.2 (a router validates the header: length ≥ 20, checksum, version, IHL ≥ 5,
 *   total length ≥ IHL * 4) and § 5.3.1 (TTL decrement).
 * - RFC 1624 (incremental checksum update) for the TTL decrement.
 *
 * Options are kept as raw bytes (their length is a multiple of 4 by construction of IHL); this
 * layer neither interprets nor generates them beyond naming them in the field list.
 * Fragment offsets are in bytes here (the wire field counts 8-byte units).
 */
import { formatIpv4, readIpv4, writeIpv4 } from './addr.js';
import type { Ipv4Addr } from './addr.js';
import { checksumUpdate16, internetChecksum, onesSum } from './checksum.js';
import type { Field } from './field.js';
import { bitLine, field, flagText, hex, hexBytes } from './fmt.js';
import { err, ok } from './result.js';
import type { Err, Result } from './result.js';

/** Byte offsets inside an IPv4 header. */
export const IPV4 = {
  VER_IHL: 0,
  TOS: 1,
  LENGTH: 2,
  IDENT: 4,
  FLAGS_FRAG: 6,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
  OPTIONS: 20,
} as const;

export const IPV4_HEADER_LEN = 20;
export const IPV4_MAX_HEADER_LEN = 60;
/** RFC 791 § 3.1: every host must accept datagrams of 576 bytes. */
export const IPV4_MIN_MTU = 576;
export const IPV4_DEFAULT_TTL = 64;

export const IpProtocol = { ICMP: 1, TCP: 6, UDP: 17 } as const;

const PROTOCOL_NAMES: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  89: 'OSPF',
};

export function ipProtocolName(p: number): string {
  return PROTOCOL_NAMES[p] ?? 'Unknown';
}

const FLAG_RB = 0x8000;
const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;

export interface Ipv4Repr {
  /** Differentiated services code point, 0..63. */
  readonly dscp: number;
  /** Explicit congestion notification, 0..3. */
  readonly ecn: number;
  readonly ident: number;
  readonly dontFrag: boolean;
  readonly moreFrags: boolean;
  /** Offset of this fragment's data in the original datagram, in bytes (a multiple of 8). */
  readonly fragOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  /** Raw option bytes, length a multiple of 4 and ≤ 40; absent or empty for none. */
  readonly options?: Uint8Array;
  /** Bytes after the header: total length − header length. */
  readonly payloadLen: number;
}

export interface Ipv4ParseOptions {
  /** Verify the header checksum (default true). */
  readonly verifyChecksum?: boolean;
  /**
   * Accept a total length larger than the buffer (an ICMP error quotes only the header and the
   * first 8 payload bytes of the offending datagram, RFC 792). payloadLen is still the one the
   * header states.
   */
  readonly partial?: boolean;
}

/**
 * A view over an IPv4 header in buf[start..end). `check` validates the lengths (not the
 * checksum), after which every accessor stays within the header.
 */
export class Ipv4View {
  private constructor(
    readonly buf: Uint8Array,
    readonly start: number,
  ) {}

  static check(buf: Uint8Array, start = 0, end = buf.length, partial = false): Result<Ipv4View> {
    if (start < 0 || end > buf.length || end - start < IPV4_HEADER_LEN) {
      return err('truncated', `IPv4 header needs 20 bytes, have ${Math.max(0, end - start)}`);
    }
    const vi = buf[start];
    if (vi >>> 4 !== 4) return err('bad-version', `IP version ${vi >>> 4}, expected 4`);
    const hl = (vi & 0x0f) * 4;
    // RFC 1812 § 5.2.2: IHL ≥ 5, total length ≥ IHL * 4.
    if (hl < IPV4_HEADER_LEN) return err('bad-length', `header length ${hl} < 20 (IHL ${vi & 15})`);
    if (hl > end - start) {
      return err('truncated', `header length ${hl} but only ${end - start} bytes`);
    }
    const total = (buf[start + 2] << 8) | buf[start + 3];
    if (total < hl) return err('bad-length', `total length ${total} < header length ${hl}`);
    if (total > end - start && !partial) {
      return err('truncated', `total length ${total} but only ${end - start} bytes`);
    }
    return ok(new Ipv4View(buf, start));
  }

  private u16(o: number): number {
    return (this.buf[this.start + o] << 8) | this.buf[this.start + o + 1];
  }
  private set16(o: number, v: number): void {
    this.buf[this.start + o] = (v >>> 8) & 0xff;
    this.buf[this.start + o + 1] = v & 0xff;
  }

  get version(): number {
    return this.buf[this.start] >>> 4;
  }
  get headerLen(): number {
    return (this.buf[this.start] & 0x0f) * 4;
  }
  get dscp(): number {
    return this.buf[this.start + IPV4.TOS] >>> 2;
  }
  get ecn(): number {
    return this.buf[this.start + IPV4.TOS] & 3;
  }
  get totalLen(): number {
    return this.u16(IPV4.LENGTH);
  }
  get ident(): number {
    return this.u16(IPV4.IDENT);
  }
  get dontFrag(): boolean {
    return (this.u16(IPV4.FLAGS_FRAG) & FLAG_DF) !== 0;
  }
  get moreFrags(): boolean {
    return (this.u16(IPV4.FLAGS_FRAG) & FLAG_MF) !== 0;
  }
  /** In bytes. */
  get fragOffset(): number {
    return (this.u16(IPV4.FLAGS_FRAG) & 0x1fff) * 8;
  }
  get ttl(): number {
    return this.buf[this.start + IPV4.TTL];
  }
  set ttl(v: number) {
    this.buf[this.start + IPV4.TTL] = v;
  }
  get protocol(): number {
    return this.buf[this.start + IPV4.PROTOCOL];
  }
  get checksum(): number {
    return this.u16(IPV4.CHECKSUM);
  }
  set checksum(v: number) {
    this.set16(IPV4.CHECKSUM, v);
  }
  get src(): Ipv4Addr {
    return readIpv4(this.buf, this.start + IPV4.SRC);
  }
  set src(a: Ipv4Addr) {
    writeIpv4(this.buf, this.start + IPV4.SRC, a);
  }
  get dst(): Ipv4Addr {
    return readIpv4(this.buf, this.start + IPV4.DST);
  }
  set dst(a: Ipv4Addr) {
    writeIpv4(this.buf, this.start + IPV4.DST, a);
  }
  get payloadStart(): number {
    return this.start + this.headerLen;
  }
  /** End of the datagram in buf (start + total length). */
  get payloadEnd(): number {
    return this.start + this.totalLen;
  }
  /** True when the header sums to 0xffff (RFC 1071). */
  verifyChecksum(): boolean {
    return onesSum(this.buf, this.start, this.start + this.headerLen) === 0xffff;
  }
  fillChecksum(): void {
    this.set16(IPV4.CHECKSUM, 0);
    this.set16(IPV4.CHECKSUM, internetChecksum(this.buf, this.start, this.start + this.headerLen));
  }
}

/** Folded sum of an IPv4 header; straight-line for the usual 20 bytes. */
function headerSum(b: Uint8Array, s: number, hl: number): number {
  if (hl !== IPV4_HEADER_LEN) return onesSum(b, s, s + hl);
  let x =
    ((b[s] << 8) | b[s + 1]) +
    ((b[s + 2] << 8) | b[s + 3]) +
    ((b[s + 4] << 8) | b[s + 5]) +
    ((b[s + 6] << 8) | b[s + 7]) +
    ((b[s + 8] << 8) | b[s + 9]) +
    ((b[s + 10] << 8) | b[s + 11]) +
    ((b[s + 12] << 8) | b[s + 13]) +
    ((b[s + 14] << 8) | b[s + 15]) +
    ((b[s + 16] << 8) | b[s + 17]) +
    ((b[s + 18] << 8) | b[s + 19]);
  x = (x >>> 16) + (x & 0xffff);
  return (x >>> 16) + (x & 0xffff);
}

/**
 * Parses the IPv4 header at buf[start..end). The datagram may be followed by link padding: only
 * `total length` bytes belong to it. Never throws.
 */
export function parseIpv4(
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  opts?: Ipv4ParseOptions,
): Result<Ipv4Repr> {
  const bad = checkIpv4(buf, start, end, opts);
  return bad !== undefined ? bad : ok(readIpv4Header(buf, start));
}

/**
 * parseIpv4's checks alone: undefined when the header at buf[start..end) is valid, else the
 * error parseIpv4 returns. For the receive path, which reads a valid header's fields from the
 * buffer (or with readIpv4Header) instead of allocating a Result per datagram.
 */
export function checkIpv4(
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  opts?: Ipv4ParseOptions,
): Err | undefined {
  // Checks inlined (same as Ipv4View.check): this is the receive hot path.
  if (start < 0 || end > buf.length || end - start < IPV4_HEADER_LEN) {
    return err('truncated', `IPv4 header needs 20 bytes, have ${Math.max(0, end - start)}`);
  }
  const vi = buf[start];
  if (vi >>> 4 !== 4) return err('bad-version', `IP version ${vi >>> 4}, expected 4`);
  const hl = (vi & 0x0f) << 2;
  if (hl < IPV4_HEADER_LEN) return err('bad-length', `header length ${hl} < 20 (IHL ${vi & 15})`);
  if (hl > end - start)
    return err('truncated', `header length ${hl} but only ${end - start} bytes`);
  const total = (buf[start + 2] << 8) | buf[start + 3];
  if (total < hl) return err('bad-length', `total length ${total} < header length ${hl}`);
  if (total > end - start && opts?.partial !== true) {
    return err('truncated', `total length ${total} but only ${end - start} bytes`);
  }
  if (opts?.verifyChecksum !== false && headerSum(buf, start, hl) !== 0xffff) {
    const got = (buf[start + 10] << 8) | buf[start + 11];
    return err('bad-checksum', `header checksum ${hex(got, 4)} is wrong`);
  }
  const fragOffset = (((buf[start + 6] << 8) | buf[start + 7]) & 0x1fff) << 3;
  // RFC 791 § 3.2: a fragment cannot reach past the 65535-byte maximum datagram.
  if (fragOffset + total - hl > 0xffff) {
    return err(
      'bad-length',
      `fragment at offset ${fragOffset} + ${total - hl} bytes exceeds 65535`,
    );
  }
  return undefined;
}

/** The Repr of an IPv4 header that checkIpv4 accepted. */
export function readIpv4Header(buf: Uint8Array, start: number): Ipv4Repr {
  const hl = (buf[start] & 0x0f) << 2;
  const total = (buf[start + 2] << 8) | buf[start + 3];
  const ff = (buf[start + 6] << 8) | buf[start + 7];
  const tos = buf[start + 1];
  const repr: Ipv4Repr = {
    dscp: tos >>> 2,
    ecn: tos & 3,
    ident: (buf[start + 4] << 8) | buf[start + 5],
    dontFrag: (ff & FLAG_DF) !== 0,
    moreFrags: (ff & FLAG_MF) !== 0,
    fragOffset: (ff & 0x1fff) << 3,
    ttl: buf[start + 8],
    protocol: buf[start + 9],
    src: readIpv4(buf, start + 12),
    dst: readIpv4(buf, start + 16),
    payloadLen: total - hl,
  };
  if (hl > IPV4_HEADER_LEN) {
    return { ...repr, options: buf.slice(start + IPV4_HEADER_LEN, start + hl) };
  }
  return repr;
}

/** Header length: 20 + options padded to 4; options past 40 bytes (IHL 15) are not sent. */
export function ipv4HeaderLen(repr: Ipv4Repr): number {
  const n = repr.options === undefined ? 0 : Math.min(repr.options.length, MAX_OPTIONS_LEN);
  return IPV4_HEADER_LEN + ((n + 3) & ~3);
}

const MAX_OPTIONS_LEN = IPV4_MAX_HEADER_LEN - IPV4_HEADER_LEN;

/** Header + payload: the total length. */
export function ipv4BufferLen(repr: Ipv4Repr): number {
  return ipv4HeaderLen(repr) + repr.payloadLen;
}

/**
 * Writes the header at buf[off..off + ipv4HeaderLen(repr)) with its checksum. The payload is not
 * touched. Options shorter than a multiple of 4 are padded with End of Option List (0) bytes.
 * Returns the header length.
 */
export function emitIpv4(repr: Ipv4Repr, buf: Uint8Array, off = 0): number {
  const hl = ipv4HeaderLen(repr);
  const total = hl + repr.payloadLen;
  buf[off] = 0x40 | (hl >>> 2);
  buf[off + 1] = ((repr.dscp & 0x3f) << 2) | (repr.ecn & 3);
  buf[off + 2] = (total >>> 8) & 0xff;
  buf[off + 3] = total & 0xff;
  buf[off + 4] = (repr.ident >>> 8) & 0xff;
  buf[off + 5] = repr.ident & 0xff;
  const ff =
    (repr.dontFrag ? FLAG_DF : 0) |
    (repr.moreFrags ? FLAG_MF : 0) |
    ((repr.fragOffset >>> 3) & 0x1fff);
  buf[off + 6] = ff >>> 8;
  buf[off + 7] = ff & 0xff;
  buf[off + 8] = repr.ttl;
  buf[off + 9] = repr.protocol;
  buf[off + 10] = 0;
  buf[off + 11] = 0;
  writeIpv4(buf, off + 12, repr.src);
  writeIpv4(buf, off + 16, repr.dst);
  const opt = repr.options;
  if (opt !== undefined && opt.length > 0) {
    const n = Math.min(opt.length, MAX_OPTIONS_LEN);
    buf.set(n === opt.length ? opt : opt.subarray(0, n), off + IPV4_HEADER_LEN);
    buf.fill(0, off + IPV4_HEADER_LEN + n, off + hl);
  }
  const c = ~headerSum(buf, off, hl) & 0xffff;
  buf[off + 10] = c >>> 8;
  buf[off + 11] = c & 0xff;
  return hl;
}

/**
 * Decrements the TTL of the header at buf[off..] in place and patches the checksum with
 * RFC 1624 eqn. 3 (RFC 1812 § 5.3.1), without re-summing the header. Returns the new TTL. The
 * caller checks TTL > 1 first (a router sends Time Exceeded instead, RFC 1812 § 5.3.1).
 */
export function decrementTtl(buf: Uint8Array, off = 0): number {
  const ttl = buf[off + 8];
  const proto = buf[off + 9];
  const oldWord = (ttl << 8) | proto;
  const newTtl = (ttl - 1) & 0xff;
  const c = checksumUpdate16((buf[off + 10] << 8) | buf[off + 11], oldWord, (newTtl << 8) | proto);
  buf[off + 8] = newTtl;
  buf[off + 10] = c >>> 8;
  buf[off + 11] = c & 0xff;
  return newTtl;
}

/**
 * RFC 3168 § 5: marks an ECN-capable datagram (ECT(0) or ECT(1)) Congestion Experienced, with
 * the RFC 1624 incremental checksum update. Returns false (and changes nothing) for Not-ECT
 * datagrams, which a congested router would drop instead, and for those already CE.
 */
export function markCe(buf: Uint8Array, off = 0): boolean {
  const tos = buf[off + 1];
  const ecn = tos & 3;
  if (ecn === 0 || ecn === 3) return false;
  const vihl = buf[off];
  const c = checksumUpdate16(
    (buf[off + 10] << 8) | buf[off + 11],
    (vihl << 8) | tos,
    (vihl << 8) | tos | 3,
  );
  buf[off + 1] = tos | 3;
  buf[off + 10] = c >>> 8;
  buf[off + 11] = c & 0xff;
  return true;
}

export function isFragment(repr: Ipv4Repr): boolean {
  return repr.moreFrags || repr.fragOffset !== 0;
}

/** The Info column when IPv4 is the top layer shown (a non-first fragment, unknown protocol). */
export function ipv4Summary(r: Ipv4Repr): string {
  if (isFragment(r)) {
    return `Fragmented IP protocol (proto=${ipProtocolName(r.protocol)} ${r.protocol}, off=${r.fragOffset}, ID=${hex(r.ident, 4).slice(2)})`;
  }
  return `${formatIpv4(r.src)} → ${formatIpv4(r.dst)} ${ipProtocolName(r.protocol)} ${r.protocol}`;
}

/** tshark's tree line: "Src: 10.0.0.1, Dst: 10.0.0.2". */
export function ipv4TreeSummary(r: Ipv4Repr): string {
  return `Src: ${formatIpv4(r.src)}, Dst: ${formatIpv4(r.dst)}`;
}

const OPTION_NAMES: Record<number, string> = {
  0: 'End of Options List (EOL)',
  1: 'No Operation (NOP)',
  7: 'Record Route (RR)',
  68: 'Time Stamp (TS)',
  130: 'Security',
  131: 'Loose Source Route (LSR)',
  137: 'Strict Source Route (SSR)',
  148: 'Router Alert',
};

/** Fields of the header at buf[start..]; `repr` parsed from these bytes. */
export function ipv4Fields(buf: Uint8Array, start: number, r: Ipv4Repr): Field[] {
  const s = start;
  const hl = ipv4HeaderLen(r);
  const ff = (buf[s + 6] << 8) | buf[s + 7];
  const cks = (buf[s + 10] << 8) | buf[s + 11];
  const good = onesSum(buf, s, s + hl) === 0xffff;
  const f: Field[] = [
    field('ip.version', 'Version', s, s + 1, '4'),
    field('ip.hdr_len', 'Header Length', s, s + 1, `${hl} bytes (${hl >>> 2})`),
    field(
      'ip.dsfield',
      'Differentiated Services Field',
      s + 1,
      s + 2,
      `${hex(buf[s + 1], 2)} (DSCP: ${r.dscp}, ECN: ${r.ecn})`,
      [
        field('ip.dsfield.dscp', 'Differentiated Services Codepoint', s + 1, s + 2, String(r.dscp)),
        field('ip.dsfield.ecn', 'Explicit Congestion Notification', s + 1, s + 2, String(r.ecn)),
      ],
    ),
    field('ip.len', 'Total Length', s + 2, s + 4, String(hl + r.payloadLen)),
    field('ip.id', 'Identification', s + 4, s + 6, `${hex(r.ident, 4)} (${r.ident})`),
    field(
      'ip.flags',
      'Flags',
      s + 6,
      s + 7,
      hex(ff >>> 13, 1) +
        (r.dontFrag ? ", Don't fragment" : '') +
        (r.moreFrags ? ', More fragments' : ''),
      [
        field(
          'ip.flags.rb',
          `${bitLine(ff >>> 8, 8, 0x80)} = Reserved bit`,
          s + 6,
          s + 7,
          flagText((ff & FLAG_RB) !== 0),
        ),
        field(
          'ip.flags.df',
          `${bitLine(ff >>> 8, 8, 0x40)} = Don't fragment`,
          s + 6,
          s + 7,
          flagText(r.dontFrag),
        ),
        field(
          'ip.flags.mf',
          `${bitLine(ff >>> 8, 8, 0x20)} = More fragments`,
          s + 6,
          s + 7,
          flagText(r.moreFrags),
        ),
      ],
    ),
    field(
      'ip.frag_offset',
      'Fragment Offset',
      s + 6,
      s + 8,
      `${r.fragOffset >>> 3} (${r.fragOffset} bytes)`,
    ),
    field('ip.ttl', 'Time to Live', s + 8, s + 9, String(r.ttl)),
    field('ip.proto', 'Protocol', s + 9, s + 10, `${ipProtocolName(r.protocol)} (${r.protocol})`),
    field(
      'ip.checksum',
      'Header Checksum',
      s + 10,
      s + 12,
      `${hex(cks, 4)} [${good ? 'correct' : 'incorrect'}]`,
    ),
    field('ip.src', 'Source Address', s + 12, s + 16, formatIpv4(r.src)),
    field('ip.dst', 'Destination Address', s + 16, s + 20, formatIpv4(r.dst)),
  ];
  if (hl > IPV4_HEADER_LEN) {
    const kids: Field[] = [];
    let o = s + IPV4_HEADER_LEN;
    const end = s + hl;
    while (o < end) {
      const t = buf[o];
      if (t === 0 || t === 1) {
        kids.push(field('ip.opt.type', 'IP Option', o, o + 1, OPTION_NAMES[t]));
        o++;
        if (t === 0) break;
        continue;
      }
      const len = o + 1 < end ? buf[o + 1] : 0;
      if (len < 2 || o + len > end) {
        kids.push(field('ip.opt.malformed', 'Malformed option', o, end, hexBytes(buf, o, end)));
        break;
      }
      kids.push(
        field(
          'ip.opt.type',
          'IP Option',
          o,
          o + len,
          `${OPTION_NAMES[t] ?? `Unknown (${t})`}: ${hexBytes(buf, o + 2, o + len)}`,
        ),
      );
      o += len;
    }
    f.push(
      field(
        'ip.options',
        'Options',
        s + IPV4_HEADER_LEN,
        s + hl,
        `(${hl - IPV4_HEADER_LEN} bytes)`,
        kids,
      ),
    );
  }
  return f;
}
