/**
 * Links: the media frames travel on. A full-duplex point-to-point `Link` (one transmitter per
 * direction, as a twisted pair or a fibre pair) and a shared `Segment` (one transmitter for
 * every station, as a coaxial bus or a hub's collision domain).
 *
 * Read first:
 * - IEEE 802.3 clause 4 (MAC service, half/full duplex) and § 4.4.2 (parameters: a frame costs
 *   7 bytes of preamble + 1 byte SFD before it and a 96-bit inter-packet gap after it on the
 *   line; the minimum frame is 64 bytes with the FCS, § 3.2.7).
 * - RFC 1122 § 2.3.3 (link layer queueing) — the queue modelled here is the drop-tail transmit
 *   queue in front of the wire (Linux's qdisc + TX ring, `txqueuelen`).
 *
 * Timing model, per frame of `len` bytes (FCS included, as every frame on a wiretrail wire):
 *   first bit leaves at `start` (when the transmitter is idle, else after the frames before it);
 *   last bit leaves at `start + (8 + max(len, 64)) · 8 / bandwidth` (preamble + SFD + frame);
 *   last bit arrives `delay` later (propagation), which is when the receiver gets the frame
 *   (store-and-forward: nothing downstream acts on a frame before its FCS has arrived);
 *   the transmitter is free again after the 12-byte inter-packet gap.
 * An idle transmitter costs no event: a frame sent on an idle link schedules exactly one event,
 * its arrival. Queued frames cost one more event each (the transmitter restarting).
 *
 * Faults (all drawn from one seeded Rng stream per link, and only when their probability is
 * non-zero, so enabling a fault on one link never shifts the numbers another link draws):
 * loss (the frame is sent but never arrives), duplication (it arrives twice), corruption (one
 * random bit flips in a copy — the receiver's FCS check catches it), jitter (uniform extra
 * delay, which can reorder frames) and reordering (a frame is held back by `reorderDelay` so
 * later frames overtake it). Frames are immutable once sent: corruption flips a bit in a copy.
 *
 * A shared segment serialises all stations' frames through one FIFO, as carrier sense would;
 * CSMA/CD collisions and back-off are not modelled (documented in docs/sim.md).
 */
import type { Clock, Lane } from './clock.js';
import type { Rng } from './rng.js';
import type { Duration } from './time.js';
import { MS, US } from './time.js';
import type { TraceBus } from './trace.js';
import { appendFcs } from '../wire/ethernet.js';

/**
 * Flags that travel with a frame from `Wire.send` to `LinkPort.frameIn` (a bit set, so that a
 * frame costs no object on its way).
 *
 * FRAME_EXCLUSIVE: the receiver is the frame's only holder and may rewrite it (see frameIn).
 *
 * FRAME_FCS_LATER: the frame's last 4 bytes (the FCS) are not written yet; every other byte is
 * exactly what the sending NIC built. This is the simulator's form of checksum offload (Linux's
 * CHECKSUM_PARTIAL, smoltcp's ChecksumCapabilities): a CRC over bytes that nobody alters has
 * one possible value, so it is computed only when someone can observe it. The link writes it
 * (`settleFcs`) before a trace listener sees the frame, before a fault corrupts it, and before
 * it reaches a port that does not say `acceptsFcsLater`; a receiver that does (a NIC, a switch
 * port) skips the check, which could not fail. Nothing observable changes: captures, traces
 * and every byte any tool sees are those of the eager computation (a test compares both).
 */
export const FRAME_EXCLUSIVE = 1;
export const FRAME_FCS_LATER = 2;
/**
 * FRAME_L4_OK: the TCP checksum in the frame was computed by the sending stack, and no byte it
 * covers has changed since (routers only rewrite Ethernet and IPv4 headers). Set by a NIC only
 * on FRAME_FCS_LATER frames, dropped with it: the receiving stack may then skip verifying the
 * checksum, as Linux does for CHECKSUM_UNNECESSARY packets (a NIC that verified it, or a veth
 * peer that computed it).
 */
export const FRAME_L4_OK = 4;

