/**
 * Test helpers for TCP (browser-safe, no Node imports): a fake TransportHost that records what
 * the layer sends and a direct wire between two layers. Used by the unit tests beside this file,
 * the netsim matrix and the packetdrill interpreter in test/.
 */
import { Rng } from '../../sim/rng.js';
import { Scheduler } from '../../sim/scheduler.js';
import { TraceBus } from '../../sim/trace.js';
import type { Duration } from '../../sim/time.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { IpRxMeta, IpSendError, IpSendRequest, RouteInfo, TransportHost } from '../api.js';

export interface SentDatagram {
  readonly t: number;
  readonly src: Ipv4Addr;
  readonly dst: Ipv4Addr;
  readonly ttl: number;
  readonly tos: number;
  /** The TCP segment bytes (a copy). */
  readonly bytes: Uint8Array;
}

export class FakeHost implements TransportHost {
  readonly trace: TraceBus;
  readonly sent: SentDatagram[] = [];
  mtu = 1500;
  /** Called for every datagram sent (after recording it). */
  onSend: ((d: SentDatagram) => void) | null = null;
  /** Makes ipSend fail with this error (for tests). */
  failWith: IpSendError | undefined = undefined;
  /** Keep copies of what was sent in `sent` (off for long transfers). */
  record = true;

  constructor(
    readonly name: string,
    readonly clock: Scheduler,
    readonly addr: Ipv4Addr,
    readonly seed = 1,
    trace?: TraceBus,
  ) {
    this.trace = trace ?? new TraceBus(() => clock.now());
  }

  rng(purpose: string): Rng {
    return new Rng(this.seed, `${this.name}/${purpose}`);
  }

  ipSend(req: IpSendRequest): IpSendError | undefined {
    if (this.failWith !== undefined) return this.failWith;
    const d: SentDatagram = {
      t: this.clock.now(),
      src: req.src === 0 ? this.addr : req.src,
      dst: req.dst,
      ttl: req.ttl ?? 64,
      tos: req.tos ?? 0,
      bytes: req.payload.bytes(),
    };
    if (this.record) this.sent.push(d);
    if (this.onSend !== null) this.onSend(d);
    return undefined;
  }

  route(dst: Ipv4Addr): RouteInfo | undefined {
    return { src: this.addr, iface: 'eth0', mtu: this.mtu, nextHop: dst };
  }

  isLocalAddress(addr: Ipv4Addr): boolean {
    return addr === this.addr;
  }

  localAddresses(): Ipv4Addr[] {
    return [this.addr];
  }
}

/** IpRxMeta for a datagram from src to dst. */
export function rxMeta(src: Ipv4Addr, dst: Ipv4Addr, ttl = 64, tos = 0): IpRxMeta {
  return { src, dst, protocol: 6, ttl, tos, iface: 'eth0', broadcast: false };
}

/** Anything with a TransportProtocol input. */
export interface Receiver {
  input(meta: IpRxMeta, payload: Uint8Array): void;
}

/** Joins two fake hosts with a fixed one-way delay (no loss). */
export function wire(clock: Scheduler, a: FakeHost, ra: Receiver, b: FakeHost, rb: Receiver, delay: Duration): void {
  a.onSend = (d) => {
    clock.schedule(delay, () => rb.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  };
  b.onSend = (d) => {
    clock.schedule(delay, () => ra.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  };
}
