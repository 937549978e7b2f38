/**
 * A network interface card: a MAC address, transmit and receive rings, the destination-address
 * filter, the FCS check, and the counters `ip -s link` prints.
 *
 * Read first:
 * - IEEE 802.3 § 3.2.9 (FCS) and § 4.2.4.1.2 (a receiving MAC discards frames with a bad FCS
 *   and, unless promiscuous, frames whose destination is neither its own address, broadcast,
 *   nor a multicast group it accepts).
 * - RFC 1122 § 2.4 (the link layer passes broadcast/unicast indication up to IP).
 * - Linux's receive path, which the trace names stage by stage (Documentation/networking/
 *   napi.rst): the NIC DMAs the frame into an RX ring descriptor and raises an interrupt; the
 *   driver's handler schedules NAPI; the NET_RX softirq (net_rx_action) polls up to a budget
 *   of 64 frames and hands each to __netif_receive_skb, which dispatches by EtherType to
 *   ip_rcv or arp_rcv. Transmit: dev_queue_xmit → qdisc → ndo_start_xmit → TX ring → wire.
 *
 * The NIC (not the stack) appends padding and the FCS when transmitting and checks and strips
 * the FCS when receiving, as real hardware does; a device that has no FCS at all (a TAP device)
 * says so in its capabilities (`fcs: 'none'`, smoltcp's DeviceCapabilities in spirit).
 * While no trace listener watches, the FCS is offloaded: frames leave FRAME_FCS_LATER and the
 * link writes the CRC only if someone can observe it (see src/sim/link.ts); `setEagerFcs(true)`
 * (or WIRETRAIL_EAGER_FCS=1) computes and checks every FCS at every NIC instead.
 *
 * RX ring: with the default processing cost of 0 ns per frame the softirq runs at the instant
 * the frame arrives and the ring never holds more than one frame. With `rxCost` > 0 frames
 * wait in the ring while the CPU is busy and arrivals into a full ring are dropped and counted
 * as `missed` (rx_missed_errors), as on a real overloaded host.
 */
import type { LinkDropReason, LinkPort, Wire } from '../sim/link.js';
import { FRAME_FCS_LATER, FRAME_L4_OK } from '../sim/link.js';
import type { Clock } from '../sim/clock.js';
import type { Duration } from '../sim/time.js';
import type { TraceBus } from '../sim/trace.js';
import { isMulticastMac, MAC_BROADCAST } from '../wire/addr.js';
import type { MacAddr } from '../wire/addr.js';
import { appendFcs, ETH_FCS_LEN, ETH_MIN_FRAME_LEN, verifyFcs } from '../wire/ethernet.js';
import { markCe } from '../wire/ipv4.js';

let eagerFcs =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.WIRETRAIL_EAGER_FCS === '1';

/**
 * true: every NIC computes the FCS of every frame it sends and checks it on every frame it
 * receives, whether or not anyone watches; false (the default): FCS offload, see the header.
 * Results are the same either way; tests use it to show that.
 */
export function setEagerFcs(on: boolean): void {
  eagerFcs = on;
}

/** What the stack asks of its node. */
export interface NodeContext {
  readonly name: string;
  readonly clock: Clock;
  readonly trace: TraceBus;
}

/** How a received frame was addressed (Linux's skb->pkt_type). */
export type PacketType = 'host' | 'broadcast' | 'multicast' | 'otherhost';

export type NicDropReason =
  | 'bad-fcs'
  | 'runt' // shorter than the 64-byte minimum
  | 'other-host' // destination MAC is not ours (filtered, not an error)
  | 'rx-ring-full'
  | 'down';

declare module '../sim/trace.js' {
  interface TraceEventMap {
    /** A frame passed the NIC's FCS check and address filter and entered the RX ring. */
    'nic.rx': {
      iface: string;
      len: number;
      pktType: PacketType;
      /** Frames in the ring after this one was queued, and the ring size. */
      ring: number;
      ringSize: number;
    };
    /** The NIC discarded a received frame. */
    'nic.drop': { iface: string; reason: NicDropReason; len: number };
    /**
     * The transmit queue held `queued` frames (at or over the link's ECN threshold): the
     * datagram being sent was marked Congestion Experienced (RFC 3168).
     */
    'nic.ecn-mark': { iface: string; queued: number };
    /** A frame was DMAed into the TX ring; the wire takes it from there. */
    'nic.tx': { iface: string; len: number; queued: number };
    /**
     * One stage of Linux's receive path, for the "how Linux receives a packet" story. `fn` is the
     * kernel function that does the work at this stage.
     */
    'stack.rx': { iface: string; stage: RxStage; fn: string; len: number };
    /** One stage of the send path (socket → transport → IP → neighbour → qdisc → driver). */
    'stack.tx': { iface: string; stage: TxStage; fn: string; len: number };
  }
}

