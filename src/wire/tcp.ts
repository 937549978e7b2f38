/**
 * TCP segment headers and options.
 *
 * Read first:
 * - RFC 9293 § 3.1 (header format: ports, sequence and acknowledgment numbers, data offset,
 *   control bits, window, checksum over the pseudo-header, urgent pointer) and § 3.2 (options:
 *   End of Option List 0, No-Operation 1, MSS 2).
 * - RFC 7323 § 2.2 (Window Scale, kind 3), § 3.2 (Timestamps, kind 8) and Appendix A (the
 *   layout: NOP NOP TS on every segment, so the 10-byte option is 4-aligned).
 * - RFC 2018 § 2 (SACK-Permitted, kind 4) and § 3 (SACK blocks, kind 5, at most 4 blocks, 3
 *   alongside timestamps).
 * - RFC 3168 § 6.1 (ECE, CWR) and RFC 9293 § 3.1 (the reserved bits; the lowest is AE in
 *   Accurate ECN, kept here as flag 0x100).
 *
 * Options: the Repr carries the known options as fields (`mss`, `windowScale`, `sackPermitted`,
 * `timestamp`, `sack`). When it has no `options` list, emit lays them out as Linux does
 * (tcp_options_write): MSS; SACK_PERM + TS (or NOP NOP TS, or NOP NOP SACK_PERM); NOP WS;
 * NOP NOP SACK — a SYN from Linux reads MSS, SACK_PERM, TS, NOP, WS. Parse fills the fields, and
 * only when the received layout differs from that choice (other NOP/EOL placement, unknown
 * options, duplicates) also the exact `options` list, so that emit(parse(x)) reproduces x byte
 * for byte. Whoever edits an option field of a parsed Repr that has `options` must drop or edit
 * that list too.
 */
import { internetChecksum, onesSum, pseudoHeaderSum } from './checksum.js';
import type { Field } from './field.js';
import { bitLine, field, flagText, hex, hexBytes } from './fmt.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';

/** Byte offsets inside a TCP header. */
export const TCP = {
  SRC_PORT: 0,
  DST_PORT: 2,
  SEQ: 4,
  ACK: 8,
  /** Data offset (high 4 bits) and the reserved bits incl. AE. */
  DATA_OFFSET: 12,
  FLAGS: 13,
  WINDOW: 14,
  CHECKSUM: 16,
  URGENT: 18,
  OPTIONS: 20,
} as const;

export const TCP_HEADER_LEN = 20;
export const TCP_MAX_HEADER_LEN = 60;
export const TCP_MAX_OPTIONS_LEN = 40;
const PROTO_TCP = 6;

/** Control bits (RFC 9293 § 3.1, RFC 3168 § 6.1); AE is the reserved bit 0x100 (AccECN). */
export const TcpFlags = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  AE: 0x100,
} as const;

/** Option kinds (IANA TCP parameters). */
export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
} as const;

export interface SackBlock {
  /** First sequence number of the block. */
  readonly left: number;
  /** Sequence number just after the block. */
  readonly right: number;
}

export interface TcpTimestamp {
  readonly tsval: number;
  readonly tsecr: number;
}

/** One option as it appears in the header, in order. */
export type TcpOption =
  | { readonly kind: 'eol' }
  | { readonly kind: 'nop' }
  | { readonly kind: 'mss'; readonly value: number }
  | { readonly kind: 'ws'; readonly shift: number }
  | { readonly kind: 'sack-perm' }
  | { readonly kind: 'sack'; readonly blocks: readonly SackBlock[] }
  | { readonly kind: 'ts'; readonly tsval: number; readonly tsecr: number }
  /** An option this layer does not interpret: type, then data (without type and length). */
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Uint8Array }
  /** Bytes after an EOL up to the end of the header (should be zero). */
  | { readonly kind: 'padding'; readonly data: Uint8Array };

export interface TcpRepr {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly seq: number;
  readonly ack: number;
  /** Control bits, TcpFlags.* or-ed (9 bits). */
  readonly flags: number;
  /** Window field as carried (unscaled). */
  readonly window: number;
  readonly urgent: number;
  readonly mss?: number;
  /** Window scale shift count (RFC 7323 § 2.3: at most 14; parse keeps what was sent). */
  readonly windowScale?: number;
  readonly sackPermitted?: boolean;
  readonly timestamp?: TcpTimestamp;
  readonly sack?: readonly SackBlock[];
  /**
   * Exact option layout; when present, emit writes it and ignores the fields above. Parse sets
   * it only for layouts other than the one emit would choose from the fields.
   */
  readonly options?: readonly TcpOption[];
  readonly payloadLen: number;
}

