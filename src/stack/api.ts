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
  /**
   * True when the transport checksum is known to be right without computing it: the sending
   * stack computed it and no byte it covers changed on the way (FRAME_L4_OK, Linux's
   * CHECKSUM_UNNECESSARY). The transport may skip verifying it.
   */
  readonly l4ChecksumOk?: boolean;
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
  /**
   * The payload's transport checksum is computed: an unwatched NIC may tell the receiver it
   * need not verify it (IpRxMeta.l4ChecksumOk).
   */
  l4ChecksumOk?: boolean;
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
  /**
   * Optional: a buffer for `length` bytes of transport header + payload (at start..end) laid
   * out so that the host can send it as one frame without copying it (headroom for its
   * headers, tailroom for padding and FCS). Once passed to ipSend it belongs to the host.
   */
  allocPayload?(length: number): PacketBuf;
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

// ───────────────────────── application socket APIs (Node-shaped) ─────────────────────────

/** Like Node's dgram RemoteInfo. */
export interface RemoteInfo {
  readonly address: Ipv4Addr;
  readonly port: number;
  readonly size: number;
}

export interface DgramSocketEvents {
  message: [msg: Uint8Array, rinfo: RemoteInfo];
  error: [err: SocketError];
  close: [];
  /** An ICMP error for a datagram this socket sent (port unreachable, ...). */
  icmp: [info: IcmpErrorInfo];
}

/** A UDP socket shaped like Node's dgram.Socket (numbers for addresses). */
export interface DgramSocket {
  /** Binds to a port (0 or omitted = ephemeral) and address (0 or omitted = any). */
  bind(port?: number, address?: Ipv4Addr): void;
  address(): { address: Ipv4Addr; port: number };
  send(data: Uint8Array, port: number, address: Ipv4Addr): void;
  close(): void;
  on<K extends keyof DgramSocketEvents>(
    event: K,
    fn: (...args: DgramSocketEvents[K]) => void,
  ): DgramSocket;
  off<K extends keyof DgramSocketEvents>(
    event: K,
    fn: (...args: DgramSocketEvents[K]) => void,
  ): DgramSocket;
}

export interface DgramApi {
  createSocket(): DgramSocket;
}

export interface NetSocketEvents {
  connect: [];
  data: [chunk: Uint8Array];
  /** The peer sent FIN (half-close); no more data will arrive. */
  end: [];
  close: [hadError: boolean];
  error: [err: SocketError];
  /** The send buffer drained after write() returned false. */
  drain: [];
}

/** A TCP connection shaped like Node's net.Socket (numbers for addresses). */
export interface NetSocket {
  readonly localAddress: Ipv4Addr;
  readonly localPort: number;
  readonly remoteAddress: Ipv4Addr;
  readonly remotePort: number;
  /** RFC 9293 state name: "ESTABLISHED", "TIME-WAIT", ... */
  readonly state: string;
  /** Queues data; false when the send buffer is over its high-water mark (back-pressure). */
  write(data: Uint8Array): boolean;
  /** Half-close: sends FIN after queued data. */
  end(data?: Uint8Array): void;
  /** Aborts: sends RST if connected, releases the socket. */
  destroy(err?: SocketError): void;
  setNoDelay(noDelay?: boolean): void;
  on<K extends keyof NetSocketEvents>(
    event: K,
    fn: (...args: NetSocketEvents[K]) => void,
  ): NetSocket;
  once<K extends keyof NetSocketEvents>(
    event: K,
    fn: (...args: NetSocketEvents[K]) => void,
  ): NetSocket;
  off<K extends keyof NetSocketEvents>(
    event: K,
    fn: (...args: NetSocketEvents[K]) => void,
  ): NetSocket;
  /** Reads chunks until the peer's FIN; throws the socket error if one occurs. */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
}

export interface NetServerEvents {
  connection: [socket: NetSocket];
  listening: [];
  close: [];
  error: [err: SocketError];
}

export interface NetServer {
  listen(port: number, address?: Ipv4Addr, backlog?: number): NetServer;
  address(): { address: Ipv4Addr; port: number };
  close(): void;
  on<K extends keyof NetServerEvents>(
    event: K,
    fn: (...args: NetServerEvents[K]) => void,
  ): NetServer;
}

export interface ConnectOptions {
  host: Ipv4Addr;
  port: number;
  localAddress?: Ipv4Addr;
  localPort?: number;
  /** Connect timeout in ns of simulated time (default: SYN retries as Linux, about 127 s). */
  timeout?: number;
  noDelay?: boolean;
}

export interface NetApi {
  connect(options: ConnectOptions): NetSocket;
  createServer(onConnection?: (socket: NetSocket) => void): NetServer;
}
