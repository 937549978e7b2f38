/**
 * An in-memory NetApi for HTTP tests until (and besides) the real TCP stack: connected socket
 * pairs that carry bytes through the Scheduler with a fixed one-way delay, in order, optionally
 * cut into small pieces to exercise incremental parsing. It keeps the NetSocket contract of
 * src/stack/api.ts: 'connect', 'data', 'end' (peer FIN, half-close), 'close' (once both
 * directions are done or on destroy), 'error' (ECONNREFUSED, ECONNRESET), write() after end()
 * is an error, and async iteration reads until the peer's FIN.
 */
import { Emitter } from '../src/sim/emitter.js';
import type { Scheduler } from '../src/sim/scheduler.js';
import { MS } from '../src/sim/time.js';
import type { Duration } from '../src/sim/time.js';
import { SocketError } from '../src/stack/api.js';
import type {
  ConnectOptions,
  NetApi,
  NetServer,
  NetServerEvents,
  NetSocket,
  NetSocketEvents,
} from '../src/stack/api.js';
import type { Ipv4Addr } from '../src/wire/addr.js';

export interface FakeNetOptions {
  /** One-way delay of every delivery; default 1 ms. */
  delay?: Duration;
  /** Cut writes into pieces of at most this many bytes (each delivered separately). */
  segment?: number;
}

class FakeServer extends Emitter<NetServerEvents> implements NetServer {
  port = 0;
  address_ = 0;
  listening = false;
  constructor(
    private readonly net: FakeNet,
    private readonly host: Ipv4Addr,
  ) {
    super();
  }
  listen(port: number, address?: Ipv4Addr): NetServer {
    this.port = port;
    this.address_ = address ?? 0;
    this.net.listeners.set(`${this.host}:${port}`, this);
    this.listening = true;
    this.emit('listening');
    return this;
  }
  address(): { address: Ipv4Addr; port: number } {
    return { address: this.address_, port: this.port };
  }
  close(): void {
    this.net.listeners.delete(`${this.host}:${this.port}`);
    this.listening = false;
    this.emit('close');
  }
  accept(sock: FakeSocket): void {
    this.emit('connection', sock);
  }
}

export class FakeSocket extends Emitter<NetSocketEvents> implements NetSocket {
  peer!: FakeSocket;
  state = 'SYN-SENT';
  localAddress: Ipv4Addr;
  localPort: number;
  remoteAddress: Ipv4Addr;
  remotePort: number;
  private ended = false;
  private peerEnded = false;
  private closed = false;
  /** Bytes written by this side. */
  bytesWritten = 0;
  writes = 0;

  constructor(
    private readonly net: FakeNet,
    la: Ipv4Addr,
    lp: number,
    ra: Ipv4Addr,
    rp: number,
  ) {
    super();
    this.localAddress = la;
    this.localPort = lp;
    this.remoteAddress = ra;
    this.remotePort = rp;
  }

  write(data: Uint8Array): boolean {
    if (this.ended || this.closed) {
      this.net.later(0, () => this.fire('error', new SocketError('EPIPE', 'write after end')));
      return false;
    }
    const copy = data.slice();
    this.bytesWritten += copy.length;
    this.writes++;
    const seg = this.net.segment;
    for (let i = 0; i < copy.length; i += seg) {
      const piece = copy.subarray(i, Math.min(copy.length, i + seg));
      this.net.later(this.net.delay, () => this.peer.receive(piece));
    }
    return true;
  }

  end(data?: Uint8Array): void {
    if (data !== undefined && data.length > 0) this.write(data);
    if (this.ended || this.closed) return;
    this.ended = true;
    this.state = this.peerEnded ? 'LAST-ACK' : 'FIN-WAIT-1';
    this.net.later(this.net.delay, () => this.peer.receiveFin());
    this.maybeClose();
  }

  destroy(err?: SocketError): void {
    if (this.closed) return;
    this.closed = true;
    this.state = 'CLOSED';
    const peer = this.peer;
    this.net.later(this.net.delay, () => peer.reset());
    this.net.later(0, () => {
      if (err) this.fire('error', err);
      this.fire('close', err !== undefined);
    });
  }

