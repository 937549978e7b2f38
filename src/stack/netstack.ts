/**
 * A node's network stack: interfaces, ARP, the routing table, IPv4 input/output/forwarding,
 * fragmentation and reassembly, ICMP and UDP, and the registry of other transports (TCP).
 * Hosts and routers are both this class (src/devices); a router is a node with forwarding on,
 * as Linux does it (net.ipv4.ip_forward).
 *
 * Read first:
 * - RFC 791 (IPv4; § 3.2 fragmentation and reassembly), RFC 815 (reassembly, see
 *   reassembly.ts), RFC 826 (ARP, see neighbor.ts).
 * - RFC 1122 § 3.2.1 (what a host checks on every received datagram; silently discard on a bad
 *   checksum, wrong version, bad length), § 3.3.1 (routing outbound datagrams), § 3.3.4
 *   (multihoming, source address selection), § 3.3.6 (broadcasts), § 3.2.2 (when ICMP errors
 *   are sent, and when never).
 * - RFC 1812 (routers): § 5.2.2 header validation, § 5.3.1 TTL (decrement by one; if it
 *   reaches zero, discard and send ICMP time exceeded), § 5.2.4.3 next-hop selection
 *   (longest match), § 5.2.7.1 destination unreachable, § 5.3.4 (never forward a datagram
 *   received as a link-layer broadcast), § 5.3.7 (martian addresses), § 4.3.2.8 (rate limit
 *   ICMP errors); RFC 1624 (incremental checksum update for the TTL).
 * - RFC 1191 (path MTU discovery: DF datagrams too big for the next hop are dropped with ICMP
 *   "fragmentation needed" carrying the next-hop MTU).
 *
 * Call chains (named after Linux's, which the trace's `stack.rx` / `stack.tx` events follow):
 *   receive  Nic.frameIn → nicInput (netif_receive) → ipInput (ip_rcv) → localDeliver
 *            (ip_local_deliver: reassembly) → icmp/udp/registered transport
 *                                         ↘ forward (ip_forward) → output
 *   send     ipSend (ip_queue_xmit) → output (ip_finish_output: fragmentation)
 *            → neighbour (neigh_resolve_output) → xmit (dev_queue_xmit) → Nic.transmit
 */
import type { Clock } from '../sim/clock.js';
import type { Rng } from '../sim/rng.js';
import type { TraceBus } from '../sim/trace.js';
import { FRAME_EXCLUSIVE, FRAME_FCS_LATER, FRAME_L4_OK } from '../sim/link.js';
import { formatIpv4, formatMac, IPV4_BROADCAST, MAC_BROADCAST } from '../wire/addr.js';
import type { Ipv4Addr, MacAddr } from '../wire/addr.js';
import {
  arpGratuitous,
  ArpOp,
  arpReply,
  arpRequest,
  emitArp,
  isGratuitousArp,
  parseArp,
} from '../wire/arp.js';
import type { ArpRepr } from '../wire/arp.js';
import { crc32Amend, crc32Head } from '../wire/crc32.js';
import { emitEthernetHeader, ETH_FCS_LEN, ETH_HEADER_LEN, EtherType } from '../wire/ethernet.js';
import {
  checkIpv4,
  decrementTtl,
  emitIpv4,
  IPV4_HEADER_LEN,
  isFragment,
  parseIpv4,
  readIpv4Header,
} from '../wire/ipv4.js';
import type { Ipv4Repr } from '../wire/ipv4.js';
import { IcmpType, TimeExceededCode, UnreachCode } from '../wire/icmp.js';
import type {
  DgramApi,
  IpRxMeta,
  IpSendError,
  IpSendRequest,
  NetApi,
  RouteInfo,
  TransportHost,
  TransportProtocol,
} from './api.js';
import { IPPROTO_ICMP, IPPROTO_UDP } from './api.js';
import { IcmpLayer } from './icmp.js';
import { FrameBuf, formatIfAddr, Interface, makeIfAddr } from './iface.js';
import type { ForwardInfo, IfAddr, OutPacket } from './iface.js';
import { NeighborCache } from './neighbor.js';
import type { NeighConfig } from './neighbor.js';
import { allocFrame } from './frames.js';
import { frameBufferLen, Nic } from './nic.js';
import type { NicOptions, PacketType } from './nic.js';
import { PacketBuf } from './pktbuf.js';
import { Reassembler } from './reassembly.js';
import type { ReasmConfig, ReasmExpired } from './reassembly.js';
import { formatRoute, RouteTable, routeData } from './route.js';
import type { Route, RouteData, RouteSpec, RouteVerdict } from './route.js';
import { UdpLayer } from './udp.js';

/** Why the IP layer dropped a datagram (counted per reason, `netstat -s` style). */
export type IpDropReason =
  | 'truncated'
  | 'bad-checksum'
  | 'bad-version'
  | 'bad-length'
  | 'bad-header'
  | 'martian-source'
  | 'martian-destination'
  | 'other-host' // link-layer frame for another host (promiscuous NIC)
  | 'not-for-me' // a host (forwarding off) got a datagram for another address
  | 'multicast' // IP multicast is not implemented
  | 'l2-broadcast' // RFC 1812 § 5.3.4: not forwarded
  | 'directed-broadcast' // RFC 2644: not forwarded
  | 'ttl-expired'
  | 'no-route'
  | 'frag-needed' // DF set and too big for the next hop
  | 'too-big' // local sender, DF set, larger than the MTU (EMSGSIZE)
  | 'unknown-protocol'
  | 'reasm-overlap'
  | 'reasm-bad-length'
  | 'reasm-timeout'
  | 'reasm-evicted'
  | 'arp-failed'
  | 'interface-down'
  | 'bad-source';

export interface CandidateData {
  route: RouteData;
  /** dst AND the route's netmask, as the seeds' walkthrough computes it. */
  masked: string;
  verdict: RouteVerdict;
}

declare module '../sim/trace.js' {
  interface TraceEventMap {
    /**
     * A routing decision. `candidates` lists every route with its verdict (the seeds'
     * step-by-step AND with each Genmask). `route` is absent when nothing matched.
     */
    'ip.route': {
      dst: string;
      purpose: 'output' | 'forward';
      route?: RouteData;
      nextHop?: string;
      iface?: string;
      /** The chosen source address (output) and why. */
      src?: string;
      srcWhy?: string;
      candidates: CandidateData[];
      /** "local" when the destination is one of this node's addresses. */
      local?: boolean;
    };
    /** A datagram leaves the IP layer (before fragmentation and ARP). */
    'ip.tx': {
      src: string;
      dst: string;
      protocol: number;
      id: number;
      len: number;
      ttl: number;
      df: boolean;
      iface: string;
    };
    /** A datagram passed ip_rcv's checks. */
    'ip.rx': {
      src: string;
      dst: string;
      protocol: number;
      id: number;
      len: number;
      ttl: number;
      iface: string;
      verdict: 'local' | 'broadcast' | 'forward';
      fragment: boolean;
    };
    'ip.drop': {
      reason: IpDropReason;
      iface: string;
      src?: string;
      dst?: string;
      len: number;
      detail?: string;
    };
    /** A datagram was split for an egress MTU. */
    'ip.frag': {
      src: string;
      dst: string;
      id: number;
      len: number;
      mtu: number;
      fragments: number;
      iface: string;
    };
    /** Reassembly progress. */
    'ip.reasm': {
      src: string;
      dst: string;
      id: number;
      event:
        | 'start'
        | 'fragment'
        | 'complete'
        | 'duplicate'
        | 'overlap'
        | 'bad-length'
        | 'timeout'
        | 'evicted';
      offset: number;
      len: number;
      more: boolean;
      fragments: number;
    };
    /**
     * A router sent a forwarded datagram on: which route matched, the TTL before and after,
     * the Ethernet addresses it arrived with and the new ones (IP addresses do not change).
     */
    'router.forward': {
      inIface: string;
      outIface: string;
      src: string;
      dst: string;
      protocol: number;
      id: number;
      len: number;
      ttlIn: number;
      ttlOut: number;
      route: string;
      nextHop: string;
      inSrcMac: string;
      inDstMac: string;
      srcMac: string;
      dstMac: string;
    };
    /** An address was configured on an interface. */
    'ip.addr': { iface: string; addr: string; prefix: number; route: string };
  }
}

