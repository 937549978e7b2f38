/**
 * One DNS exchange with one server, as a resolver, a stub or dig does it: over UDP with a
 * random ID and a random source port, accepting only the response that matches, falling back
 * to TCP when the answer is truncated.
 *
 * Read first: RFC 5452 § 4 (what an attacker must guess) and § 9.1 (a response is accepted
 * only if it comes from the address and port the query went to, carries the query's ID, and
 * repeats its question; everything else is dropped and the resolver keeps waiting), RFC 1035
 * § 4.2.1 and RFC 7766 § 5 (TC → retry over TCP; TCP messages carry a 2-octet length), RFC
 * 6891 § 6.2.3 (advertising a UDP payload size), RFC 4343 (the question matches case-
 * insensitively).
 *
 * Randomness comes from the caller's seeded Rng (DESIGN.md principle 2); time from its Clock.
 */
import type { Clock, TimerHandle } from '../../sim/clock.js';
import type { Rng } from '../../sim/rng.js';
import type { DgramApi, DgramSocket, NetApi, NetSocket } from '../../stack/api.js';
import { formatIpv4, type Ipv4Addr } from '../../wire/addr.js';
import {
  DNS_PORT,
  DnsClass,
  encodeDns,
  canonicalName,
  emptyHeader,
  optRecord,
  parseDns,
  type DnsMessage,
  type DnsQuestion,
} from '../../wire/dns.js';
import type { DnsDropReason } from './events.js';

export interface ExchangeOptions {
  dgram: DgramApi;
  /** For the TCP fallback (and `tcp: true`); without it a truncated answer is returned as is. */
  net?: NetApi;
  clock: Clock;
  rng: Rng;
  server: Ipv4Addr;
  port?: number;
  question: DnsQuestion;
  /** Recursion desired (stub → recursive: true; resolver → authoritative: false). */
  rd: boolean;
  /** EDNS0 UDP payload size to advertise; false for none. Default 1232. */
  edns?: number | false;
  dnssecOk?: boolean;
  /** Per-attempt timeout in ns. */
  timeout: number;
  /** Query over TCP from the start. */
  tcp?: boolean;
  /** On TC over UDP, retry over TCP (default true when `net` is given). */
  tcpFallback?: boolean;
  /** Random source port (RFC 5452 § 10); default true. False: an ephemeral port. */
  randomPort?: boolean;
  /** Called when a query leaves (for trace events). */
  onSend?: (info: { id: number; srcPort: number; transport: 'udp' | 'tcp' }) => void;
  /** Called for every datagram ignored while waiting (for dns.drop events). */
  onDrop?: (reason: DnsDropReason, from: Ipv4Addr, port: number, detail: string) => void;
}

export type ExchangeResult =
  | {
      ok: true;
      response: DnsMessage;
      bytes: Uint8Array;
      /** ns from sending to receiving (of the exchange that produced `response`). */
      rtt: number;
      transport: 'udp' | 'tcp';
      id: number;
      srcPort: number;
      /** The truncated UDP response that caused a TCP retry, if any. */
      truncated?: DnsMessage;
    }
  | {
      ok: false;
      error: 'timeout' | 'refused' | 'network';
      detail: string;
      transport: 'udp' | 'tcp';
    };

/** Builds the query message. */
export function buildQuery(
  id: number,
  q: DnsQuestion,
  rd: boolean,
  edns: number | false = 1232,
  dnssecOk = false,
): DnsMessage {
  const h = emptyHeader(id);
  h.rd = rd;
  return {
    header: h,
    questions: [{ name: q.name, type: q.type, class: q.class ?? DnsClass.IN }],
    answers: [],
    authorities: [],
    additionals: edns === false ? [] : [optRecord({ udpSize: edns, dnssecOk })],
  };
}

function sameQuestion(a: DnsQuestion | undefined, b: DnsQuestion): boolean {
  return (
    a !== undefined &&
    a.type === b.type &&
    a.class === b.class &&
    canonicalName(a.name) === canonicalName(b.name)
  );
}

