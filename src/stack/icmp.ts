/**
 * ICMP for IPv4: echo (ping), errors sent (unreachable, time exceeded, fragmentation needed)
 * and errors received (handed to the transport or socket that sent the quoted datagram).
 *
 * Read first:
 * - RFC 792 (message formats; echo replies return the request's identifier, sequence number
 *   and data).
 * - RFC 1122 § 3.2.2 (never send an error about an ICMP error, a broadcast or multicast
 *   datagram, a link-layer broadcast, a non-initial fragment, or a datagram whose source is not
 *   a single host), § 3.2.2.6 (echo: reply from the address the request was sent to),
 *   § 3.2.2.9 / § 4.1.3.3 (deliver errors to the transport).
 * - RFC 1812 § 4.3.2.8 (rate-limit ICMP errors) — Linux's per-destination token bucket:
 *   icmp_ratelimit 1000 ms per message with a burst of 6 (XRLIM_BURST_FACTOR), applied to
 *   destination unreachable, source quench, time exceeded and parameter problem
 *   (icmp_ratemask); echo replies are not limited; nothing is limited towards the node itself.
 * - RFC 1191 § 4 (fragmentation needed carries the next-hop MTU).
 *
 * Source of an error (Linux icmp_send): the destination of the offending datagram when it was
 * addressed to this node (so a traceroute's last hop shows the target's address), otherwise
 * the address the route back to the sender selects.
 */
import { Emitter } from '../sim/emitter.js';
import { formatIpv4 } from '../wire/addr.js';
import type { Ipv4Addr } from '../wire/addr.js';
import {
  emitIcmp,
  ICMP_HEADER_LEN,
  icmpQuoteLen,
  IcmpType,
  mayQuote,
  parseIcmp,
  parseIcmpQuote,
} from '../wire/icmp.js';
import type { IcmpRepr } from '../wire/icmp.js';
import type { IcmpErrorInfo, IpRxMeta, IpSendError } from './api.js';
import { IPPROTO_ICMP, IPPROTO_UDP } from './api.js';
import type { NetStack, RxDatagram } from './netstack.js';
import { FrameBuf } from './iface.js';

declare module '../sim/trace.js' {
  interface TraceEventMap {
    /** An ICMP message was sent; `why` says what caused it. */
    'icmp.tx': {
      type: number;
      code: number;
      message: string;
      to: string;
      from: string;
      why: string;
      id?: number;
      seq?: number;
    };
    /** An ICMP message arrived. For errors, `quoted` describes the offending datagram. */
    'icmp.rx': {
      type: number;
      code: number;
      message: string;
      from: string;
      id?: number;
      seq?: number;
      quoted?: string;
    };
    /** An ICMP error was not sent because of the rate limit (RFC 1812 § 4.3.2.8). */
    'icmp.ratelimit': { type: number; code: number; to: string };
  }
}

/** Counters like /proc/net/snmp's Icmp line. */
export class IcmpStats {
  InMsgs = 0;
  InErrors = 0;
  InCsumErrors = 0;
  InDestUnreachs = 0;
  InTimeExcds = 0;
  InEchos = 0;
  InEchoReps = 0;
  OutMsgs = 0;
  OutErrors = 0;
  OutRateLimitHost = 0;
  OutDestUnreachs = 0;
  OutTimeExcds = 0;
  OutEchos = 0;
  OutEchoReps = 0;
}

const KIND_NAMES: Record<number, string> = {
  0: 'echo-reply',
  3: 'dest-unreachable',
  8: 'echo-request',
  11: 'time-exceeded',
};

/** An echo reply received by a ping socket. */
export interface EchoReply {
  readonly from: Ipv4Addr;
  readonly ident: number;
  readonly seq: number;
  readonly ttl: number;
  /** Bytes of ICMP message (header + data), as ping prints "64 bytes from". */
  readonly len: number;
  readonly data: Uint8Array;
}