  setNoDelay(): void {}

  /** Delivered by the fake link. */
  receive(data: Uint8Array): void {
    if (this.closed || this.peerEnded) return;
    this.fire('data', data);
  }

  receiveFin(): void {
    if (this.closed || this.peerEnded) return;
    this.peerEnded = true;
    this.state = this.ended ? 'TIME-WAIT' : 'CLOSE-WAIT';
    this.fire('end');
    this.maybeClose();
  }

  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.state = 'CLOSED';
    this.fire('error', new SocketError('ECONNRESET', 'connection reset by peer'));
    this.fire('close', true);
  }

  established(): void {
    this.state = 'ESTABLISHED';
  }

  private maybeClose(): void {
    if (this.ended && this.peerEnded && !this.closed) {
      this.closed = true;
      this.net.later(0, () => {
        this.state = 'CLOSED';
        this.fire('close', false);
      });
    }
  }

  fire<K extends keyof NetSocketEvents>(event: K, ...args: NetSocketEvents[K]): void {
    this.net.clock.noteWake();
    this.emit(event, ...args);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const queue: Uint8Array[] = [];
    let done = false;
    let failure: SocketError | undefined;
    let wake: (() => void) | undefined;
    this.on('data', (d) => {
      queue.push(d);
      wake?.();
    });
    this.on('end', () => {
      done = true;
      wake?.();
    });
    this.on('error', (e) => {
      failure = e;
      wake?.();
    });
    this.on('close', () => {
      done = true;
      wake?.();
    });
    return {
      next: async (): Promise<IteratorResult<Uint8Array>> => {
        for (;;) {
          if (queue.length > 0) return { value: queue.shift()!, done: false };
          if (failure) throw failure;
          if (done) return { value: undefined, done: true };
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      },
    };
  }
}

export class FakeNet {
  readonly listeners = new Map<string, FakeServer>();
  readonly delay: Duration;
  readonly segment: number;
  private nextPort = 49152;
  /** Every socket created, both ends. */
  readonly sockets: FakeSocket[] = [];
  connects = 0;

  constructor(
    readonly clock: Scheduler,
    options: FakeNetOptions = {},
  ) {
    this.delay = options.delay ?? 1 * MS;
    this.segment = options.segment ?? Infinity;
  }

  later(delay: Duration, fn: () => void): void {
    this.clock.schedule(delay, fn);
  }

  /** The NetApi of a host with address `addr`. */
  host(addr: Ipv4Addr): NetApi {
    return {
      createServer: (onConnection) => {
        const s = new FakeServer(this, addr);
        if (onConnection) s.on('connection', onConnection);
        return s;
      },
      connect: (o: ConnectOptions) => this.connect(addr, o),
    };
  }

  private connect(from: Ipv4Addr, o: ConnectOptions): NetSocket {
    this.connects++;
    const lp = o.localPort ?? this.nextPort++;
    const client = new FakeSocket(this, from, lp, o.host, o.port);
    this.sockets.push(client);
    const server = this.listeners.get(`${o.host}:${o.port}`) ?? this.listeners.get(`0:${o.port}`);
    if (server === undefined) {
      this.later(this.delay * 2, () => {
        client.state = 'CLOSED';
        client.fire(
          'error',
          new SocketError('ECONNREFUSED', `connection refused by ${o.host}:${o.port}`),
        );
        client.fire('close', true);
      });
      return client;
    }
    const other = new FakeSocket(this, o.host, o.port, from, lp);
    this.sockets.push(other);
    client.peer = other;
    other.peer = client;
    // SYN → SYN-ACK → ACK: the server accepts after one delay, the client is connected after two.
    this.later(this.delay, () => {
      other.established();
      server.accept(other);
    });
    this.later(this.delay * 2, () => {
      client.established();
      client.fire('connect');
    });
    return client;
  }
}
