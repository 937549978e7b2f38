/**
 * An IP interface: a NIC (or the loopback device) with its IPv4 addresses and its neighbour
 * cache — what `ip addr` and `ip link` show for one device.
 *
 * Read first: RFC 1122 § 3.3.4 (multihoming: each interface has its own addresses) and
 * § 3.3.6 (broadcasts: the limited broadcast 255.255.255.255 and the directed broadcast of
 * each subnet, i.e. host part all ones; RFC 919/922).
 */
import type { TraceBus } from '../sim/trace.js';
import { formatIpv4, prefixToMask } from '../wire/addr.js';
import type { Ipv4Addr, MacAddr } from '../wire/addr.js';
import { allocFrame } from './frames.js';
import type { NeighborCache } from './neighbor.js';
import type { Nic } from './nic.js';
import { NicCounters } from './nic.js';
import { PacketBuf } from './pktbuf.js';

/** Ethernet header + IPv4 header without options. */
const FRAME_HEADROOM = 14 + 20;

/**
 * A PacketBuf allocated by this stack for a transport payload that will become exactly one
 * frame: 34 bytes of headroom (Ethernet + IPv4) and room for padding and FCS behind, so the
 * layers below write their headers and the NIC its FCS in place — one allocation per
 * datagram, no copy (DESIGN.md principle 3). Transports from outside the stack (TCP) may pass
 * any PacketBuf; the link layer copies those into a new frame. A FrameBuf handed to ipSend
 * belongs to the stack from then on (it is the frame, which a receiver may get exclusive).
 */
export class FrameBuf extends PacketBuf {
  /** With `trace`, the buffer comes from `allocFrame` (frames.ts): a slab while nobody listens. */
  static forPayload(length: number, trace?: TraceBus): FrameBuf {
    const end = FRAME_HEADROOM + length;
    const total = (end < 60 ? 60 : end) + 4;
    const buf = trace === undefined ? new Uint8Array(total) : allocFrame(total, trace);
    return new FrameBuf(buf, FRAME_HEADROOM, end);
  }
}

export interface IfAddr {
  readonly addr: Ipv4Addr;
  readonly prefix: number;
  readonly mask: number;
  /** Directed broadcast of the subnet (host bits all ones); 0 for /31 and /32. */
  readonly broadcast: Ipv4Addr;
  /** Network address. */
  readonly network: Ipv4Addr;
}

export function makeIfAddr(addr: Ipv4Addr, prefix: number): IfAddr {
  const mask = prefixToMask(prefix);
  const network = (addr & mask) >>> 0;
  // RFC 3021: /31 point-to-point links have no broadcast address.
  const broadcast = prefix >= 31 ? 0 : (network | ~mask) >>> 0;
  return { addr, prefix, mask, broadcast, network };
}

export function formatIfAddr(a: IfAddr): string {
  return `${formatIpv4(a.addr)}/${a.prefix}`;
}

/** A packet waiting to go out of an interface (what the neighbour cache queues). */
export interface OutPacket {
  /** The IPv4 datagram in buf[start..end). */
  buf: Uint8Array;
  start: number;
  end: number;
  /**
   * True when buf was allocated by the IP layer for exactly this frame (14 bytes of headroom,
   * room for padding and FCS after), so the Ethernet header and FCS can be written in place.
   */
  owned: boolean;
  /** Set for forwarded datagrams (router.forward is traced when the frame is sent). */
  fwd: ForwardInfo | undefined;
  /**
   * Forwarded datagrams whose received frame ended in an FCS that the NIC verified and was
   * exactly [14-byte Ethernet header][this datagram][FCS]: that FCS, and crc32Head of the
   * received frame's Ethernet + IPv4 header. The new frame differs from the received one only
   * in those header bytes, so its FCS is that FCS amended (crc32Amend) instead of a CRC of the
   * whole frame. Both set or neither.
   */
  fcsBase?: number;
  fcsHead?: number;
  /** The transport checksum inside is computed and unchanged (see FRAME_L4_OK). */
  l4ChecksumOk?: boolean;
}

export interface ForwardInfo {
  readonly inIface: string;
  readonly ttlIn: number;
  readonly routeText: string;
  readonly nextHop: Ipv4Addr;
  readonly inSrcMac: MacAddr;
  readonly inDstMac: MacAddr;
}

export class Interface {
  readonly addrs: IfAddr[] = [];
  /** Administrative state for the loopback device (NICs keep their own). */
  private loUp = true;
  readonly loCounters: NicCounters | undefined;

  constructor(
    readonly name: string,
    readonly index: number,
    readonly kind: 'ether' | 'loopback',
    readonly nic: Nic | undefined,
    readonly arp: NeighborCache<OutPacket> | undefined,
    private loMtu = 65536,
  ) {
    this.loCounters = kind === 'loopback' ? new NicCounters() : undefined;
  }

  get mac(): MacAddr {
    return this.nic?.mac ?? 0;
  }

  get mtu(): number {
    return this.nic?.mtu ?? this.loMtu;
  }

  set mtu(v: number) {
    if (this.nic !== undefined) this.nic.mtu = v;
    else this.loMtu = v;
  }

  get up(): boolean {
    return this.nic?.up ?? this.loUp;
  }

  set up(v: boolean) {
    if (this.nic !== undefined) this.nic.up = v;
    else this.loUp = v;
  }

  get counters(): NicCounters {
    return this.nic?.counters ?? this.loCounters!;
  }

  /** Primary address (the first configured), 0 if none. */
  get primary(): Ipv4Addr {
    return this.addrs.length > 0 ? this.addrs[0].addr : 0;
  }

  hasAddr(a: Ipv4Addr): boolean {
    for (let i = 0; i < this.addrs.length; i++) if (this.addrs[i].addr === a) return true;
    return false;
  }

  /** True for the directed broadcast of one of this interface's subnets. */
  isBroadcast(a: Ipv4Addr): boolean {
    for (let i = 0; i < this.addrs.length; i++)
      if (this.addrs[i].broadcast === a && a !== 0) return true;
    return false;
  }

  /** The address on the subnet that contains `a`, else the primary address. */
  sourceFor(a: Ipv4Addr): Ipv4Addr {
    for (let i = 0; i < this.addrs.length; i++) {
      const x = this.addrs[i];
      if ((a & x.mask) >>> 0 === x.network) return x.addr;
    }
    return this.primary;
  }

  /** True when `a` is on one of this interface's subnets. */
  onLink(a: Ipv4Addr): boolean {
    for (let i = 0; i < this.addrs.length; i++) {
      const x = this.addrs[i];
      if ((a & x.mask) >>> 0 === x.network) return true;
    }
    return false;
  }
}