/** An ICMP error about an echo request this socket sent. */
export interface EchoError extends IcmpErrorInfo {
  readonly seq: number;
  readonly ident: number;
}

export interface PingSocketEvents {
  reply: [reply: EchoReply];
  error: [error: EchoError];
}

/**
 * An ICMP echo socket (Linux's unprivileged "ping socket", SOCK_DGRAM + IPPROTO_ICMP): the
 * identifier plays the role of a port.
 */
export class PingSocket extends Emitter<PingSocketEvents> {
  closed = false;
  constructor(
    private readonly layer: IcmpLayer,
    readonly ident: number,
  ) {
    super();
  }

  /** Sends an echo request with `data` after the 8-byte header. */
  send(
    dst: Ipv4Addr,
    seq: number,
    data: Uint8Array,
    options: { ttl?: number; dontFragment?: boolean; src?: Ipv4Addr } = {},
  ): IpSendError | undefined {
    return this.layer.sendEcho(dst, this.ident, seq, data, options);
  }

  close(): void {
    this.closed = true;
    this.layer.closePing(this);
  }

  /** @internal */
  deliverReply(r: EchoReply): void {
    this.emit('reply', r);
  }

  /** @internal */
  deliverError(e: EchoError): void {
    this.emit('error', e);
  }
}

interface Bucket {
  tokens: number;
  last: number;
}

export class IcmpLayer {
  readonly stats = new IcmpStats();
  private pings = new Map<number, PingSocket>();
  private buckets = new Map<Ipv4Addr, Bucket>();
  private readonly ratePeriod: number;
  private readonly burst: number;

  constructor(private readonly stack: NetStack) {
    const perSec = stack.options.icmpRatePerSec;
    this.ratePeriod = perSec > 0 ? 1e9 / perSec : 0;
    this.burst = stack.options.icmpBurst;
  }

  // ───────────────────────────── receive ─────────────────────────────

  input(meta: IpRxMeta, payload: Uint8Array): void {
    const st = this.stats;
    st.InMsgs++;
    const r = parseIcmp(payload, 0, payload.length);
    if (!r.ok) {
      st.InErrors++;
      if (r.error === 'bad-checksum') st.InCsumErrors++;
      this.stack.count(`icmp:${r.error}`);
      return;
    }
    const m = r.value;
    const trace = this.stack.trace;
    switch (m.kind) {
      case 'echo-request': {
        st.InEchos++;
        if (trace.active) this.traceRx(meta, m, undefined);
        if (meta.broadcast && this.stack.options.icmpEchoIgnoreBroadcasts) {
          this.stack.count('icmp:echo-broadcast-ignored');
          return;
        }
        this.reply(meta, m.ident, m.seq, payload);
        return;
      }
      case 'echo-reply': {
        st.InEchoReps++;
        if (trace.active) this.traceRx(meta, m, undefined);
        const sock = this.pings.get(m.ident);
        if (sock === undefined) {
          this.stack.count('icmp:echo-reply-no-socket');
          return;
        }
        this.socketTrace(meta, payload.length);
        this.stack.clock.noteWake();
        sock.deliverReply({
          from: meta.src,
          ident: m.ident,
          seq: m.seq,
          ttl: meta.ttl,
          len: payload.length,
          data: payload.slice(ICMP_HEADER_LEN),
        });
        return;
      }
      case 'dest-unreachable':
      case 'time-exceeded': {
        if (m.kind === 'dest-unreachable') st.InDestUnreachs++;
        else st.InTimeExcds++;
        this.errorInput(
          meta,
          payload,
          m.kind === 'dest-unreachable' ? IcmpType.DEST_UNREACHABLE : IcmpType.TIME_EXCEEDED,
          m.code,
          m.kind === 'dest-unreachable' ? m.nextHopMtu : 0,
        );
        return;
      }
      case 'other':
        if (trace.active) this.traceRx(meta, m, undefined);
        this.stack.count('icmp:unhandled-type');
        return;
    }
  }