/** `netstat -s`-like counters (RFC 4293 / Linux /proc/net/snmp names). */
export class IpStats {
  InReceives = 0;
  InHdrErrors = 0;
  InAddrErrors = 0;
  ForwDatagrams = 0;
  InUnknownProtos = 0;
  InDiscards = 0;
  InDelivers = 0;
  OutRequests = 0;
  OutDiscards = 0;
  OutNoRoutes = 0;
  ReasmTimeout = 0;
  ReasmReqds = 0;
  ReasmOKs = 0;
  ReasmFails = 0;
  FragOKs = 0;
  FragFails = 0;
  FragCreates = 0;
  InTruncatedPkts = 0;
  InCsumErrors = 0;
}

/** What a stack needs from its environment (the simulation, or a real-time adapter). */
export interface StackEnv {
  readonly clock: Clock;
  readonly trace: TraceBus;
  /** Seeded stream for node `name` and `purpose`. */
  rng(node: string, purpose: string): Rng;
}

export interface StackOptions {
  /** net.ipv4.ip_forward (default false; Router sets it). */
  forwarding?: boolean;
  /** Default TTL of datagrams this node originates (Linux ip_default_ttl 64). */
  defaultTtl?: number;
  neighbor?: Partial<NeighConfig>;
  reassembly?: Partial<ReasmConfig>;
  /** ICMP error rate limit per destination: tokens per second and burst (Linux 1/s, 6). */
  icmpRatePerSec?: number;
  icmpBurst?: number;
  /** net.ipv4.icmp_echo_ignore_broadcasts (default true). */
  icmpEchoIgnoreBroadcasts?: boolean;
  /** Send a gratuitous ARP when an address is configured or carrier comes up (default true). */
  gratuitousArp?: boolean;
}

export interface InterfaceOptions extends NicOptions {
  mac: MacAddr;
}

export interface RouteLookup {
  route: Route | undefined;
  iface: Interface;
  nextHop: Ipv4Addr;
  src: Ipv4Addr;
  local: boolean;
}

/** The datagram currently being delivered (ICMP errors quote it: Linux's skb). */
export interface RxDatagram {
  buf: Uint8Array;
  start: number;
  end: number;
  ip: Ipv4Repr;
  iface: Interface;
  pktType: PacketType;
}

export class NetStack implements TransportHost {
  readonly clock: Clock;
  readonly trace: TraceBus;
  readonly routes = new RouteTable();
  readonly interfaces = new Map<string, Interface>();
  readonly lo: Interface;
  forwarding: boolean;
  readonly defaultTtl: number;
  readonly ipStats = new IpStats();
  /** Drops per reason across layers ("ip:ttl-expired", "udp:no-port", ...). */
  readonly drops = new Map<string, number>();
  readonly icmp: IcmpLayer;
  readonly udp: UdpLayer;
  readonly dgram: DgramApi;
  /** The TCP socket API once a TCP layer is attached (see attachTcp). */
  net: NetApi | undefined;
  readonly reasm: Reassembler;
  readonly options: Required<Omit<StackOptions, 'neighbor' | 'reassembly'>> &
    Pick<StackOptions, 'neighbor' | 'reassembly'>;

  private readonly transports = new Map<number, TransportProtocol>();
  private readonly localSet = new Set<number>();
  private readonly bcastSet = new Set<number>();
  private ipId: number;
  private ifIndex = 1;
  /**
   * The UDP datagram being delivered right now, for UDP's port unreachable (the only ICMP error a
   * transport sends about the datagram it is given); undefined while other protocols run.
   */
  current: RxDatagram | undefined;
  /** The frame being received, when it came from a NIC with FCS (see OutPacket.fcsBase). */
  private rxFcsFrame: Uint8Array | undefined;
  /** Its FCS is still to be computed (FRAME_FCS_LATER): there is nothing to amend. */
  private rxFcsLater = false;
  /** The frame being received, when it was delivered exclusive (forward() may rewrite it). */
  private rxExclusive: Uint8Array | undefined;

  constructor(
    readonly name: string,
    private readonly env: StackEnv,
    options: StackOptions = {},
  ) {
    this.clock = env.clock;
    this.trace = env.trace;
    this.options = {
      forwarding: options.forwarding ?? false,
      defaultTtl: options.defaultTtl ?? 64,
      icmpRatePerSec: options.icmpRatePerSec ?? 1,
      icmpBurst: options.icmpBurst ?? 6,
      icmpEchoIgnoreBroadcasts: options.icmpEchoIgnoreBroadcasts ?? true,
      gratuitousArp: options.gratuitousArp ?? true,
      neighbor: options.neighbor,
      reassembly: options.reassembly,
    };
    this.forwarding = this.options.forwarding;
    this.defaultTtl = this.options.defaultTtl;
    this.ipId = this.rng('ip-id').u32() & 0xffff;
    this.lo = new Interface('lo', this.ifIndex++, 'loopback', undefined, undefined);
    this.interfaces.set('lo', this.lo);
    this.addAddressTo(this.lo, 0x7f000001, 8);
    this.reasm = new Reassembler(this.clock, (e) => this.reasmExpired(e), options.reassembly);
    this.icmp = new IcmpLayer(this);
    this.udp = new UdpLayer(this);
    this.dgram = { createSocket: () => this.udp.createSocket() };
  }

  // ───────────────────────────── TransportHost ─────────────────────────────

  rng(purpose: string): Rng {
    return this.env.rng(this.name, purpose);
  }

  isLocalAddress(addr: Ipv4Addr): boolean {
    return this.localSet.has(addr >>> 0);
  }

  localAddresses(): Ipv4Addr[] {
    const out: Ipv4Addr[] = [];
    for (const i of this.interfaces.values()) for (const a of i.addrs) out.push(a.addr);
    return out;
  }

  /** A FrameBuf: ipSend builds the frame in place around it (TransportHost.allocPayload). */
  allocPayload(length: number): PacketBuf {
    return FrameBuf.forPayload(length, this.trace);
  }

