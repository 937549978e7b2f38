/**
 * The segment as the TCP engine sees it: header fields and decoded options, payload as a view.
 * The bytes are parsed and emitted by src/wire/tcp.ts (see codec.ts); this module holds the
 * engine's plain-data shape, flag bits and small helpers.
 *
 * Read first: RFC 9293 § 3.1 (header format, control bits), § 3.2 (options: EOL, NOP, MSS),
 * RFC 7323 § 2.2 / § 3.2 (window scale, timestamps), RFC 2018 § 2 / § 3 (SACK-permitted, SACK).
 */

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

export interface Seg {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  /** Window field as carried (unscaled). */
  window: number;
  urgent: number;
  /** MSS option value, 0 when absent. */
  mss: number;
  /** Window scale shift, −1 when absent. */
  wscale: number;
  sackPermitted: boolean;
  hasTs: boolean;
  tsVal: number;
  tsEcr: number;
  /** SACK blocks as flat pairs [left0, right0, left1, right1, ...], or null. */
  sack: number[] | null;
  payload: Uint8Array;
  /** The IP header's ECN field of a received segment (RFC 3168 § 5), 0 on outgoing ones. */
  ipEcn: number;
}

const EMPTY = new Uint8Array(0);

export function newSeg(): Seg {
  return {
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    urgent: 0,
    mss: 0,
    wscale: -1,
    sackPermitted: false,
    hasTs: false,
    tsVal: 0,
    tsEcr: 0,
    sack: null,
    payload: EMPTY,
    ipEcn: 0,
  };
}

/** Sequence space the segment occupies (RFC 9293 § 3.4: SYN and FIN count one each). */
export function segLen(s: Seg): number {
  return s.payload.length + (s.flags & SYN ? 1 : 0) + (s.flags & FIN ? 1 : 0);
}

/** tcpdump's flag notation: S, F, R, P, U, E, W then "." for ACK. */
export function flagString(flags: number): string {
  let s = '';
  if (flags & SYN) s += 'S';
  if (flags & FIN) s += 'F';
  if (flags & RST) s += 'R';
  if (flags & PSH) s += 'P';
  if (flags & URG) s += 'U';
  if (flags & ECE) s += 'E';
  if (flags & CWR) s += 'W';
  if (flags & ACK) s += '.';
  return s === '' ? 'none' : s;
}