/** Writes the FCS of a FRAME_FCS_LATER frame (the CRC-32 of all but its last 4 bytes). */
export function settleFcs(frame: Uint8Array): void {
  appendFcs(frame, 0, frame.length - 4);
}

/** Why a link dropped a frame. */
export type LinkDropReason =
  | 'queue-full' // drop-tail: the transmit queue was full
  | 'loss' // fault injection: lost in transit
  | 'too-big' // longer than the link's MTU allows (a "giant")
  | 'down'; // the link is administratively down

declare module './trace.js' {
  interface TraceEventMap {
    /**
     * The first bit of `frame` leaves `from` (a capture point "node.port"). `wireBytes` counts
     * preamble, SFD, padding and the inter-packet gap; `queued` is the number of frames still
     * waiting behind it.
     */
    'link.tx': {
      link: string;
      from: string;
      frame: Uint8Array;
      wireBytes: number;
      queued: number;
      /** Time the last bit leaves the transmitter (ns). */
      txEnd: number;
    };
    /** The last bit of `frame` arrived at `to`. `corrupted`: a fault flipped a bit in it. */
    'link.rx': {
      link: string;
      from: string;
      to: string;
      frame: Uint8Array;
      corrupted: boolean;
      duplicate: boolean;
    };
    /** A frame did not make it across; `to` is absent when dropped before transmission. */
    'link.drop': {
      link: string;
      from: string;
      to?: string;
      frame: Uint8Array;
      reason: LinkDropReason;
    };
    /** The link went up or down. */
    'link.state': { link: string; up: boolean };
  }
}

/** Link properties (all optional in YAML; see DEFAULT_LINK_PROPS). */
export interface LinkProps {
  /** Bits per second; Infinity = no serialization delay. */
  bandwidth: number;
  /** One-way propagation delay in ns. */
  delay: Duration;
  /** Largest IP datagram a frame may carry (frames over mtu + 18 + 4 bytes are dropped). */
  mtu: number;
  /** Transmit queue length in frames; undefined = each attached device's own txQueueLen. */
  queue: number | undefined;
  /** Probability that a frame is lost in transit. */
  loss: number;
  /** Probability that a frame arrives twice. */
  duplicate: number;
  /** Probability that one bit of a frame flips. */
  corrupt: number;
  /** Probability that a frame is held back by reorderDelay. */
  reorder: number;
  /** How long a reordered frame is held back (ns). */
  reorderDelay: Duration;
  /** Uniform random extra delay in [0, jitter] ns per frame. */
  jitter: Duration;
  /**
   * ECN marking threshold in frames (0 = off): an IPv4 router or host sending an ECN-capable
   * datagram into a transmit queue that already holds this many frames marks it CE instead of
   * queueing it unmarked (RFC 3168 § 5; step marking, as DCTCP's K or RED with min = max).
   */
  ecnThreshold: number;
}

export const DEFAULT_LINK_PROPS: LinkProps = {
  bandwidth: 1e9,
  delay: 1 * US,
  mtu: 1500,
  queue: undefined,
  loss: 0,
  duplicate: 0,
  corrupt: 0,
  reorder: 0,
  reorderDelay: 1 * MS,
  jitter: 0,
  ecnThreshold: 0,
};

/** Bytes of Ethernet header + FCS + one 802.1Q tag a frame may add to the MTU. */
const FRAME_OVERHEAD_MAX = 14 + 4 + 4;
/** Preamble + SFD. */
const PREAMBLE = 8;
/** Inter-packet gap. */
const IFG = 12;
/** Minimum frame with FCS. */
const MIN_FRAME = 64;

/**
 * Something that plugs into a link: a NIC, a switch port, a hub port. The link calls
 * `frameIn` when the last bit of a frame arrives; the port sends through `wire`.
 */