  route(dst: Ipv4Addr): RouteInfo | undefined {
    const r = this.resolveRoute(dst >>> 0);
    if (r === undefined) return undefined;
    return { src: r.src, iface: r.iface.name, mtu: r.iface.mtu, nextHop: r.nextHop };
  }

  registerTransport(p: TransportProtocol): void {
    if (p.protocol === IPPROTO_ICMP || p.protocol === IPPROTO_UDP) {
      throw new Error(`protocol ${p.protocol} is built into the stack`);
    }
    if (this.transports.has(p.protocol))
      throw new Error(`protocol ${p.protocol} is already registered`);
    this.transports.set(p.protocol, p);
  }

  transport(protocol: number): TransportProtocol | undefined {
    return this.transports.get(protocol);
  }

  /**
   * Attaches a TCP layer (or any transport exposing a Node-like `net` API) in one line:
   * `host.attachTcp((h) => new TcpLayer(h))`. Registers it and sets `host.net`.
   */
  attachTcp<T extends TransportProtocol & { readonly net: NetApi }>(
    factory: (host: TransportHost) => T,
  ): T {
    const t = factory(this);
    this.registerTransport(t);
    this.net = t.net;
    return t;
  }

  ipSend(req: IpSendRequest): IpSendError | undefined {
    const st = this.ipStats;
    st.OutRequests++;
    const dst = req.dst >>> 0;
    let r = this.resolveRoute(dst);
    if (r === undefined && dst === IPV4_BROADCAST && req.src !== 0) {
      // Linux ip_route_output: a limited broadcast from a bound source leaves by the interface
      // that owns the source, route or no route.
      const iface = this.ifaceOf(req.src >>> 0);
      if (iface !== undefined && iface.kind === 'ether')
        r = { route: undefined, iface, nextHop: dst, src: req.src >>> 0, local: false };
    }
    if (r === undefined) {
      st.OutNoRoutes++;
      this.drop('no-route', this.lo, req.src, dst, req.payload.length + IPV4_HEADER_LEN);
      return 'no-route';
    }
    let src = req.src >>> 0;
    if (src === 0) src = r.src;
    else if (!this.localSet.has(src)) {
      st.OutDiscards++;
      return 'bad-source';
    }
    const p = req.payload;
    const total = p.length + IPV4_HEADER_LEN;
    const iface = r.iface;
    const df = req.dontFragment === true;
    if (total > 0xffff || (df && total > iface.mtu)) {
      // EMSGSIZE: a local sender learns synchronously (Linux ip_fragment → -EMSGSIZE).
      st.FragFails++;
      this.drop('too-big', iface, src, dst, total);
      return 'too-big';
    }
    const ident = this.nextIdent();
    const ttl = req.ttl ?? this.defaultTtl;
    const tos = req.tos ?? 0;
    // PacketBuf.prepend returns a view of the header; we write through p.buf, so with enough
    // headroom just move the start (no view allocated per datagram).
    if (p.start >= IPV4_HEADER_LEN) p.start -= IPV4_HEADER_LEN;
    else p.prepend(IPV4_HEADER_LEN);
    emitIpv4(
      {
        dscp: tos >>> 2,
        ecn: tos & 3,
        ident,
        dontFrag: df,
        moreFrags: false,
        fragOffset: 0,
        ttl,
        protocol: req.protocol,
        src,
        dst,
        payloadLen: total - IPV4_HEADER_LEN,
      },
      p.buf,
      p.start,
    );
    if (this.trace.active) {
      this.traceRoute(dst, 'output', r);
      this.trace.emit('ip.tx', this.name, {
        src: formatIpv4(src),
        dst: formatIpv4(dst),
        protocol: req.protocol,
        id: ident,
        len: total,
        ttl,
        df,
        iface: iface.name,
      });
      this.trace.emit('stack.tx', this.name, {
        iface: iface.name,
        stage: 'ip_output',
        fn: 'ip_queue_xmit',
        len: total,
      });
    }
    if (total > iface.mtu) {
      this.fragmentAndSend(iface, r.nextHop, p.buf, p.start, p.end, iface.mtu, undefined);
      return undefined;
    }
    // A FrameBuf of ours with the IPv4 header right after 14 bytes of headroom and room for
    // padding + FCS: the frame is built in place.
    const owned =
      p instanceof FrameBuf &&
      p.start === ETH_HEADER_LEN &&
      p.buf.length >= frameBufferLen(ETH_HEADER_LEN + total);
    const ok = this.output(iface, r.nextHop, {
      buf: p.buf,
      start: p.start,
      end: p.end,
      owned,
      fwd: undefined,
      l4ChecksumOk: req.l4ChecksumOk === true,
    });
    return ok ? undefined : 'queue-full';
  }

  // ───────────────────────────── configuration ─────────────────────────────

  /** Adds an Ethernet interface with its NIC. */
  addInterface(name: string, options: InterfaceOptions): Interface {
    if (this.interfaces.has(name))
      throw new Error(`${this.name} already has an interface "${name}"`);
    const nic = new Nic(this, name, options.mac, options);
    let iface: Interface;
    const owner = {
      iface: name,
      ctx: this,
      sendRequest: (target: Ipv4Addr, unicast: MacAddr | undefined) =>
        this.sendArpRequest(iface, target, unicast),
      transmit: (pkt: OutPacket, mac: MacAddr) => this.xmit(iface, pkt, mac),
      failed: (ip: Ipv4Addr, pkts: OutPacket[]) => this.neighborFailed(iface, ip, pkts),
      senderFor: (target: Ipv4Addr) => iface.sourceFor(target),
    };
    const arp = new NeighborCache<OutPacket>(owner, this.options.neighbor);
    iface = new Interface(name, this.ifIndex++, 'ether', nic, arp);
    nic.handler = (_n, frame, end, type, flags) => this.nicInput(iface, frame, end, type, flags);
    nic.onCarrier = (up) => {
      if (up) this.announce(iface);
      else iface.arp?.flush();
    };
    this.interfaces.set(name, iface);
    return iface;
  }

  iface(name: string): Interface | undefined {
    return this.interfaces.get(name);
  }

  /**
   * Configures an address (`ip addr add 192.168.3.10/24 dev eth0`): adds the connected route
   * (proto kernel, scope link) and announces the address with a gratuitous ARP.
   */
  addAddress(ifaceName: string, addr: Ipv4Addr, prefix: number): IfAddr {
    const iface = this.interfaces.get(ifaceName);
    if (iface === undefined) throw new Error(`${this.name} has no interface "${ifaceName}"`);
    const a = this.addAddressTo(iface, addr >>> 0, prefix);
    if (iface.kind === 'ether') {
      this.routes.add({
        dst: a.network,
        prefix,
        iface: ifaceName,
        proto: 'kernel',
        src: a.addr,
        metric: 0,
      });
      if (this.trace.active) {
        this.trace.emit('ip.addr', this.name, {
          iface: ifaceName,
          addr: formatIpv4(a.addr),
          prefix,
          route: `${formatIpv4(a.network)}/${prefix} dev ${ifaceName} proto kernel scope link src ${formatIpv4(a.addr)}`,
        });
      }
      if (iface.nic?.running && this.options.gratuitousArp) this.sendGratuitous(iface, a.addr);
    }
    return a;
  }

