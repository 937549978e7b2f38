/**
 * A learning switch (a transparent bridge).
 *
 * Read first:
 * - IEEE 802.1D-2004 § 7.7 (the forwarding process: frames are forwarded only to the port
 *   the filtering database names for the destination, flooded when it names none, discarded
 *   when it names the receiving port), § 7.8 (learning: the source address and reception port
 *   of each frame update the database), § 7.9.2 (dynamic entries age out; the recommended
 *   ageing time is 300 s, also Linux's bridge default).
 * - IEEE 802.3 § 4.2.4.1.2: a frame with a bad FCS is discarded — a store-and-forward switch
 *   checks the FCS of the whole frame before forwarding it.
 * - The seeds: ports have no MAC address ("交换机的端口不具有 MAC 地址"): a switch accepts every
 *   frame, learns where its sender is, and sends it on unchanged — to the known port, or to
 *   every port but the one it came from when the destination is unknown or broadcast.
 *
 * Ageing is evaluated when the table is read (forwarding lookups, `showmacs`) rather than by a
 * periodic sweeper, which would keep an idle simulation busy forever; forwarding decisions are
 * identical, and `switch.age` events carry the instant the entry expired.
 */
import type { LinkPort, Wire } from '../sim/link.js';
import { FRAME_EXCLUSIVE, FRAME_FCS_LATER } from '../sim/link.js';
import type { SimNode, Simulation } from '../sim/simulation.js';
import type { Duration, Instant } from '../sim/time.js';
import { SECOND } from '../sim/time.js';
import { formatMac, isMulticastMac, MAC_BROADCAST, readMac } from '../wire/addr.js';
import type { MacAddr } from '../wire/addr.js';
import { ETH_FCS_LEN, ETH_MIN_FRAME_LEN, verifyFcs } from '../wire/ethernet.js';

declare module '../sim/trace.js' {
  interface TraceEventMap {
    /** The switch learned (or moved) `mac` on `port`. */
    'switch.learn': { port: string; mac: string; moved?: string };
    /**
     * A forwarding decision: `known` (one port from the MAC table), `flood` (unknown unicast),
     * `broadcast`/`multicast` (all ports but the source), `filter` (destination is on the port
     * the frame came from: discarded).
     */
    'switch.forward': {
      inPort: string;
      src: string;
      dst: string;
      decision: 'known' | 'flood' | 'broadcast' | 'multicast' | 'filter';
      outPorts: string[];
      len: number;
    };
    /** A MAC table entry aged out at `at`. */
    'switch.age': { mac: string; port: string; at: number };
    /** A frame was discarded. */
    'switch.drop': { port: string; reason: 'bad-fcs' | 'runt' | 'port-down'; len: number };
  }
}

export interface SwitchOptions {
  /** Port names, or a count (ports "port1".."portN"). Default 8. */
  ports?: number | readonly string[];
  /** Dynamic entry ageing time (IEEE 802.1D / Linux default 300 s). */
  ageing?: Duration;
  /** Filtering database capacity (entries); when full, new addresses are not learned. */
  tableSize?: number;
  /** Per-port transmit queue in frames (default 1000). */
  queue?: number;
  /** Forwarding latency after the whole frame arrived (default 0). */
  latency?: Duration;
}

export class SwitchPortCounters {
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  txBytes = 0;
  rxCrcErrors = 0;
  rxErrors = 0;
  txDropped = 0;
}

export class SwitchPort implements LinkPort {
  readonly id: string;
  readonly node: string;
  wire: Wire | undefined;
  up = true;
  readonly counters = new SwitchPortCounters();

  constructor(
    readonly sw: Switch,
    readonly name: string,
    /** 1-based port number (brctl showmacs "port no"). */
    readonly number: number,
    readonly txQueueLen: number,
  ) {
    this.node = sw.name;
    this.id = `${sw.name}.${name}`;
  }

  readonly acceptsFcsLater = true;

  frameIn(frame: Uint8Array, flags = 0): void {
    this.sw.receive(this, frame, flags);
  }

  txDropped(): void {
    this.counters.txDropped++;
  }

  /** @internal `flags`: see Wire.send. */
  send(frame: Uint8Array, flags = 0): void {
    if (!this.up || this.wire === undefined) return;
    if (this.wire.send(frame, flags)) {
      this.counters.txPackets++;
      this.counters.txBytes += frame.length;
    }
  }
}

export interface MacEntry {
  readonly mac: MacAddr;
  port: SwitchPort;
  /** Last time a frame from this MAC was seen. */
  seen: Instant;
}

export class Switch implements SimNode {
  readonly kind: string = 'switch';
  readonly ports: SwitchPort[] = [];
  readonly ageing: Duration;
  readonly tableSize: number;
  readonly latency: Duration;
  private table = new Map<MacAddr, MacEntry>();
  private byName = new Map<string, SwitchPort>();
  readonly stats = { forwarded: 0, flooded: 0, filtered: 0, learned: 0, aged: 0, tableFull: 0 };

  constructor(
    readonly sim: Simulation,
    readonly name: string,
    options: SwitchOptions = {},
  ) {
    this.ageing = options.ageing ?? 300 * SECOND;
    this.tableSize = options.tableSize ?? 8192;
    this.latency = options.latency ?? 0;
    const ports = options.ports ?? 8;
    const names =
      typeof ports === 'number' ? Array.from({ length: ports }, (_, i) => `port${i + 1}`) : ports;
    names.forEach((n, i) => {
      const p = new SwitchPort(this, n, i + 1, options.queue ?? 1000);
      this.ports.push(p);
      this.byName.set(n, p);
    });
    sim.addNode(this);
  }