export interface LinkPort {
  /** Capture point name, "node.port" (e.g. "pc.eth0", "sw1.port2"). */
  readonly id: string;
  /** Name of the node the port belongs to. */
  readonly node: string;
  /** Transmit queue length used when the link does not set one (Linux txqueuelen). */
  readonly txQueueLen: number;
  /** Set by the link on attach, cleared on detach. */
  wire: Wire | undefined;
  /**
   * The last bit of `frame` arrived. `frame` must not be modified, unless `flags` has
   * FRAME_EXCLUSIVE: then this port is its only holder (its sender gave it up, it went to this
   * one receiver, no duplicate, and no trace listener was shown it), and may rewrite it and
   * send it on, as Linux rewrites an skb in place when it is not shared (skb_cow).
   * FRAME_FCS_LATER reaches only ports that set `acceptsFcsLater`.
   */
  frameIn(frame: Uint8Array, flags?: number): void;
  /** The port takes FRAME_FCS_LATER frames (and passes the flag on if it forwards them). */
  readonly acceptsFcsLater?: boolean;
  /** The link dropped a frame this port sent (queue full, too big, down): count it. */
  txDropped?(frame: Uint8Array, reason: LinkDropReason): void;
  /** Carrier came up or went down. */
  carrier?(up: boolean): void;
}

/** A port's handle on its medium. */
export interface Wire {
  /**
   * Hands a complete frame (FCS included, or FRAME_FCS_LATER) to the medium. False if it was
   * dropped. FRAME_EXCLUSIVE in `flags`: the caller keeps no reference to `frame` and nobody
   * else has one (a buffer allocated for this transmission, or a frame received exclusive), so
   * the receiver may get it exclusive.
   */
  send(frame: Uint8Array, flags?: number): boolean;
  /** Frames waiting in this port's transmit queue. */
  readonly queued: number;
  readonly medium: Medium;
}

/** Common face of Link and Segment. */
export interface Medium {
  readonly name: string;
  readonly props: Readonly<LinkProps>;
  readonly ports: readonly LinkPort[];
  up: boolean;
  /** Frames delivered to a receiver since creation (for benchmarks and statistics). */
  readonly delivered: number;
  setUp(up: boolean): void;
  /** Changes properties (faults, bandwidth, delay...) from now on; frames in flight keep theirs. */
  update(props: Partial<LinkProps>): void;
  detach(): void;
}

/** What a medium needs from the simulation. */
export interface MediumContext {
  readonly clock: Clock;
  readonly trace: TraceBus;
  rng(purpose: string): Rng;
}

/** One attached port with its per-port queue accounting. */
class Station implements Wire {
  queued = 0;
  /** The receivers array `arrivals` was built for (see MediumBase.arrivalsFor). */
  arrivalsOf: readonly Station[] | undefined;
  /**
   * arrivals[flags][i] delivers one frame with `flags` to receiver i (no faults): one closure
   * per receiver and flag combination, none per frame.
   */
  arrivals: ((frame: Uint8Array) => void)[][] = [];
  /** Per receiver: the clock lane its arrivals from this station go through (Clock.lane). */
  lanes: (Lane | undefined)[] = [];
  constructor(
    readonly port: LinkPort,
    readonly tx: Transmitter,
    readonly medium: Medium,
    readonly limit: number,
  ) {}
  send(frame: Uint8Array, flags?: number): boolean {
    return this.tx.send(frame, this, flags ?? 0);
  }
}

/**
 * One transmitter: a FIFO in front of a serial line. Delivers every frame to `receivers(from)`.
 */
class Transmitter {
  private busyUntil = 0;
  /** FIFO of waiting frames and their senders (two arrays: no object per queued frame). */
  private queue: Uint8Array[] = [];
  private queueFrom: Station[] = [];
  private queueFlags: number[] = [];
  private head = 0;
  private armed = false;
  private readonly pump = (): void => this.restart();
  /** ns per byte of line time; 0 for infinite bandwidth. */
  private nsPerByte = 0;
  private maxFrame = 0;

  constructor(
    private readonly owner: MediumBase,
    public receivers: (from: Station) => readonly Station[],
  ) {
    this.refresh();
  }

