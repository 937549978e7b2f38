/**
 * The neighbour (ARP) cache of one interface: IPv4 address → MAC address, with Linux's
 * neighbour state machine.
 *
 * Read first:
 * - RFC 826 "Packet Reception": the merge algorithm — update an existing entry for the sender
 *   from any ARP packet; create one only when we are the target; answer requests for our own
 *   addresses with a reply sent straight to the requester.
 * - RFC 1122 § 2.3.2.1 (cache validation: entries must time out; "unicast poll" before
 *   discarding an entry in use) and § 2.3.2.2 (keep at least one, and "SHOULD" queue more,
 *   packets per unresolved destination; retransmit requests at most once per second).
 * - RFC 5227 § 3 (announcement: the gratuitous ARP sent when an address is configured).
 * - Linux net/core/neighbour.c, whose states and defaults wiretrail follows:
 *     INCOMPLETE  request broadcast, waiting (retrans_time 1 s, mcast_solicit 3 tries)
 *     REACHABLE   confirmed by a reply, trusted for base_reachable_time (30 s)
 *     STALE       not confirmed lately; still used, and using it starts verification
 *     DELAY       used while STALE: wait delay_first_probe_time (5 s) for upper-layer proof
 *     PROBE       unicast requests to the cached MAC (ucast_solicit 3 tries, 1 s apart)
 *     FAILED      no answer: queued packets are dropped with ICMP host unreachable
 *     PERMANENT   configured statically (`arp -s`)
 *   Packets sent while INCOMPLETE wait in a per-entry queue (unres_qlen 101); when it is full
 *   the oldest is dropped (Linux __neigh_event_send).
 *
 * Time-driven transitions that need no action (REACHABLE → STALE, garbage collection of old
 * STALE entries after gc_stale_time 60 s) are computed when the entry is next looked at, so an
 * idle network schedules no timers; the trace event then carries the instant the transition
 * happened (`at`). Transitions that send something (request retries, probes) use timers.
 */
import type { Rng } from '../sim/rng.js';
import type { TimerHandle } from '../sim/clock.js';
import type { Duration, Instant } from '../sim/time.js';
import { SECOND } from '../sim/time.js';
import { formatIpv4, formatMac } from '../wire/addr.js';
import type { Ipv4Addr, MacAddr } from '../wire/addr.js';
import type { NodeContext } from './nic.js';

export type NeighState =
  'INCOMPLETE' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'PERMANENT';

/** Why an ARP request is sent. */
export type ArpRequestReason = 'resolve' | 'retry' | 'probe' | 'gratuitous';

declare module '../sim/trace.js' {
  interface TraceEventMap {
    /** An ARP request leaves `iface`. `attempt` counts from 1; `unicast` for PROBE. */
    'arp.request': {
      iface: string;
      target: string;
      sender: string;
      reason: ArpRequestReason;
      attempt: number;
      unicast?: string;
      /** Why resolution was needed, e.g. "next hop 192.168.3.1 (route 0.0.0.0/0)". */
      why?: string;
    };
    /** An ARP reply leaves `iface`: "`ip` is at `mac`", to `to`. */
    'arp.reply': { iface: string; ip: string; mac: string; to: string; toMac: string };
    /** An ARP packet arrived. */
    'arp.rx': {
      iface: string;
      op: 'request' | 'reply';
      senderIp: string;
      senderMac: string;
      targetIp: string;
      gratuitous: boolean;
      /** What the cache did with it. */
      action: 'created' | 'updated' | 'confirmed' | 'ignored';
    };
    /** An entry changed state. `at` is when it happened (lazy transitions are noticed later). */
    'arp.state': {
      iface: string;
      ip: string;
      mac?: string;
      from: NeighState | 'NONE';
      to: NeighState | 'NONE';
      why: string;
      at: number;
    };
    /** A packet waits for resolution. */
    'arp.queue': { iface: string; ip: string; queued: number; dropped: boolean };
    /** Resolution failed; `dropped` packets were discarded. */
    'arp.fail': { iface: string; ip: string; dropped: number; attempts: number };
  }
}

export interface NeighConfig {
  /** base_reachable_time (Linux 30 s). */
  reachableTime: Duration;
  /** retrans_time between requests (1 s). */
  retransTime: Duration;
  /** Broadcast requests before giving up (mcast_solicit 3). */
  mcastSolicit: number;
  /** Unicast probes of a STALE entry before giving up (ucast_solicit 3). */
  ucastSolicit: number;
  /** delay_first_probe_time (5 s). */
  delayFirstProbe: Duration;
  /** gc_stale_time (60 s): unused STALE entries are removed after this. */
  gcStaleTime: Duration;
  /** Packets queued per unresolved entry (unres_qlen 101). */
  queueLen: number;
}