/** Binds a UDP socket to a random port (RFC 5452 § 10), retrying on EADDRINUSE. */
function bindRandom(sock: DgramSocket, rng: Rng, random: boolean): void {
  if (random) {
    for (let i = 0; i < 16; i++) {
      try {
        sock.bind(rng.range(1024, 65535));
        return;
      } catch {
        // in use: draw another
      }
    }
  }
  sock.bind(0);
}

/** One query/response exchange (UDP, then TCP if truncated). Never rejects. */
export async function exchange(o: ExchangeOptions): Promise<ExchangeResult> {
  if (o.tcp && o.net) return exchangeTcp(o);
  const r = await exchangeUdp(o);
  if (r.ok && r.response.header.tc && o.net && o.tcpFallback !== false) {
    const t = await exchangeTcp(o);
    if (t.ok) return { ...t, truncated: r.response };
    return t;
  }
  return r;
}

function exchangeUdp(o: ExchangeOptions): Promise<ExchangeResult> {
  const port = o.port ?? DNS_PORT;
  const id = o.rng.int(0x10000);
  const enc = encodeDns(buildQuery(id, o.question, o.rd, o.edns, o.dnssecOk));
  if (!enc.ok)
    return Promise.resolve({
      ok: false,
      error: 'network',
      detail: `cannot encode the query: ${enc.detail}`,
      transport: 'udp',
    });
  const bytes = enc.value;
  const sock = o.dgram.createSocket();
  try {
    bindRandom(sock, o.rng, o.randomPort !== false);
  } catch (e) {
    return Promise.resolve({ ok: false, error: 'network', detail: String(e), transport: 'udp' });
  }
  const srcPort = sock.address().port;
  return new Promise<ExchangeResult>((resolve) => {
    let timer: TimerHandle | undefined;
    let done = false;
    const sentAt = o.clock.now();
    const finish = (r: ExchangeResult): void => {
      if (done) return;
      done = true;
      timer?.cancel();
      sock.close();
      resolve(r);
      o.clock.noteWake();
    };
    sock.on('message', (msg, rinfo) => {
      const drop = (reason: DnsDropReason, detail: string): void =>
        o.onDrop?.(reason, rinfo.address, rinfo.port, detail);
      // RFC 5452 § 9.1: source address and port first, then ID, then the question
      if (rinfo.address !== o.server) {
        drop(
          'spoofed-source',
          `from ${formatIpv4(rinfo.address)}, the query went to ${formatIpv4(o.server)}`,
        );
        return;
      }
      if (rinfo.port !== port) {
        drop('spoofed-port', `from port ${rinfo.port}, the query went to port ${port}`);
        return;
      }
      const p = parseDns(msg);
      if (!p.ok) {
        if (msg.length >= 2 && ((msg[0] << 8) | msg[1]) !== id)
          drop(
            'spoofed-id',
            `ID 0x${((msg[0] << 8) | msg[1]).toString(16)} (unparseable), expected 0x${id.toString(16)}`,
          );
        else drop('malformed', `${p.error}: ${p.detail ?? ''}`);
        return;
      }
      const m = p.value;
      if (m.header.id !== id) {
        drop(
          'spoofed-id',
          `ID 0x${m.header.id.toString(16).padStart(4, '0')}, expected 0x${id.toString(16).padStart(4, '0')}`,
        );
        return;
      }
      if (!m.header.qr) {
        drop('not-a-response', 'QR is clear');
        return;
      }
      // FORMERR/NOTIMP responses may omit the question (RFC 1035 leaves it open)
      const noQuestion = m.questions.length === 0 && m.header.rcode !== 0;
      if (!noQuestion && (m.questions.length !== 1 || !sameQuestion(m.questions[0], o.question))) {
        const got = m.questions[0];
        drop(
          'spoofed-question',
          got
            ? `question ${got.name} type ${got.type}, asked ${o.question.name} type ${o.question.type}`
            : 'no question section',
        );
        return;
      }
      finish({
        ok: true,
        response: m,
        bytes: msg,
        rtt: o.clock.now() - sentAt,
        transport: 'udp',
        id,
        srcPort,
      });
    });
    sock.on('error', (e) =>
      finish({ ok: false, error: 'network', detail: e.message, transport: 'udp' }),
    );
    timer = o.clock.schedule(o.timeout, () =>
      finish({
        ok: false,
        error: 'timeout',
        detail: `no answer from ${formatIpv4(o.server)} in ${o.timeout / 1e6} ms`,
        transport: 'udp',
      }),
    );
    o.onSend?.({ id, srcPort, transport: 'udp' });
    try {
      sock.send(bytes, port, o.server);
    } catch (e) {
      finish({ ok: false, error: 'network', detail: String(e), transport: 'udp' });
    }
  });
}

