/**
 * Plugging a simulated port into a Linux TAP device (Node only).
 *
 * A `TapLink` is a medium (src/sim/link.ts `Medium`) with one simulated end — any `LinkPort`: a
 * host's or router's NIC, a switch or hub port — and Linux at the other end. It is built only
 * on the simulation's public port API (`port.wire`, `port.frameIn`, `port.carrier`), so NICs
 * and switches need no change to talk to Linux:
 *
 *   simulated port ──wire.send(frame + FCS)──▶ TapLink ──strip FCS──▶ TAP write ──▶ Linux
 *   Linux ──TAP read──▶ pad to 60 + FCS ──▶ driver.inject ──▶ port.frameIn(frame)
 *
 * Every frame on a wiretrail wire is a complete 802.3 frame with its FCS; a TAP device carries
 * frames without FCS and without padding (Linux pads nothing in software). So the link appends
 * the padding and the FCS on the way in and removes the FCS on the way out (unless the port is
 * a NIC whose capabilities say `fcs: 'none'`). The link has no bandwidth or delay of its own:
 * it is a cable to the real world, which has its own timing. It can lose and reorder frames in
 * either direction (`faults`, drawn from the seeded stream "link/<name>"), for kernels without
 * `tc netem`: the interop battery uses it where netem is missing (docs/tap.md).
 *
 * Frames from Linux enter the simulation through the RealtimeDriver (src/tap/realtime.ts) at the
 * simulated instant that matches the wall clock. The link emits `link.tx` / `link.rx` like any
 * medium, with the Linux side as the port "linux.<device>", so the usual `Capture` writes the
 * TAP side as one more capture point (the link's name, or either port).
 */
import type { LinkDropReason, LinkPort, LinkProps, Medium, Wire } from '../sim/link.js';
import { DEFAULT_LINK_PROPS, FRAME_FCS_LATER, settleFcs } from '../sim/link.js';
import type { Rng } from '../sim/rng.js';
import type { Simulation } from '../sim/simulation.js';
import type { TraceBus } from '../sim/trace.js';
import { appendFcs, ETH_FCS_LEN, ETH_MIN_FRAME_LEN } from '../wire/ethernet.js';
import type { TapDevice } from './device.js';
import type { RealtimeDriver } from './realtime.js';

/** Fault injection at the TAP boundary; probabilities per frame, 0 = off. */
export interface TapFaults {
  lossToLinux: number;
  lossFromLinux: number;
  reorderToLinux: number;
  reorderFromLinux: number;
  /** How long a reordered frame is held back (ns). */
  reorderDelay: number;
}

export const NO_FAULTS: TapFaults = {
  lossToLinux: 0,
  lossFromLinux: 0,
  reorderToLinux: 0,
  reorderFromLinux: 0,
  reorderDelay: 1_000_000,
};

export interface TapLinkStats {
  /** Frames from the simulated port written to Linux. */
  toLinux: number;
  toLinuxBytes: number;
  /** Frames from Linux delivered to the simulated port. */
  fromLinux: number;
  fromLinuxBytes: number;
  /** Frames from the simulated port that could not be sent (link down, too big). */
  dropped: number;
  /** Frames dropped by the `loss` fault, both directions. */
  lost: number;
  /** Frames held back by the `reorder` fault, both directions. */
  reordered: number;
}

/** The Linux end of the link, as the simulation sees it (a port that never receives). */
class LinuxEnd implements LinkPort {
  wire: Wire | undefined;
  readonly txQueueLen = 1000;
  constructor(
    readonly id: string,
    readonly node: string,
  ) {}
  frameIn(): void {}
}

class TapStation implements Wire {
  constructor(readonly medium: TapLink) {}
  get queued(): number {
    return 0;
  }
  send(frame: Uint8Array, flags = 0): boolean {
    // FCS offload (src/sim/link.ts): the FCS is stripped for Linux anyway; it is written only
    // if a trace listener will be shown the frame.
    if ((flags & FRAME_FCS_LATER) !== 0 && this.medium.traceActive) settleFcs(frame);
    return this.medium.toLinux(frame);
  }
}

export class TapLink implements Medium {
  up = true;
  delivered = 0;
  props: Readonly<LinkProps>;
  faults: TapFaults = { ...NO_FAULTS };
  readonly linux: LinkPort;
  readonly stats: TapLinkStats = {
    toLinux: 0,
    toLinuxBytes: 0,
    fromLinux: 0,
    fromLinuxBytes: 0,
    dropped: 0,
    lost: 0,
    reordered: 0,
  };
  private readonly trace: TraceBus;

  /** A trace listener is watching (frames shown to it need their FCS written). */
  get traceActive(): boolean {
    return this.trace.active;
  }
  private readonly rng: Rng;
  private readonly stripFcs: boolean;
  private readonly station: TapStation;
  private attached = true;

