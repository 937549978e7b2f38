/**
 * Convenience builders that allocate a fresh buffer per packet: for tests, tools (ping,
 * traceroute), the tshark battery and the CLI. The stack's hot path emits in place into a
 * PacketBuf instead (each codec's emit at an offset).
 */
import { emitArp, ARP_LEN } from './arp.js';
import type { ArpRepr } from './arp.js';
import { emitEthernet, ethernetBufferLen, ethernetHeaderLen, EtherType } from './ethernet.js';
import type { EthernetRepr, VlanTag } from './ethernet.js';
import { emitIcmp, ICMP_HEADER_LEN } from './icmp.js';
import type { IcmpRepr } from './icmp.js';
import { emitIpv4, ipv4HeaderLen } from './ipv4.js';
import type { Ipv4Repr } from './ipv4.js';
import { emitTcp, tcpHeaderLen } from './tcp.js';
import type { TcpRepr } from './tcp.js';
import { emitUdp, UDP_HEADER_LEN } from './udp.js';
import type { UdpRepr } from './udp.js';
import type { MacAddr } from './addr.js';

type NoLen<T> = T extends unknown ? Omit<T, 'payloadLen'> : never;

export interface EthernetHeaderSpec {
  readonly dst: MacAddr;
  readonly src: MacAddr;
  readonly vlan?: VlanTag;
}

/** An Ethernet frame around `payload`, padded, with FCS unless `fcs` is false. */
export function ethernetFrame(
  h: EthernetHeaderSpec,
  ethertype: number,
  payload: Uint8Array,
  fcs = true,
): Uint8Array {
  const repr: EthernetRepr =
    h.vlan === undefined
      ? { dst: h.dst, src: h.src, ethertype, payloadLen: payload.length }
      : { dst: h.dst, src: h.src, ethertype, vlan: h.vlan, payloadLen: payload.length };
  const b = new Uint8Array(ethernetBufferLen(repr, fcs));
  b.set(payload, ethernetHeaderLen(repr));
  emitEthernet(repr, b, 0, fcs);
  return b;
}

export function arpPacket(r: ArpRepr): Uint8Array {
  const b = new Uint8Array(ARP_LEN);
  emitArp(r, b);
  return b;
}

/** An IPv4 datagram (header + payload). */
export function ipv4Packet(h: Omit<Ipv4Repr, 'payloadLen'>, payload: Uint8Array): Uint8Array {
  const repr: Ipv4Repr = { ...h, payloadLen: payload.length };
  const hl = ipv4HeaderLen(repr);
  const b = new Uint8Array(hl + payload.length);
  b.set(payload, hl);
  emitIpv4(repr, b);
  return b;
}

export function icmpMessage(h: NoLen<IcmpRepr>, payload: Uint8Array): Uint8Array {
  const repr = { ...h, payloadLen: payload.length } as IcmpRepr;
  const b = new Uint8Array(ICMP_HEADER_LEN + payload.length);
  b.set(payload, ICMP_HEADER_LEN);
  emitIcmp(repr, b);
  return b;
}

export function udpDatagram(
  h: Omit<UdpRepr, 'payloadLen'>,
  src: number,
  dst: number,
  payload: Uint8Array,
): Uint8Array {
  const repr: UdpRepr = { ...h, payloadLen: payload.length };
  const b = new Uint8Array(UDP_HEADER_LEN + payload.length);
  b.set(payload, UDP_HEADER_LEN);
  emitUdp(repr, b, 0, src, dst);
  return b;
}

export function tcpSegment(
  h: Omit<TcpRepr, 'payloadLen'>,
  src: number,
  dst: number,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const repr: TcpRepr = { ...h, payloadLen: payload.length };
  const hl = tcpHeaderLen(repr);
  const b = new Uint8Array(hl + payload.length);
  b.set(payload, hl);
  emitTcp(repr, b, 0, src, dst);
  return b;
}

/** Ethernet + IPv4 in one go. */
export function ipv4Frame(
  eth: EthernetHeaderSpec,
  ip: Omit<Ipv4Repr, 'payloadLen'>,
  payload: Uint8Array,
  fcs = true,
): Uint8Array {
  return ethernetFrame(eth, EtherType.IPv4, ipv4Packet(ip, payload), fcs);
}

/** Default IPv4 header fields (DF set, TTL 64, as Linux sends). */
export function ipv4Header(
  src: number,
  dst: number,
  protocol: number,
  more: Partial<Omit<Ipv4Repr, 'payloadLen'>> = {},
): Omit<Ipv4Repr, 'payloadLen'> {
  return {
    dscp: 0,
    ecn: 0,
    ident: 0,
    dontFrag: true,
    moreFrags: false,
    fragOffset: 0,
    ttl: 64,
    protocol,
    src,
    dst,
    ...more,
  };
}
