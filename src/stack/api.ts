/**
 * The narrow interfaces between a node's layers (DESIGN.md principle 3, in the manner of gVisor
 * netstack's TransportDispatcher and smoltcp's socket/interface split):
 *
 *   apps ──(NetApi / DgramApi: Node-like sockets)──▶ transports (tcp, udp)
 *   transports ──(TransportHost: ipSend, route)──▶ ipv4 ──▶ neighbor (ARP) ──▶ NIC ──▶ link
 *   ipv4 ──(TransportProtocol.input / icmpError)──▶ transports
 *
 * Everything here is browser-safe. Addresses are numbers (src/wire/addr.ts).
 */
import type { Clock } from '../sim/clock.js';
import type { Rng } from '../sim/rng.js';
import type { TraceBus } from '../sim/trace.js';
import type { Ipv4Addr } from '../wire/addr.js';
import type { PacketBuf } from './pktbuf.js';

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

/** What the IPv4 layer tells a transport about a received datagram. */
export interface IpRxMeta {
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  readonly protocol: number;
  readonly ttl: number;
  readonly tos: number;
  /** Interface the datagram arrived on ("lo" for loopback). */
  readonly iface: string;
  /** True when dst was a broadcast address. */
  readonly broadcast: boolean;
}

/** A request to send one transport payload in an IPv4 datagram. */
export interface IpSendRequest {
  /** Source address; 0 = choose from the route (RFC 1122 § 3.3.4.3). */
  src: Ipv4Addr;
  dst: Ipv4Addr;
  protocol: number;
  /** Transport header + payload, with headroom for IPv4 + Ethernet. */
  payload: PacketBuf;
  ttl?: number;
  tos?: number;
  /** Sets DF; the datagram is then never fragmented (RFC 1191 path MTU discovery). */
  dontFragment?: boolean;
}

export type IpSendError =
  | 'no-route' // ENETUNREACH
  | 'too-big' // DF set and larger than the egress MTU (EMSGSIZE)
  | 'queue-full' // NIC TX ring or ARP queue full (ENOBUFS)
  | 'bad-source'; // src is not an address of this node

/** The route a transport would use for a destination (for MSS and source selection). */
export interface RouteInfo {
  readonly src: Ipv4Addr;
  readonly iface: string;
  readonly mtu: number;
  /** Next hop (gateway) or the destination itself when on-link. */
  readonly nextHop: Ipv4Addr;
}

/** An ICMP error delivered to the transport that sent the quoted datagram (RFC 1122 § 4.2.3.9). */
export interface IcmpErrorInfo {
  readonly type: number;
  readonly code: number;
  /** Who sent the ICMP error. */
  readonly from: Ipv4Addr;
  /** From the quoted IPv4 header. */
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  readonly protocol: number;
  /** The first 8 (or more) bytes of the quoted transport header. */
  readonly quoted: Uint8Array;
  /** Next-hop MTU for "fragmentation needed" (RFC 1191), else 0. */
  readonly mtu: number;
}

/** What a transport protocol implementation needs from its node. */
export interface TransportHost {
  readonly name: string;
  readonly clock: Clock;
  readonly trace: TraceBus;
  /** A seeded random stream for this node and purpose, e.g. rng('tcp-isn'). */
  rng(purpose: string): Rng;
  ipSend(req: IpSendRequest): IpSendError | undefined;
  route(dst: Ipv4Addr): RouteInfo | undefined;
  isLocalAddress(addr: Ipv4Addr): boolean;
  /** Interface addresses, for binding to 0.0.0.0 and for netstat. */
  localAddresses(): Ipv4Addr[];
}

/** A transport protocol registered with a node's IPv4 layer. */
export interface TransportProtocol {
  readonly protocol: number;
  /** `payload` is the transport header + data; the IPv4 header is already checked and removed. */
  input(meta: IpRxMeta, payload: Uint8Array): void;
  icmpError(info: IcmpErrorInfo): void;
}

/** Socket error codes shaped like Node's (err.code). */
export type SocketErrorCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'EPIPE'
  | 'EMSGSIZE'
  | 'ENOBUFS'
  | 'EINVAL';

export class SocketError extends Error {
  constructor(
    readonly code: SocketErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SocketError';
  }
}