  constructor(
    sim: Pick<Simulation, 'trace' | 'rng'>,
    readonly name: string,
    readonly port: LinkPort,
    readonly tap: TapDevice,
    readonly driver: RealtimeDriver,
    props: Partial<LinkProps> = {},
  ) {
    if (port.wire !== undefined) {
      throw new Error(`${port.id} is already connected to ${port.wire.medium.name}`);
    }
    this.trace = sim.trace;
    this.rng = sim.rng(`link/${name}`);
    this.props = { ...DEFAULT_LINK_PROPS, bandwidth: Infinity, delay: 0, ...props };
    const caps = (port as { caps?: { fcs?: string } }).caps;
    this.stripFcs = caps?.fcs !== 'none';
    this.linux = new LinuxEnd(`linux.${tap.name.replace(/[^A-Za-z0-9_]/g, '_')}`, 'linux');
    this.station = new TapStation(this);
    port.wire = this.station;
    tap.onFrames((frames) => this.fromLinux(frames));
    port.carrier?.(true);
  }

  get ports(): readonly LinkPort[] {
    return [this.port, this.linux];
  }

  /** A frame the simulated port sends (FCS included): to Linux without the FCS. */
  toLinux(frame: Uint8Array): boolean {
    if (!this.up || !this.attached) return this.drop(frame, 'down');
    const max = this.props.mtu + 14 + 4 + (this.stripFcs ? ETH_FCS_LEN : 0);
    if (frame.length > max) return this.drop(frame, 'too-big');
    const f = this.faults;
    if (f.lossToLinux > 0 && this.rng.chance(f.lossToLinux)) {
      this.lose(frame, this.port.id, this.linux.id);
      return true; // sent, lost in transit
    }
    if (f.reorderToLinux > 0 && this.rng.chance(f.reorderToLinux)) {
      this.stats.reordered++;
      this.driver.scheduler.schedule(f.reorderDelay, () => this.writeToLinux(frame));
      return true;
    }
    this.writeToLinux(frame);
    return true;
  }

  private lose(frame: Uint8Array, from: string, to: string): void {
    this.stats.lost++;
    if (this.trace.active) {
      const node = from === this.linux.id ? 'linux' : this.port.node;
      this.trace.emit('link.drop', node, { link: this.name, from, to, frame, reason: 'loss' });
    }
  }

  private writeToLinux(frame: Uint8Array): void {
    if (!this.up || !this.attached) return;
    if (this.trace.active) {
      const t = this.trace;
      t.emit('link.tx', this.port.node, {
        link: this.name,
        from: this.port.id,
        frame,
        wireBytes: frame.length,
        queued: 0,
        txEnd: this.driver.scheduler.now(),
      });
      t.emit('link.rx', 'linux', {
        link: this.name,
        from: this.port.id,
        to: this.linux.id,
        frame,
        corrupted: false,
        duplicate: false,
      });
    }
    const end = this.stripFcs ? frame.length - ETH_FCS_LEN : frame.length;
    this.tap.send(end === frame.length ? frame : frame.subarray(0, end));
    this.stats.toLinux++;
    this.stats.toLinuxBytes += end;
  }

  private drop(frame: Uint8Array, reason: LinkDropReason): false {
    this.stats.dropped++;
    this.port.txDropped?.(frame, reason);
    if (this.trace.active) {
      this.trace.emit('link.drop', this.port.node, {
        link: this.name,
        from: this.port.id,
        frame,
        reason,
      });
    }
    return false;
  }

  private fromLinux(frames: Uint8Array[]): void {
    for (const raw of frames) {
      // A copy with room for padding and FCS: the device's buffer is not ours to keep.
      let frame: Uint8Array;
      if (this.stripFcs) {
        const len = raw.length < ETH_MIN_FRAME_LEN ? ETH_MIN_FRAME_LEN : raw.length;
        frame = new Uint8Array(len + ETH_FCS_LEN);
        frame.set(raw);
        appendFcs(frame, 0, len);
      } else {
        frame = Uint8Array.from(raw);
      }
      const bytes = raw.length;
      const f = this.faults;
      if (f.lossFromLinux > 0 && this.rng.chance(f.lossFromLinux)) {
        this.lose(frame, this.linux.id, this.port.id);
        continue;
      }
      if (f.reorderFromLinux > 0 && this.rng.chance(f.reorderFromLinux)) {
        this.stats.reordered++;
        this.driver.inject(() => this.deliver(frame, bytes), f.reorderDelay);
        continue;
      }
      this.driver.inject(() => this.deliver(frame, bytes));
    }
  }

  private deliver(frame: Uint8Array, bytes: number): void {
    if (!this.up || !this.attached) return;
    this.stats.fromLinux++;
    this.stats.fromLinuxBytes += bytes;
    this.delivered++;
    if (this.trace.active) {
      const t = this.trace;
      t.emit('link.tx', 'linux', {
        link: this.name,
        from: this.linux.id,
        frame,
        wireBytes: frame.length,
        queued: 0,
        txEnd: this.driver.scheduler.now(),
      });
      t.emit('link.rx', this.port.node, {
        link: this.name,
        from: this.linux.id,
        to: this.port.id,
        frame,
        corrupted: false,
        duplicate: false,
      });
    }
    this.port.frameIn(frame);
  }

  setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    if (this.trace.active) this.trace.emit('link.state', this.name, { link: this.name, up });
    this.port.carrier?.(up);
  }

  update(props: Partial<LinkProps>): void {
    this.props = { ...this.props, ...props };
  }

  /** Unplugs the simulated port (the TAP device stays open; close it separately). */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    if (this.port.wire === this.station) this.port.wire = undefined;
    this.port.carrier?.(false);
  }
}