  private addAddressTo(iface: Interface, addr: Ipv4Addr, prefix: number): IfAddr {
    if (!(prefix >= 0 && prefix <= 32)) throw new Error(`bad prefix length /${prefix}`);
    if (iface.hasAddr(addr)) throw new Error(`${formatIpv4(addr)} is already on ${iface.name}`);
    const a = makeIfAddr(addr, prefix);
    iface.addrs.push(a);
    this.localSet.add(addr);
    if (a.broadcast !== 0) this.bcastSet.add(a.broadcast);
    return a;
  }

  /** `ip route add`: returns an error message or undefined. */
  addRoute(spec: RouteSpec): string | undefined {
    const iface = this.interfaces.get(spec.iface);
    if (iface === undefined) return `no interface "${spec.iface}" on ${this.name}`;
    if (spec.gateway !== undefined && spec.gateway !== 0 && !iface.onLink(spec.gateway)) {
      // Linux: "Nexthop has invalid gateway" — the gateway must be on a connected subnet.
      return `gateway ${formatIpv4(spec.gateway)} is not on a subnet of ${spec.iface} (${iface.addrs.map(formatIfAddr).join(', ') || 'no address'})`;
    }
    return this.routes.add(spec);
  }

  /** The interface that has address `a`. */
  ifaceOf(a: Ipv4Addr): Interface | undefined {
    for (const i of this.interfaces.values()) if (i.hasAddr(a)) return i;
    return undefined;
  }

  /** Finds the interface a gateway is reachable through (for routes given without `dev`). */
  ifaceForGateway(gw: Ipv4Addr): Interface | undefined {
    for (const i of this.interfaces.values()) if (i.kind === 'ether' && i.onLink(gw)) return i;
    return undefined;
  }

  // ───────────────────────────── routing ─────────────────────────────

  /** Route, egress interface, next hop and source address for `dst`. */
  resolveRoute(dst: Ipv4Addr): RouteLookup | undefined {
    if (this.localSet.has(dst) || dst >>> 24 === 127) {
      return {
        route: undefined,
        iface: this.lo,
        nextHop: dst,
        src: this.localSet.has(dst) ? dst : 0x7f000001,
        local: true,
      };
    }
    const route = this.routes.lookup(dst);
    if (route === undefined) return undefined;
    const iface = this.interfaces.get(route.iface);
    if (iface === undefined) return undefined;
    const nextHop = route.gateway !== 0 ? route.gateway : dst;
    return { route, iface, nextHop, src: this.selectSource(route, iface, nextHop), local: false };
  }

  /**
   * RFC 1122 § 3.3.4.3 / Linux inet_select_addr: the route's preferred source, else the
   * egress interface's address on the next hop's subnet, else its primary address, else any
   * address of the node.
   */
  selectSource(route: Route, iface: Interface, nextHop: Ipv4Addr): Ipv4Addr {
    if (route.src !== 0) return route.src;
    const s = iface.sourceFor(nextHop);
    if (s !== 0) return s;
    for (const i of this.interfaces.values())
      if (i.kind === 'ether' && i.primary !== 0) return i.primary;
    return 0;
  }

  /** `ip route get`: the decision with every candidate (for tools and the trace). */
  explainRoute(dst: Ipv4Addr): {
    lookup: RouteLookup | undefined;
    candidates: CandidateData[];
    srcWhy: string;
  } {
    const lookup = this.resolveRoute(dst >>> 0);
    const ex = this.routes.explain(dst >>> 0);
    const candidates = ex.candidates.map((c) => ({
      route: routeData(c.route),
      masked: formatIpv4(c.masked),
      verdict: lookup?.local === true ? ('no-match' as const) : c.verdict,
    }));
    let srcWhy = '';
    if (lookup !== undefined) {
      if (lookup.local) srcWhy = 'destination is local';
      else if (lookup.route!.src !== 0)
        srcWhy = `preferred source of route ${formatRoute(lookup.route!)}`;
      else
        srcWhy = `address of ${lookup.iface.name} on the subnet of ${formatIpv4(lookup.nextHop)}`;
    }
    return { lookup, candidates, srcWhy };
  }

  private traceRoute(
    dst: Ipv4Addr,
    purpose: 'output' | 'forward',
    r: RouteLookup | undefined,
  ): void {
    const ex = this.explainRoute(dst);
    const ev: {
      dst: string;
      purpose: 'output' | 'forward';
      route?: RouteData;
      nextHop?: string;
      iface?: string;
      src?: string;
      srcWhy?: string;
      candidates: CandidateData[];
      local?: boolean;
    } = { dst: formatIpv4(dst), purpose, candidates: ex.candidates };
    if (r !== undefined) {
      if (r.route !== undefined) ev.route = routeData(r.route);
      ev.nextHop = formatIpv4(r.nextHop);
      ev.iface = r.iface.name;
      if (purpose === 'output') {
        ev.src = formatIpv4(r.src);
        ev.srcWhy = ex.srcWhy;
      }
      if (r.local) ev.local = true;
    }
    this.trace.emit('ip.route', this.name, ev);
  }

  // ───────────────────────────── receive path ─────────────────────────────

  private nicInput(
    iface: Interface,
    frame: Uint8Array,
    end: number,
    type: PacketType,
    flags: number,
  ): void {
    const et = (frame[12] << 8) | frame[13];
    if (this.trace.active) {
      this.trace.emit('stack.rx', this.name, {
        iface: iface.name,
        stage: 'netif_receive',
        fn: et === EtherType.ARP ? 'arp_rcv' : '__netif_receive_skb',
        len: end,
      });
    }
    if (et === EtherType.IPv4) {
      // What forward() may do with this frame: amend its FCS (verified by the NIC; unless it
      // is still to be computed, FRAME_FCS_LATER) instead of recomputing it; rewrite it in
      // place (exclusive). Cleared before anything else runs.
      this.rxFcsFrame = iface.nic?.caps.fcs === 'check' ? frame : undefined;
      this.rxFcsLater = (flags & FRAME_FCS_LATER) !== 0;
      this.rxExclusive = (flags & FRAME_EXCLUSIVE) !== 0 ? frame : undefined;
      try {
        this.ipInput(iface, frame, ETH_HEADER_LEN, end, type, flags & FRAME_L4_OK);
      } finally {
        this.rxFcsFrame = undefined;
        this.rxExclusive = undefined;
      }
    } else if (et === EtherType.ARP) this.arpInput(iface, frame, end, type);
    else {
      // No handler for the EtherType (VLAN-tagged frames included): Linux counts rx_nohandler.
      iface.counters.rxDropped++;
      this.count('link:unknown-ethertype');
    }
  }

