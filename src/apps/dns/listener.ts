/**
 * A DNS server's sockets: UDP on port 53, and TCP with 2-octet length framing (RFC 1035
 * § 4.2.2), several queries per connection answered in order and idle connections closed
 * (RFC 7766 § 6.2.1, § 6.2.3). Shared by the authoritative server and the recursive resolver;
 * the handler turns query bytes into response bytes, at once or through a promise.
 *
 * An asynchronous answer is a continuation the scheduler must run before it moves time on, so
 * the listener notes a wake when it starts one (DESIGN.md "Time and application code").
 */
import type { Clock, TimerHandle } from '../../sim/clock.js';
import { SECOND } from '../../sim/time.js';
import type { DgramApi, DgramSocket, NetApi, NetServer, NetSocket } from '../../stack/api.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import { DNS_PORT } from '../../wire/dns.js';

export type DnsAnswer = Uint8Array | undefined;
export type DnsHandler = (
  query: Uint8Array,
  client: Ipv4Addr,
  port: number,
  transport: 'udp' | 'tcp',
) => DnsAnswer | Promise<DnsAnswer>;

export interface DnsListenerOptions {
  dgram: DgramApi;
  net?: NetApi;
  clock: Clock;
  /** Address to bind (0 = all of the host's addresses). */
  address?: Ipv4Addr;
  port?: number;
  /** Close idle TCP connections after this many ns; default 10 s. */
  tcpIdleTimeout?: number;
}

export class DnsListener {
  private udp: DgramSocket | undefined;
  private tcp: NetServer | undefined;
  private readonly conns = new Set<NetSocket>();

  constructor(
    private readonly o: DnsListenerOptions,
    private readonly handle: DnsHandler,
  ) {}

  start(): this {
    const port = this.o.port ?? DNS_PORT;
    const sock = this.o.dgram.createSocket();
    sock.bind(port, this.o.address ?? 0);
    sock.on('message', (msg, rinfo) => {
      const r = this.handle(msg, rinfo.address, rinfo.port, 'udp');
      if (r instanceof Promise) {
        void r.then((b) => b && sock.send(b, rinfo.port, rinfo.address));
        this.o.clock.noteWake();
      } else if (r) sock.send(r, rinfo.port, rinfo.address);
    });
    this.udp = sock;
    if (this.o.net) {
      const srv = this.o.net.createServer((c) => {
        this.conns.add(c);
        c.on('close', () => this.conns.delete(c));
        serveTcpConnection(c, this.o.clock, this.o.tcpIdleTimeout ?? 10 * SECOND, (q) =>
          this.handle(q, c.remoteAddress, c.remotePort, 'tcp'),
        );
      });
      srv.listen(port, this.o.address ?? 0);
      this.tcp = srv;
    }
    return this;
  }

  stop(): void {
    this.udp?.close();
    this.tcp?.close();
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    this.udp = undefined;
    this.tcp = undefined;
  }
}

/**
 * Serves DNS over one TCP connection (RFC 1035 § 4.2.2, RFC 7766 § 6.2.1): messages framed by
 * a 2-octet length, several per connection, answered in order; closed after `idle` ns without
 * a query.
 */
export function serveTcpConnection(
  c: NetSocket,
  clock: Clock,
  idle: number,
  handle: (query: Uint8Array) => Uint8Array | undefined | Promise<Uint8Array | undefined>,
): void {
  let buf = new Uint8Array(0);
  let timer: TimerHandle | undefined;
  let closed = false;
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  const send = (r: Uint8Array | undefined): void => {
    if (!r || closed) return;
    const out = new Uint8Array(2 + r.length);
    out[0] = r.length >>> 8;
    out[1] = r.length & 0xff;
    out.set(r, 2);
    c.write(out);
  };
  const arm = (): void => {
    timer?.cancel();
    timer = clock.schedule(idle, () => {
      if (!closed) c.end();
    });
  };
  arm();
  c.on('data', (chunk) => {
    const nb = new Uint8Array(buf.length + chunk.length);
    nb.set(buf);
    nb.set(chunk, buf.length);
    buf = nb;
    arm();
    while (buf.length >= 2) {
      const len = (buf[0] << 8) | buf[1];
      if (buf.length < 2 + len) break;
      const q = buf.slice(2, 2 + len);
      buf = buf.slice(2 + len);
      const r = handle(q);
      if (pending === 0 && !(r instanceof Promise)) {
        send(r); // the authoritative engine answers at once
        continue;
      }
      // an asynchronous handler (the resolver): answer in order, and let the scheduler run
      // the continuation before it moves time on (DESIGN.md "Time and application code")
      pending++;
      chain = chain.then(async () => {
        send(await r);
        pending--;
      });
      clock.noteWake();
    }
  });
  c.on('end', () => {
    if (pending === 0) {
      if (!closed) c.end();
      return;
    }
    void chain.then(() => {
      if (!closed) c.end();
    });
    clock.noteWake();
  });
  c.on('close', () => {
    closed = true;
    timer?.cancel();
  });
  c.on('error', () => {
    closed = true;
    timer?.cancel();
  });
}
