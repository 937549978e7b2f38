/**
 * ICMP for IPv4.
 *
 * Read first:
 * - RFC 792: message formats; echo / echo reply (type 8 / 0), destination unreachable (3),
 *   time exceeded (11); the checksum covers the whole ICMP message; error messages carry "the
 *   internet header plus the first 64 bits of the original datagram's data".
 * - RFC 1191 § 4: "fragmentation needed and DF set" (type 3 code 4) carries the next-hop MTU
 *   in the low 16 bits of the second word.
 * - RFC 1122 § 3.2.2: never send an error about an ICMP error, a fragment other than the first,
 *   a broadcast/multicast (the stack's job; `mayQuote` below helps).
 * - RFC 1812 § 4.3.2.3 allows quoting more (up to 576 bytes); wiretrail quotes exactly header
 *   + 8 bytes as RFC 792 says, see `icmpQuoteLen`.
 *
 * Messages other than echo, unreachable and time exceeded parse as kind 'other' with the raw
 * second word, so that they round-trip.
 */
import { formatIpv4 } from './addr.js';
import { internetChecksum, onesSum } from './checksum.js';
import type { Field } from './field.js';
import { field, hex } from './fmt.js';
import { parseIpv4 } from './ipv4.js';
import type { Ipv4Repr } from './ipv4.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';

/** Byte offsets inside an ICMP message. */
export const ICMP = {
  TYPE: 0,
  CODE: 1,
  CHECKSUM: 2,
  IDENT: 4,
  SEQ: 6,
  /** Second word of error messages: unused, or (type 3 code 4) unused + next-hop MTU. */
  REST: 4,
  NEXT_HOP_MTU: 6,
  DATA: 8,
} as const;

export const ICMP_HEADER_LEN = 8;

export const IcmpType = {
  ECHO_REPLY: 0,
  DEST_UNREACHABLE: 3,
  ECHO_REQUEST: 8,
  TIME_EXCEEDED: 11,
} as const;

/** Destination unreachable codes (RFC 792, RFC 1122 § 3.2.2.1, RFC 1812 § 5.2.7.1). */
export const UnreachCode = {
  NET: 0,
  HOST: 1,
  PROTOCOL: 2,
  PORT: 3,
  FRAG_NEEDED: 4,
  SOURCE_ROUTE_FAILED: 5,
  NET_UNKNOWN: 6,
  HOST_UNKNOWN: 7,
  ADMIN_PROHIBITED: 13,
} as const;

/** Time exceeded codes (RFC 792). */
export const TimeExceededCode = { TTL: 0, REASSEMBLY: 1 } as const;

export type IcmpRepr =
  | {
      readonly kind: 'echo-request' | 'echo-reply';
      readonly ident: number;
      readonly seq: number;
      /** Echo data bytes after the 8-byte header. */
      readonly payloadLen: number;
    }
  | {
      readonly kind: 'dest-unreachable';
      readonly code: number;
      /** RFC 1191: next-hop MTU for code 4; 0 otherwise. */
      readonly nextHopMtu: number;
      /** Quoted bytes of the original datagram. */
      readonly payloadLen: number;
    }
  | {
      readonly kind: 'time-exceeded';
      readonly code: number;
      readonly payloadLen: number;
    }
  | {
      readonly kind: 'other';
      readonly type: number;
      readonly code: number;
      /** The second 32-bit word, raw. */
      readonly rest: number;
      readonly payloadLen: number;
    };