  /**
   * ip_rcv: RFC 1122 § 3.2.1 / RFC 1812 § 5.2.2 checks, then local delivery or forwarding.
   * `l4Ok`: FRAME_L4_OK when the frame carried it (the transport checksum is known good).
   */
  ipInput(
    iface: Interface,
    buf: Uint8Array,
    start: number,
    end: number,
    type: PacketType,
    l4Ok = 0,
  ): void {
    const st = this.ipStats;
    st.InReceives++;
    if (type === 'otherhost') {
      // Linux ip_rcv: PACKET_OTHERHOST is dropped (promiscuous capture only).
      this.drop('other-host', iface, 0, 0, end - start);
      return;
    }
    // Checked without a Result or Repr: a router reads the few fields it needs from the header.
    const bad = checkIpv4(buf, start, end);
    if (bad !== undefined) {
      if (bad.error === 'truncated') st.InTruncatedPkts++;
      else if (bad.error === 'bad-checksum') {
        st.InCsumErrors++;
        st.InHdrErrors++;
      } else st.InHdrErrors++;
      const reason: IpDropReason =
        bad.error === 'truncated' ||
        bad.error === 'bad-checksum' ||
        bad.error === 'bad-version' ||
        bad.error === 'bad-length'
          ? bad.error
          : 'bad-header';
      this.drop(reason, iface, 0, 0, end - start, bad.detail);
      return;
    }
    const dataEnd = start + ((buf[start + 2] << 8) | buf[start + 3]); // drops Ethernet padding
    const src = readU32(buf, start + 12);
    const dst = readU32(buf, start + 16);
    // RFC 1812 § 5.3.7 / RFC 1122 § 3.2.1.3: martian sources and destinations.
    if (
      src >>> 28 === 0xe ||
      src === IPV4_BROADCAST ||
      this.bcastSet.has(src) ||
      (src >>> 24 === 127 && iface.kind !== 'loopback')
    ) {
      st.InAddrErrors++;
      this.drop('martian-source', iface, src, dst, dataEnd - start);
      return;
    }
    if (dst === 0 || (dst >>> 24 === 127 && iface.kind !== 'loopback')) {
      st.InAddrErrors++;
      this.drop('martian-destination', iface, src, dst, dataEnd - start);
      return;
    }
    const trace = this.trace.active;
    let verdict: 'local' | 'broadcast' | 'forward';
    if (this.localSet.has(dst)) verdict = 'local';
    else if (dst === IPV4_BROADCAST || this.bcastSet.has(dst)) verdict = 'broadcast';
    else if (dst >>> 28 === 0xe) {
      st.InDiscards++;
      this.drop('multicast', iface, src, dst, dataEnd - start);
      return;
    } else if (this.forwarding) verdict = 'forward';
    else {
      st.InAddrErrors++;
      this.drop('not-for-me', iface, src, dst, dataEnd - start);
      return;
    }
    if (trace) {
      const ip = readIpv4Header(buf, start);
      this.trace.emit('stack.rx', this.name, {
        iface: iface.name,
        stage: 'ip_rcv',
        fn: 'ip_rcv',
        len: dataEnd - start,
      });
      this.trace.emit('ip.rx', this.name, {
        src: formatIpv4(src),
        dst: formatIpv4(dst),
        protocol: ip.protocol,
        id: ip.ident,
        len: dataEnd - start,
        ttl: ip.ttl,
        iface: iface.name,
        verdict,
        fragment: isFragment(ip),
      });
    }
    if (verdict === 'forward') this.forward(iface, buf, start, dataEnd, type, l4Ok);
    else {
      const ip = readIpv4Header(buf, start);
      this.localDeliver(iface, buf, start, dataEnd, ip, type, verdict === 'broadcast', l4Ok);
    }
  }

  /** ip_local_deliver: reassembly, then the transport. */
  private localDeliver(
    iface: Interface,
    buf: Uint8Array,
    start: number,
    end: number,
    ip: Ipv4Repr,
    type: PacketType,
    broadcast: boolean,
    l4Ok: number,
  ): void {
    const hl = (buf[start] & 0x0f) << 2;
    if (isFragment(ip)) {
      l4Ok = 0; // the checksum is checked on the reassembled datagram
      const st = this.ipStats;
      st.ReasmReqds++;
      const res = this.reasm.add(ip, buf, start, start + hl, end);
      if (this.trace.active) {
        this.trace.emit('ip.reasm', this.name, {
          src: formatIpv4(ip.src),
          dst: formatIpv4(ip.dst),
          id: ip.ident,
          event: res.event,
          offset: ip.fragOffset,
          len: end - start - hl,
          more: ip.moreFrags,
          fragments: res.fragments,
        });
      }
      if (res.event === 'overlap' || res.event === 'bad-length') {
        st.ReasmFails++;
        this.drop(
          res.event === 'overlap' ? 'reasm-overlap' : 'reasm-bad-length',
          iface,
          ip.src,
          ip.dst,
          end - start,
        );
        return;
      }
      if (res.datagram === undefined) return;
      st.ReasmOKs++;
      buf = res.datagram;
      start = 0;
      end = buf.length;
      const whole = parseIpv4(buf, 0, end);
      if (!whole.ok) return;
      ip = whole.value;
    }
    if (this.trace.active) {
      this.trace.emit('stack.rx', this.name, {
        iface: iface.name,
        stage: 'ip_local_deliver',
        fn: 'ip_local_deliver',
        len: end - start,
      });
    }
    this.ipStats.InDelivers++;
    const payload = buf.subarray(start + hl, end);
    const meta: IpRxMeta = {
      src: ip.src,
      dst: ip.dst,
      protocol: ip.protocol,
      ttl: ip.ttl,
      tos: (ip.dscp << 2) | ip.ecn,
      iface: iface.name,
      broadcast,
      l4ChecksumOk: l4Ok !== 0,
    };
    const prev = this.current;
    this.current =
      ip.protocol === IPPROTO_UDP ? { buf, start, end, ip, iface, pktType: type } : undefined;
    try {
      switch (ip.protocol) {
        case IPPROTO_ICMP:
          this.traceTransport(iface, 'icmp_rcv', payload.length);
          this.icmp.input(meta, payload);
          break;
        case IPPROTO_UDP:
          this.traceTransport(iface, 'udp_rcv', payload.length);
          this.udp.input(meta, payload);
          break;
        default: {
          const t = this.transports.get(ip.protocol);
          if (t !== undefined) {
            this.traceTransport(
              iface,
              ip.protocol === 6 ? 'tcp_v4_rcv' : 'transport',
              payload.length,
            );
            t.input(meta, payload);
          } else {
            this.ipStats.InUnknownProtos++;
            this.ipStats.InDelivers--;
            this.drop('unknown-protocol', iface, ip.src, ip.dst, end - start);
            // RFC 1122 § 3.2.2.1: protocol unreachable.
            if (!broadcast)
              this.icmp.sendError(
                IcmpType.DEST_UNREACHABLE,
                UnreachCode.PROTOCOL,
                { buf, start, end, ip, iface, pktType: type },
                0,
              );
          }
        }
      }
    } finally {
      this.current = prev;
    }
  }

  private traceTransport(iface: Interface, fn: string, len: number): void {
    if (this.trace.active)
      this.trace.emit('stack.rx', this.name, { iface: iface.name, stage: 'transport', fn, len });
  }