const EOL: TcpOption = Object.freeze({ kind: 'eol' });
const NOP: TcpOption = Object.freeze({ kind: 'nop' });
const SACK_PERM: TcpOption = Object.freeze({ kind: 'sack-perm' });

/** A view over a TCP segment in buf[start..end). */
export class TcpView {
  private constructor(
    readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  /** Checks the fixed header and the data offset (≥ 5, within the buffer). */
  static check(buf: Uint8Array, start = 0, end = buf.length): Result<TcpView> {
    if (start < 0 || end > buf.length || end - start < TCP_HEADER_LEN) {
      return err('truncated', `TCP header needs 20 bytes, have ${Math.max(0, end - start)}`);
    }
    const hl = (buf[start + 12] >>> 4) * 4;
    if (hl < TCP_HEADER_LEN) return err('bad-length', `data offset ${hl >>> 2} < 5`);
    if (hl > end - start)
      return err('truncated', `header length ${hl} but only ${end - start} bytes`);
    return ok(new TcpView(buf, start, end));
  }

  private u16(o: number): number {
    return (this.buf[this.start + o] << 8) | this.buf[this.start + o + 1];
  }
  private u32(o: number): number {
    const b = this.buf;
    const i = this.start + o;
    return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  }
  get srcPort(): number {
    return this.u16(TCP.SRC_PORT);
  }
  get dstPort(): number {
    return this.u16(TCP.DST_PORT);
  }
  get seq(): number {
    return this.u32(TCP.SEQ);
  }
  get ack(): number {
    return this.u32(TCP.ACK);
  }
  get headerLen(): number {
    return (this.buf[this.start + 12] >>> 4) * 4;
  }
  get flags(): number {
    return this.u16(TCP.DATA_OFFSET) & 0x1ff;
  }
  get window(): number {
    return this.u16(TCP.WINDOW);
  }
  get checksum(): number {
    return this.u16(TCP.CHECKSUM);
  }
  get urgent(): number {
    return this.u16(TCP.URGENT);
  }
  get payloadStart(): number {
    return this.start + this.headerLen;
  }
  get payloadLen(): number {
    return this.end - this.start - this.headerLen;
  }
  verifyChecksum(src: number, dst: number): boolean {
    const len = this.end - this.start;
    return (
      onesSum(this.buf, this.start, this.end, pseudoHeaderSum(src, dst, PROTO_TCP, len)) === 0xffff
    );
  }
}

function u32At(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

interface MutableRepr {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  urgent: number;
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  timestamp?: TcpTimestamp;
  sack?: readonly SackBlock[];
  options?: readonly TcpOption[];
  payloadLen: number;
}

/**
 * Parses the segment in buf[start..end) (the IPv4 payload) sent from `src` to `dst`; the
 * checksum is verified over the pseudo-header unless `verifyChecksum` is false. Options are
 * validated: a length under 2 or past the header, or a known option with the wrong length, is
 * 'bad-option'. Never throws.
 */
export function parseTcp(
  buf: Uint8Array,
  start: number,
  end: number,
  src: number,
  dst: number,
  verifyChecksum = true,
): Result<TcpRepr> {
  if (start < 0 || end > buf.length || end - start < TCP_HEADER_LEN) {
    return err('truncated', `TCP header needs 20 bytes, have ${Math.max(0, end - start)}`);
  }
  const hl = (buf[start + 12] >>> 4) << 2;
  if (hl < TCP_HEADER_LEN) return err('bad-length', `data offset ${hl >>> 2} < 5`);
  if (hl > end - start)
    return err('truncated', `header length ${hl} but only ${end - start} bytes`);
  if (
    verifyChecksum &&
    onesSum(buf, start, end, pseudoHeaderSum(src, dst, PROTO_TCP, end - start)) !== 0xffff
  ) {
    return err(
      'bad-checksum',
      `TCP checksum ${hex((buf[start + 16] << 8) | buf[start + 17], 4)} is wrong`,
    );
  }
  const repr: MutableRepr = {
    srcPort: (buf[start] << 8) | buf[start + 1],
    dstPort: (buf[start + 2] << 8) | buf[start + 3],
    seq: u32At(buf, start + 4),
    ack: u32At(buf, start + 8),
    flags: ((buf[start + 12] & 1) << 8) | buf[start + 13],
    window: (buf[start + 14] << 8) | buf[start + 15],
    urgent: (buf[start + 18] << 8) | buf[start + 19],
    payloadLen: end - start - hl,
  };
  if (hl > TCP_HEADER_LEN) {
    const e = parseOptions(buf, start + TCP_HEADER_LEN, start + hl, repr);
    if (e !== undefined) return err('bad-option', e);
  }
  return ok(repr);
}

/**
 * Fills the option fields of `r`; returns an error text or undefined. The exact `options` list
 * is built (in a second pass) only when the layout is not the one `tcpOptionLayout` would choose
 * for these fields, so that the common Linux layouts cost no list allocation.
 */
function parseOptions(b: Uint8Array, i: number, end: number, r: MutableRepr): string | undefined {
  const from = i;
  // Layout signature: one decimal digit per option (kind + 1), as canonicalSignature builds it.
  let sig = 0;
  let count = 0;
  let odd = false;
  let sackN = 0;
  while (i < end) {
    const kind = b[i];
    count++;
    if (kind === TcpOptionKind.EOL) {
      odd = true; // canonical layouts are 4-aligned: they never need EOL
      break;
    }
    if (kind === TcpOptionKind.NOP) {
      sig = sig * 10 + 2;
      i++;
      continue;
    }
    if (i + 1 >= end) return `option ${kind} at header byte ${i} has no length`;
    const len = b[i + 1];
    if (len < 2 || i + len > end) return `option ${kind} has length ${len}, ${end - i} bytes left`;
    switch (kind) {
      case TcpOptionKind.MSS:
        if (len !== 4) return `MSS option length ${len} != 4`;
        if (r.mss !== undefined) odd = true;
        r.mss = (b[i + 2] << 8) | b[i + 3];
        break;
      case TcpOptionKind.WINDOW_SCALE:
        if (len !== 3) return `window scale option length ${len} != 3`;
        if (r.windowScale !== undefined) odd = true;
        r.windowScale = b[i + 2];
        break;
      case TcpOptionKind.SACK_PERMITTED:
        if (len !== 2) return `SACK-permitted option length ${len} != 2`;
        if (r.sackPermitted !== undefined) odd = true;
        r.sackPermitted = true;
        break;
      case TcpOptionKind.SACK: {
        if (len < 10 || (len - 2) % 8 !== 0) return `SACK option length ${len} is not 2 + 8n`;
        if (r.sack !== undefined) odd = true;
        const blocks: SackBlock[] = [];
        for (let j = i + 2; j < i + len; j += 8) {
          blocks.push({ left: u32At(b, j), right: u32At(b, j + 4) });
        }
        r.sack = blocks;
        sackN = blocks.length;
        break;
      }
      case TcpOptionKind.TIMESTAMPS:
        if (len !== 10) return `timestamps option length ${len} != 10`;
        if (r.timestamp !== undefined) odd = true;
        r.timestamp = { tsval: u32At(b, i + 2), tsecr: u32At(b, i + 6) };
        break;
      default:
        odd = true;
    }
    sig = sig * 10 + kind + 1;
    i += len;
  }
  if (odd || count > 15 || sig !== canonicalSignature(r, sackN))
    r.options = optionList(b, from, end);
  return undefined;
}

/** The signature of tcpOptionLayout's choice for these fields (see parseOptions). */
function canonicalSignature(r: MutableRepr, sackN: number): number {
  let s = 0;
  if (r.mss !== undefined) s = s * 10 + 3;
  if (r.timestamp !== undefined) {
    s = r.sackPermitted === true ? s * 10 + 5 : s * 100 + 22;
    s = s * 10 + 9;
  } else if (r.sackPermitted === true) s = s * 1000 + 225;
  if (r.windowScale !== undefined) s = s * 100 + 24;
  if (sackN > 0) s = s * 1000 + 226;
  return s;
}

/** The exact option list of an already validated option area. */
function optionList(b: Uint8Array, i: number, end: number): TcpOption[] {
  const list: TcpOption[] = [];
  while (i < end) {
    const kind = b[i];
    if (kind === TcpOptionKind.EOL) {
      list.push(EOL);
      i++;
      if (i < end) list.push({ kind: 'padding', data: b.slice(i, end) });
      break;
    }
    if (kind === TcpOptionKind.NOP) {
      list.push(NOP);
      i++;
      continue;
    }
    const len = b[i + 1];
    switch (kind) {
      case TcpOptionKind.MSS:
        list.push({ kind: 'mss', value: (b[i + 2] << 8) | b[i + 3] });
        break;
      case TcpOptionKind.WINDOW_SCALE:
        list.push({ kind: 'ws', shift: b[i + 2] });
        break;
      case TcpOptionKind.SACK_PERMITTED:
        list.push(SACK_PERM);
        break;
      case TcpOptionKind.SACK: {
        const blocks: SackBlock[] = [];
        for (let j = i + 2; j < i + len; j += 8) {
          blocks.push({ left: u32At(b, j), right: u32At(b, j + 4) });
        }
        list.push({ kind: 'sack', blocks });
        break;
      }
      case TcpOptionKind.TIMESTAMPS:
        list.push({ kind: 'ts', tsval: u32At(b, i + 2), tsecr: u32At(b, i + 6) });
        break;
      default:
        list.push({ kind: 'unknown', type: kind, data: b.slice(i + 2, i + len) });
    }
    i += len;
  }
  return list;
}

function optionLen(o: TcpOption): number {
  switch (o.kind) {
    case 'eol':
    case 'nop':
      return 1;
    case 'mss':
      return 4;
    case 'ws':
      return 3;
    case 'sack-perm':
      return 2;
    case 'sack':
      return 2 + 8 * o.blocks.length;
    case 'ts':
      return 10;
    case 'unknown':
      return 2 + o.data.length;
    case 'padding':
      return o.data.length;
  }
}

/**
 * The option list emit writes for `repr`: its `options` if present, else the Linux layout of
 * its option fields, with SACK blocks cut to what fits in 40 bytes.
 */
export function tcpOptionLayout(repr: TcpRepr): readonly TcpOption[] {
  if (repr.options !== undefined) return repr.options;
  const out: TcpOption[] = [];
  let used = 0;
  if (repr.mss !== undefined) {
    out.push({ kind: 'mss', value: repr.mss });
    used += 4;
  }
  const ts = repr.timestamp;
  if (ts !== undefined) {
    if (repr.sackPermitted === true) out.push(SACK_PERM);
    else out.push(NOP, NOP);
    out.push({ kind: 'ts', tsval: ts.tsval, tsecr: ts.tsecr });
    used += 12;
  } else if (repr.sackPermitted === true) {
    out.push(NOP, NOP, SACK_PERM);
    used += 4;
  }
  if (repr.windowScale !== undefined) {
    out.push(NOP, { kind: 'ws', shift: repr.windowScale });
    used += 4;
  }
  const sack = repr.sack;
  if (sack !== undefined && sack.length > 0) {
    // RFC 2018 § 3: as many blocks as fit (4, or 3 with timestamps).
    const n = Math.min(sack.length, Math.floor((TCP_MAX_OPTIONS_LEN - used - 4) / 8));
    if (n > 0)
      out.push(NOP, NOP, { kind: 'sack', blocks: n === sack.length ? sack : sack.slice(0, n) });
  }
  return out;
}

/** Bytes of the option area (padded to a multiple of 4, at most 40). */
function optionsLen(opts: readonly TcpOption[]): number {
  let n = 0;
  for (const o of opts) {
    const l = optionLen(o);
    if (n + l > TCP_MAX_OPTIONS_LEN) break;
    n += l;
  }
  return (n + 3) & ~3;
}

export function tcpHeaderLen(repr: TcpRepr): number {
  if (repr.options !== undefined) return TCP_HEADER_LEN + optionsLen(repr.options);
  return TCP_HEADER_LEN + canonicalLen(repr);
}

/** Bytes of the Linux layout of the option fields (tcpOptionLayout without allocating). */
function canonicalLen(r: TcpRepr): number {
  let n = 0;
  if (r.mss !== undefined) n += 4;
  if (r.timestamp !== undefined || r.sackPermitted === true)
    n += r.timestamp !== undefined ? 12 : 4;
  if (r.windowScale !== undefined) n += 4;
  const k = sackBlocksThatFit(r, n);
  if (k > 0) n += 4 + 8 * k;
  return n;
}

/** RFC 2018 § 3: as many SACK blocks as fit after `used` option bytes (4, or 3 with TS). */
function sackBlocksThatFit(r: TcpRepr, used: number): number {
  const sack = r.sack;
  if (sack === undefined || sack.length === 0) return 0;
  return Math.max(0, Math.min(sack.length, Math.floor((TCP_MAX_OPTIONS_LEN - used - 4) / 8)));
}

/** Writes the Linux layout of the option fields at b[i..]; returns the index after it. */
function writeCanonical(r: TcpRepr, b: Uint8Array, i: number): number {
  const start = i;
  if (r.mss !== undefined) {
    b[i] = 2;
    b[i + 1] = 4;
    b[i + 2] = (r.mss >>> 8) & 0xff;
    b[i + 3] = r.mss & 0xff;
    i += 4;
  }
  const ts = r.timestamp;
  if (ts !== undefined) {
    if (r.sackPermitted === true) {
      b[i] = 4;
      b[i + 1] = 2;
    } else {
      b[i] = 1;
      b[i + 1] = 1;
    }
    b[i + 2] = 8;
    b[i + 3] = 10;
    put32(b, i + 4, ts.tsval);
    put32(b, i + 8, ts.tsecr);
    i += 12;
  } else if (r.sackPermitted === true) {
    b[i] = 1;
    b[i + 1] = 1;
    b[i + 2] = 4;
    b[i + 3] = 2;
    i += 4;
  }
  if (r.windowScale !== undefined) {
    b[i] = 1;
    b[i + 1] = 3;
    b[i + 2] = 3;
    b[i + 3] = r.windowScale;
    i += 4;
  }
  const k = sackBlocksThatFit(r, i - start);
  if (k > 0) {
    const sack = r.sack as readonly SackBlock[];
    b[i] = 1;
    b[i + 1] = 1;
    b[i + 2] = 5;
    b[i + 3] = 2 + 8 * k;
    for (let j = 0; j < k; j++) {
      put32(b, i + 4 + 8 * j, sack[j].left);
      put32(b, i + 8 + 8 * j, sack[j].right);
    }
    i += 4 + 8 * k;
  }
  return i;
}

export function tcpBufferLen(repr: TcpRepr): number {
  return tcpHeaderLen(repr) + repr.payloadLen;
}

function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = v >>> 24;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

/** Writes the options from buf[i..]; returns the index after them (before padding). */
function writeOptions(opts: readonly TcpOption[], b: Uint8Array, i: number): number {
  const limit = i + TCP_MAX_OPTIONS_LEN;
  for (const o of opts) {
    const l = optionLen(o);
    if (i + l > limit) break; // options past 40 bytes are dropped (tcpHeaderLen agrees)
    switch (o.kind) {
      case 'eol':
        b[i] = 0;
        break;
      case 'nop':
        b[i] = 1;
        break;
      case 'mss':
        b[i] = 2;
        b[i + 1] = 4;
        b[i + 2] = (o.value >>> 8) & 0xff;
        b[i + 3] = o.value & 0xff;
        break;
      case 'ws':
        b[i] = 3;
        b[i + 1] = 3;
        b[i + 2] = o.shift;
        break;
      case 'sack-perm':
        b[i] = 4;
        b[i + 1] = 2;
        break;
      case 'sack':
        b[i] = 5;
        b[i + 1] = l;
        for (let k = 0; k < o.blocks.length; k++) {
          put32(b, i + 2 + 8 * k, o.blocks[k].left);
          put32(b, i + 6 + 8 * k, o.blocks[k].right);
        }
        break;
      case 'ts':
        b[i] = 8;
        b[i + 1] = 10;
        put32(b, i + 2, o.tsval);
        put32(b, i + 6, o.tsecr);
        break;
      case 'unknown':
        b[i] = o.type;
        b[i + 1] = l;
        b.set(o.data, i + 2);
        break;
      case 'padding':
        b.set(o.data, i);
        break;
    }
    i += l;
  }
  return i;
}

/**
 * Writes the header at buf[off..off + tcpHeaderLen(repr)) and the checksum over the pseudo-header
 * (src, dst), the header and the `payloadLen` bytes the caller has already placed after it.
 * Option bytes up to the 4-byte boundary are zero (EOL). Returns the header length.
 */
export function emitTcp(
  repr: TcpRepr,
  buf: Uint8Array,
  off: number,
  src: number,
  dst: number,
): number {
  const o =
    repr.options !== undefined
      ? writeOptions(repr.options, buf, off + TCP_HEADER_LEN)
      : writeCanonical(repr, buf, off + TCP_HEADER_LEN);
  const hl = (o - off + 3) & ~3;
  for (let z = o; z < off + hl; z++) buf[z] = 0;
  buf[off] = (repr.srcPort >>> 8) & 0xff;
  buf[off + 1] = repr.srcPort & 0xff;
  buf[off + 2] = (repr.dstPort >>> 8) & 0xff;
  buf[off + 3] = repr.dstPort & 0xff;
  put32(buf, off + 4, repr.seq);
  put32(buf, off + 8, repr.ack);
  buf[off + 12] = ((hl >>> 2) << 4) | ((repr.flags >>> 8) & 1);
  buf[off + 13] = repr.flags & 0xff;
  buf[off + 14] = (repr.window >>> 8) & 0xff;
  buf[off + 15] = repr.window & 0xff;
  buf[off + 16] = 0;
  buf[off + 17] = 0;
  buf[off + 18] = (repr.urgent >>> 8) & 0xff;
  buf[off + 19] = repr.urgent & 0xff;
  const len = hl + repr.payloadLen;
  const c = internetChecksum(buf, off, off + len, pseudoHeaderSum(src, dst, PROTO_TCP, len));
  buf[off + 16] = c >>> 8;
  buf[off + 17] = c & 0xff;
  return hl;
}

const FLAG_NAMES: readonly [number, string][] = [
  [TcpFlags.FIN, 'FIN'],
  [TcpFlags.SYN, 'SYN'],
  [TcpFlags.RST, 'RST'],
  [TcpFlags.PSH, 'PSH'],
  [TcpFlags.ACK, 'ACK'],
  [TcpFlags.URG, 'URG'],
  [TcpFlags.ECE, 'ECE'],
  [TcpFlags.CWR, 'CWR'],
  [TcpFlags.AE, 'AE'],
];

/** "SYN, ACK" as tshark lists set flags. */
export function tcpFlagNames(flags: number): string {
  const parts: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) parts.push(name);
  return parts.join(', ');
}

/**
 * tshark's Info column, with raw (not relative) sequence numbers:
 * "34567 → 80 [SYN] Seq=1000 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=1 TSecr=0 WS=128".
 */
export function tcpSummary(r: TcpRepr): string {
  let s = `${r.srcPort} → ${r.dstPort} [${tcpFlagNames(r.flags)}] Seq=${r.seq}`;
  if ((r.flags & TcpFlags.ACK) !== 0) s += ` Ack=${r.ack}`;
  s += ` Win=${r.window}`;
  if ((r.flags & TcpFlags.URG) !== 0) s += ` Urg=${r.urgent}`;
  s += ` Len=${r.payloadLen}`;
  if (r.mss !== undefined) s += ` MSS=${r.mss}`;
  if (r.sackPermitted === true) s += ' SACK_PERM';
  if (r.sack !== undefined) for (const b of r.sack) s += ` SLE=${b.left} SRE=${b.right}`;
  if (r.timestamp !== undefined) s += ` TSval=${r.timestamp.tsval} TSecr=${r.timestamp.tsecr}`;
  if (r.windowScale !== undefined) s += ` WS=${2 ** Math.min(r.windowScale, 14)}`;
  return s;
}

/** Fields of the segment at buf[start..end); src/dst for the checksum status. */
export function tcpFields(
  buf: Uint8Array,
  start: number,
  end: number,
  r: TcpRepr,
  src: number,
  dst: number,
): Field[] {
  const s = start;
  const hl = (buf[s + 12] >>> 4) * 4;
  const cks = (buf[s + 16] << 8) | buf[s + 17];
  const good = onesSum(buf, s, end, pseudoHeaderSum(src, dst, PROTO_TCP, end - s)) === 0xffff;
  const fl = ((buf[s + 12] & 0x0f) << 8) | buf[s + 13];
  const bit = (mask: number, name: string, label: string): Field =>
    field(
      `tcp.flags.${name}`,
      `${bitLine(fl, 12, mask)} = ${label}`,
      s + 12,
      s + 14,
      flagText((fl & mask) !== 0),
    );
  const f: Field[] = [
    field('tcp.srcport', 'Source Port', s, s + 2, String(r.srcPort)),
    field('tcp.dstport', 'Destination Port', s + 2, s + 4, String(r.dstPort)),
    field('tcp.seq_raw', 'Sequence Number (raw)', s + 4, s + 8, String(r.seq)),
    field('tcp.ack_raw', 'Acknowledgment Number (raw)', s + 8, s + 12, String(r.ack)),
    field('tcp.hdr_len', 'Header Length', s + 12, s + 13, `${hl} bytes (${hl >>> 2})`),
    field(
      'tcp.flags',
      'Flags',
      s + 12,
      s + 14,
      `${hex(fl, 3)} (${tcpFlagNames(r.flags) || 'none'})`,
      [
        bit(0xe00, 'res', 'Reserved'),
        bit(0x100, 'ae', 'Accurate ECN'),
        bit(0x80, 'cwr', 'Congestion Window Reduced'),
        bit(0x40, 'ece', 'ECN-Echo'),
        bit(0x20, 'urg', 'Urgent'),
        bit(0x10, 'ack', 'Acknowledgment'),
        bit(0x08, 'push', 'Push'),
        bit(0x04, 'reset', 'Reset'),
        bit(0x02, 'syn', 'Syn'),
        bit(0x01, 'fin', 'Fin'),
      ],
    ),
    field('tcp.window_size_value', 'Window', s + 14, s + 16, String(r.window)),
    field(
      'tcp.checksum',
      'Checksum',
      s + 16,
      s + 18,
      `${hex(cks, 4)} [${good ? 'correct' : 'incorrect'}]`,
    ),
    field('tcp.urgent_pointer', 'Urgent Pointer', s + 18, s + 20, String(r.urgent)),
  ];
  if (hl > TCP_HEADER_LEN) {
    const kids: Field[] = [];
    let o = s + TCP_HEADER_LEN;
    for (const opt of tcpOptionLayout(r)) {
      const l = optionLen(opt);
      kids.push(optionField(opt, o, l));
      o += l;
    }
    f.push(field('tcp.options', 'Options', s + 20, s + hl, `(${hl - 20} bytes)`, kids));
  }
  if (end > s + hl) {
    f.push(field('tcp.payload', 'TCP payload', s + hl, end, `${end - s - hl} bytes`));
  }
  return f;
}

function optionField(o: TcpOption, at: number, l: number): Field {
  const e = at + l;
  switch (o.kind) {
    case 'eol':
      return field('tcp.options.eol', 'End of Option List (EOL)', at, e, '');
    case 'nop':
      return field('tcp.options.nop', 'No-Operation (NOP)', at, e, '');
    case 'mss':
      return field('tcp.options.mss', 'Maximum segment size', at, e, `${o.value} bytes`, [
        field('tcp.options.mss_val', 'MSS Value', at + 2, e, String(o.value)),
      ]);
    case 'ws':
      return field(
        'tcp.options.wscale',
        'Window scale',
        at,
        e,
        `${o.shift} (multiply by ${2 ** Math.min(o.shift, 14)})`,
        [field('tcp.options.wscale.shift', 'Shift count', at + 2, e, String(o.shift))],
      );
    case 'sack-perm':
      return field('tcp.options.sack_perm', 'SACK permitted', at, e, '');
    case 'sack':
      return field(
        'tcp.options.sack',
        'SACK',
        at,
        e,
        o.blocks.map((b) => `${b.left}-${b.right}`).join(' '),
        o.blocks.flatMap((b, k) => [
          field('tcp.options.sack_le', 'left edge', at + 2 + 8 * k, at + 6 + 8 * k, String(b.left)),
          field(
            'tcp.options.sack_re',
            'right edge',
            at + 6 + 8 * k,
            at + 10 + 8 * k,
            String(b.right),
          ),
        ]),
      );
    case 'ts':
      return field(
        'tcp.options.timestamp',
        'Timestamps',
        at,
        e,
        `TSval ${o.tsval}, TSecr ${o.tsecr}`,
        [
          field('tcp.options.timestamp.tsval', 'Timestamp value', at + 2, at + 6, String(o.tsval)),
          field('tcp.options.timestamp.tsecr', 'Timestamp echo reply', at + 6, e, String(o.tsecr)),
        ],
      );
    case 'unknown':
      return field(
        'tcp.options.unknown',
        `Unknown option (kind ${o.type})`,
        at,
        e,
        hexBytes(o.data, 0, o.data.length),
      );
    case 'padding':
      return field(
        'tcp.options.padding',
        'Padding after EOL',
        at,
        e,
        hexBytes(o.data, 0, o.data.length),
      );
  }
}