export type RxStage =
  | 'irq' // hard interrupt: the driver schedules NAPI
  | 'softirq' // NET_RX softirq polls the ring (net_rx_action → driver poll)
  | 'netif_receive' // protocol dispatch by EtherType
  | 'ip_rcv' // IPv4 header checks
  | 'ip_local_deliver' // for this host (after reassembly)
  | 'ip_forward' // routed onwards
  | 'transport' // udp_rcv / tcp_v4_rcv / icmp_rcv
  | 'socket'; // queued on a socket, the application is woken

export type TxStage =
  | 'transport'
  | 'ip_output' // ip_queue_xmit / ip_output: header, routing, fragmentation
  | 'neigh' // neigh_resolve_output: ARP cache lookup (or queue and resolve)
  | 'qdisc' // dev_queue_xmit: the interface queue
  | 'driver'; // ndo_start_xmit: DMA into the TX ring

export interface NicCapabilities {
  /** 'check': frames carry an FCS that the NIC appends and verifies; 'none': no FCS (TAP). */
  readonly fcs: 'check' | 'none';
}

/** Counters as `ip -s -s link` shows them. Bytes exclude the FCS, as Linux counts. */
export class NicCounters {
  rxBytes = 0;
  rxPackets = 0;
  rxErrors = 0;
  rxDropped = 0;
  rxMissed = 0;
  rxMcast = 0;
  rxCrcErrors = 0;
  rxLengthErrors = 0;
  rxFrameErrors = 0;
  rxFifoErrors = 0;
  rxOverErrors = 0;
  txBytes = 0;
  txPackets = 0;
  txErrors = 0;
  txDropped = 0;
  txCarrierErrors = 0;
  collisions = 0;
  txAbortedErrors = 0;
  txFifoErrors = 0;
  txWindowErrors = 0;
  txHeartbeatErrors = 0;
  txTransns = 0;
  /** Datagrams this interface's queue marked CE instead of queueing them unmarked (ECN). */
  ecnMarked = 0;
}

export interface NicOptions {
  mtu?: number;
  /** Transmit queue length in frames (Linux txqueuelen, default 1000). */
  txQueueLen?: number;
  /** RX ring descriptors (default 256). */
  rxRing?: number;
  /** CPU time to process one received frame, ns (default 0: processed on arrival). */
  rxCost?: Duration;
  /** NAPI budget: frames per softirq poll (default 64). */
  napiBudget?: number;
  capabilities?: Partial<NicCapabilities>;
}

/**
 * The stack's receive hook: `frame[0..end)` is the frame without FCS. `flags` as received
 * (LinkPort.frameIn): FRAME_EXCLUSIVE, the stack owns the buffer and may rewrite it;
 * FRAME_FCS_LATER, the 4 bytes after `end` are not the FCS yet.
 */
export type FrameHandler = (
  nic: Nic,
  frame: Uint8Array,
  end: number,
  pktType: PacketType,
  flags: number,
) => void;

export class Nic implements LinkPort {
  readonly id: string;
  readonly node: string;
  wire: Wire | undefined;
  mtu: number;
  readonly txQueueLen: number;
  readonly rxRingSize: number;
  readonly rxCost: Duration;
  readonly napiBudget: number;
  readonly caps: NicCapabilities;
  readonly acceptsFcsLater = true;
  readonly counters = new NicCounters();
  promiscuous = false;
  /** Administrative state (`ip link set dev X up/down`). */
  up = true;
  /** Carrier: a link is attached and up. */
  carrierUp = false;
  /** Receives accepted frames; set by the stack. */
  handler: FrameHandler | undefined;
  /** Called when carrier comes up (the stack sends gratuitous ARP). */
  onCarrier: ((up: boolean) => void) | undefined;

  private ring: { frame: Uint8Array; end: number; type: PacketType; flags: number }[] = [];
  private ringHead = 0;
  private polling = false;

  constructor(
    private readonly ctx: NodeContext,
    readonly name: string,
    readonly mac: MacAddr,
    options: NicOptions = {},
  ) {
    this.node = ctx.name;
    this.id = `${ctx.name}.${name}`;
    this.mtu = options.mtu ?? 1500;
    this.txQueueLen = options.txQueueLen ?? 1000;
    this.rxRingSize = options.rxRing ?? 256;
    this.rxCost = options.rxCost ?? 0;
    this.napiBudget = options.napiBudget ?? 64;
    this.caps = { fcs: 'check', ...options.capabilities };
  }

  /** Operational: up and with carrier. */
  get running(): boolean {
    return this.up && this.carrierUp && this.wire !== undefined;
  }

