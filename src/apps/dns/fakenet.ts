/**
 * A small in-memory network of DgramApi / NetApi endpoints on the simulator's clock, for
 * testing DNS servers and resolvers without the full stack (and for `wiretrail dig` before a
 * topology is built): datagrams arrive after a fixed delay, can be dropped, duplicated or
 * answered by an impostor; TCP is a reliable ordered byte stream with the same delay.
 *
 * Not a protocol implementation: no IP, no checksums, no congestion. What it keeps real is
 * what DNS code depends on: addresses and ports (a reply must come from the address and port
 * the query went to), ephemeral ports, EADDRINUSE, ICMP-less silence when nobody listens,
 * delivery in time order through the Scheduler.
 */
import type { Clock } from '../../sim/clock.js';
import { Emitter } from '../../sim/emitter.js';
import { MS } from '../../sim/time.js';
import {
  SocketError,
  type ConnectOptions,
  type DgramApi,
  type DgramSocket,
  type DgramSocketEvents,
  type NetApi,
  type NetServer,
  type NetServerEvents,
  type NetSocket,
  type NetSocketEvents,
} from '../../stack/api.js';
import type { Ipv4Addr } from '../../wire/addr.js';

export interface FakeDatagram {
  from: Ipv4Addr;
  fromPort: number;
  to: Ipv4Addr;
  toPort: number;
  data: Uint8Array;
}

/** Decides what happens to a datagram: deliver, drop, or replace by others. */
export type DatagramFilter = (d: FakeDatagram) => 'deliver' | 'drop' | FakeDatagram[];

export interface FakeNetOptions {
  /** One-way delay in ns (default 1 ms); per-host overrides with setDelay. */
  delay?: number;
}

export class FakeNet {
  /** Sockets by "host index:bound address:port" (bound address 0 = any of the host's). */
  private readonly udp = new Map<string, FakeDgramSocket>();
  private readonly tcp = new Map<string, FakeNetServer>();
  private readonly hosts = new Map<Ipv4Addr, FakeHost>();
  private hostCount = 0;
  private readonly delays = new Map<Ipv4Addr, number>();
  private readonly filters: DatagramFilter[] = [];
  private readonly down = new Set<Ipv4Addr>();
  /** Every datagram sent (before filters), in order. */
  readonly log: FakeDatagram[] = [];
  readonly delay: number;

  constructor(
    readonly clock: Clock,
    options: FakeNetOptions = {},
  ) {
    this.delay = options.delay ?? MS;
  }

  /** A host with these addresses (the first is its source address). */
  host(addresses: Ipv4Addr | Ipv4Addr[]): FakeHost {
    const list = Array.isArray(addresses) ? addresses : [addresses];
    const existing = this.hosts.get(list[0]);
    if (existing && list.every((a) => this.hosts.get(a) === existing)) return existing;
    for (const a of list)
      if (this.hosts.has(a)) throw new Error(`FakeNet: ${a} already belongs to a host`);
    const h = new FakeHost(this, list, this.hostCount++);
    for (const a of list) this.hosts.set(a, h);
    return h;
  }

  /** One-way delay of packets to and from `addr` (added to both ends' delays / 2 each). */
  setDelay(addr: Ipv4Addr, ns: number): void {
    this.delays.set(addr, ns);
  }

  /** Makes a host silent (packets to it vanish), as a dead or unreachable server. */
  setDown(addr: Ipv4Addr, isDown = true): void {
    if (isDown) this.down.add(addr);
    else this.down.delete(addr);
  }

  addFilter(f: DatagramFilter): () => void {
    this.filters.push(f);
    return () => {
      const i = this.filters.indexOf(f);
      if (i >= 0) this.filters.splice(i, 1);
    };
  }

  /** Sends a datagram as if from anywhere (for spoofing tests). */
  inject(d: FakeDatagram, delay = 0): void {
    this.clock.schedule(delay, () => this.deliver(d));
  }

  latency(a: Ipv4Addr, b: Ipv4Addr): number {
    const da = this.delays.get(a);
    const db = this.delays.get(b);
    if (da === undefined && db === undefined) return this.delay;
    return ((da ?? this.delay) + (db ?? this.delay)) / 2;
  }

  /** @internal */
  sendDatagram(d: FakeDatagram): void {
    this.log.push(d);
    let out: FakeDatagram[] = [d];
    for (const f of this.filters) {
      const next: FakeDatagram[] = [];
      for (const x of out) {
        const v = f(x);
        if (v === 'deliver') next.push(x);
        else if (v !== 'drop') next.push(...v);
      }
      out = next;
    }
    for (const x of out) {
      if (this.down.has(x.to) || this.down.has(x.from)) continue;
      this.clock.schedule(this.latency(x.from, x.to), () => this.deliver(x));
    }
  }

  private deliver(d: FakeDatagram): void {
    const h = this.hosts.get(d.to);
    if (!h) return;
    const s = this.udp.get(key(h, d.to, d.toPort)) ?? this.udp.get(key(h, 0, d.toPort));
    if (!s) return;
    s.receive(d.data.slice(), { address: d.from, port: d.fromPort, size: d.data.length });
    this.clock.noteWake();
  }