  /** Re-reads bandwidth and MTU from the link's properties. */
  refresh(): void {
    const bw = this.owner.props.bandwidth;
    this.nsPerByte = bw === Infinity || !(bw > 0) ? 0 : 8e9 / bw;
    this.maxFrame = this.owner.props.mtu + FRAME_OVERHEAD_MAX;
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  send(frame: Uint8Array, from: Station, flags: number): boolean {
    const o = this.owner;
    if (!o.up) return this.drop(frame, from, 'down', flags);
    if (frame.length > this.maxFrame) return this.drop(frame, from, 'too-big', flags);
    const now = o.ctx.clock.now();
    if (!this.armed && now >= this.busyUntil) {
      this.start(frame, from, now, flags);
      return true;
    }
    if (from.queued >= from.limit) return this.drop(frame, from, 'queue-full', flags);
    from.queued++;
    this.queue.push(frame);
    this.queueFrom.push(from);
    this.queueFlags.push(flags);
    if (!this.armed) {
      this.armed = true;
      this.armPump(this.busyUntil - now);
    }
    return true;
  }

  private restart(): void {
    this.armed = false;
    const frame = this.queue[this.head];
    if (frame === undefined) return;
    const from = this.queueFrom[this.head];
    const flags = this.queueFlags[this.head];
    this.queue[this.head] = undefined as unknown as Uint8Array;
    this.queueFrom[this.head] = undefined as unknown as Station;
    this.head++;
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.queueFrom = this.queueFrom.slice(this.head);
      this.queueFlags = this.queueFlags.slice(this.head);
      this.head = 0;
    }
    from.queued--;
    const now = this.owner.ctx.clock.now();
    if (!this.owner.up) {
      this.drop(frame, from, 'down', flags);
    } else {
      this.start(frame, from, now, flags);
    }
    if (this.pending > 0) {
      this.armed = true;
      this.armPump(Math.max(0, this.busyUntil - now));
    }
  }

  /** The transmitter's next start: never cancelled, so a recycled post() timer where there is one. */
  private armPump(delay: number): void {
    const clock = this.owner.ctx.clock;
    if (clock.post !== undefined) clock.post(delay, this.pump, undefined);
    else clock.schedule(delay, this.pump);
  }

  private start(frame: Uint8Array, from: Station, now: number, flags: number): void {
    const o = this.owner;
    const len = frame.length < MIN_FRAME ? MIN_FRAME : frame.length;
    const txEnd = now + Math.round((PREAMBLE + len) * this.nsPerByte);
    this.busyUntil = now + Math.round((PREAMBLE + len + IFG) * this.nsPerByte);
    if (o.ctx.trace.active) {
      // The listener keeps the frame: it is no longer exclusive, and its FCS must be real.
      if ((flags & FRAME_FCS_LATER) !== 0) settleFcs(frame);
      flags = 0;
      o.ctx.trace.emit('link.tx', from.port.node, {
        link: o.name,
        from: from.port.id,
        frame,
        wireBytes: PREAMBLE + len + IFG,
        queued: this.pending,
        txEnd,
      });
    }
    const arrival = txEnd + o.props.delay;
    const rs = this.receivers(from);
    if (from.arrivalsOf !== rs) o.arrivalsFor(from, rs);
    // Exclusive only to a single receiver.
    if (rs.length !== 1) flags &= ~FRAME_EXCLUSIVE;
    const fns = from.arrivals[flags];
    for (let i = 0; i < rs.length; i++)
      o.deliver(frame, from, rs[i], arrival, fns[i], flags, from.lanes[i]);
  }

  private drop(frame: Uint8Array, from: Station, reason: LinkDropReason, flags: number): false {
    const o = this.owner;
    o.drops++;
    from.port.txDropped?.(frame, reason);
    if (o.ctx.trace.active) {
      if ((flags & FRAME_FCS_LATER) !== 0) settleFcs(frame);
      o.ctx.trace.emit('link.drop', from.port.node, {
        link: o.name,
        from: from.port.id,
        frame,
        reason,
      });
    }
    return false;
  }
}

abstract class MediumBase implements Medium {
  up = true;
  delivered = 0;
  drops = 0;
  props: Readonly<LinkProps>;
  protected stations: Station[] = [];
  protected transmitters: Transmitter[] = [];
  private faultRng: Rng | undefined;
  private faulty: boolean;