  carrier(up: boolean): void {
    this.carrierUp = up;
    this.onCarrier?.(up);
  }

  /**
   * Transmits a frame whose header and payload are in `frame[0..end)`, with room after `end`
   * for padding and FCS (`frameBufferLen(end)` bytes in all). The NIC pads to 60 bytes and
   * appends the FCS in place; the buffer then belongs to the wire and must not be modified.
   * Returns false if the frame was dropped (interface down, queue full).
   *
   * `fcs`, when given, is the FCS of `frame[0..end)` already known to the caller (a router's
   * incremental update, see crc32Amend); it is used only for frames that need no padding.
   * `flags`: FRAME_EXCLUSIVE, the caller keeps no reference to `frame` (see Wire.send);
   * FRAME_L4_OK, the stack computed the frame's TCP checksum (kept only with FCS offload).
   */
  transmit(frame: Uint8Array, end: number, fcs: number | undefined, flags: number): boolean {
    const c = this.counters;
    const trace = this.ctx.trace;
    if (!this.up || this.wire === undefined) {
      c.txDropped++;
      if (trace.active)
        trace.emit('nic.drop', this.node, { iface: this.name, reason: 'down', len: end });
      return false;
    }
    const ecnThreshold = this.wire.medium.props.ecnThreshold;
    if (ecnThreshold > 0 && this.wire.queued >= ecnThreshold && this.congestionMark(frame, end))
      fcs = undefined; // the header changed: the caller's FCS no longer applies
    let len = end;
    if (this.caps.fcs !== 'check') {
      flags &= ~FRAME_L4_OK;
    } else if (!eagerFcs && !trace.active) {
      // Offload: the link writes the FCS if anyone is to see it (FRAME_FCS_LATER).
      if (len < ETH_MIN_FRAME_LEN) {
        frame.fill(0, len, ETH_MIN_FRAME_LEN);
        len = ETH_MIN_FRAME_LEN;
      }
      len += ETH_FCS_LEN;
      flags |= FRAME_FCS_LATER;
    } else {
      flags &= ~FRAME_L4_OK; // watched: every receiver checks everything
      if (fcs !== undefined && len >= ETH_MIN_FRAME_LEN) {
        frame[len] = fcs & 0xff;
        frame[len + 1] = (fcs >>> 8) & 0xff;
        frame[len + 2] = (fcs >>> 16) & 0xff;
        frame[len + 3] = fcs >>> 24;
        len += ETH_FCS_LEN;
      } else {
        if (len < ETH_MIN_FRAME_LEN) {
          frame.fill(0, len, ETH_MIN_FRAME_LEN);
          len = ETH_MIN_FRAME_LEN;
        }
        len = appendFcs(frame, 0, len);
      }
    }
    const bytes = len === frame.length ? frame : frame.subarray(0, len);
    if (trace.active) {
      trace.emit('stack.tx', this.node, {
        iface: this.name,
        stage: 'driver',
        fn: 'ndo_start_xmit',
        len: end,
      });
      trace.emit('nic.tx', this.node, { iface: this.name, len: end, queued: this.wire.queued });
    }
    if (!this.wire.send(bytes, flags)) return false; // counted in txDropped()
    c.txPackets++;
    c.txBytes += end;
    return true;
  }

  /**
   * The qdisc's ECN marking (RFC 3168 § 5): an ECN-capable IPv4 datagram entering a queue at
   * or over the link's `ecnThreshold` is marked CE. The frame is ours to change (the stack
   * allocated it for this transmission, or received it exclusive).
   */
  private congestionMark(frame: Uint8Array, end: number): boolean {
    if (end < 34 || frame[12] !== 0x08 || frame[13] !== 0x00 || frame[14] >>> 4 !== 4) return false;
    if (!markCe(frame, 14)) return false;
    this.counters.ecnMarked++;
    const trace = this.ctx.trace;
    if (trace.active)
      trace.emit('nic.ecn-mark', this.node, { iface: this.name, queued: this.wire!.queued });
    return true;
  }

  /** The link dropped a frame we sent. */
  txDropped(_frame: Uint8Array, reason: LinkDropReason): void {
    if (reason === 'too-big') this.counters.txErrors++;
    else if (reason === 'down') this.counters.txCarrierErrors++;
    else this.counters.txDropped++;
  }