  /** @internal */
  bindUdp(h: FakeHost, s: FakeDgramSocket, addr: Ipv4Addr, port: number): void {
    if (this.udpInUse(h, addr, port))
      throw new SocketError('EADDRINUSE', `udp port ${port} is in use`);
    this.udp.set(key(h, addr, port), s);
  }
  /** @internal */
  unbindUdp(h: FakeHost, addr: Ipv4Addr, port: number): void {
    this.udp.delete(key(h, addr, port));
  }
  /** @internal */
  udpInUse(h: FakeHost, addr: Ipv4Addr, port: number): boolean {
    if (this.udp.has(key(h, addr, port)) || this.udp.has(key(h, 0, port))) return true;
    return addr === 0 && h.addresses.some((a) => this.udp.has(key(h, a, port)));
  }
  /** @internal */
  listenTcp(h: FakeHost, s: FakeNetServer, addr: Ipv4Addr, port: number): void {
    if (this.tcp.has(key(h, addr, port)) || this.tcp.has(key(h, 0, port)))
      throw new SocketError('EADDRINUSE', `tcp port ${port} is in use`);
    this.tcp.set(key(h, addr, port), s);
  }
  /** @internal */
  unlistenTcp(h: FakeHost, addr: Ipv4Addr, port: number): void {
    this.tcp.delete(key(h, addr, port));
  }
  /** @internal */
  findTcp(addr: Ipv4Addr, port: number): FakeNetServer | undefined {
    const h = this.hosts.get(addr);
    if (!h || this.down.has(addr)) return undefined;
    return this.tcp.get(key(h, addr, port)) ?? this.tcp.get(key(h, 0, port));
  }
}

function key(h: FakeHost, a: Ipv4Addr, p: number): string {
  return `${h.index}:${a}:${p}`;
}

export class FakeHost implements DgramApi, NetApi {
  private nextPort = 49152;
  constructor(
    readonly network: FakeNet,
    readonly addresses: Ipv4Addr[],
    readonly index: number,
  ) {}

  get address(): Ipv4Addr {
    return this.addresses[0];
  }

  /** The host's DgramApi (for code that wants `{ dgram }`). */
  get dgram(): DgramApi {
    return this;
  }
  /** The host's NetApi. */
  get net(): NetApi {
    return this;
  }

  createSocket(): DgramSocket {
    return new FakeDgramSocket(this);
  }

  /** @internal an unused ephemeral port (Linux's 32768-60999 would do as well). */
  ephemeralUdp(addr: Ipv4Addr): number {
    for (let i = 0; i < 16384; i++) {
      const p = this.nextPort;
      this.nextPort = this.nextPort >= 65535 ? 49152 : this.nextPort + 1;
      if (!this.network.udpInUse(this, addr, p)) return p;
    }
    throw new SocketError('EADDRINUSE', 'no free ephemeral port');
  }

  connect(options: ConnectOptions): NetSocket {
    const local = options.localAddress || this.address;
    const port = options.localPort || this.nextPort++;
    const net = this.network;
    const sock = new FakeNetSocket(net, local, port, options.host, options.port);
    net.clock.schedule(net.latency(local, options.host), () => {
      const srv = net.findTcp(options.host, options.port);
      if (!srv) {
        // RST comes back: ECONNREFUSED (or silence for a down host: the connect times out)
        net.clock.schedule(net.latency(local, options.host), () =>
          sock.fail(new SocketError('ECONNREFUSED', `connect ECONNREFUSED port ${options.port}`)),
        );
        return;
      }
      const peer = new FakeNetSocket(net, options.host, options.port, local, port);
      sock.peer = peer;
      peer.peer = sock;
      peer.established();
      srv.accept(peer);
      net.clock.schedule(net.latency(local, options.host), () => sock.established());
    });
    return sock;
  }

  createServer(onConnection?: (socket: NetSocket) => void): NetServer {
    const s = new FakeNetServer(this);
    if (onConnection) s.on('connection', onConnection);
    return s;
  }
}

class FakeDgramSocket extends Emitter<DgramSocketEvents> implements DgramSocket {
  private bound: { address: Ipv4Addr; port: number } | undefined;
  private closed = false;
  constructor(private readonly host: FakeHost) {
    super();
  }
  bind(port = 0, address: Ipv4Addr = 0): void {
    if (this.bound) throw new SocketError('EINVAL', 'socket is already bound');
    if (address !== 0 && !this.host.addresses.includes(address))
      throw new SocketError('EADDRNOTAVAIL', 'address is not on this host');
    const p = port === 0 ? this.host.ephemeralUdp(address) : port;
    this.host.network.bindUdp(this.host, this, address, p);
    this.bound = { address, port: p };
  }
  address(): { address: Ipv4Addr; port: number } {
    if (!this.bound) this.bind();
    return { ...this.bound! };
  }
  send(data: Uint8Array, port: number, address: Ipv4Addr): void {
    if (this.closed) return;
    if (!this.bound) this.bind();
    const from = this.bound!.address || this.host.address;
    this.host.network.sendDatagram({
      from,
      fromPort: this.bound!.port,
      to: address,
      toPort: port,
      data: data.slice(),
    });
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.bound) this.host.network.unbindUdp(this.host, this.bound.address, this.bound.port);
    this.emit('close');
  }
  receive(msg: Uint8Array, rinfo: { address: Ipv4Addr; port: number; size: number }): void {
    if (!this.closed) this.emit('message', msg, rinfo);
  }
  override on<K extends keyof DgramSocketEvents>(
    event: K,
    fn: (...args: DgramSocketEvents[K]) => void,
  ): this {
    return super.on(event, fn);
  }
  override off<K extends keyof DgramSocketEvents>(
    event: K,
    fn: (...args: DgramSocketEvents[K]) => void,
  ): this {
    return super.off(event, fn);
  }
}