  /** The datagram an ICMP error quotes and answers. */
  private rxDatagram(
    buf: Uint8Array,
    start: number,
    end: number,
    iface: Interface,
    pktType: PacketType,
  ): RxDatagram {
    return { buf, start, end, ip: readIpv4Header(buf, start), iface, pktType };
  }

  /**
   * ip_forward (RFC 1812 § 5.2 / § 5.3). The header at buf[start..) was checked by ipInput; its
   * fields are read from the buffer, and a Repr is built only for an ICMP error.
   */
  private forward(
    inIface: Interface,
    buf: Uint8Array,
    start: number,
    end: number,
    type: PacketType,
    l4Ok: number,
  ): void {
    const st = this.ipStats;
    const len = end - start;
    const src = readU32(buf, start + 12);
    const dst = readU32(buf, start + 16);
    const ttl = buf[start + 8];
    if (type !== 'host') {
      // RFC 1812 § 5.3.4: a datagram received as a link-layer broadcast is not forwarded.
      st.InAddrErrors++;
      this.drop('l2-broadcast', inIface, src, dst, len);
      return;
    }
    // Linux looks the route up first (ip_rcv_finish → ip_route_input_noref); only a datagram
    // with a forwarding route reaches ip_forward, one without goes to ip_error.
    const route = this.routes.lookup(dst);
    const outIface = route === undefined ? undefined : this.interfaces.get(route.iface);
    if (route === undefined || outIface === undefined) {
      if (this.trace.active) this.traceRoute(dst, 'forward', undefined);
      st.OutNoRoutes++;
      this.drop('no-route', inIface, src, dst, len);
      // RFC 1812 § 5.2.7.1: network unreachable.
      this.icmp.sendError(
        IcmpType.DEST_UNREACHABLE,
        UnreachCode.NET,
        this.rxDatagram(buf, start, end, inIface, type),
        0,
      );
      return;
    }
    if (this.trace.active) {
      this.trace.emit('stack.rx', this.name, {
        iface: inIface.name,
        stage: 'ip_forward',
        fn: 'ip_forward',
        len,
      });
    }
    // RFC 1812 § 5.3.1: TTL 1 (or 0) would reach zero here: discard, send time exceeded.
    // Linux routes the datagram first (ip_rcv_finish → ip_route_input) and checks the TTL in
    // ip_forward, so a datagram with no route gets "net unreachable" whatever its TTL.
    if (ttl <= 1) {
      st.InHdrErrors++;
      this.drop('ttl-expired', inIface, src, dst, len, `TTL ${ttl}`);
      this.icmp.sendError(
        IcmpType.TIME_EXCEEDED,
        TimeExceededCode.TTL,
        this.rxDatagram(buf, start, end, inIface, type),
        0,
      );
      return;
    }
    const nextHop = route.gateway !== 0 ? route.gateway : dst;
    if (this.trace.active) {
      this.traceRoute(dst, 'forward', { route, iface: outIface, nextHop, src: 0, local: false });
    }
    if (outIface.isBroadcast(dst)) {
      // RFC 2644: directed broadcasts are not forwarded by default.
      st.InAddrErrors++;
      this.drop('directed-broadcast', inIface, src, dst, len);
      return;
    }
    const fwd: ForwardInfo | undefined = this.trace.active
      ? {
          inIface: inIface.name,
          ttlIn: ttl,
          routeText: formatRoute(route),
          nextHop,
          inSrcMac: macAt(buf, start - 8),
          inDstMac: macAt(buf, start - 14),
        }
      : undefined;
    if (len > outIface.mtu) {
      if ((buf[start + 6] & 0x40) !== 0 /* DF */) {
        // RFC 1191 § 4 / RFC 1812 § 5.2.7.1: fragmentation needed, with the next-hop MTU.
        st.FragFails++;
        this.drop(
          'frag-needed',
          inIface,
          src,
          dst,
          len,
          `DF set, ${len} > MTU ${outIface.mtu} of ${outIface.name}`,
        );
        this.icmp.sendError(
          IcmpType.DEST_UNREACHABLE,
          UnreachCode.FRAG_NEEDED,
          this.rxDatagram(buf, start, end, inIface, type),
          outIface.mtu,
        );
        return;
      }
      st.ForwDatagrams++;
      // Decrement the TTL in a copy, then fragment the copy.
      const copy = buf.slice(start, end);
      decrementTtl(copy, 0);
      this.fragmentAndSend(outIface, nextHop, copy, 0, len, outIface.mtu, fwd);
      return;
    }
    st.ForwDatagrams++;
    // The received frame is exactly [14-byte header][this datagram][FCS verified by the NIC]:
    // the new frame's FCS can be amended from it (see xmit), and if the frame is ours alone
    // (delivered exclusive, no trace listener) it becomes the new frame, rewritten in place.
    const plain =
      this.rxFcsFrame === buf && start === ETH_HEADER_LEN && buf.length === end + ETH_FCS_LEN;
    let fcsBase: number | undefined;
    let fcsHead: number | undefined;
    if (plain && end >= FCS_PATCH_MIN && !this.rxFcsLater) {
      fcsBase =
        (buf[end] | (buf[end + 1] << 8) | (buf[end + 2] << 16) | (buf[end + 3] << 24)) >>> 0;
      fcsHead = crc32Head(buf, 0, ETH_HEADER_LEN + ((buf[start] & 0x0f) << 2));
    }
    let frame: Uint8Array;
    if (plain && this.rxExclusive === buf && !this.trace.active) {
      frame = buf;
    } else {
      // A new frame: 14 bytes for the new Ethernet header, the datagram, room for pad + FCS.
      frame = allocFrame(frameBufferLen(ETH_HEADER_LEN + len), this.trace);
      frame.set(buf.subarray(start, end), ETH_HEADER_LEN);
    }
    // RFC 1812 § 5.3.1 + RFC 1624: TTL − 1 with an incremental checksum update.
    decrementTtl(frame, ETH_HEADER_LEN);
    this.output(outIface, nextHop, {
      buf: frame,
      start: ETH_HEADER_LEN,
      end: ETH_HEADER_LEN + len,
      owned: true,
      fwd,
      fcsBase,
      fcsHead,
      l4ChecksumOk: l4Ok !== 0,
    });
  }

  // ───────────────────────────── send path ─────────────────────────────