function exchangeTcp(o: ExchangeOptions): Promise<ExchangeResult> {
  const net = o.net!;
  const port = o.port ?? DNS_PORT;
  const id = o.rng.int(0x10000);
  const enc = encodeDns(buildQuery(id, o.question, o.rd, o.edns, o.dnssecOk));
  if (!enc.ok)
    return Promise.resolve({
      ok: false,
      error: 'network',
      detail: `cannot encode the query: ${enc.detail}`,
      transport: 'tcp',
    });
  const query = enc.value;
  const framed = new Uint8Array(2 + query.length);
  framed[0] = query.length >>> 8;
  framed[1] = query.length & 0xff;
  framed.set(query, 2);
  return new Promise<ExchangeResult>((resolve) => {
    let done = false;
    let c: NetSocket | undefined;
    const sentAt = o.clock.now();
    let buf = new Uint8Array(0);
    const finish = (r: ExchangeResult): void => {
      if (done) return;
      done = true;
      timer.cancel();
      c?.destroy();
      resolve(r);
      o.clock.noteWake();
    };
    const timer = o.clock.schedule(o.timeout, () =>
      finish({
        ok: false,
        error: 'timeout',
        detail: `no TCP answer from ${formatIpv4(o.server)} in ${o.timeout / 1e6} ms`,
        transport: 'tcp',
      }),
    );
    try {
      c = net.connect({ host: o.server, port, timeout: o.timeout });
    } catch (e) {
      finish({ ok: false, error: 'network', detail: String(e), transport: 'tcp' });
      return;
    }
    const sock = c;
    sock.on('connect', () => {
      o.onSend?.({ id, srcPort: sock.localPort, transport: 'tcp' });
      sock.write(framed);
    });
    sock.on('data', (chunk) => {
      const nb = new Uint8Array(buf.length + chunk.length);
      nb.set(buf);
      nb.set(chunk, buf.length);
      buf = nb;
      if (buf.length < 2) return;
      const len = (buf[0] << 8) | buf[1];
      if (buf.length < 2 + len) return;
      const msg = buf.slice(2, 2 + len);
      const p = parseDns(msg);
      if (!p.ok) {
        o.onDrop?.('malformed', o.server, port, `${p.error}: ${p.detail ?? ''}`);
        finish({
          ok: false,
          error: 'network',
          detail: `malformed TCP response: ${p.detail ?? p.error}`,
          transport: 'tcp',
        });
        return;
      }
      const m = p.value;
      if (
        m.header.id !== id ||
        !m.header.qr ||
        (m.questions.length > 0 && !sameQuestion(m.questions[0], o.question))
      ) {
        o.onDrop?.('spoofed-id', o.server, port, 'TCP response does not match the query');
        finish({
          ok: false,
          error: 'network',
          detail: 'TCP response does not match the query',
          transport: 'tcp',
        });
        return;
      }
      finish({
        ok: true,
        response: m,
        bytes: msg,
        rtt: o.clock.now() - sentAt,
        transport: 'tcp',
        id,
        srcPort: sock.localPort,
      });
    });
    sock.on('error', (e) =>
      finish({
        ok: false,
        error: e.code === 'ECONNREFUSED' ? 'refused' : 'network',
        detail: e.message,
        transport: 'tcp',
      }),
    );
    sock.on('close', () =>
      finish({
        ok: false,
        error: 'network',
        detail: 'connection closed before an answer',
        transport: 'tcp',
      }),
    );
  });
}
