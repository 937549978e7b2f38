/**
 * Test helpers for TCP (RFC 9293 segments as templates, smoltcp-style) (browser-safe, no Node imports): a fake TransportHost that records what
 * the layer sends and a direct wire between two layers. Used by the unit tests beside this file,
 * the netsim matrix and the packetdrill interpreter in test/.
 */
import { Rng } from '../../sim/rng.js';
import { Scheduler } from '../../sim/scheduler.js';
import { TraceBus } from '../../sim/trace.js';
import type { Duration } from '../../sim/time.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type {
  IpRxMeta,
  IpSendError,
  IpSendRequest,
  RouteInfo,
  SocketErrorCode,
  TransportHost,
} from '../api.js';
import { parseTcp, emitTcp, tcpHeaderLen } from '../../wire/tcp.js';
import type { TcpOption, TcpRepr } from '../../wire/tcp.js';
import { TcpLayer } from './layer.js';
import type { TcpConfig } from './config.js';
import type { Tcb, TcbUser } from './tcb.js';
import type { Listener } from './listener.js';

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
export function wire(
  clock: Scheduler,
  a: FakeHost,
  ra: Receiver,
  b: FakeHost,
  rb: Receiver,
  delay: Duration,
): void {
  a.onSend = (d) => {
    clock.schedule(delay, () => rb.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  };
  b.onSend = (d) => {
    clock.schedule(delay, () => ra.input(rxMeta(d.src, d.dst, d.ttl, d.tos), d.bytes));
  };
}

// ───────────────────────── segment templates (smoltcp-style send!/recv!) ─────────────────────────

/** A segment as tests write it: absolute sequence numbers, flags as tcpdump letters. */
export interface SegTemplate {
  flags: string;
  seq: number;
  ack?: number;
  window?: number;
  payload?: Uint8Array | number;
  mss?: number;
  wscale?: number;
  sackPermitted?: boolean;
  ts?: [number, number];
  sack?: [number, number][];
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, U: 32, E: 64, W: 128, '.': 16 };

export function flagsOf(s: string): number {
  let f = 0;
  for (const c of s) f |= FLAG_BITS[c] ?? 0;
  return f;
}

export function lettersOf(f: number): string {
  let s = '';
  for (const c of 'SFRPUEW.') if (f & FLAG_BITS[c]) s += c;
  return s;
}

/** What a test sees of a segment the layer sent (all fields decoded). */
export interface SentSeg {
  t: number;
  flags: string;
  seq: number;
  ack: number;
  window: number;
  len: number;
  payload: Uint8Array;
  mss?: number;
  wscale?: number;
  sackPermitted: boolean;
  ts?: [number, number];
  sack?: [number, number][];
  ttl: number;
  srcPort: number;
  dstPort: number;
}

export const LOCAL_ADDR = 0x0a000001; // 10.0.0.1
export const REMOTE_ADDR = 0x0a000002; // 10.0.0.2
export const LOCAL_PORT = 80;
export const REMOTE_PORT = 49500;
export const REMOTE_SEQ = 10000;

/** Records what the connection tells its user. */
export class RecordingUser implements TcbUser {
  events: string[] = [];
  error: SocketErrorCode | undefined;
  onEstablished(): void {
    this.events.push('established');
  }
  onReadable(): void {
    this.events.push('readable');
  }
  onWritable(): void {
    this.events.push('writable');
  }
  onEof(): void {
    this.events.push('eof');
  }
  onClosed(err: SocketErrorCode | undefined): void {
    this.error = err;
    this.events.push(err === undefined ? 'closed' : `closed:${err}`);
  }
}

/**
 * One TcpLayer with a fake IPv4 below it: `send` injects a segment from the remote peer,
 * `recv` returns what the layer sent since the last call.
 */
export class TcpHarness {
  readonly clock = new Scheduler();
  readonly host: FakeHost;
  readonly layer: TcpLayer;
  private next = 0;

  constructor(config: Partial<TcpConfig> = {}) {
    this.host = new FakeHost('local', this.clock, LOCAL_ADDR, 7);
    this.layer = new TcpLayer(this.host, {
      timestamps: false,
      sack: false,
      windowScaling: false,
      ...config,
    });
  }

  /** Injects a segment from REMOTE_ADDR:REMOTE_PORT (or `from`) to our LOCAL_PORT (or `to`). */
  send(t: SegTemplate, ports: { from?: number; to?: number } = {}): void {
    const payload =
      typeof t.payload === 'number'
        ? new Uint8Array(t.payload).fill(0x61)
        : (t.payload ?? new Uint8Array(0));
    const opts: TcpOption[] = [];
    if (t.mss !== undefined) opts.push({ kind: 'mss', value: t.mss });
    if (t.wscale !== undefined) opts.push({ kind: 'nop' }, { kind: 'ws', shift: t.wscale });
    if (t.sackPermitted) opts.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'sack-perm' });
    if (t.ts !== undefined)
      opts.push({ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', tsval: t.ts[0], tsecr: t.ts[1] });
    if (t.sack !== undefined)
      opts.push(
        { kind: 'nop' },
        { kind: 'nop' },
        { kind: 'sack', blocks: t.sack.map(([left, right]) => ({ left, right })) },
      );
    const repr: TcpRepr = {
      srcPort: ports.from ?? REMOTE_PORT,
      dstPort: ports.to ?? LOCAL_PORT,
      seq: t.seq >>> 0,
      ack: (t.ack ?? 0) >>> 0,
      flags: flagsOf(t.flags),
      window: t.window ?? 65535,
      urgent: 0,
      options: opts,
      payloadLen: payload.length,
    };
    const hl = tcpHeaderLen(repr);
    const bytes = new Uint8Array(hl + payload.length);
    bytes.set(payload, hl);
    emitTcp(repr, bytes, 0, REMOTE_ADDR, LOCAL_ADDR);
    this.layer.input(rxMeta(REMOTE_ADDR, LOCAL_ADDR), bytes);
  }

  /** Segments sent since the last call. */
  recv(): SentSeg[] {
    const out: SentSeg[] = [];
    for (; this.next < this.host.sent.length; this.next++) {
      const d = this.host.sent[this.next];
      const r = parseTcp(d.bytes, 0, d.bytes.length, d.src, d.dst, true);
      if (!r.ok) throw new Error(`layer sent an unparsable segment: ${r.error}`);
      const v = r.value;
      out.push({
        t: d.t,
        flags: lettersOf(v.flags),
        seq: v.seq,
        ack: v.ack,
        window: v.window,
        len: v.payloadLen,
        payload: d.bytes.subarray(d.bytes.length - v.payloadLen),
        mss: v.mss,
        wscale: v.windowScale,
        sackPermitted: v.sackPermitted === true,
        ts: v.timestamp ? [v.timestamp.tsval, v.timestamp.tsecr] : undefined,
        sack: v.sack?.map((b) => [b.left, b.right] as [number, number]),
        ttl: d.ttl,
        srcPort: v.srcPort,
        dstPort: v.dstPort,
      });
    }
    return out;
  }

  /** Runs the simulation for `ns` nanoseconds. */
  advance(ns: number): void {
    this.clock.runSync({ until: this.clock.now() + ns });
  }

  /** An ESTABLISHED passive connection (handshake done); returns it and our ISS. */
  established(opts: { window?: number; mss?: number } = {}): {
    t: Tcb;
    iss: number;
    user: RecordingUser;
    listener: Listener;
  } {
    const listener = this.layer.listen(0, LOCAL_PORT, 8);
    this.send({ flags: 'S', seq: REMOTE_SEQ, window: opts.window ?? 65535, mss: opts.mss ?? 1460 });
    const synack = this.recv()[0];
    const iss = synack.seq;
    this.send({ flags: '.', seq: REMOTE_SEQ + 1, ack: iss + 1, window: opts.window ?? 65535 });
    const t = listener.accept()!;
    const user = new RecordingUser();
    t.user = user;
    this.recv();
    return { t, iss, user, listener };
  }

  /** An ESTABLISHED active connection; returns it and our ISS. */
  connected(opts: { window?: number; mss?: number } = {}): {
    t: Tcb;
    iss: number;
    user: RecordingUser;
  } {
    const t = this.layer.openActive({
      remoteAddr: REMOTE_ADDR,
      remotePort: REMOTE_PORT,
      localPort: LOCAL_PORT,
    });
    const user = new RecordingUser();
    t.user = user;
    const syn = this.recv()[0];
    const iss = syn.seq;
    this.send(
      {
        flags: 'S.',
        seq: REMOTE_SEQ,
        ack: iss + 1,
        window: opts.window ?? 65535,
        mss: opts.mss ?? 1460,
      },
      { from: REMOTE_PORT, to: LOCAL_PORT },
    );
    this.recv();
    return { t, iss, user };
  }
}