  /** ip_finish_output2: broadcast, or ARP resolution of the next hop. */
  private output(iface: Interface, nextHop: Ipv4Addr, pkt: OutPacket): boolean {
    if (iface.kind === 'loopback') {
      this.loopbackXmit(pkt);
      return true;
    }
    const nic = iface.nic!;
    if (!nic.running) {
      this.ipStats.OutDiscards++;
      this.drop('interface-down', iface, 0, nextHop, pkt.end - pkt.start);
      return false;
    }
    const dst = readU32(pkt.buf, pkt.start + 16);
    if (this.trace.active) {
      // Linux: a connected (REACHABLE/PERMANENT) neighbour sends through its cached hardware
      // header (neigh_hh_output); any other state goes through neigh_resolve_output.
      const st = iface.arp!.get(nextHop)?.state;
      this.trace.emit('stack.tx', this.name, {
        iface: iface.name,
        stage: 'neigh',
        fn: st === 'REACHABLE' || st === 'PERMANENT' ? 'neigh_hh_output' : 'neigh_resolve_output',
        len: pkt.end - pkt.start,
      });
    }
    if (dst === IPV4_BROADCAST || iface.isBroadcast(dst))
      return this.xmit(iface, pkt, MAC_BROADCAST);
    const why = this.trace.active
      ? () => {
          const r = this.routes.lookup(dst);
          return r !== undefined && r.gateway !== 0
            ? `next hop ${formatIpv4(nextHop)} is the gateway of route ${formatRoute(r)}`
            : `${formatIpv4(nextHop)} is on the local subnet of ${iface.name}`;
        }
      : undefined;
    return iface.arp!.output(nextHop, pkt, why);
  }

  /** dev_queue_xmit: the Ethernet header, then the NIC (which adds padding and FCS). */
  private xmit(iface: Interface, pkt: OutPacket, mac: MacAddr): boolean {
    const ipLen = pkt.end - pkt.start;
    const end = ETH_HEADER_LEN + ipLen;
    let frame: Uint8Array;
    if (pkt.owned && pkt.start === ETH_HEADER_LEN) {
      frame = pkt.buf;
    } else {
      frame = allocFrame(frameBufferLen(end), this.trace);
      frame.set(pkt.buf.subarray(pkt.start, pkt.end), ETH_HEADER_LEN);
    }
    emitEthernetHeader(
      { dst: mac, src: iface.mac, ethertype: EtherType.IPv4, payloadLen: ipLen },
      frame,
      0,
    );
    if (this.trace.active) {
      const fwd = pkt.fwd;
      if (fwd !== undefined) {
        this.trace.emit('router.forward', this.name, {
          inIface: fwd.inIface,
          outIface: iface.name,
          src: formatIpv4(readU32(frame, ETH_HEADER_LEN + 12)),
          dst: formatIpv4(readU32(frame, ETH_HEADER_LEN + 16)),
          protocol: frame[ETH_HEADER_LEN + 9],
          id: (frame[ETH_HEADER_LEN + 4] << 8) | frame[ETH_HEADER_LEN + 5],
          len: ipLen,
          ttlIn: fwd.ttlIn,
          ttlOut: frame[ETH_HEADER_LEN + 8],
          route: fwd.routeText,
          nextHop: formatIpv4(fwd.nextHop),
          inSrcMac: formatMac(fwd.inSrcMac),
          inDstMac: formatMac(fwd.inDstMac),
          srcMac: formatMac(iface.mac),
          dstMac: formatMac(mac),
        });
      }
      this.trace.emit('stack.tx', this.name, {
        iface: iface.name,
        stage: 'qdisc',
        fn: 'dev_queue_xmit',
        len: end,
      });
    }
    // The frame is ours alone (allocated here or in forward(), or a FrameBuf of this stack):
    // the receiver may get it exclusive.
    const nic = iface.nic!;
    const flags = pkt.l4ChecksumOk === true ? FRAME_EXCLUSIVE | FRAME_L4_OK : FRAME_EXCLUSIVE;
    const head = pkt.fcsHead;
    if (head !== undefined && frame === pkt.buf && frame.length === end + ETH_FCS_LEN) {
      // A forwarded frame: same length and bytes as the received one but for the Ethernet
      // header and the IPv4 header (TTL, checksum). The old FCS, amended, is the new FCS.
      const h = ETH_HEADER_LEN + ((frame[ETH_HEADER_LEN] & 0x0f) << 2);
      const fcs = crc32Amend(pkt.fcsBase!, end, h, head ^ crc32Head(frame, 0, h));
      return nic.transmit(frame, end, fcs, flags);
    }
    return nic.transmit(frame, end, undefined, flags);
  }

  private loopbackXmit(pkt: OutPacket): void {
    const data = pkt.buf.slice(pkt.start, pkt.end);
    const c = this.lo.counters;
    c.txPackets++;
    c.txBytes += data.length;
    this.clock.schedule(0, () => {
      c.rxPackets++;
      c.rxBytes += data.length;
      this.ipInput(this.lo, data, 0, data.length, 'host');
    });
  }

  /**
   * RFC 791 § 3.2 fragmentation: data in multiples of 8 bytes per fragment, MF on all but the
   * last, options with the copy flag repeated in every fragment (others only in the first).
   */
  private fragmentAndSend(
    iface: Interface,
    nextHop: Ipv4Addr,
    buf: Uint8Array,
    start: number,
    end: number,
    mtu: number,
    fwd: ForwardInfo | undefined,
  ): void {
    const st = this.ipStats;
    const r = parseIpv4(buf, start, end, { verifyChecksum: false });
    if (!r.ok) return;
    const ip = r.value;
    const hl = (buf[start] & 0x0f) << 2;
    const laterOptions = copiedOptions(ip.options);
    const data = buf.subarray(start + hl, end);
    const pieces: OutPacket[] = [];
    let off = 0;
    while (off < data.length) {
      const first = off === 0;
      const h = first ? hl : IPV4_HEADER_LEN + (laterOptions?.length ?? 0);
      const room = ((mtu - h) & ~7) >>> 0;
      if (room <= 0) {
        st.FragFails++;
        this.drop('frag-needed', iface, ip.src, ip.dst, end - start, `MTU ${mtu} too small`);
        return;
      }
      const n = Math.min(room, data.length - off);
      const more = off + n < data.length || ip.moreFrags;
      const frame = allocFrame(frameBufferLen(ETH_HEADER_LEN + h + n), this.trace);
      emitIpv4(
        {
          ...ip,
          options: first ? ip.options : laterOptions,
          moreFrags: more,
          fragOffset: ip.fragOffset + off,
          payloadLen: n,
        },
        frame,
        ETH_HEADER_LEN,
      );
      frame.set(data.subarray(off, off + n), ETH_HEADER_LEN + h);
      pieces.push({
        buf: frame,
        start: ETH_HEADER_LEN,
        end: ETH_HEADER_LEN + h + n,
        owned: true,
        fwd,
      });
      off += n;
    }
    st.FragOKs++;
    st.FragCreates += pieces.length;
    if (this.trace.active) {
      this.trace.emit('ip.frag', this.name, {
        src: formatIpv4(ip.src),
        dst: formatIpv4(ip.dst),
        id: ip.ident,
        len: end - start,
        mtu,
        fragments: pieces.length,
        iface: iface.name,
      });
    }
    for (const p of pieces) this.output(iface, nextHop, p);
  }

  private nextIdent(): number {
    this.ipId = (this.ipId + 1) & 0xffff;
    return this.ipId;
  }

  // ───────────────────────────── ARP ─────────────────────────────

