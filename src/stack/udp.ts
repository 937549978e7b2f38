/**
 * UDP: sockets shaped like Node's dgram (DgramApi in api.ts), port demultiplexing, checksums,
 * ephemeral ports, ICMP port unreachable.
 *
 * Read first:
 * - RFC 768 (header; the checksum over the pseudo-header; a zero checksum means "none"; a
 *   computed zero is sent as 0xffff).
 * - RFC 1122 § 4.1.3.1 (ports), § 4.1.3.4 (a host MUST verify a non-zero checksum and discard
 *   silently on mismatch), § 4.1.3.1 / § 3.2.2.1 (send ICMP port unreachable when no socket
 *   listens — not for broadcast datagrams), § 4.1.3.3 (pass ICMP errors up to the application).
 * - RFC 6056 § 3.3.1 (random ephemeral port selection). Linux's range is
 *   net.ipv4.ip_local_port_range = 32768–60999; the start of the search comes from the node's
 *   seeded stream, so a run is reproducible.
 */
import { Emitter } from '../sim/emitter.js';
import { formatIpv4 } from '../wire/addr.js';
import type { Ipv4Addr } from '../wire/addr.js';
import { UnreachCode, IcmpType } from '../wire/icmp.js';
import { emitUdp, parseUdp, UDP_HEADER_LEN } from '../wire/udp.js';
import type {
  DgramSocket,
  DgramSocketEvents,
  IcmpErrorInfo,
  IpRxMeta,
  IpSendError,
  RemoteInfo,
  SocketErrorCode,
} from './api.js';
import { IPPROTO_UDP, SocketError } from './api.js';
import type { NetStack } from './netstack.js';
import { FrameBuf } from './iface.js';
import type { Rng } from '../sim/rng.js';

export const EPHEMERAL_LOW = 32768;
export const EPHEMERAL_HIGH = 60999;

declare module '../sim/trace.js' {
  interface TraceEventMap {
    /** A datagram was handed to IP. */
    'udp.tx': { src: string; sport: number; dst: string; dport: number; len: number };
    /** A datagram was queued on a socket. */
    'udp.rx': { src: string; sport: number; dst: string; dport: number; len: number };
    /** A datagram was discarded; `reason` like "no-port", "bad-checksum". */
    'udp.drop': { reason: string; src: string; dst: string; dport: number };
    /** A socket was bound (explicitly, or to an ephemeral port on first send). */
    'udp.bind': { address: string; port: number; ephemeral: boolean };
  }
}

/** /proc/net/snmp's Udp line. */
export class UdpStats {
  InDatagrams = 0;
  NoPorts = 0;
  InErrors = 0;
  OutDatagrams = 0;
  RcvbufErrors = 0;
  SndbufErrors = 0;
  InCsumErrors = 0;
}

const ERRNO: Record<IpSendError, SocketErrorCode> = {
  'no-route': 'ENETUNREACH',
  'too-big': 'EMSGSIZE',
  'queue-full': 'ENOBUFS',
  'bad-source': 'EADDRNOTAVAIL',
};

export class UdpSocket extends Emitter<DgramSocketEvents> implements DgramSocket {
  localAddress: Ipv4Addr = 0;
  localPort = 0;
  ttl: number | undefined;
  tos = 0;
  broadcast = false;
  closed = false;

  constructor(private readonly layer: UdpLayer) {
    super();
  }

  bind(port = 0, address: Ipv4Addr = 0): void {
    if (this.closed) throw new SocketError('EINVAL', 'socket is closed');
    if (this.localPort !== 0) throw new SocketError('EINVAL', 'socket is already bound');
    this.layer.bind(this, port, address >>> 0);
  }

  address(): { address: Ipv4Addr; port: number } {
    return { address: this.localAddress, port: this.localPort };
  }

  send(data: Uint8Array, port: number, address: Ipv4Addr): void {
    if (this.closed) throw new SocketError('EINVAL', 'socket is closed');
    if (!(port > 0 && port < 65536))
      throw new SocketError('EINVAL', `bad destination port ${port}`);
    if (this.localPort === 0) this.layer.bind(this, 0, 0);
    const err = this.layer.send(this, data, port, address >>> 0);
    if (err === 'queue-full') {
      // Linux udp_send_skb: a datagram the device queue dropped is counted, not reported
      // (ENOBUFS reaches the application only with IP_RECVERR).
      this.layer.stats.SndbufErrors++;
    } else if (err !== undefined) {
      this.fail(ERRNO[err], `send to ${formatIpv4(address)}:${port}: ${err}`);
    }
  }