export const DEFAULT_NEIGH_CONFIG: NeighConfig = {
  reachableTime: 30 * SECOND,
  retransTime: 1 * SECOND,
  mcastSolicit: 3,
  ucastSolicit: 3,
  delayFirstProbe: 5 * SECOND,
  gcStaleTime: 60 * SECOND,
  queueLen: 101,
};

export interface NeighEntry {
  readonly ip: Ipv4Addr;
  mac: MacAddr;
  state: NeighState;
  /** Last time reachability was confirmed. */
  confirmed: Instant;
  /** Last time the entry was used to send. */
  used: Instant;
  /** Last time the entry changed. */
  updated: Instant;
  probes: number;
  timer: TimerHandle | undefined;
  queue: unknown[];
}

/** What the cache needs from its interface. */
export interface NeighOwner<P> {
  readonly iface: string;
  readonly ctx: NodeContext;
  /** Sends an ARP request for `target` (broadcast, or unicast to `unicast`). */
  sendRequest(target: Ipv4Addr, unicast: MacAddr | undefined): void;
  /** Sends a packet to `mac`; false when the device dropped it (its queue is full). */
  transmit(packet: P, mac: MacAddr): boolean | void;
  /** Resolution failed: the queued packets are returned for ICMP host unreachable. */
  failed(ip: Ipv4Addr, packets: P[]): void;
  /** The sender address ARP requests carry. */
  senderFor(target: Ipv4Addr): Ipv4Addr;
}

export class NeighborCache<P = unknown> {
  private entries = new Map<Ipv4Addr, NeighEntry>();
  readonly config: NeighConfig;
  /** Counters (`ip -s neigh` / /proc/net/stat/arp_cache). */
  readonly stats = { lookups: 0, hits: 0, resFailed: 0, unresDiscards: 0, created: 0 };

  constructor(
    private readonly owner: NeighOwner<P>,
    config: Partial<NeighConfig> = {},
    readonly rng?: Rng,
  ) {
    this.config = { ...DEFAULT_NEIGH_CONFIG, ...config };
  }

  private now(): Instant {
    return this.owner.ctx.clock.now();
  }

  /** Brings lazily-timed state up to date. Returns undefined if the entry was collected. */
  private refresh(e: NeighEntry): NeighEntry | undefined {
    if (e.state === 'REACHABLE') {
      const expiry = e.confirmed + this.config.reachableTime;
      if (this.now() >= expiry) this.setState(e, 'STALE', 'reachable time expired', expiry);
    }
    if (e.state === 'STALE') {
      const gc = Math.max(e.used, e.updated) + this.config.gcStaleTime;
      if (this.now() >= gc) {
        this.entries.delete(e.ip);
        this.emitState(e, 'STALE', 'NONE', 'garbage-collected (unused)', gc);
        return undefined;
      }
    }
    return e;
  }

  /** The entry for `ip`, up to date, without side effects on use. */
  get(ip: Ipv4Addr): NeighEntry | undefined {
    const e = this.entries.get(ip);
    return e === undefined ? undefined : this.refresh(e);
  }

  /** All entries (for `arp -a` and the web UI's device tables). */
  list(): NeighEntry[] {
    const out: NeighEntry[] = [];
    for (const e of [...this.entries.values()]) {
      const r = this.refresh(e);
      if (r !== undefined) out.push(r);
    }
    return out;
  }

  /**
   * Sends `packet` to neighbour `ip`: at once if its MAC is known, else queued while ARP
   * resolves. `why` explains the resolution in the trace (only read when tracing). False when
   * the device dropped it at once (its transmit queue is full; Linux NET_XMIT_DROP).
   */
  output(ip: Ipv4Addr, packet: P, why?: () => string): boolean {
    this.stats.lookups++;
    let e = this.entries.get(ip);
    if (e !== undefined) e = this.refresh(e);
    const now = this.now();
    if (e !== undefined) {
      switch (e.state) {
        case 'REACHABLE':
        case 'PERMANENT':
        case 'DELAY':
        case 'PROBE':
          this.stats.hits++;
          e.used = now;
          return this.owner.transmit(packet, e.mac) !== false;
        case 'STALE':
          // RFC 1122 § 2.3.2.1 / Linux: use the cached MAC and start verifying it.
          this.stats.hits++;
          e.used = now;
          this.setState(e, 'DELAY', 'used while stale', now);
          this.arm(e, this.config.delayFirstProbe);
          return this.owner.transmit(packet, e.mac) !== false;
        case 'INCOMPLETE':
          this.enqueue(e, packet);
          return true;
        case 'FAILED':
          // Linux restarts resolution when a failed neighbour is used again.
          e.probes = 0;
          this.setState(e, 'INCOMPLETE', 'used again after failure', now);
          this.enqueue(e, packet);
          this.solicit(e, 'resolve', why);
          return true;
      }
    }
    const created: NeighEntry = {
      ip,
      mac: 0,
      state: 'INCOMPLETE',
      confirmed: 0,
      used: now,
      updated: now,
      probes: 0,
      timer: undefined,
      queue: [],
    };
    this.stats.created++;
    this.entries.set(ip, created);
    this.emitState(created, 'NONE', 'INCOMPLETE', 'no cache entry: resolve with ARP', now);
    this.enqueue(created, packet);
    this.solicit(created, 'resolve', why);
    return true;
  }

