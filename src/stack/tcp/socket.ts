/**
 * The application-facing sockets, shaped like Node's net.Socket and net.Server (src/stack/api.ts),
 * over the RFC 9293 user calls of conn.ts.
 *
 * Read first: RFC 9293 § 3.10 (user interface: OPEN, SEND, RECEIVE, CLOSE, ABORT), § 3.6
 * (half-close), and Node's net documentation (events connect/data/end/close/error/drain,
 * write() returning false over the buffer, allowHalfOpen, async iteration).
 *
 * Back-pressure: write() puts what fits into the TCP send buffer (SO_SNDBUF) and keeps the rest
 * in the socket; it returns false while anything is kept, and 'drain' follows once ACKs made
 * room for all of it. Reading: with a 'data' listener the socket is flowing and in-order
 * segments are handed over without a copy; without one (async iteration) data stays in the
 * receive buffer, so the advertised window closes and the sender is flow-controlled.
 * Promises the application awaits are resolved with clock.noteWake() (scheduler.ts header).
 */
import { Emitter } from '../../sim/emitter.js';
import { SocketError } from '../api.js';
import type {
  NetServer,
  NetServerEvents,
  NetSocket,
  NetSocketEvents,
  SocketErrorCode,
} from '../api.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import {
  abortTcb,
  sendSpace,
  setNoDelay,
  userConsumed,
  userRecv,
  userSend,
  userShutdown,
} from './conn.js';
import type { Listener, ListenerUser } from './listener.js';
import type { TcpConnectOptions, TcpLayer } from './layer.js';
import { CLOSED, ESTABLISHED, F_KEEPALIVE, SYN_SENT, STATE_NAMES } from './tcb.js';
import type { Tcb, TcbUser } from './tcb.js';
import { armKeepalive } from './timers.js';
import type { CongestionName } from './config.js';

const MESSAGES: Record<SocketErrorCode, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  EPIPE: 'broken pipe (write after end)',
  EMSGSIZE: 'message too long',
  ENOBUFS: 'no buffer space available',
  EINVAL: 'invalid argument',
};

type Waiter = { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void };

export class TcpSocket extends Emitter<NetSocketEvents> implements NetSocket, TcbUser {
  /** Node's allowHalfOpen: when false (default) the socket ends its side after the peer's FIN. */
  allowHalfOpen = false;
  bytesWritten = 0;
  bytesRead = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private needDrain = false;
  private ending = false;
  private finSent = false;
  private eof = false;
  private endEmitted = false;
  private closed = false;
  private error: SocketError | null = null;
  private waiter: Waiter | null = null;
  private iterating = false;
  private readonly local: { addr: Ipv4Addr; port: number; raddr: Ipv4Addr; rport: number };

  private constructor(
    readonly layer: TcpLayer,
    public tcb: Tcb | null,
    addrs: { addr: Ipv4Addr; port: number; raddr: Ipv4Addr; rport: number },
  ) {
    super();
    this.local = addrs;
    if (tcb !== null) tcb.user = this;
  }

  /** Active open (Node's net.connect): 'connect' on success, 'error' + 'close' on failure. */
  static connect(layer: TcpLayer, o: TcpConnectOptions): TcpSocket {
    let tcb: Tcb | null = null;
    let failure: SocketError | null = null;
    try {
      tcb = layer.openActive({
        remoteAddr: o.host,
        remotePort: o.port,
        localAddr: o.localAddress,
        localPort: o.localPort,
        noDelay: o.noDelay,
        timeout: o.timeout,
        congestion: o.congestion,
        sndBuf: o.sndBuf,
        rcvBuf: o.rcvBuf,
        keepAlive: o.keepAlive,
      });
    } catch (e) {
      if (!(e instanceof SocketError)) throw e;
      failure = e;
    }
    const s = new TcpSocket(layer, tcb, {
      addr: tcb?.localAddr ?? 0,
      port: tcb?.localPort ?? 0,
      raddr: o.host,
      rport: o.port,
    });
    if (o.allowHalfOpen === true) s.allowHalfOpen = true;
    if (failure !== null) {
      const err = failure;
      // Node reports connect errors asynchronously.
      layer.host.clock.schedule(0, () => s.fail(err));
    }
    return s;
  }

  /** Wraps an accepted connection. */
  static accepted(layer: TcpLayer, t: Tcb): TcpSocket {
    return new TcpSocket(layer, t, {
      addr: t.localAddr,
      port: t.localPort,
      raddr: t.remoteAddr,
      rport: t.remotePort,
    });
  }