  /** The last bit of a frame arrived from the wire. */
  frameIn(frame: Uint8Array, flags = 0): void {
    const c = this.counters;
    const trace = this.ctx.trace;
    if (!this.up) {
      c.rxDropped++;
      if (trace.active)
        trace.emit('nic.drop', this.node, { iface: this.name, reason: 'down', len: frame.length });
      return;
    }
    let end = frame.length;
    if (this.caps.fcs === 'check') {
      if (end < ETH_MIN_FRAME_LEN + ETH_FCS_LEN) {
        c.rxErrors++;
        c.rxLengthErrors++;
        if (trace.active)
          trace.emit('nic.drop', this.node, { iface: this.name, reason: 'runt', len: end });
        return;
      }
      // IEEE 802.3 § 4.2.4.1.2: frames with an invalid FCS are discarded. A FRAME_FCS_LATER
      // frame's FCS is yet to be computed from these very bytes: it cannot be invalid.
      if ((flags & FRAME_FCS_LATER) === 0 && !verifyFcs(frame, 0, end)) {
        c.rxErrors++;
        c.rxCrcErrors++;
        if (trace.active)
          trace.emit('nic.drop', this.node, { iface: this.name, reason: 'bad-fcs', len: end });
        return;
      }
      end -= ETH_FCS_LEN;
    } else if (end < 14) {
      c.rxErrors++;
      c.rxLengthErrors++;
      return;
    }
    // Destination address filter (the first 6 bytes).
    const hi = (frame[0] << 8) | frame[1];
    const lo = ((frame[2] << 24) | (frame[3] << 16) | (frame[4] << 8) | frame[5]) >>> 0;
    const dst = hi * 0x1_0000_0000 + lo;
    let type: PacketType;
    if (dst === this.mac) type = 'host';
    else if (dst === MAC_BROADCAST) type = 'broadcast';
    else if (isMulticastMac(dst)) type = 'multicast';
    else type = 'otherhost';
    if ((type === 'otherhost' || type === 'multicast') && !this.promiscuous) {
      // Filtered in hardware: not an error and not counted (Linux never sees these frames).
      if (trace.active)
        trace.emit('nic.drop', this.node, { iface: this.name, reason: 'other-host', len: end });
      return;
    }
    if (type === 'multicast') c.rxMcast++;
    if (this.rxCost === 0 && !this.polling) {
      c.rxPackets++;
      c.rxBytes += end;
      if (trace.active) this.traceRx(end, type, 1);
      this.handler?.(this, frame, end, type, flags);
      return;
    }
    const queued = this.ring.length - this.ringHead;
    if (queued >= this.rxRingSize) {
      c.rxMissed++;
      if (trace.active)
        trace.emit('nic.drop', this.node, { iface: this.name, reason: 'rx-ring-full', len: end });
      return;
    }
    c.rxPackets++;
    c.rxBytes += end;
    this.ring.push({ frame, end, type, flags });
    if (trace.active) {
      trace.emit('nic.rx', this.node, {
        iface: this.name,
        len: end,
        pktType: type,
        ring: queued + 1,
        ringSize: this.rxRingSize,
      });
    }
    if (!this.polling) {
      this.polling = true;
      if (trace.active)
        trace.emit('stack.rx', this.node, {
          iface: this.name,
          stage: 'irq',
          fn: 'napi_schedule',
          len: end,
        });
      this.ctx.clock.schedule(this.rxCost, () => this.poll());
    }
  }

  private traceRx(end: number, type: PacketType, ring: number): void {
    const t = this.ctx.trace;
    t.emit('nic.rx', this.node, {
      iface: this.name,
      len: end,
      pktType: type,
      ring,
      ringSize: this.rxRingSize,
    });
    t.emit('stack.rx', this.node, {
      iface: this.name,
      stage: 'irq',
      fn: 'napi_schedule',
      len: end,
    });
    t.emit('stack.rx', this.node, {
      iface: this.name,
      stage: 'softirq',
      fn: 'net_rx_action',
      len: end,
    });
  }

  /** NET_RX softirq: processes one frame per rxCost, up to the budget, then reschedules. */
  private poll(): void {
    const item = this.ring[this.ringHead];
    if (item === undefined) {
      this.polling = false;
      return;
    }
    this.ring[this.ringHead] = undefined as unknown as (typeof this.ring)[number];
    this.ringHead++;
    if (this.ringHead > 256 && this.ringHead * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.ringHead);
      this.ringHead = 0;
    }
    const t = this.ctx.trace;
    if (t.active)
      t.emit('stack.rx', this.node, {
        iface: this.name,
        stage: 'softirq',
        fn: 'net_rx_action',
        len: item.end,
      });
    this.handler?.(this, item.frame, item.end, item.type, item.flags);
    if (this.ring.length - this.ringHead > 0)
      this.ctx.clock.schedule(this.rxCost, () => this.poll());
    else this.polling = false;
  }
}

/** Buffer length to allocate for a frame of `end` bytes without FCS (padding + FCS room). */
export function frameBufferLen(end: number): number {
  return (end < ETH_MIN_FRAME_LEN ? ETH_MIN_FRAME_LEN : end) + ETH_FCS_LEN;
}