  private socketTrace(meta: IpRxMeta, len: number): void {
    const t = this.stack.trace;
    if (t.active)
      t.emit('stack.rx', this.stack.name, {
        iface: meta.iface,
        stage: 'socket',
        fn: 'ping_queue_rcv_skb',
        len,
      });
  }

  private traceRx(meta: IpRxMeta, m: IcmpRepr, quoted: string | undefined): void {
    const tc = typeCode(m);
    const ev: {
      type: number;
      code: number;
      message: string;
      from: string;
      id?: number;
      seq?: number;
      quoted?: string;
    } = {
      type: tc.type,
      code: tc.code,
      message: m.kind === 'other' ? `type-${m.type}` : m.kind,
      from: formatIpv4(meta.src),
    };
    if (m.kind === 'echo-request' || m.kind === 'echo-reply') {
      ev.id = m.ident;
      ev.seq = m.seq;
    }
    if (quoted !== undefined) ev.quoted = quoted;
    this.stack.trace.emit('icmp.rx', this.stack.name, ev);
  }

  /** RFC 1122 § 3.2.2: an error goes to the transport that sent the quoted datagram. */
  private errorInput(
    meta: IpRxMeta,
    payload: Uint8Array,
    type: number,
    code: number,
    mtu: number,
  ): void {
    const q = parseIcmpQuote(payload, ICMP_HEADER_LEN, payload.length);
    const m = parseIcmp(payload, 0, payload.length, false);
    if (!q.ok || !m.ok) {
      this.stats.InErrors++;
      this.stack.count('icmp:bad-quote');
      return;
    }
    const ip = q.value.ip;
    const quoted = payload.slice(q.value.dataStart, q.value.dataEnd);
    if (this.stack.trace.active) {
      this.traceRx(
        meta,
        m.value,
        `${formatIpv4(ip.src)} → ${formatIpv4(ip.dst)} proto ${ip.protocol}`,
      );
    }
    const info: IcmpErrorInfo = {
      type,
      code,
      from: meta.src,
      src: ip.src,
      dst: ip.dst,
      protocol: ip.protocol,
      quoted,
      mtu,
    };
    // Only errors about datagrams this node sent are meaningful.
    if (!this.stack.isLocalAddress(ip.src)) {
      this.stack.count('icmp:error-not-ours');
      return;
    }
    this.stack.clock.noteWake();
    if (ip.protocol === IPPROTO_ICMP) {
      if (quoted.length >= 8 && quoted[0] === IcmpType.ECHO_REQUEST) {
        const ident = (quoted[4] << 8) | quoted[5];
        const seq = (quoted[6] << 8) | quoted[7];
        this.pings.get(ident)?.deliverError({ ...info, ident, seq });
      }
      return;
    }
    if (ip.protocol === IPPROTO_UDP) {
      this.stack.udp.icmpError(info);
      return;
    }
    this.stack.transport(ip.protocol)?.icmpError(info);
  }

  // ───────────────────────────── send ─────────────────────────────

  private reply(meta: IpRxMeta, ident: number, seq: number, request: Uint8Array): void {
    const dataLen = request.length - ICMP_HEADER_LEN;
    const p = FrameBuf.forPayload(ICMP_HEADER_LEN + dataLen);
    p.buf.set(request.subarray(ICMP_HEADER_LEN), p.start + ICMP_HEADER_LEN);
    emitIcmp({ kind: 'echo-reply', ident, seq, payloadLen: dataLen }, p.buf, p.start);
    // RFC 1122 § 3.2.2.6: reply from the specific address the request was sent to.
    const src = this.stack.isLocalAddress(meta.dst) ? meta.dst : 0;
    this.stats.OutMsgs++;
    this.stats.OutEchoReps++;
    this.traceTx(
      IcmpType.ECHO_REPLY,
      0,
      meta.src,
      src,
      `echo request from ${formatIpv4(meta.src)}`,
      ident,
      seq,
    );
    this.stack.ipSend({ src, dst: meta.src, protocol: IPPROTO_ICMP, payload: p });
  }