  /** Like Node's socket.setTTL: the TTL of datagrams this socket sends (traceroute uses it). */
  setTTL(ttl: number): number {
    if (!(ttl >= 1 && ttl <= 255)) throw new SocketError('EINVAL', `bad TTL ${ttl}`);
    this.ttl = ttl;
    return ttl;
  }

  setBroadcast(flag: boolean): void {
    this.broadcast = flag;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.layer.unbind(this);
    this.emit('close');
  }

  /** @internal */
  deliver(msg: Uint8Array, rinfo: RemoteInfo): void {
    this.emit('message', msg, rinfo);
  }

  /** @internal */
  deliverIcmp(info: IcmpErrorInfo): void {
    this.emit('icmp', info);
  }

  /** Errors are reported asynchronously (at the current instant), like Node's. */
  private fail(code: SocketErrorCode, message: string): void {
    const clock = this.layer.stack.clock;
    clock.schedule(0, () => {
      if (this.listenerCount('error') > 0) {
        clock.noteWake();
        this.emit('error', new SocketError(code, message));
      }
    });
  }
}

export class UdpLayer {
  readonly stats = new UdpStats();
  /** Sockets by local port; several when bound to different addresses. */
  private ports = new Map<number, UdpSocket[]>();
  private rng: Rng | undefined;

  constructor(readonly stack: NetStack) {}

  createSocket(): UdpSocket {
    return new UdpSocket(this);
  }

  /** Bound sockets (for netstat / ss). */
  sockets(): UdpSocket[] {
    const out: UdpSocket[] = [];
    for (const l of this.ports.values()) out.push(...l);
    return out;
  }

  bind(s: UdpSocket, port: number, address: Ipv4Addr): void {
    if (address !== 0 && !this.stack.isLocalAddress(address)) {
      throw new SocketError(
        'EADDRNOTAVAIL',
        `${formatIpv4(address)} is not an address of ${this.stack.name}`,
      );
    }
    let ephemeral = false;
    if (port === 0) {
      port = this.ephemeral(address);
      ephemeral = true;
    } else if (this.conflicts(port, address)) {
      throw new SocketError('EADDRINUSE', `${formatIpv4(address)}:${port} is in use`);
    }
    s.localPort = port;
    s.localAddress = address;
    const l = this.ports.get(port);
    if (l === undefined) this.ports.set(port, [s]);
    else l.push(s);
    const t = this.stack.trace;
    if (t.active)
      t.emit('udp.bind', this.stack.name, { address: formatIpv4(address), port, ephemeral });
  }

  unbind(s: UdpSocket): void {
    const l = this.ports.get(s.localPort);
    if (l === undefined) return;
    const rest = l.filter((x) => x !== s);
    if (rest.length === 0) this.ports.delete(s.localPort);
    else this.ports.set(s.localPort, rest);
  }

  private conflicts(port: number, address: Ipv4Addr): boolean {
    const l = this.ports.get(port);
    if (l === undefined) return false;
    return l.some((s) => s.localAddress === 0 || address === 0 || s.localAddress === address);
  }

  /** RFC 6056 § 3.3.1-style: random start, then the next free port, wrapping. */
  private ephemeral(address: Ipv4Addr): number {
    const rng = (this.rng ??= this.stack.rng('udp-ephemeral'));
    const n = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    const start = rng.int(n);
    for (let i = 0; i < n; i++) {
      const port = EPHEMERAL_LOW + ((start + i) % n);
      if (!this.conflicts(port, address)) return port;
    }
    throw new SocketError('EADDRINUSE', 'no free ephemeral port');
  }