/** A view over an ICMP message in buf[start..end). */
export class IcmpView {
  private constructor(
    readonly buf: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  static check(buf: Uint8Array, start = 0, end = buf.length): Result<IcmpView> {
    if (start < 0 || end > buf.length || end - start < ICMP_HEADER_LEN) {
      return err('truncated', `ICMP header needs 8 bytes, have ${Math.max(0, end - start)}`);
    }
    return ok(new IcmpView(buf, start, end));
  }

  private u16(o: number): number {
    return (this.buf[this.start + o] << 8) | this.buf[this.start + o + 1];
  }
  get type(): number {
    return this.buf[this.start];
  }
  get code(): number {
    return this.buf[this.start + 1];
  }
  get checksum(): number {
    return this.u16(ICMP.CHECKSUM);
  }
  get ident(): number {
    return this.u16(ICMP.IDENT);
  }
  get seq(): number {
    return this.u16(ICMP.SEQ);
  }
  get rest(): number {
    return (this.u16(4) * 0x10000 + this.u16(6)) >>> 0;
  }
  get nextHopMtu(): number {
    return this.u16(ICMP.NEXT_HOP_MTU);
  }
  get payloadStart(): number {
    return this.start + ICMP_HEADER_LEN;
  }
  verifyChecksum(): boolean {
    return onesSum(this.buf, this.start, this.end) === 0xffff;
  }
}

/** Parses the ICMP message in buf[start..end) (the IPv4 payload). Never throws. */
export function parseIcmp(
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  verifyChecksum = true,
): Result<IcmpRepr> {
  const v = IcmpView.check(buf, start, end);
  if (!v.ok) return v;
  const view = v.value;
  if (verifyChecksum && !view.verifyChecksum()) {
    return err('bad-checksum', `ICMP checksum ${hex(view.checksum, 4)} is wrong`);
  }
  const payloadLen = end - start - ICMP_HEADER_LEN;
  const type = view.type;
  const code = view.code;
  const hi = view.ident;
  const lo = view.seq;
  if ((type === IcmpType.ECHO_REQUEST || type === IcmpType.ECHO_REPLY) && code === 0) {
    return ok({
      kind: type === IcmpType.ECHO_REQUEST ? 'echo-request' : 'echo-reply',
      ident: hi,
      seq: lo,
      payloadLen,
    });
  }
  if (type === IcmpType.DEST_UNREACHABLE && hi === 0) {
    return ok({ kind: 'dest-unreachable', code, nextHopMtu: lo, payloadLen });
  }
  if (type === IcmpType.TIME_EXCEEDED && hi === 0 && lo === 0) {
    return ok({ kind: 'time-exceeded', code, payloadLen });
  }
  return ok({ kind: 'other', type, code, rest: view.rest, payloadLen });
}

export function icmpBufferLen(repr: IcmpRepr): number {
  return ICMP_HEADER_LEN + repr.payloadLen;
}

export function icmpTypeCode(repr: IcmpRepr): { type: number; code: number } {
  switch (repr.kind) {
    case 'echo-request':
      return { type: IcmpType.ECHO_REQUEST, code: 0 };
    case 'echo-reply':
      return { type: IcmpType.ECHO_REPLY, code: 0 };
    case 'dest-unreachable':
      return { type: IcmpType.DEST_UNREACHABLE, code: repr.code };
    case 'time-exceeded':
      return { type: IcmpType.TIME_EXCEEDED, code: repr.code };
    case 'other':
      return { type: repr.type, code: repr.code };
  }
}

/**
 * Writes the 8-byte header at buf[off..] and the checksum over header + the `payloadLen` bytes
 * the caller has already placed after it. Returns 8.
 */
export function emitIcmp(repr: IcmpRepr, buf: Uint8Array, off = 0): number {
  let type: number;
  let code: number;
  let hi = 0;
  let lo = 0;
  switch (repr.kind) {
    case 'echo-request':
    case 'echo-reply':
      type = repr.kind === 'echo-request' ? IcmpType.ECHO_REQUEST : IcmpType.ECHO_REPLY;
      code = 0;
      hi = repr.ident;
      lo = repr.seq;
      break;
    case 'dest-unreachable':
      type = IcmpType.DEST_UNREACHABLE;
      code = repr.code;
      lo = repr.nextHopMtu;
      break;
    case 'time-exceeded':
      type = IcmpType.TIME_EXCEEDED;
      code = repr.code;
      break;
    case 'other':
      type = repr.type;
      code = repr.code;
      hi = Math.floor(repr.rest / 0x10000) & 0xffff;
      lo = repr.rest & 0xffff;
      break;
  }
  buf[off] = type;
  buf[off + 1] = code;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = (hi >>> 8) & 0xff;
  buf[off + 5] = hi & 0xff;
  buf[off + 6] = (lo >>> 8) & 0xff;
  buf[off + 7] = lo & 0xff;
  const c = internetChecksum(buf, off, off + ICMP_HEADER_LEN + repr.payloadLen);
  buf[off + 2] = c >>> 8;
  buf[off + 3] = c & 0xff;
  return ICMP_HEADER_LEN;
}

/**
 * How many bytes of the offending datagram in buf[start..end) an error quotes: its header plus
 * 8 bytes of data (RFC 792), bounded by what is there.
 */
export function icmpQuoteLen(buf: Uint8Array, start: number, end: number): number {
  if (end - start < 1) return 0;
  const hl = (buf[start] & 0x0f) * 4;
  return Math.min(end - start, hl + 8);
}

/**
 * RFC 1122 § 3.2.2 / RFC 1812 § 4.3.2.7: whether an ICMP error may be sent about this datagram
 * (not about an ICMP error, not about a non-first fragment, not to a broadcast/multicast or a
 * zero source). `firstIcmpType` is the ICMP type of an ICMP datagram, else -1.
 */
export function mayQuote(ip: Ipv4Repr, firstIcmpType: number): boolean {
  if (ip.fragOffset !== 0) return false;
  if (ip.protocol === 1 && firstIcmpType !== -1) {
    const t = firstIcmpType;
    if (!(
      t === 0 ||
      t === 8 ||
      t === 13 ||
      t === 14 ||
      t === 15 ||
      t === 16 ||
      t === 17 ||
      t === 18
    )) {
      return false;
    }
  }
  if (ip.src === 0 || ip.dst === 0xffff_ffff || ip.dst >>> 28 === 0xe || ip.src >>> 28 === 0xe) {
    return false;
  }
  return true;
}

export interface IcmpQuote {
  /** The quoted header; payloadLen is the one the original header stated. */
  readonly ip: Ipv4Repr;
  /** Range of the quoted transport bytes (normally 8: ports, and TCP's sequence number). */
  readonly dataStart: number;
  readonly dataEnd: number;
}

/**
 * Parses the datagram an ICMP error quotes (buf[start..end) is the ICMP payload). The quoted
 * header's checksum is not verified (routers may have changed the TTL after computing it).
 */
export function parseIcmpQuote(buf: Uint8Array, start: number, end: number): Result<IcmpQuote> {
  const r = parseIpv4(buf, start, end, { partial: true, verifyChecksum: false });
  if (!r.ok) return err(r.error, `quoted datagram: ${r.detail ?? r.error}`);
  const hl = (buf[start] & 0x0f) * 4;
  return ok({ ip: r.value, dataStart: start + hl, dataEnd: end });
}

const UNREACH_TEXT: Record<number, string> = {
  0: 'Network unreachable',
  1: 'Host unreachable',
  2: 'Protocol unreachable',
  3: 'Port unreachable',
  4: 'Fragmentation needed',
  5: 'Source route failed',
  6: 'Destination network unknown',
  7: 'Destination host unknown',
  9: 'Network administratively prohibited',
  10: 'Host administratively prohibited',
  13: 'Communication administratively filtered',
};

function typeText(r: IcmpRepr): string {
  switch (r.kind) {
    case 'echo-request':
      return 'Echo (ping) request';
    case 'echo-reply':
      return 'Echo (ping) reply';
    case 'dest-unreachable':
      return `Destination unreachable (${UNREACH_TEXT[r.code] ?? `code ${r.code}`})`;
    case 'time-exceeded':
      return `Time-to-live exceeded (${r.code === 0 ? 'Time to live exceeded in transit' : 'Fragment reassembly time exceeded'})`;
    case 'other':
      return `Type ${r.type}, code ${r.code}`;
  }
}

/** tshark's Info column: "Echo (ping) request  id=0x0001, seq=1/256, ttl=64". */
export function icmpSummary(r: IcmpRepr, ttl?: number): string {
  if (r.kind === 'echo-request' || r.kind === 'echo-reply') {
    const swapped = ((r.seq & 0xff) << 8) | (r.seq >>> 8);
    const t = ttl === undefined ? '' : `, ttl=${ttl}`;
    // tshark pads the type name to a fixed width: "request  id=", "reply    id=".
    const pad = r.kind === 'echo-request' ? '  ' : '    ';
    return `${typeText(r)}${pad}id=${hex(r.ident, 4)}, seq=${r.seq}/${swapped}${t}`;
  }
  return typeText(r);
}

/** Fields of the ICMP message at buf[start..end). */
export function icmpFields(buf: Uint8Array, start: number, end: number, r: IcmpRepr): Field[] {
  const s = start;
  const { type, code } = icmpTypeCode(r);
  const cks = (buf[s + 2] << 8) | buf[s + 3];
  const good = onesSum(buf, s, end) === 0xffff;
  const f: Field[] = [
    field('icmp.type', 'Type', s, s + 1, `${type} (${typeText(r).replace(/ \(.*\)$/, '')})`),
    field('icmp.code', 'Code', s + 1, s + 2, String(code)),
    field(
      'icmp.checksum',
      'Checksum',
      s + 2,
      s + 4,
      `${hex(cks, 4)} [${good ? 'correct' : 'incorrect'}]`,
    ),
  ];
  switch (r.kind) {
    case 'echo-request':
    case 'echo-reply':
      f.push(
        field('icmp.ident', 'Identifier (BE)', s + 4, s + 6, `${r.ident} (${hex(r.ident, 4)})`),
      );
      f.push(
        field('icmp.seq', 'Sequence Number (BE)', s + 6, s + 8, `${r.seq} (${hex(r.seq, 4)})`),
      );
      if (r.payloadLen > 0) f.push(field('data', 'Data', s + 8, end, `${r.payloadLen} bytes`));
      break;
    case 'dest-unreachable':
      f.push(field('icmp.unused', 'Unused', s + 4, s + 6, '0000'));
      if (r.code === UnreachCode.FRAG_NEEDED) {
        f.push(field('icmp.mtu', 'MTU of next hop', s + 6, s + 8, String(r.nextHopMtu)));
      } else {
        f.push(field('icmp.unused', 'Unused', s + 6, s + 8, hex(r.nextHopMtu, 4).slice(2)));
      }
      break;
    case 'time-exceeded':
      f.push(field('icmp.unused', 'Unused', s + 4, s + 8, '00000000'));
      break;
    case 'other':
      f.push(field('icmp.rest', 'Rest of header', s + 4, s + 8, hex(r.rest, 8)));
      break;
  }
  if (r.kind === 'dest-unreachable' || r.kind === 'time-exceeded') {
    const q = parseIcmpQuote(buf, s + 8, end);
    if (q.ok) {
      const ip = q.value.ip;
      f.push(
        field(
          'icmp.quoted',
          'Internet Protocol Version 4 (quoted)',
          s + 8,
          end,
          `Src: ${formatIpv4(ip.src)}, Dst: ${formatIpv4(ip.dst)}, proto ${ip.protocol}`,
        ),
      );
    } else if (r.payloadLen > 0) {
      f.push(field('data', 'Data', s + 8, end, `${r.payloadLen} bytes`));
    }
  }
  return f;
}