  /** The MAC for `ip` if usable now (no side effects beyond lazy expiry). */
  lookup(ip: Ipv4Addr): MacAddr | undefined {
    const e = this.get(ip);
    if (e === undefined || e.state === 'INCOMPLETE' || e.state === 'FAILED') return undefined;
    return e.mac;
  }

  private enqueue(e: NeighEntry, packet: P): void {
    let dropped = false;
    if (e.queue.length >= this.config.queueLen) {
      e.queue.shift();
      this.stats.unresDiscards++;
      dropped = true;
    }
    e.queue.push(packet);
    const t = this.owner.ctx.trace;
    if (t.active) {
      t.emit('arp.queue', this.owner.ctx.name, {
        iface: this.owner.iface,
        ip: formatIpv4(e.ip),
        queued: e.queue.length,
        dropped,
      });
    }
  }

  private solicit(e: NeighEntry, reason: ArpRequestReason, why?: () => string): void {
    e.probes++;
    const unicast = e.state === 'PROBE' ? e.mac : undefined;
    const t = this.owner.ctx.trace;
    if (t.active) {
      const ev: {
        iface: string;
        target: string;
        sender: string;
        reason: ArpRequestReason;
        attempt: number;
        unicast?: string;
        why?: string;
      } = {
        iface: this.owner.iface,
        target: formatIpv4(e.ip),
        sender: formatIpv4(this.owner.senderFor(e.ip)),
        reason,
        attempt: e.probes,
      };
      if (unicast !== undefined) ev.unicast = formatMac(unicast);
      if (why !== undefined) ev.why = why();
      t.emit('arp.request', this.owner.ctx.name, ev);
    }
    this.arm(e, this.config.retransTime);
    this.owner.sendRequest(e.ip, unicast);
  }

  private arm(e: NeighEntry, delay: Duration): void {
    e.timer?.cancel();
    e.timer = this.owner.ctx.clock.schedule(delay, () => this.timeout(e));
  }

  private timeout(e: NeighEntry): void {
    e.timer = undefined;
    if (this.entries.get(e.ip) !== e) return;
    const now = this.now();
    switch (e.state) {
      case 'INCOMPLETE':
        if (e.probes < this.config.mcastSolicit) {
          this.solicit(e, 'retry');
        } else {
          this.fail(e, now);
        }
        return;
      case 'DELAY':
        // No confirmation arrived (an ARP reply or `confirm` from a transport): probe the
        // cached MAC directly (RFC 1122 § 2.3.2.1 "unicast poll").
        e.probes = 0;
        this.setState(
          e,
          'PROBE',
          `no confirmation within ${this.config.delayFirstProbe / SECOND} s`,
          now,
        );
        this.solicit(e, 'probe');
        return;
      case 'PROBE':
        if (e.probes < this.config.ucastSolicit) this.solicit(e, 'probe');
        else this.fail(e, now);
        return;
      default:
        return;
    }
  }

  private fail(e: NeighEntry, now: Instant): void {
    const packets = e.queue as P[];
    e.queue = [];
    const attempts = e.probes;
    this.stats.resFailed++;
    this.setState(
      e,
      'FAILED',
      `no reply after ${attempts} request${attempts === 1 ? '' : 's'}`,
      now,
    );
    const t = this.owner.ctx.trace;
    if (t.active) {
      t.emit('arp.fail', this.owner.ctx.name, {
        iface: this.owner.iface,
        ip: formatIpv4(e.ip),
        dropped: packets.length,
        attempts,
      });
    }
    if (packets.length > 0) this.owner.failed(e.ip, packets);
  }