  get localAddress(): Ipv4Addr {
    return this.local.addr;
  }
  get localPort(): number {
    return this.local.port;
  }
  get remoteAddress(): Ipv4Addr {
    return this.local.raddr;
  }
  get remotePort(): number {
    return this.local.rport;
  }
  get state(): string {
    return this.tcb === null ? 'CLOSED' : STATE_NAMES[this.tcb.state];
  }

  /** Bytes kept in the socket beyond the TCP send buffer (Node's writableLength, roughly). */
  get bufferedAmount(): number {
    return this.pendingBytes + (this.tcb?.sendQueued ?? 0);
  }

  // ───────────────────────────── writing ─────────────────────────────

  write(data: Uint8Array): boolean {
    if (this.ending || this.closed) {
      const err = new SocketError('EPIPE', MESSAGES.EPIPE);
      this.layer.host.clock.schedule(0, () => this.emit('error', err));
      return false;
    }
    if (data.length === 0) return this.pendingBytes === 0;
    this.bytesWritten += data.length;
    const t = this.tcb;
    if (this.pendingBytes === 0 && t !== null) {
      const n = userSend(t, data);
      if (n === data.length) return true;
      data = data.subarray(n);
    }
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.needDrain = true;
    return false;
  }

  end(data?: Uint8Array): void {
    if (data !== undefined && data.length > 0) this.write(data);
    if (this.ending) return;
    this.ending = true;
    this.maybeFin();
  }

  private maybeFin(): void {
    const t = this.tcb;
    if (!this.ending || this.finSent || this.pendingBytes > 0 || t === null) return;
    if (t.state === SYN_SENT) return; // after the handshake (Node queues end() until connected)
    this.finSent = true;
    userShutdown(t);
  }

  private flush(): void {
    const t = this.tcb;
    if (t === null) return;
    while (this.pending.length > 0) {
      const head = this.pending[0];
      const n = userSend(t, head);
      if (n === 0) break;
      this.pendingBytes -= n;
      if (n === head.length) this.pending.shift();
      else {
        this.pending[0] = head.subarray(n);
        break;
      }
    }
    if (this.pendingBytes === 0 && this.needDrain) {
      this.needDrain = false;
      this.emit('drain');
    }
    this.maybeFin();
  }

  setNoDelay(noDelay = true): void {
    if (this.tcb !== null) setNoDelay(this.tcb, noDelay);
  }

  /** SO_KEEPALIVE with an optional idle time (ns), as Node's setKeepAlive. */
  setKeepAlive(enable = false, initialDelay = 0): void {
    const t = this.tcb;
    if (t === null) return;
    if (enable) t.flags |= F_KEEPALIVE;
    else t.flags &= ~F_KEEPALIVE;
    if (initialDelay > 0) t.keepIdle = initialDelay;
    if (enable) armKeepalive(t);
  }

  /** Chooses the congestion control (TCP_CONGESTION). */
  setCongestion(name: CongestionName): void {
    if (this.tcb !== null) this.tcb.cc = this.layer.congestionOps(name);
  }

  destroy(err?: SocketError): void {
    if (this.closed) return;
    const t = this.tcb;
    if (t !== null && t.state !== CLOSED) {
      t.user = null;
      abortTcb(t, undefined, 'socket destroyed by the application', true);
    }
    this.pending = [];
    this.pendingBytes = 0;
    if (err !== undefined) this.error = err;
    this.finish(err !== undefined);
  }

  address(): { address: Ipv4Addr; port: number } {
    return { address: this.local.addr, port: this.local.port };
  }

  // ───────────────────────────── reading ─────────────────────────────

  /** Flowing when someone listens for 'data' and no async iterator reads. */
  get flowing(): boolean {
    return !this.iterating && this.listenerCount('data') > 0;
  }

  override on<K extends keyof NetSocketEvents>(
    event: K,
    fn: (...args: NetSocketEvents[K]) => void,
  ): this {
    super.on(event, fn);
    if (event === 'data' && this.tcb !== null && this.tcb.recvQueued > 0) {
      // Node resumes on the next tick; data buffered so far flows then.
      this.layer.host.clock.schedule(0, () => this.onReadable());
    }
    return this;
  }

  onData(chunk: Uint8Array): boolean {
    if (!this.flowing) return false;
    this.bytesRead += chunk.length;
    this.emit('data', chunk);
    return true;
  }

  onReadable(): void {
    const t = this.tcb;
    if (t === null) return;
    if (this.waiter !== null) {
      const data = userRecv(t, t.recvQueued);
      if (data.length > 0) {
        this.bytesRead += data.length;
        const w = this.waiter;
        this.waiter = null;
        this.wake();
        w.resolve({ value: data, done: false });
      }
      return;
    }
    if (!this.flowing) return;
    while (t.rcvBuf !== null && t.rcvBuf.length > 0 && this.flowing) {
      const n = t.rcvBuf.length;
      const data = t.rcvBuf.read(n, true);
      userConsumed(t, n);
      this.bytesRead += n;
      this.emit('data', data);
    }
    this.maybeEnd();
  }

