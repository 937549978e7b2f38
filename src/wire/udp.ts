/**
 * UDP.
 *
 * Read first:
 * - RFC 768: header (ports, length, checksum), the pseudo-header (source, destination, zero,
 *   protocol 17, UDP length), "an all zero transmitted checksum value means that the
 *   transmitter generated no checksum", and "if the computed checksum is zero, it is transmitted
 *   as all ones".
 * - RFC 1122 § 4.1.3.4: a receiver verifies the checksum when one is present.
 *
 * The UDP length may be shorter than the IP payload (extra bytes are ignored, as Linux does),
 * never longer.
 */
import { internetChecksum, onesSum, pseudoHeaderSum } from './checksum.js';
import type { Field } from './field.js';
import { field, hex } from './fmt.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';

/** Byte offsets inside a UDP header. */
export const UDP = { SRC_PORT: 0, DST_PORT: 2, LENGTH: 4, CHECKSUM: 6, PAYLOAD: 8 } as const;

export const UDP_HEADER_LEN = 8;
const PROTO_UDP = 17;

export interface UdpRepr {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payloadLen: number;
  /**
   * Transmit (or was received with) checksum 0: "no checksum" (RFC 768). Off by default: emit
   * computes the checksum.
   */
  readonly noChecksum?: boolean;
}

/** A view over a UDP datagram in buf[start..end). */
export class UdpView {
  private constructor(
    readonly buf: Uint8Array,
    readonly start: number,
  ) {}

  /** Checks the header fits and the length field is ≥ 8 and within buf[start..end). */
  static check(buf: Uint8Array, start = 0, end = buf.length): Result<UdpView> {
    if (start < 0 || end > buf.length || end - start < UDP_HEADER_LEN) {
      return err('truncated', `UDP header needs 8 bytes, have ${Math.max(0, end - start)}`);
    }
    const len = (buf[start + 4] << 8) | buf[start + 5];
    if (len < UDP_HEADER_LEN) return err('bad-length', `UDP length ${len} < 8`);
    if (len > end - start)
      return err('truncated', `UDP length ${len} but only ${end - start} bytes`);
    return ok(new UdpView(buf, start));
  }

  private u16(o: number): number {
    return (this.buf[this.start + o] << 8) | this.buf[this.start + o + 1];
  }
  get srcPort(): number {
    return this.u16(UDP.SRC_PORT);
  }
  get dstPort(): number {
    return this.u16(UDP.DST_PORT);
  }
  get length(): number {
    return this.u16(UDP.LENGTH);
  }
  get checksum(): number {
    return this.u16(UDP.CHECKSUM);
  }
  get payloadStart(): number {
    return this.start + UDP_HEADER_LEN;
  }
  get payloadEnd(): number {
    return this.start + this.length;
  }
  /** True when the checksum is absent (0) or correct for these addresses. */
  verifyChecksum(src: number, dst: number): boolean {
    if (this.checksum === 0) return true;
    const len = this.length;
    return (
      onesSum(this.buf, this.start, this.start + len, pseudoHeaderSum(src, dst, PROTO_UDP, len)) ===
      0xffff
    );
  }
}

/**
 * Parses the UDP datagram in buf[start..end) (the IPv4 payload) sent from `src` to `dst`
 * (needed for the pseudo-header checksum). Never throws.
 */
export function parseUdp(
  buf: Uint8Array,
  start: number,
  end: number,
  src: number,
  dst: number,
  verifyChecksum = true,
): Result<UdpRepr> {
  const v = UdpView.check(buf, start, end);
  if (!v.ok) return v;
  const view = v.value;
  const cks = view.checksum;
  if (verifyChecksum && cks !== 0 && !view.verifyChecksum(src, dst)) {
    return err('bad-checksum', `UDP checksum ${hex(cks, 4)} is wrong`);
  }
  const repr = {
    srcPort: view.srcPort,
    dstPort: view.dstPort,
    payloadLen: view.length - UDP_HEADER_LEN,
  };
  return ok(cks === 0 ? { ...repr, noChecksum: true } : repr);
}

export function udpBufferLen(repr: UdpRepr): number {
  return UDP_HEADER_LEN + repr.payloadLen;
}

/**
 * Writes the header at buf[off..off+8) and the checksum over the pseudo-header, the header and
 * the `payloadLen` bytes the caller has already placed after it. Returns 8.
 */
export function emitUdp(
  repr: UdpRepr,
  buf: Uint8Array,
  off: number,
  src: number,
  dst: number,
): number {
  const len = UDP_HEADER_LEN + repr.payloadLen;
  buf[off] = (repr.srcPort >>> 8) & 0xff;
  buf[off + 1] = repr.srcPort & 0xff;
  buf[off + 2] = (repr.dstPort >>> 8) & 0xff;
  buf[off + 3] = repr.dstPort & 0xff;
  buf[off + 4] = (len >>> 8) & 0xff;
  buf[off + 5] = len & 0xff;
  buf[off + 6] = 0;
  buf[off + 7] = 0;
  if (repr.noChecksum !== true) {
    let c = internetChecksum(buf, off, off + len, pseudoHeaderSum(src, dst, PROTO_UDP, len));
    // RFC 768: a computed zero is transmitted as all ones.
    if (c === 0) c = 0xffff;
    buf[off + 6] = c >>> 8;
    buf[off + 7] = c & 0xff;
  }
  return UDP_HEADER_LEN;
}

/** tshark's Info column: "40000 → 53 Len=29". */
export function udpSummary(r: UdpRepr): string {
  return `${r.srcPort} → ${r.dstPort} Len=${r.payloadLen}`;
}

/** Fields of the datagram at buf[start..]; src/dst for the checksum status. */
export function udpFields(
  buf: Uint8Array,
  start: number,
  r: UdpRepr,
  src: number,
  dst: number,
): Field[] {
  const s = start;
  const cks = (buf[s + 6] << 8) | buf[s + 7];
  let status: string;
  if (cks === 0) status = 'none';
  else {
    const len = UDP_HEADER_LEN + r.payloadLen;
    status =
      onesSum(buf, s, s + len, pseudoHeaderSum(src, dst, PROTO_UDP, len)) === 0xffff
        ? 'correct'
        : 'incorrect';
  }
  return [
    field('udp.srcport', 'Source Port', s, s + 2, String(r.srcPort)),
    field('udp.dstport', 'Destination Port', s + 2, s + 4, String(r.dstPort)),
    field('udp.length', 'Length', s + 4, s + 6, String(UDP_HEADER_LEN + r.payloadLen)),
    field('udp.checksum', 'Checksum', s + 6, s + 8, `${hex(cks, 4)} [${status}]`),
  ];
}
