/**
 * The simulation: one scheduler (the clock every node reads), one trace bus, one seed from which
 * every random stream derives, the nodes and the media between them. Devices (src/devices) and
 * the topology builder (src/world) build on this; it knows nodes only through the small
 * `SimNode` interface so that src/sim stays below src/stack and src/devices.
 *
 *   const sim = new Simulation({ seed: 1 });
 *   const pc = new Host(sim, 'pc'); ...                      // devices register themselves
 *   sim.connect(pc.port('eth0'), sw.port('port1'), { bandwidth: 100e6, delay: 50 * US });
 *   await sim.runUntilSettled(ping(pc, ...));
 */
import { Link, Segment } from './link.js';
import type { LinkPort, LinkProps, Medium, MediumContext } from './link.js';
import { Rng, RngFactory } from './rng.js';
import { Scheduler } from './scheduler.js';
import type { RunOptions } from './scheduler.js';
import { TraceBus } from './trace.js';

/** What the simulation knows of a node. */
export interface SimNode {
  readonly name: string;
  /** "host", "router", "switch", "hub", ... */
  readonly kind: string;
  /** The node's attachable ports by name (interfaces of a host, ports of a switch). */
  port(name: string): LinkPort | undefined;
  portNames(): string[];
}

export interface SimulationOptions {
  /** Run seed (default 1). Same topology + seed → same run, byte for byte. */
  seed?: number;
}

export class Simulation implements MediumContext {
  readonly clock: Scheduler;
  readonly trace: TraceBus;
  readonly rngs: RngFactory;
  readonly seed: number;
  readonly nodes = new Map<string, SimNode>();
  readonly media: Medium[] = [];
  private mediumNames = new Set<string>();

  constructor(options: SimulationOptions = {}) {
    this.seed = options.seed ?? 1;
    this.clock = new Scheduler();
    this.trace = new TraceBus(() => this.clock.now());
    this.rngs = new RngFactory(this.seed);
  }

  /** A seeded stream for the simulation itself ("link/r1-r2", ...). */
  rng(purpose: string): Rng {
    return this.rngs.stream('sim', purpose);
  }

  /** Registers a node; names are unique. Devices call this from their constructor. */
  addNode(node: SimNode): void {
    if (this.nodes.has(node.name)) throw new Error(`a node named "${node.name}" already exists`);
    if (!/^[A-Za-z0-9_-]+$/.test(node.name)) {
      throw new Error(`node name "${node.name}" may only use letters, digits, "_" and "-"`);
    }
    this.nodes.set(node.name, node);
  }

  node(name: string): SimNode | undefined {
    return this.nodes.get(name);
  }

  /** Resolves "node.port" to a port. */
  port(id: string): LinkPort | undefined {
    const i = id.lastIndexOf('.');
    if (i < 0) return undefined;
    return this.nodes.get(id.slice(0, i))?.port(id.slice(i + 1));
  }

  /** Connects two ports with a full-duplex point-to-point link. */
  connect(
    a: LinkPort | string,
    b: LinkPort | string,
    props: Partial<LinkProps> = {},
    name?: string,
  ): Link {
    const pa = this.resolve(a);
    const pb = this.resolve(b);
    const link = new Link(this, this.uniqueName(name ?? `${pa.id}-${pb.id}`), pa, pb, props);
    this.media.push(link);
    this.announce(link);
    return link;
  }

  /** Puts ports on one shared segment (a bus: every frame reaches every other station). */
  segment(
    ports: readonly (LinkPort | string)[],
    props: Partial<LinkProps> = {},
    name?: string,
  ): Segment {
    const ps = ports.map((p) => this.resolve(p));
    const seg = new Segment(
      this,
      this.uniqueName(name ?? `bus-${ps.map((p) => p.id).join('-')}`),
      ps,
      props,
    );
    this.media.push(seg);
    this.announce(seg);
    return seg;
  }

  medium(name: string): Medium | undefined {
    return this.media.find((m) => m.name === name);
  }

  /** Runs events (letting application continuations run between instants). */
  run(options?: RunOptions): Promise<number> {
    return this.clock.run(options);
  }

  /** Runs until `promise` settles; the usual way to drive a tool or app to completion. */
  runUntilSettled<T>(promise: Promise<T>, options?: RunOptions): Promise<T> {
    return this.clock.runUntilSettled(promise, options);
  }

  private resolve(p: LinkPort | string): LinkPort {
    if (typeof p !== 'string') return p;
    const port = this.port(p);
    if (port === undefined) throw new Error(`no port "${p}" (expected "node.port")`);
    return port;
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let i = 2; this.mediumNames.has(name); i++) name = `${base}#${i}`;
    this.mediumNames.add(name);
    return name;
  }

  /** Tells the attached ports that carrier is up (NICs send gratuitous ARP then). */
  private announce(m: Medium): void {
    for (const p of m.ports) p.carrier?.(true);
  }
}
