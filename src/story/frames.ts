/**
 * The few header fields the narration reads from the frames recorded in the trace (`link.tx`
 * events carry the exact bytes that crossed each wire): MACs, EtherType, the IPv4 addresses,
 * TTL and ID, the TCP/UDP ports, sequence numbers and flags, and the FCS. A thin reader over the
 * offsets of IEEE 802.3, RFC 791 and RFC 9293, for speed; the full decoder is src/wire/decode.ts.
 */
import { readIpv4, readMac } from '../wire/addr.js';
import type { Ipv4Addr, MacAddr } from '../wire/addr.js';

export interface FrameFacts {
  dstMac: MacAddr;
  srcMac: MacAddr;
  etherType: number;
  /** Frame length including the 4-byte FCS. */
  length: number;
  fcs: number;
  ip?: {
    src: Ipv4Addr;
    dst: Ipv4Addr;
    ttl: number;
    id: number;
    protocol: number;
    totalLength: number;
    df: boolean;
    mf: boolean;
    fragOffset: number;
    headerLength: number;
    checksum: number;
  };
  /** TCP or UDP ports (first fragment only). */
  sport?: number;
  dport?: number;
  tcp?: {
    seq: number;
    ack: number;
    flags: number;
    window: number;
    dataLength: number;
    headerLength: number;
  };
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** Reads the headers of an Ethernet frame with FCS; undefined when it is too short. */
export function frameFacts(f: Uint8Array): FrameFacts | undefined {
  if (f.length < 18) return undefined;
  const etherType = (f[12] << 8) | f[13];
  const facts: FrameFacts = {
    dstMac: readMac(f, 0),
    srcMac: readMac(f, 6),
    etherType,
    length: f.length,
    fcs:
      ((f[f.length - 4] << 24) |
        (f[f.length - 3] << 16) |
        (f[f.length - 2] << 8) |
        f[f.length - 1]) >>>
      0,
  };
  if (etherType !== 0x0800 || f.length < 14 + 20 + 4) return facts;
  const o = 14;
  const ihl = (f[o] & 0x0f) * 4;
  const flagsFrag = (f[o + 6] << 8) | f[o + 7];
  facts.ip = {
    totalLength: (f[o + 2] << 8) | f[o + 3],
    id: (f[o + 4] << 8) | f[o + 5],
    df: (flagsFrag & 0x4000) !== 0,
    mf: (flagsFrag & 0x2000) !== 0,
    fragOffset: (flagsFrag & 0x1fff) * 8,
    ttl: f[o + 8],
    protocol: f[o + 9],
    checksum: (f[o + 10] << 8) | f[o + 11],
    src: readIpv4(f, o + 12),
    dst: readIpv4(f, o + 16),
    headerLength: ihl,
  };
  const t = o + ihl;
  if (facts.ip.fragOffset !== 0 || f.length < t + 8 + 4) return facts;
  if (facts.ip.protocol === 6 || facts.ip.protocol === 17) {
    facts.sport = (f[t] << 8) | f[t + 1];
    facts.dport = (f[t + 2] << 8) | f[t + 3];
  }
  if (facts.ip.protocol === 6 && f.length >= t + 20 + 4) {
    const thl = (f[t + 12] >> 4) * 4;
    facts.tcp = {
      seq: ((f[t + 4] << 24) | (f[t + 5] << 16) | (f[t + 6] << 8) | f[t + 7]) >>> 0,
      ack: ((f[t + 8] << 24) | (f[t + 9] << 16) | (f[t + 10] << 8) | f[t + 11]) >>> 0,
      flags: f[t + 13],
      window: (f[t + 14] << 8) | f[t + 15],
      headerLength: thl,
      dataLength: facts.ip.totalLength - ihl - thl,
    };
  }
  return facts;
}

/** "SYN", "SYN, ACK", "FIN, ACK", "PSH, ACK" — as Wireshark writes flags. */
export function tcpFlagNames(flags: number): string {
  const names: string[] = [];
  if (flags & TCP_FIN) names.push('FIN');
  if (flags & TCP_SYN) names.push('SYN');
  if (flags & TCP_RST) names.push('RST');
  if (flags & TCP_PSH) names.push('PSH');
  if (flags & TCP_ACK) names.push('ACK');
  return names.join(', ');
}
