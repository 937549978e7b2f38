/**
 * A small seeded lossy channel on top of the Scheduler, joining two TCP layers for the netsim
 * matrix (in the manner of smoltcp's examples/benchmark with a FaultInjector): a bottleneck of
 * `bandwidth` bit/s with a drop-tail queue, a one-way `delay`, and independent loss, duplication
 * and reordering (a reordered datagram is held back by up to `reorderDelay`). Randomness comes
 * from one seeded Rng per direction, so a run is a function of its seed.
 */
import { Rng } from '../../src/sim/rng.js';
import type { Scheduler } from '../../src/sim/scheduler.js';
import type { Duration } from '../../src/sim/time.js';
import type { FakeHost, Receiver, SentDatagram } from '../../src/stack/tcp/testing.js';
import { rxMeta } from '../../src/stack/tcp/testing.js';

export interface ChannelOptions {
  /** One-way propagation delay. */
  delay: Duration;
  /** Bottleneck rate in bit/s (serialisation delay; 0 = infinite). */
  bandwidth: number;
  /** Packets the bottleneck queue holds before it drops (drop-tail). */
  queue: number;
  loss: number;
  duplicate: number;
  reorder: number;
  /** Extra delay of a reordered datagram (uniform in (0, reorderDelay]). */
  reorderDelay: Duration;
}

export interface ChannelStats {
  sent: number;
  lost: number;
  duplicated: number;
  reordered: number;
  queueDrops: number;
}

class Direction {
  private busyUntil = 0;
  private queued = 0;
  readonly stats: ChannelStats = { sent: 0, lost: 0, duplicated: 0, reordered: 0, queueDrops: 0 };

  constructor(
    private readonly clock: Scheduler,
    private readonly rng: Rng,
    private readonly o: ChannelOptions,
    private readonly to: Receiver,
  ) {}

  send(d: SentDatagram): void {
    const st = this.stats;
    st.sent++;
    if (this.rng.chance(this.o.loss)) {
      st.lost++;
      return;
    }
    const copies = this.rng.chance(this.o.duplicate) ? 2 : 1;
    if (copies === 2) st.duplicated++;
    for (let c = 0; c < copies; c++) this.enqueue(d);
  }

  private enqueue(d: SentDatagram): void {
    const now = this.clock.now();
    if (this.queued >= this.o.queue) {
      this.stats.queueDrops++;
      return;
    }
    // IPv4 header + Ethernet framing on the wire.
    const bits = (d.bytes.length + 20 + 38) * 8;
    const tx = this.o.bandwidth > 0 ? Math.ceil((bits * 1e9) / this.o.bandwidth) : 0;
    const start = Math.max(now, this.busyUntil);
    this.busyUntil = start + tx;
    this.queued++;
    let arrive = this.busyUntil + this.o.delay;
    if (this.rng.chance(this.o.reorder)) {
      this.stats.reordered++;
      arrive += 1 + this.rng.int(this.o.reorderDelay);
    }
    const meta = rxMeta(d.src, d.dst, d.ttl, d.tos);
    const bytes = d.bytes;
    this.clock.schedule(this.busyUntil - now, () => this.queued--);
    this.clock.schedule(arrive - now, () => this.to.input(meta, bytes));
  }
}

/** Joins host/layer A and host/layer B. */
export class LossyChannel {
  readonly ab: Direction;
  readonly ba: Direction;

  constructor(
    clock: Scheduler,
    seed: number,
    o: ChannelOptions,
    a: FakeHost,
    ra: Receiver,
    b: FakeHost,
    rb: Receiver,
  ) {
    this.ab = new Direction(clock, new Rng(seed, 'channel a→b'), o, rb);
    this.ba = new Direction(clock, new Rng(seed, 'channel b→a'), o, ra);
    a.record = false;
    b.record = false;
    a.onSend = (d) => this.ab.send(d);
    b.onSend = (d) => this.ba.send(d);
  }
}