  send(s: UdpSocket, data: Uint8Array, port: number, dst: Ipv4Addr): IpSendError | undefined {
    const stack = this.stack;
    let src = s.localAddress;
    if (src === 0) {
      const r = stack.route(dst);
      if (r === undefined) {
        this.stats.SndbufErrors++;
        stack.ipStats.OutRequests++;
        stack.ipStats.OutNoRoutes++;
        stack.count('ip:no-route');
        return 'no-route';
      }
      src = r.src;
    }
    const len = UDP_HEADER_LEN + data.length;
    if (len > 0xffff - 20) return 'too-big';
    const p = FrameBuf.forPayload(len, stack.trace);
    p.buf.set(data, p.start + UDP_HEADER_LEN);
    emitUdp(
      { srcPort: s.localPort, dstPort: port, payloadLen: data.length },
      p.buf,
      p.start,
      src,
      dst,
    );
    this.stats.OutDatagrams++;
    const t = stack.trace;
    if (t.active) {
      t.emit('stack.tx', stack.name, { iface: '', stage: 'transport', fn: 'udp_sendmsg', len });
      t.emit('udp.tx', stack.name, {
        src: formatIpv4(src),
        sport: s.localPort,
        dst: formatIpv4(dst),
        dport: port,
        len: data.length,
      });
    }
    return stack.ipSend({ src, dst, protocol: IPPROTO_UDP, payload: p, ttl: s.ttl, tos: s.tos });
  }

  /** udp_rcv: checksum, demultiplex, or ICMP port unreachable. */
  input(meta: IpRxMeta, payload: Uint8Array): void {
    const stack = this.stack;
    const r = parseUdp(payload, 0, payload.length, meta.src, meta.dst);
    if (!r.ok) {
      this.stats.InErrors++;
      if (r.error === 'bad-checksum') this.stats.InCsumErrors++;
      stack.count(`udp:${r.error}`);
      if (stack.trace.active) {
        stack.trace.emit('udp.drop', stack.name, {
          reason: r.error,
          src: formatIpv4(meta.src),
          dst: formatIpv4(meta.dst),
          dport: -1,
        });
      }
      return;
    }
    const u = r.value;
    const sock = this.lookup(u.dstPort, meta.dst);
    if (sock === undefined) {
      this.stats.NoPorts++;
      stack.count('udp:no-port');
      if (stack.trace.active) {
        stack.trace.emit('udp.drop', stack.name, {
          reason: 'no-port',
          src: formatIpv4(meta.src),
          dst: formatIpv4(meta.dst),
          dport: u.dstPort,
        });
      }
      // RFC 1122 § 4.1.3.1: port unreachable, but never for broadcasts (§ 3.2.2).
      if (!meta.broadcast && stack.current !== undefined) {
        stack.icmp.sendError(IcmpType.DEST_UNREACHABLE, UnreachCode.PORT, stack.current, 0);
      }
      return;
    }
    this.stats.InDatagrams++;
    const data = payload.slice(UDP_HEADER_LEN, UDP_HEADER_LEN + u.payloadLen);
    if (stack.trace.active) {
      stack.trace.emit('udp.rx', stack.name, {
        src: formatIpv4(meta.src),
        sport: u.srcPort,
        dst: formatIpv4(meta.dst),
        dport: u.dstPort,
        len: u.payloadLen,
      });
      stack.trace.emit('stack.rx', stack.name, {
        iface: meta.iface,
        stage: 'socket',
        fn: 'sock_queue_rcv_skb',
        len: u.payloadLen,
      });
    }
    stack.clock.noteWake();
    sock.deliver(data, { address: meta.src, port: u.srcPort, size: u.payloadLen });
  }

  /** The socket bound to (address, port), else the wildcard one. */
  private lookup(port: number, dst: Ipv4Addr): UdpSocket | undefined {
    const l = this.ports.get(port);
    if (l === undefined) return undefined;
    let wildcard: UdpSocket | undefined;
    for (const s of l) {
      if (s.localAddress === dst) return s;
      if (s.localAddress === 0) wildcard = s;
    }
    return wildcard;
  }

  /** RFC 1122 § 4.1.3.3: an ICMP error about a datagram we sent goes to its socket. */
  icmpError(info: IcmpErrorInfo): void {
    if (info.quoted.length < 4) return;
    const sport = (info.quoted[0] << 8) | info.quoted[1];
    const s = this.lookup(sport, info.src);
    if (s === undefined) return;
    s.deliverIcmp(info);
  }
}