  constructor(
    readonly ctx: MediumContext,
    readonly name: string,
    props: Partial<LinkProps>,
  ) {
    this.props = { ...DEFAULT_LINK_PROPS, ...stripUndefined(props) };
    this.faulty = isFaulty(this.props);
  }

  update(props: Partial<LinkProps>): void {
    this.props = { ...this.props, ...stripUndefined(props) };
    this.faulty = isFaulty(this.props);
    for (const t of this.transmitters) t.refresh();
  }

  get ports(): readonly LinkPort[] {
    return this.stations.map((s) => s.port);
  }

  setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    if (this.ctx.trace.active)
      this.ctx.trace.emit('link.state', this.name, { link: this.name, up });
    for (const s of this.stations) s.port.carrier?.(up);
  }

  detach(): void {
    for (const s of this.stations) if (s.port.wire === s) s.port.wire = undefined;
    this.stations = [];
    this.up = false;
  }

  protected attachPort(port: LinkPort, tx: Transmitter): Station {
    if (port.wire !== undefined) {
      throw new Error(`${port.id} is already connected to ${port.wire.medium.name}`);
    }
    const limit = this.props.queue ?? port.txQueueLen;
    const s = new Station(port, tx, this, limit);
    port.wire = s;
    this.stations.push(s);
    return s;
  }

  private rng(): Rng {
    return (this.faultRng ??= this.ctx.rng(`link/${this.name}`));
  }

  /** Builds (once per receivers array) the functions that deliver `from`'s frames. */
  arrivalsFor(from: Station, rs: readonly Station[]): void {
    from.arrivals = [0, 1, 2, 3, 4, 5, 6, 7].map((flags) =>
      rs.map((to) => (frame: Uint8Array) => this.arrive(frame, from, to, false, false, flags)),
    );
    from.lanes = rs.map(() => this.ctx.clock.lane?.());
    from.arrivalsOf = rs;
  }

  /**
   * Schedules the arrival of `frame` at `to`, applying faults. `arrive` is `from`'s prebuilt
   * delivery to `to` (arrivalsFor): without faults no closure is allocated per frame.
   */
  deliver(
    frame: Uint8Array,
    from: Station,
    to: Station,
    arrival: number,
    arrive: (frame: Uint8Array) => void,
    flags: number,
    lane: Lane | undefined,
  ): void {
    const clock = this.ctx.clock;
    if (!this.faulty) {
      // Arrivals from one transmitter to one receiver come in time order: a lane keeps them
      // out of the scheduler's heap until each is next (see EventLane in scheduler.ts).
      if (lane !== undefined) lane.post(arrival, arrive, frame);
      else if (clock.post !== undefined) clock.post(arrival - clock.now(), arrive, frame);
      else clock.schedule(arrival - clock.now(), () => arrive(frame));
      return;
    }
    const p = this.props;
    const rng = this.rng();
    if (p.loss > 0 && rng.chance(p.loss)) {
      this.drops++;
      if (this.ctx.trace.active) {
        if ((flags & FRAME_FCS_LATER) !== 0) settleFcs(frame);
        this.ctx.trace.emit('link.drop', from.port.node, {
          link: this.name,
          from: from.port.id,
          to: to.port.id,
          frame,
          reason: 'loss',
        });
      }
      return;
    }
    let at = arrival;
    if (p.jitter > 0) at += Math.round(rng.float() * p.jitter);
    if (p.reorder > 0 && rng.chance(p.reorder)) at += p.reorderDelay;
    let data = frame;
    let corrupted = false;
    // Faults: never exclusive (a duplicate is the same buffer twice).
    let kept = flags & (FRAME_FCS_LATER | FRAME_L4_OK);
    if (p.corrupt > 0 && rng.chance(p.corrupt) && frame.length > 0) {
      // The bit flips in the frame as sent, FCS included: the receiver's check must see it.
      if (kept !== 0) settleFcs(frame);
      kept = 0;
      data = frame.slice();
      const bit = rng.int(frame.length * 8);
      data[bit >>> 3] ^= 1 << (bit & 7);
      corrupted = true;
    }
    const dup = p.duplicate > 0 && rng.chance(p.duplicate);
    clock.schedule(at - clock.now(), () => this.arrive(data, from, to, corrupted, false, kept));
    if (dup)
      clock.schedule(at - clock.now(), () => this.arrive(data, from, to, corrupted, true, kept));
  }

  private arrive(
    frame: Uint8Array,
    from: Station,
    to: Station,
    corrupted: boolean,
    duplicate: boolean,
    flags: number,
  ): void {
    if (!this.up || to.port.wire !== to) return;
    this.delivered++;
    if ((flags & FRAME_FCS_LATER) !== 0 && (this.ctx.trace.active || !to.port.acceptsFcsLater)) {
      settleFcs(frame);
      flags &= FRAME_EXCLUSIVE;
    }
    if (this.ctx.trace.active) {
      flags &= ~FRAME_EXCLUSIVE; // the listener keeps the frame
      this.ctx.trace.emit('link.rx', to.port.node, {
        link: this.name,
        from: from.port.id,
        to: to.port.id,
        frame,
        corrupted,
        duplicate,
      });
    }
    to.port.frameIn(frame, flags);
  }
}