  port(name: string): SwitchPort | undefined {
    return this.byName.get(name);
  }

  portNames(): string[] {
    return this.ports.map((p) => p.name);
  }

  /** The valid (unexpired) entries, oldest learned first. */
  macTable(): MacEntry[] {
    const now = this.sim.clock.now();
    const out: MacEntry[] = [];
    for (const e of [...this.table.values()]) {
      if (now - e.seen >= this.ageing) this.expire(e);
      else out.push(e);
    }
    return out;
  }

  /** Looks up `mac` (expiring it if too old). */
  lookup(mac: MacAddr): MacEntry | undefined {
    const e = this.table.get(mac);
    if (e === undefined) return undefined;
    if (this.sim.clock.now() - e.seen >= this.ageing) {
      this.expire(e);
      return undefined;
    }
    return e;
  }

  /** Removes every dynamic entry (`bridge fdb flush`). */
  flush(): void {
    this.table.clear();
  }

  private expire(e: MacEntry): void {
    this.table.delete(e.mac);
    this.stats.aged++;
    const t = this.sim.trace;
    if (t.active)
      t.emit('switch.age', this.name, {
        mac: formatMac(e.mac),
        port: e.port.name,
        at: e.seen + this.ageing,
      });
  }

  /** @internal A whole frame arrived on `port` (store-and-forward). */
  receive(port: SwitchPort, frame: Uint8Array, flags = 0): void {
    const t = this.sim.trace;
    const c = port.counters;
    if (!port.up) {
      if (t.active)
        t.emit('switch.drop', this.name, {
          port: port.name,
          reason: 'port-down',
          len: frame.length,
        });
      return;
    }
    if (frame.length < ETH_MIN_FRAME_LEN + ETH_FCS_LEN) {
      c.rxErrors++;
      if (t.active)
        t.emit('switch.drop', this.name, { port: port.name, reason: 'runt', len: frame.length });
      return;
    }
    // A FRAME_FCS_LATER frame's FCS is yet to be computed from these bytes: it cannot fail.
    if ((flags & FRAME_FCS_LATER) === 0 && !verifyFcs(frame, 0, frame.length)) {
      c.rxErrors++;
      c.rxCrcErrors++;
      if (t.active)
        t.emit('switch.drop', this.name, { port: port.name, reason: 'bad-fcs', len: frame.length });
      return;
    }
    c.rxPackets++;
    c.rxBytes += frame.length;
    if (this.latency > 0)
      this.sim.clock.schedule(this.latency, () => this.forward(port, frame, flags));
    else this.forward(port, frame, flags);
  }

  /**
   * `flags` as received: an exclusive frame stays so when sent to one port only; the FCS, if
   * still to be computed, is computed by whoever shows the frame (FRAME_FCS_LATER travels on).
   */
  private forward(inPort: SwitchPort, frame: Uint8Array, flags: number): void {
    const now = this.sim.clock.now();
    const t = this.sim.trace;
    const src = readMac(frame, 6);
    const dst = readMac(frame, 0);
    // IEEE 802.1D § 7.8: learn the source (never a group address).
    if (!isMulticastMac(src)) {
      const e = this.table.get(src);
      if (e === undefined || now - e.seen >= this.ageing) {
        if (e !== undefined) this.expire(e);
        if (this.table.size < this.tableSize) {
          this.table.set(src, { mac: src, port: inPort, seen: now });
          this.stats.learned++;
          if (t.active)
            t.emit('switch.learn', this.name, { port: inPort.name, mac: formatMac(src) });
        } else {
          this.stats.tableFull++;
        }
      } else {
        if (e.port !== inPort) {
          const from = e.port;
          e.port = inPort;
          if (t.active)
            t.emit('switch.learn', this.name, {
              port: inPort.name,
              mac: formatMac(src),
              moved: from.name,
            });
        }
        e.seen = now;
      }
    }
    let decision: 'known' | 'flood' | 'broadcast' | 'multicast' | 'filter';
    let out: SwitchPort | undefined;
    if (dst === MAC_BROADCAST) decision = 'broadcast';
    else if (isMulticastMac(dst)) decision = 'multicast';
    else {
      const e = this.lookup(dst);
      if (e === undefined) decision = 'flood';
      else if (e.port === inPort) decision = 'filter';
      else {
        decision = 'known';
        out = e.port;
      }
    }
    if (decision === 'known') {
      this.stats.forwarded++;
      if (t.active) this.traceForward(inPort, src, dst, decision, [out!.name], frame.length);
      out!.send(frame, flags);
      return;
    }
    if (decision === 'filter') {
      this.stats.filtered++;
      if (t.active) this.traceForward(inPort, src, dst, decision, [], frame.length);
      return;
    }
    this.stats.flooded++;
    const ports = this.ports;
    if (t.active) {
      this.traceForward(
        inPort,
        src,
        dst,
        decision,
        ports.filter((p) => p !== inPort && p.wire !== undefined && p.up).map((p) => p.name),
        frame.length,
      );
    }
    for (let i = 0; i < ports.length; i++) {
      const p = ports[i];
      if (p !== inPort && p.wire !== undefined) p.send(frame, flags & ~FRAME_EXCLUSIVE);
    }
  }

  private traceForward(
    inPort: SwitchPort,
    src: MacAddr,
    dst: MacAddr,
    decision: 'known' | 'flood' | 'broadcast' | 'multicast' | 'filter',
    outPorts: string[],
    len: number,
  ): void {
    this.sim.trace.emit('switch.forward', this.name, {
      inPort: inPort.name,
      src: formatMac(src),
      dst: formatMac(dst),
      decision,
      outPorts,
      len,
    });
  }
}