  private maybeEnd(): void {
    if (!this.eof || this.endEmitted) return;
    const t = this.tcb;
    if (t !== null && t.recvQueued > 0) return;
    this.endEmitted = true;
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      this.wake();
      w.resolve({ value: undefined, done: true });
    }
    this.emit('end');
    if (!this.allowHalfOpen && !this.ending) this.end();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    this.iterating = true;
    return {
      next: (): Promise<IteratorResult<Uint8Array>> => {
        if (this.error !== null) return Promise.reject(this.error);
        const t = this.tcb;
        if (t !== null && t.recvQueued > 0) {
          const data = userRecv(t, t.recvQueued);
          this.bytesRead += data.length;
          return Promise.resolve({ value: data, done: false });
        }
        if (this.eof || this.closed) {
          if (!this.endEmitted) this.maybeEnd();
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
      },
      return: (): Promise<IteratorResult<Uint8Array>> => {
        this.iterating = false;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private wake(): void {
    this.layer.host.clock.noteWake();
  }

  // ───────────────────────────── TcbUser ─────────────────────────────

  onEstablished(): void {
    const t = this.tcb;
    if (t !== null) {
      this.local.addr = t.localAddr;
      this.local.port = t.localPort;
    }
    this.emit('connect');
    this.flush();
    this.maybeFin();
  }

  onWritable(): void {
    if (this.pendingBytes > 0 || this.needDrain) this.flush();
  }

  onEof(): void {
    this.eof = true;
    if (this.waiter !== null || this.flowing || this.tcb === null || this.tcb.recvQueued === 0)
      this.maybeEnd();
  }

  onClosed(err: SocketErrorCode | undefined): void {
    if (err !== undefined) {
      this.fail(new SocketError(err, MESSAGES[err]));
      return;
    }
    // Orderly: deliver what is left, then 'end' (if the peer closed) and 'close'.
    const t = this.tcb;
    if (t !== null && t.state === CLOSED && this.flowing) this.onReadable();
    if (this.eof) this.maybeEnd();
    this.finish(false);
  }

  private fail(err: SocketError): void {
    if (this.closed) return;
    this.error = err;
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      this.wake();
      w.reject(err);
    }
    this.emit('error', err);
    this.finish(true);
  }

  private finish(hadError: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiter !== null) {
      const w = this.waiter;
      this.waiter = null;
      this.wake();
      if (this.error !== null) w.reject(this.error);
      else w.resolve({ value: undefined, done: true });
    }
    this.emit('close', hadError);
  }

  /** Free space in the TCP send buffer. */
  get writableSpace(): number {
    return this.tcb === null ? 0 : sendSpace(this.tcb);
  }

  get established(): boolean {
    return this.tcb !== null && this.tcb.state >= ESTABLISHED;
  }
}

/** Node's net.Server over a Listener: every established connection is accepted at once. */
export class TcpServer extends Emitter<NetServerEvents> implements NetServer, ListenerUser {
  listener: Listener | null = null;
  /** Applied to accepted sockets. */
  allowHalfOpen = false;
  noDelay = false;
  private addr = { address: 0, port: 0 };

  constructor(readonly layer: TcpLayer) {
    super();
  }

  listen(port: number, address: Ipv4Addr = 0, backlog = 511): NetServer {
    try {
      this.listener = this.layer.listen(address, port, backlog, this);
      if (this.noDelay) this.listener.opts.noDelay = true;
      this.addr = { address, port: this.listener.localPort };
      this.layer.host.clock.schedule(0, () => this.emit('listening'));
    } catch (e) {
      if (!(e instanceof SocketError)) throw e;
      this.layer.host.clock.schedule(0, () => this.emit('error', e));
    }
    return this;
  }

  address(): { address: Ipv4Addr; port: number } {
    return this.addr;
  }

  close(): void {
    if (this.listener === null) return;
    this.listener.close();
    this.listener = null;
    this.layer.host.clock.schedule(0, () => this.emit('close'));
  }

  onAcceptable(): void {
    const l = this.listener;
    if (l === null) return;
    for (let t = l.accept(); t !== undefined; t = l.accept()) {
      const s = TcpSocket.accepted(this.layer, t);
      s.allowHalfOpen = this.allowHalfOpen;
      this.emit('connection', s);
    }
  }
}