class FakeNetServer extends Emitter<NetServerEvents> implements NetServer {
  private bound: { address: Ipv4Addr; port: number } | undefined;
  constructor(readonly host: FakeHost) {
    super();
  }
  listen(port: number, address: Ipv4Addr = 0): NetServer {
    this.host.network.listenTcp(this.host, this, address, port);
    this.bound = { address, port };
    this.host.network.clock.schedule(0, () => this.emit('listening'));
    return this;
  }
  address(): { address: Ipv4Addr; port: number } {
    return { ...(this.bound ?? { address: 0, port: 0 }) };
  }
  close(): void {
    if (this.bound) this.host.network.unlistenTcp(this.host, this.bound.address, this.bound.port);
    this.bound = undefined;
    this.emit('close');
  }
  accept(s: FakeNetSocket): void {
    this.emit('connection', s);
  }
}

class FakeNetSocket extends Emitter<NetSocketEvents> implements NetSocket {
  peer: FakeNetSocket | undefined;
  state = 'SYN-SENT';
  private finSent = false;
  private finReceived = false;
  private done = false;
  private readonly chunks: Uint8Array[] = [];
  private waiter: (() => void) | undefined;
  private error: SocketError | undefined;

  constructor(
    private readonly net: FakeNet,
    readonly localAddress: Ipv4Addr,
    readonly localPort: number,
    readonly remoteAddress: Ipv4Addr,
    readonly remotePort: number,
  ) {
    super();
    // keep chunks for the async iterator
    this.on('data', (c) => {
      this.chunks.push(c);
      this.wake();
    });
    this.on('end', () => this.wake());
    this.on('close', () => this.wake());
  }
  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
  established(): void {
    this.state = 'ESTABLISHED';
    this.emit('connect');
    this.net.clock.noteWake();
  }
  fail(e: SocketError): void {
    this.error = e;
    this.state = 'CLOSED';
    this.done = true;
    this.emit('error', e);
    this.emit('close', true);
    this.net.clock.noteWake();
  }
  write(data: Uint8Array): boolean {
    if (this.finSent || this.done || !this.peer) return false;
    const peer = this.peer;
    const copy = data.slice();
    this.net.clock.schedule(this.net.latency(this.localAddress, this.remoteAddress), () => {
      if (peer.done) return;
      peer.emit('data', copy);
      this.net.clock.noteWake();
    });
    return true;
  }
  end(data?: Uint8Array): void {
    if (data) this.write(data);
    if (this.finSent || this.done) return;
    this.finSent = true;
    const peer = this.peer;
    this.net.clock.schedule(this.net.latency(this.localAddress, this.remoteAddress), () => {
      if (!peer || peer.done) return;
      peer.finReceived = true;
      peer.emit('end');
      peer.maybeClose();
      this.net.clock.noteWake();
    });
    this.maybeClose();
  }
  private maybeClose(): void {
    if (this.finSent && this.finReceived && !this.done) {
      this.done = true;
      this.state = 'CLOSED';
      this.emit('close', false);
    }
  }
  destroy(err?: SocketError): void {
    if (this.done) return;
    this.done = true;
    this.state = 'CLOSED';
    const peer = this.peer;
    if (peer && !peer.done) {
      this.net.clock.schedule(this.net.latency(this.localAddress, this.remoteAddress), () =>
        peer.fail(new SocketError('ECONNRESET', 'connection reset by peer')),
      );
    }
    if (err) this.emit('error', err);
    this.emit('close', err !== undefined);
  }
  setNoDelay(): void {}
  override on<K extends keyof NetSocketEvents>(
    event: K,
    fn: (...args: NetSocketEvents[K]) => void,
  ): this {
    return super.on(event, fn);
  }
  override once<K extends keyof NetSocketEvents>(
    event: K,
    fn: (...args: NetSocketEvents[K]) => void,
  ): this {
    return super.once(event, fn);
  }
  override off<K extends keyof NetSocketEvents>(
    event: K,
    fn: (...args: NetSocketEvents[K]) => void,
  ): this {
    return super.off(event, fn);
  }
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          const c = this.chunks.shift();
          if (c) return { value: c, done: false };
          if (this.error) throw this.error;
          if (this.finReceived || this.done) return { value: undefined, done: true };
          await new Promise<void>((r) => (this.waiter = r));
        }
      },
    };
  }
}
