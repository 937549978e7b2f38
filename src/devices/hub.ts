/**
 * A hub: a multiport repeater. Every frame that arrives on one port is sent out of every other
 * port, unchanged and unchecked (a repeater works on bits; it has no MAC, no table and no FCS
 * check — a corrupted frame is repeated and the receivers' NICs discard it).
 *
 * Read first: IEEE 802.3 clause 9 (repeater: all ports are one collision domain). wiretrail's
 * hub repeats whole frames (store-and-forward timing) and does not model collisions; for a true
 * shared medium use a Segment (src/sim/link.ts).
 */
import type { LinkPort, Wire } from '../sim/link.js';
import type { SimNode, Simulation } from '../sim/simulation.js';

declare module '../sim/trace.js' {
  interface TraceEventMap {
    /** A hub repeated a frame from `inPort` to `outPorts`. */
    'hub.repeat': { inPort: string; outPorts: string[]; len: number };
  }
}

export interface HubOptions {
  /** Port names, or a count ("port1".."portN"). Default 4. */
  ports?: number | readonly string[];
  queue?: number;
}

export class HubPort implements LinkPort {
  readonly id: string;
  readonly node: string;
  wire: Wire | undefined;
  constructor(
    readonly hub: Hub,
    readonly name: string,
    readonly txQueueLen: number,
  ) {
    this.node = hub.name;
    this.id = `${hub.name}.${name}`;
  }
  frameIn(frame: Uint8Array): void {
    this.hub.repeat(this, frame);
  }
}

export class Hub implements SimNode {
  readonly kind: string = 'hub';
  readonly ports: HubPort[] = [];
  private byName = new Map<string, HubPort>();
  repeated = 0;

  constructor(
    readonly sim: Simulation,
    readonly name: string,
    options: HubOptions = {},
  ) {
    const ports = options.ports ?? 4;
    const names =
      typeof ports === 'number' ? Array.from({ length: ports }, (_, i) => `port${i + 1}`) : ports;
    for (const n of names) {
      const p = new HubPort(this, n, options.queue ?? 1000);
      this.ports.push(p);
      this.byName.set(n, p);
    }
    sim.addNode(this);
  }

  port(name: string): HubPort | undefined {
    return this.byName.get(name);
  }

  portNames(): string[] {
    return this.ports.map((p) => p.name);
  }

  /** @internal */
  repeat(from: HubPort, frame: Uint8Array): void {
    this.repeated++;
    const t = this.sim.trace;
    if (t.active) {
      t.emit('hub.repeat', this.name, {
        inPort: from.name,
        outPorts: this.ports.filter((p) => p !== from && p.wire !== undefined).map((p) => p.name),
        len: frame.length,
      });
    }
    for (const p of this.ports) if (p !== from && p.wire !== undefined) p.wire.send(frame);
  }
}