function isFaulty(p: LinkProps): boolean {
  return p.loss > 0 || p.duplicate > 0 || p.corrupt > 0 || p.reorder > 0 || p.jitter > 0;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) r[k] = o[k];
  return r;
}

/** A full-duplex point-to-point link: each direction has its own transmitter and queue. */
export class Link extends MediumBase {
  readonly a: LinkPort;
  readonly b: LinkPort;

  constructor(
    ctx: MediumContext,
    name: string,
    a: LinkPort,
    b: LinkPort,
    props: Partial<LinkProps> = {},
  ) {
    super(ctx, name, props);
    if (a === b) throw new Error(`cannot connect ${a.id} to itself`);
    this.a = a;
    this.b = b;
    let sa: Station | undefined;
    let sb: Station | undefined;
    const txA = new Transmitter(this, () => [sb!]);
    const txB = new Transmitter(this, () => [sa!]);
    this.transmitters.push(txA, txB);
    sa = this.attachPort(a, txA);
    try {
      sb = this.attachPort(b, txB);
    } catch (e) {
      a.wire = undefined;
      throw e;
    }
    const toA = [sa];
    const toB = [sb];
    // Constant arrays: no allocation per frame.
    txA.receivers = () => toB;
    txB.receivers = () => toA;
  }

  /** The port at the other end. */
  peer(port: LinkPort): LinkPort {
    return port === this.a ? this.b : this.a;
  }
}

/**
 * A shared segment (bus): every frame any station sends reaches every other station, and the
 * stations take turns on one transmitter (half duplex).
 */
export class Segment extends MediumBase {
  private readonly tx: Transmitter;
  private others = new Map<Station, Station[]>();

  constructor(
    ctx: MediumContext,
    name: string,
    ports: readonly LinkPort[],
    props: Partial<LinkProps> = {},
  ) {
    super(ctx, name, props);
    this.tx = new Transmitter(this, (from) => this.others.get(from) ?? []);
    this.transmitters.push(this.tx);
    const attached: LinkPort[] = [];
    try {
      for (const p of ports) {
        this.attachPort(p, this.tx);
        attached.push(p);
      }
    } catch (e) {
      for (const p of attached) p.wire = undefined;
      throw e;
    }
    this.rebuild();
  }

  /** Plugs another station into the bus. */
  attach(port: LinkPort): void {
    this.attachPort(port, this.tx);
    this.rebuild();
  }

  private rebuild(): void {
    this.others.clear();
    for (const s of this.stations) {
      this.others.set(
        s,
        this.stations.filter((o) => o !== s),
      );
    }
  }
}

/** Line time in ns of a frame of `len` bytes (FCS included) at `bandwidth` bit/s. */
export function frameTime(len: number, bandwidth: number): number {
  if (bandwidth === Infinity || !(bandwidth > 0)) return 0;
  return Math.round(((PREAMBLE + Math.max(len, MIN_FRAME) + IFG) * 8e9) / bandwidth);
}