  /**
   * RFC 826 merge for a received ARP packet. `forMe`: the target address is ours (we will
   * answer a request). `solicited`: a reply addressed to us. Returns the action for the trace.
   */
  input(
    senderIp: Ipv4Addr,
    senderMac: MacAddr,
    forMe: boolean,
    isReply: boolean,
  ): 'created' | 'updated' | 'confirmed' | 'ignored' {
    if (senderIp === 0) return 'ignored'; // RFC 5227 probe: nothing to learn
    const now = this.now();
    let e = this.entries.get(senderIp);
    if (e !== undefined) e = this.refresh(e);
    if (e === undefined) {
      if (!forMe) return 'ignored'; // RFC 826: only the target adds a new entry
      const created: NeighEntry = {
        ip: senderIp,
        mac: senderMac,
        state: isReply ? 'REACHABLE' : 'STALE',
        confirmed: isReply ? now : 0,
        used: 0,
        updated: now,
        probes: 0,
        timer: undefined,
        queue: [],
      };
      this.stats.created++;
      this.entries.set(senderIp, created);
      this.emitState(
        created,
        'NONE',
        created.state,
        isReply
          ? 'unsolicited reply to us'
          : `learned from ${formatIpv4(senderIp)}'s request to us`,
        now,
      );
      return 'created';
    }
    if (e.state === 'PERMANENT') return 'ignored';
    const changed = e.mac !== senderMac;
    const was = e.state;
    e.mac = senderMac;
    e.updated = now;
    if (isReply && forMe) {
      // A reply to our request (or a probe) confirms reachability.
      e.confirmed = now;
      e.probes = 0;
      e.timer?.cancel();
      e.timer = undefined;
      this.setState(
        e,
        'REACHABLE',
        was === 'INCOMPLETE' ? 'ARP reply received' : 'confirmed by ARP reply',
        now,
      );
    } else if (was === 'INCOMPLETE' || was === 'FAILED') {
      // The neighbour spoke to us before answering: its MAC is usable but unconfirmed.
      e.timer?.cancel();
      e.timer = undefined;
      e.probes = 0;
      this.setState(e, 'STALE', `learned from ${formatIpv4(senderIp)}'s ARP packet`, now);
    } else if (changed) {
      e.timer?.cancel();
      e.timer = undefined;
      this.setState(e, 'STALE', `MAC changed to ${formatMac(senderMac)}`, now);
    }
    if (e.queue.length > 0 && e.state !== 'INCOMPLETE' && e.state !== 'FAILED') {
      const q = e.queue as P[];
      e.queue = [];
      e.used = now;
      for (const p of q) this.owner.transmit(p, e.mac);
    }
    return changed || was !== e.state ? 'updated' : 'confirmed';
  }

  /**
   * Upper-layer proof of reachability (Linux dst_confirm / neigh_confirm: TCP saw an ACK for
   * new data), which spares the unicast probes.
   */
  confirm(ip: Ipv4Addr): void {
    const e = this.entries.get(ip);
    if (
      e === undefined ||
      e.state === 'INCOMPLETE' ||
      e.state === 'FAILED' ||
      e.state === 'PERMANENT'
    )
      return;
    const now = this.now();
    e.confirmed = now;
    if (e.state !== 'REACHABLE') {
      e.timer?.cancel();
      e.timer = undefined;
      e.probes = 0;
      this.setState(e, 'REACHABLE', 'confirmed by the transport layer', now);
    }
  }

  /** Adds a static entry (`arp -s`). */
  addPermanent(ip: Ipv4Addr, mac: MacAddr): void {
    const now = this.now();
    const old = this.entries.get(ip);
    old?.timer?.cancel();
    const e: NeighEntry = {
      ip,
      mac,
      state: 'PERMANENT',
      confirmed: now,
      used: 0,
      updated: now,
      probes: 0,
      timer: undefined,
      queue: [],
    };
    this.entries.set(ip, e);
    this.emitState(e, old?.state ?? 'NONE', 'PERMANENT', 'static entry', now);
    if (old !== undefined && old.queue.length > 0)
      for (const p of old.queue as P[]) this.owner.transmit(p, mac);
  }

  delete(ip: Ipv4Addr): boolean {
    const e = this.entries.get(ip);
    if (e === undefined) return false;
    e.timer?.cancel();
    this.entries.delete(ip);
    this.emitState(e, e.state, 'NONE', 'deleted', this.now());
    return true;
  }

  /** Drops every entry (interface down). */
  flush(): void {
    for (const e of this.entries.values()) e.timer?.cancel();
    this.entries.clear();
  }

  private setState(e: NeighEntry, to: NeighState, why: string, at: Instant): void {
    const from = e.state;
    e.state = to;
    e.updated = Math.max(e.updated, at);
    this.emitState(e, from, to, why, at);
  }

  private emitState(
    e: NeighEntry,
    from: NeighState | 'NONE',
    to: NeighState | 'NONE',
    why: string,
    at: Instant,
  ): void {
    const t = this.owner.ctx.trace;
    if (!t.active) return;
    const ev: {
      iface: string;
      ip: string;
      mac?: string;
      from: NeighState | 'NONE';
      to: NeighState | 'NONE';
      why: string;
      at: number;
    } = { iface: this.owner.iface, ip: formatIpv4(e.ip), from, to, why, at };
    if (e.state !== 'INCOMPLETE' && e.mac !== 0) ev.mac = formatMac(e.mac);
    t.emit('arp.state', this.owner.ctx.name, ev);
  }
}