  sendEcho(
    dst: Ipv4Addr,
    ident: number,
    seq: number,
    data: Uint8Array,
    options: { ttl?: number; dontFragment?: boolean; src?: Ipv4Addr },
  ): IpSendError | undefined {
    const p = FrameBuf.forPayload(ICMP_HEADER_LEN + data.length);
    p.buf.set(data, p.start + ICMP_HEADER_LEN);
    emitIcmp({ kind: 'echo-request', ident, seq, payloadLen: data.length }, p.buf, p.start);
    this.stats.OutMsgs++;
    this.stats.OutEchos++;
    const t = this.stack.trace;
    if (t.active) {
      this.traceTx(IcmpType.ECHO_REQUEST, 0, dst, options.src ?? 0, 'ping', ident, seq);
      t.emit('stack.tx', this.stack.name, {
        iface: '',
        stage: 'transport',
        fn: 'ping_v4_sendmsg',
        len: p.length,
      });
    }
    return this.stack.ipSend({
      src: options.src ?? 0,
      dst,
      protocol: IPPROTO_ICMP,
      payload: p,
      ttl: options.ttl,
      dontFragment: options.dontFragment,
    });
  }

  /**
   * Sends an ICMP error about the datagram `rx` (RFC 792). Does nothing when RFC 1122 § 3.2.2
   * forbids an error, or the rate limit says no. `mtu` is the next-hop MTU for code 4.
   */
  sendError(type: number, code: number, rx: RxDatagram, mtu: number): void {
    const stack = this.stack;
    const ip = rx.ip;
    let firstIcmpType = -1;
    const hl = (rx.buf[rx.start] & 0x0f) << 2;
    if (ip.protocol === IPPROTO_ICMP && rx.end - rx.start > hl)
      firstIcmpType = rx.buf[rx.start + hl];
    // RFC 1122 § 3.2.2: never about ICMP errors, non-first fragments, broadcasts.
    if (
      !mayQuote(ip, firstIcmpType) ||
      rx.pktType === 'broadcast' ||
      rx.pktType === 'multicast' ||
      ip.src >>> 24 === 0 ||
      (ip.dst !== 0xffffffff && this.isBroadcastAnywhere(ip.dst))
    ) {
      stack.count('icmp:error-suppressed');
      return;
    }
    const toSelf = stack.isLocalAddress(ip.src);
    if (!toSelf && !this.allow(ip.src, this.stack.clock.now())) {
      this.stats.OutRateLimitHost++;
      if (stack.trace.active)
        stack.trace.emit('icmp.ratelimit', stack.name, { type, code, to: formatIpv4(ip.src) });
      return;
    }
    const qlen = icmpQuoteLen(rx.buf, rx.start, rx.end);
    const p = FrameBuf.forPayload(ICMP_HEADER_LEN + qlen);
    p.buf.set(rx.buf.subarray(rx.start, rx.start + qlen), p.start + ICMP_HEADER_LEN);
    const repr: IcmpRepr =
      type === IcmpType.DEST_UNREACHABLE
        ? { kind: 'dest-unreachable', code, nextHopMtu: code === 4 ? mtu : 0, payloadLen: qlen }
        : type === IcmpType.TIME_EXCEEDED
          ? { kind: 'time-exceeded', code, payloadLen: qlen }
          : { kind: 'other', type, code, rest: 0, payloadLen: qlen };
    emitIcmp(repr, p.buf, p.start);
    this.stats.OutMsgs++;
    if (type === IcmpType.DEST_UNREACHABLE) this.stats.OutDestUnreachs++;
    else if (type === IcmpType.TIME_EXCEEDED) this.stats.OutTimeExcds++;
    // Linux icmp_send: reply from the offending datagram's destination if it was ours.
    const src = stack.isLocalAddress(ip.dst) ? ip.dst : 0;
    if (stack.trace.active) {
      this.traceTx(
        type,
        code,
        ip.src,
        src,
        errorWhy(type, code, ip.dst, mtu, rx.iface.name),
        undefined,
        undefined,
      );
    }
    const err = stack.ipSend({ src, dst: ip.src, protocol: IPPROTO_ICMP, payload: p });
    if (err !== undefined) this.stats.OutErrors++;
  }