  private arpInput(iface: Interface, frame: Uint8Array, end: number, type: PacketType): void {
    const r = parseArp(frame, ETH_HEADER_LEN, end);
    if (!r.ok) {
      this.count(`arp:${r.error}`);
      return;
    }
    const a: ArpRepr = r.value;
    if (iface.addrs.length === 0 || type === 'otherhost') return;
    // Linux arp_ignore = 0: answer for any local address, whichever interface asked.
    const forMe = a.targetIp !== a.senderIp && this.localSet.has(a.targetIp);
    const gratuitous = isGratuitousArp(a);
    if (this.localSet.has(a.senderIp) && a.senderMac !== iface.mac)
      this.count('arp:address-conflict');
    const action = iface.arp!.input(a.senderIp, a.senderMac, forMe, a.op === ArpOp.REPLY);
    if (this.trace.active) {
      this.trace.emit('arp.rx', this.name, {
        iface: iface.name,
        op: a.op === ArpOp.REQUEST ? 'request' : 'reply',
        senderIp: formatIpv4(a.senderIp),
        senderMac: formatMac(a.senderMac),
        targetIp: formatIpv4(a.targetIp),
        gratuitous,
        action,
      });
    }
    if (a.op === ArpOp.REQUEST && forMe) {
      // RFC 826: swap, fill in our hardware address, send straight back to the requester.
      this.sendArp(iface, arpReply(iface.mac, a.targetIp, a.senderMac, a.senderIp), a.senderMac);
      if (this.trace.active) {
        this.trace.emit('arp.reply', this.name, {
          iface: iface.name,
          ip: formatIpv4(a.targetIp),
          mac: formatMac(iface.mac),
          to: formatIpv4(a.senderIp),
          toMac: formatMac(a.senderMac),
        });
      }
    }
  }

  private sendArpRequest(iface: Interface, target: Ipv4Addr, unicast: MacAddr | undefined): void {
    this.sendArp(
      iface,
      arpRequest(iface.mac, iface.sourceFor(target), target),
      unicast ?? MAC_BROADCAST,
    );
  }

  private sendArp(iface: Interface, repr: ArpRepr, dstMac: MacAddr): void {
    const nic = iface.nic;
    if (nic === undefined || !nic.running) return;
    const end = ETH_HEADER_LEN + 28;
    const frame = new Uint8Array(frameBufferLen(end));
    emitEthernetHeader(
      { dst: dstMac, src: iface.mac, ethertype: EtherType.ARP, payloadLen: 28 },
      frame,
      0,
    );
    emitArp(repr, frame, ETH_HEADER_LEN);
    nic.transmit(frame, end, undefined, FRAME_EXCLUSIVE);
  }

  /** RFC 5227 § 3 announcement for every address of the interface. */
  private announce(iface: Interface): void {
    if (!this.options.gratuitousArp) return;
    for (const a of iface.addrs) this.sendGratuitous(iface, a.addr);
  }

  private sendGratuitous(iface: Interface, addr: Ipv4Addr): void {
    if (this.trace.active) {
      this.trace.emit('arp.request', this.name, {
        iface: iface.name,
        target: formatIpv4(addr),
        sender: formatIpv4(addr),
        reason: 'gratuitous',
        attempt: 1,
        why: `announce ${formatIpv4(addr)} (address configured on ${iface.name})`,
      });
    }
    this.sendArp(iface, arpGratuitous(iface.mac, addr), MAC_BROADCAST);
  }

  /** ARP gave up: drop the queued datagrams with ICMP host unreachable (RFC 1122 § 2.3.2.2). */
  private neighborFailed(iface: Interface, _ip: Ipv4Addr, pkts: OutPacket[]): void {
    for (const p of pkts) {
      this.ipStats.OutDiscards++;
      const r = parseIpv4(p.buf, p.start, p.end, { verifyChecksum: false });
      if (!r.ok) continue;
      this.drop('arp-failed', iface, r.value.src, r.value.dst, p.end - p.start);
      this.icmp.sendError(
        IcmpType.DEST_UNREACHABLE,
        UnreachCode.HOST,
        { buf: p.buf, start: p.start, end: p.end, ip: r.value, iface, pktType: 'host' },
        0,
      );
    }
  }

  private reasmExpired(e: ReasmExpired): void {
    this.ipStats.ReasmFails++;
    if (e.reason === 'timeout') this.ipStats.ReasmTimeout++;
    this.count(`ip:reasm-${e.reason}`);
    if (this.trace.active) {
      this.trace.emit('ip.reasm', this.name, {
        src: formatIpv4(e.src),
        dst: formatIpv4(e.dst),
        id: e.ident,
        event: e.reason,
        offset: 0,
        len: 0,
        more: false,
        fragments: e.fragments,
      });
    }
    // RFC 792 / RFC 1122 § 3.3.2: time exceeded (reassembly) only if fragment zero arrived.
    if (e.reason === 'timeout' && e.firstFragment !== undefined) {
      const f = e.firstFragment;
      const r = parseIpv4(f, 0, f.length, { verifyChecksum: false });
      if (r.ok) {
        this.icmp.sendError(
          IcmpType.TIME_EXCEEDED,
          TimeExceededCode.REASSEMBLY,
          { buf: f, start: 0, end: f.length, ip: r.value, iface: this.lo, pktType: 'host' },
          0,
        );
      }
    }
  }

  // ───────────────────────────── counters ─────────────────────────────

  count(key: string, n = 1): void {
    this.drops.set(key, (this.drops.get(key) ?? 0) + n);
  }

  drop(
    reason: IpDropReason,
    iface: Interface,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    len: number,
    detail?: string,
  ): void {
    this.count(`ip:${reason}`);
    if (this.trace.active) {
      const ev: {
        reason: IpDropReason;
        iface: string;
        src?: string;
        dst?: string;
        len: number;
        detail?: string;
      } = {
        reason,
        iface: iface.name,
        len,
      };
      if (src !== 0) ev.src = formatIpv4(src);
      if (dst !== 0) ev.dst = formatIpv4(dst);
      if (detail !== undefined) ev.detail = detail;
      this.trace.emit('ip.drop', this.name, ev);
    }
  }
}

/** Frames shorter than this get a whole new CRC: cheaper than patching (about 150 ns). */
const FCS_PATCH_MIN = 256;

function readU32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function macAt(b: Uint8Array, o: number): MacAddr {
  if (o < 0) return 0;
  return ((b[o] << 8) | b[o + 1]) * 0x1_0000_0000 + readU32(b, o + 2);
}

/** Options whose copied flag (bit 7 of the type) is set, padded to 4 bytes (RFC 791 § 3.1). */
function copiedOptions(opts: Uint8Array | undefined): Uint8Array | undefined {
  if (opts === undefined || opts.length === 0) return undefined;
  const out: number[] = [];
  let i = 0;
  while (i < opts.length) {
    const t = opts[i];
    if (t === 0) break; // end of option list
    if (t === 1) {
      i++;
      continue; // no-operation: not copied
    }
    const len = opts[i + 1] ?? 0;
    if (len < 2 || i + len > opts.length) break;
    if ((t & 0x80) !== 0) for (let k = 0; k < len; k++) out.push(opts[i + k]);
    i += len;
  }
  if (out.length === 0) return undefined;
  while (out.length % 4 !== 0) out.push(0);
  return Uint8Array.from(out);
}

export { PacketBuf };