  private isBroadcastAnywhere(a: Ipv4Addr): boolean {
    for (const i of this.stack.interfaces.values()) if (i.isBroadcast(a)) return true;
    return false;
  }

  /** Linux inet_peer_xrlim_allow: token bucket per destination. */
  private allow(dst: Ipv4Addr, now: number): boolean {
    if (this.ratePeriod === 0) return true;
    const max = this.burst * this.ratePeriod;
    let b = this.buckets.get(dst);
    if (b === undefined) {
      b = { tokens: max, last: now };
      this.buckets.set(dst, b);
    }
    b.tokens = Math.min(max, b.tokens + (now - b.last));
    b.last = now;
    if (b.tokens >= this.ratePeriod) {
      b.tokens -= this.ratePeriod;
      return true;
    }
    return false;
  }

  private traceTx(
    type: number,
    code: number,
    to: Ipv4Addr,
    from: Ipv4Addr,
    why: string,
    id: number | undefined,
    seq: number | undefined,
  ): void {
    const t = this.stack.trace;
    if (!t.active) return;
    const ev: {
      type: number;
      code: number;
      message: string;
      to: string;
      from: string;
      why: string;
      id?: number;
      seq?: number;
    } = {
      type,
      code,
      message: KIND_NAMES[type] ?? `type-${type}`,
      to: formatIpv4(to),
      from: from === 0 ? '(route source)' : formatIpv4(from),
      why,
    };
    if (id !== undefined) ev.id = id;
    if (seq !== undefined) ev.seq = seq;
    t.emit('icmp.tx', this.stack.name, ev);
  }

  // ───────────────────────────── ping sockets ─────────────────────────────

  /** Opens an echo socket; the identifier comes from the node's seeded stream. */
  openPing(ident?: number): PingSocket {
    let id = ident;
    if (id === undefined) {
      const rng = this.stack.rng('ping-ident');
      do id = rng.int(0x10000);
      while (this.pings.has(id));
    } else if (this.pings.has(id)) {
      throw new Error(`ICMP identifier ${id} is in use`);
    }
    const s = new PingSocket(this, id);
    this.pings.set(id, s);
    return s;
  }

  /** @internal */
  closePing(s: PingSocket): void {
    if (this.pings.get(s.ident) === s) this.pings.delete(s.ident);
  }
}

function typeCode(m: IcmpRepr): { type: number; code: number } {
  switch (m.kind) {
    case 'echo-request':
      return { type: 8, code: 0 };
    case 'echo-reply':
      return { type: 0, code: 0 };
    case 'dest-unreachable':
      return { type: 3, code: m.code };
    case 'time-exceeded':
      return { type: 11, code: m.code };
    case 'other':
      return { type: m.type, code: m.code };
  }
}

function errorWhy(type: number, code: number, dst: Ipv4Addr, mtu: number, iface: string): string {
  if (type === IcmpType.TIME_EXCEEDED) {
    return code === 0
      ? `TTL reached zero forwarding to ${formatIpv4(dst)}`
      : `reassembly of a datagram for ${formatIpv4(dst)} timed out`;
  }
  if (type === IcmpType.DEST_UNREACHABLE) {
    switch (code) {
      case 0:
        return `no route to ${formatIpv4(dst)}`;
      case 1:
        return `ARP for the next hop towards ${formatIpv4(dst)} on ${iface} got no reply`;
      case 2:
        return `no transport for the protocol`;
      case 3:
        return `no socket bound to the destination port`;
      case 4:
        return `DF set and the next hop's MTU is ${mtu}`;
    }
  }
  return `type ${type} code ${code}`;
}
