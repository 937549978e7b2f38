/**
 * The authoritative name server: answers from its zones, over UDP (a DgramSocket) and TCP (a
 * NetServer, 2-octet length framing).
 *
 * Read first: RFC 1034 § 4.3.2 (the lookup algorithm: find the zone, descend to a cut or the
 * name, CNAME, NXDOMAIN), RFC 1035 § 4.1.1 (header flags; AA), § 4.2.1/4.2.2 (UDP 512 octets,
 * TCP length prefix), RFC 2181 § 9 (TC only when required data does not fit) and § 10.1
 * (CNAME), RFC 2308 § 2-3 (negative answers carry the SOA, its TTL = min(TTL, MINIMUM)),
 * RFC 6604 (the rcode of a CNAME chain is that of its last name), RFC 6891 § 6-7 (EDNS0: OPT
 * echo, payload size, BADVERS), RFC 7766 § 6 (TCP: several queries per connection, idle
 * timeout), RFC 9471 (glue for in-domain name servers must fit or TC is set), RFC 4592
 * (wildcards, the basic case).
 *
 * Call chain: socket 'message' → respond (parse → answer → encode → fit to the size limit)
 * → send. `AuthoritativeEngine` is pure (bytes in, bytes out) and is what `wiretrail dns serve`
 * puts behind real sockets.
 *
 * Behaviour chosen to match NSD 4 (test/dns-interop.test.ts compares with it): positive
 * answers carry the zone's NS in authority and the in-zone addresses of NS and MX targets in
 * additional; negative answers only the SOA; REFUSED without AA (and an RFC 8914 Extended
 * DNS Error) for names outside the zones; CNAME chains followed into any zone served here;
 * ANY answered with one RRset (RFC 8482); NOTIMP echoes no question; EDNS payload size 1232.
 */
import type { Clock } from '../../sim/clock.js';
import type { TraceBus } from '../../sim/trace.js';
import type { DgramApi, NetApi } from '../../stack/api.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import {
  DNS_UDP_MAX,
  DnsClass,
  encodeDns,
  DnsType,
  HDR,
  Opcode,
  Rcode,
  canonicalName,
  ednsOf,
  emptyHeader,
  isSubdomain,
  joinName,
  optRecord,
  parentName,
  parseDns,
  rcodeName,
  splitName,
  typeName,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
} from '../../wire/dns.js';
import type { DnsResponseKind } from './events.js';
import { DnsListener } from './listener.js';
import type { RRset, Zone } from './zone.js';

/** NSD's and the DNS Flag Day 2020's EDNS payload size: avoids IP fragmentation. */
export const DEFAULT_EDNS_SIZE = 1232;
/** RFC 1034 § 5.3.2 suggests a bound on CNAME chains; NSD follows up to 8 within a zone. */
const MAX_CNAME_CHAIN = 8;
/** RFC 8914 Extended DNS Errors: option code and the INFO-CODEs we use. */
const EDNS_EDE = 15;
const EDE_PROHIBITED = 18;
const EDE_NOT_AUTHORITATIVE = 20;
const EDE_NOT_SUPPORTED = 21;

export interface AnswerInfo {
  kind: DnsResponseKind;
  /** The zone that answered, if any. */
  zone?: string;
}

export interface Answered {
  response: DnsMessage;
  info: AnswerInfo;
}

export interface RespondResult {
  bytes: Uint8Array;
  response: DnsMessage;
  query?: DnsMessage;
  info: AnswerInfo;
}

/** Why a query got no response at all (counted per reason). */
export type AuthDropReason = 'malformed' | 'not-a-query' | 'short';

export interface AuthStats {
  queries: number;
  responses: number;
  truncated: number;
  tcpQueries: number;
  byRcode: Record<string, number>;
  dropped: Record<AuthDropReason, number>;
}

export interface AuthEngineOptions {
  /** Largest UDP response with EDNS (RFC 6891 § 6.2.5); default 1232. */
  ednsUdpSize?: number;
}

/**
 * Answers queries from a set of zones. Pure: no sockets, no time. The zone chosen for a
 * name is the one with the longest origin containing it (RFC 1034 § 4.3.2 step 2), so a
 * server can hold a parent and a child zone (the child's answer wins below the cut).
 */
export class AuthoritativeEngine {
  private readonly zones = new Map<string, Zone>();
  readonly ednsUdpSize: number;
  readonly stats: AuthStats = {
    queries: 0,
    responses: 0,
    truncated: 0,
    tcpQueries: 0,
    byRcode: {},
    dropped: { malformed: 0, 'not-a-query': 0, short: 0 },
  };

  constructor(zones: readonly Zone[], options: AuthEngineOptions = {}) {
    for (const z of zones) this.zones.set(z.origin, z);
    this.ednsUdpSize = options.ednsUdpSize ?? DEFAULT_EDNS_SIZE;
  }

  zoneList(): Zone[] {
    return [...this.zones.values()];
  }

  /** Replaces or adds a zone (e.g. after the user edited its file). */
  setZone(zone: Zone): void {
    this.zones.set(zone.origin, zone);
  }

  /** The zone with the longest origin containing `name` (canonical). */
  findZone(name: string): Zone | undefined {
    for (let n: string | undefined = name; n !== undefined; n = parentName(n)) {
      const z = this.zones.get(n);
      if (z) return z;
    }
    return undefined;
  }

  /**
   * Handles one query message received over `transport`: returns the response bytes (fitted
   * to the UDP limit, TC set if required data did not fit), or undefined when no response is
   * due (unparseable header, or a response instead of a query).
   */
  respond(bytes: Uint8Array, transport: 'udp' | 'tcp'): RespondResult | undefined {
    this.stats.queries++;
    if (transport === 'tcp') this.stats.tcpQueries++;
    if (bytes.length < HDR.LEN) {
      this.stats.dropped.short++;
      return undefined;
    }
    if ((bytes[2] & 0x80) !== 0) {
      this.stats.dropped['not-a-query']++;
      return undefined;
    }
    const parsed = parseDns(bytes);
    let answered: Answered;
    let query: DnsMessage | undefined;
    if (!parsed.ok) {
      // RFC 1035 § 4.1.1: FORMERR, echoing ID, opcode and RD from the header we could read.
      this.stats.dropped.malformed++;
      const h = emptyHeader((bytes[0] << 8) | bytes[1]);
      h.qr = true;
      h.opcode = (bytes[2] >>> 3) & 0xf;
      h.rd = (bytes[2] & 1) !== 0;
      h.rcode = Rcode.FORMERR;
      answered = { response: emptyMessage(h), info: { kind: 'formerr' } };
    } else {
      query = parsed.value;
      answered = this.answer(query);
    }
    const limit = transport === 'tcp' ? 0xffff : udpLimit(query, this.ednsUdpSize);
    const fitted = fit(answered.response, limit, answered.info.kind === 'referral');
    if (fitted.response.header.tc) this.stats.truncated++;
    this.stats.responses++;
    const rc = rcodeName(fitted.response.header.rcode);
    this.stats.byRcode[rc] = (this.stats.byRcode[rc] ?? 0) + 1;
    return { bytes: fitted.bytes, response: fitted.response, query, info: answered.info };
  }

  /** The logical answer to a parsed query (no size limit applied). */
  answer(query: DnsMessage): Answered {
    const qh = query.header;
    const h = emptyHeader(qh.id);
    h.qr = true;
    h.opcode = qh.opcode;
    h.rd = qh.rd;
    h.cd = qh.cd;
    const res: DnsMessage = {
      header: h,
      questions: query.questions.slice(0, 1),
      answers: [],
      authorities: [],
      additionals: [],
    };
    const fail = (rcode: number, kind: DnsResponseKind, ede?: number): Answered => {
      h.rcode = rcode;
      // RFC 8914: say why, in an Extended DNS Error option, when the client speaks EDNS
      const opt = res.additionals.find((r) => r.type === DnsType.OPT);
      if (opt && ede !== undefined && opt.data.kind === 'OPT')
        res.additionals[res.additionals.indexOf(opt)] = {
          ...opt,
          data: {
            kind: 'OPT',
            options: [{ code: EDNS_EDE, data: new Uint8Array([ede >> 8, ede & 0xff]) }],
          },
        };
      return { response: res, info: { kind } };
    };
    // RFC 1035 § 4.1.1: an opcode we do not implement gets NOTIMP, with nothing echoed but the
    // header (as NSD does).
    if (qh.opcode !== Opcode.QUERY) {
      res.questions = [];
      return fail(Rcode.NOTIMP, 'error');
    }
    // EDNS0 (RFC 6891 § 6.1.1): more than one OPT is FORMERR; a version we do not speak is
    // BADVERS (§ 6.1.3); otherwise echo an OPT with our payload size (§ 7).
    const opts = query.additionals.filter((r) => r.type === DnsType.OPT);
    const edns = ednsOf(query);
    if (opts.length > 1 || (opts.length === 1 && opts[0].name !== '.')) {
      res.questions = [];
      return fail(Rcode.FORMERR, 'formerr');
    }
    if (edns) {
      if (edns.version > 0) {
        res.additionals.push(
          optRecord({ udpSize: this.ednsUdpSize, extendedRcode: Rcode.BADVERS >> 4 }),
        );
        return fail(Rcode.BADVERS & 0xf, 'error');
      }
      res.additionals.push(optRecord({ udpSize: this.ednsUdpSize, dnssecOk: edns.dnssecOk }));
    }
    // No question: a bare EDNS query (RFC 7873 § 5.4 allows it for cookies); NOERROR, empty.
    if (query.questions.length === 0) return { response: res, info: { kind: 'nodata' } };
    if (query.questions.length > 1) {
      res.questions = [];
      return fail(Rcode.FORMERR, 'formerr');
    }
    const q = query.questions[0];
    if (q.type === DnsType.OPT) return fail(Rcode.FORMERR, 'formerr');
    if (q.class !== DnsClass.IN && q.class !== DnsClass.ANY)
      return fail(Rcode.REFUSED, 'refused', EDE_NOT_SUPPORTED);
    const qname = canonicalName(q.name);
    const zone = this.findZone(qname);
    if (!zone) return fail(Rcode.REFUSED, 'refused', EDE_NOT_AUTHORITATIVE);
    if (q.type === DnsType.AXFR || q.type === 251 /* IXFR */)
      return fail(Rcode.REFUSED, 'refused', EDE_PROHIBITED);
    h.aa = true;
    const r = this.lookup(zone, q, qname, res);
    return { response: res, info: { kind: r.kind, zone: r.zone } };
  }

  /**
   * RFC 1034 § 4.3.2 step 3, restarting at step 2 for CNAME targets in any zone served here
   * (as NSD does). Fills `res`; returns what it was and the zone that answered last.
   */
  private lookup(
    first: Zone,
    q: DnsQuestion,
    qname: string,
    res: DnsMessage,
  ): { kind: DnsResponseKind; zone: string } {
    let zone = first;
    let name = qname;
    let owner = q.name; // the owner as the client spelled it (NSD and BIND echo its case)
    const seen = new Set<string>();
    let kind: DnsResponseKind = 'answer';
    const done = (k: DnsResponseKind): { kind: DnsResponseKind; zone: string } => ({
      kind: k,
      zone: zone.origin,
    });
    for (let depth = 0; ; depth++) {
      // (3b) a cut between the apex and the name: refer (AA clear) — unless a CNAME chain
      // already produced authoritative data, in which case the referral goes in authority.
      const cut = this.findCut(zone, name, q.type);
      if (cut !== undefined) {
        if (depth === 0) res.header.aa = false;
        this.addReferral(zone, cut, res);
        return done(depth === 0 ? 'referral' : kind);
      }
      let node = zone.node(name);
      let synthesized = false;
      if (!node && !zone.exists(name)) {
        // (3c) wildcards (RFC 4592 § 3.3.1): "*." + the closest encloser
        node = this.wildcardFor(zone, name);
        synthesized = node !== undefined;
      }
      if (node) {
        if (q.type === DnsType.ANY) {
          // RFC 8482 § 4.2: answer ANY with one RRset (the first: the SOA at an apex)
          const one = node.values().next().value as RRset;
          this.addRRset(res.answers, one, owner);
          return done(kind);
        }
        const exact = node.get(q.type);
        if (exact) {
          this.addRRset(res.answers, exact, owner);
          if (exact.type === DnsType.NS || exact.type === DnsType.MX)
            this.addAddresses(zone, exact, res);
          // NSD's (and BIND's default) fuller answer: the zone's NS in authority, and their
          // addresses in additional, unless the answer is that NS RRset.
          if (!(exact.type === DnsType.NS && name === zone.origin)) {
            const ns = zone.rrset(zone.origin, DnsType.NS);
            if (ns) {
              this.addRRset(res.authorities, ns, zone.origin);
              this.addAddresses(zone, ns, res);
            }
          }
          return done(kind);
        }
        const cname = node.get(DnsType.CNAME);
        if (cname && q.type !== DnsType.CNAME) {
          this.addRRset(res.answers, cname, owner);
          kind = 'cname';
          const target = canonicalName((cname.rdata[0] as { target: string }).target);
          seen.add(name);
          // RFC 1034 § 4.3.2 (3a): restart with the target, in whichever zone served here
          // holds it; a target outside them is left to the resolver.
          const next = this.findZone(target);
          if (!next || synthesized || seen.has(target) || depth + 1 >= MAX_CNAME_CHAIN)
            return done(kind);
          zone = next;
          name = target;
          owner = target;
          continue;
        }
        this.addNegative(zone, res);
        return done(depth === 0 ? 'nodata' : kind);
      }
      if (zone.exists(name)) {
        // an empty non-terminal: the name exists, without data (RFC 8020 § 2)
        this.addNegative(zone, res);
        return done(depth === 0 ? 'nodata' : kind);
      }
      // (3c) the name does not exist. RFC 6604 § 3: after a CNAME the rcode is that of the
      // last name of the chain.
      res.header.rcode = Rcode.NXDOMAIN;
      this.addNegative(zone, res);
      return done('nxdomain');
    }
  }

  /** The highest delegation point at or above `name` (below the apex), if any. */
  private findCut(zone: Zone, name: string, qtype: number): string | undefined {
    if (zone.cuts.size === 0) return undefined;
    const labels = splitName(name);
    const apexLabels = zone.origin === '.' ? 0 : splitName(zone.origin).length;
    for (let i = labels.length - apexLabels - 1; i >= 0; i--) {
      const n = joinName(labels.slice(i));
      if (zone.cuts.has(n)) {
        // DS lives in the parent (RFC 4035 § 3.1.4.1): a DS query at the cut is answered here
        if (n === name && qtype === DnsType.DS) return undefined;
        return n;
      }
    }
    return undefined;
  }

  private wildcardFor(zone: Zone, name: string): ReadonlyMap<number, RRset> | undefined {
    for (
      let n = parentName(name);
      n !== undefined && isSubdomain(n, zone.origin);
      n = parentName(n)
    ) {
      if (zone.exists(n)) {
        // n is the closest encloser
        return zone.node(n === '.' ? '*.' : `*.${n}`);
      }
    }
    return undefined;
  }

  private addRRset(section: DnsRecord[], s: RRset, owner: string): void {
    for (const data of s.rdata)
      section.push({ name: owner, type: s.type, class: DnsClass.IN, ttl: s.ttl, data });
  }

  /** RFC 2308 § 3: the SOA in authority, with TTL = min(SOA TTL, MINIMUM). */
  private addNegative(zone: Zone, res: DnsMessage): void {
    const soa = zone.soa;
    const ttl = Math.min(soa.ttl, zone.soaData.minimum);
    res.authorities.push({
      name: zone.origin,
      type: DnsType.SOA,
      class: DnsClass.IN,
      ttl,
      data: soa.rdata[0],
    });
  }

  /** A referral: the cut's NS in authority, glue for names inside this zone in additional. */
  private addReferral(zone: Zone, cut: string, res: DnsMessage): void {
    const ns = zone.rrset(cut, DnsType.NS)!;
    this.addRRset(res.authorities, ns, cut);
    this.addAddresses(zone, ns, res);
  }

  /**
   * RFC 1035 § 3.3.9, § 3.3.11: addresses of NS and MX targets held in this zone, each once
   * and not when the answer already carries them; the OPT record stays last.
   */
  private addAddresses(zone: Zone, s: RRset, res: DnsMessage): void {
    const opt = res.additionals.filter((r) => r.type === DnsType.OPT);
    const out = res.additionals.filter((r) => r.type !== DnsType.OPT);
    const have = (name: string, type: number): boolean =>
      [...res.answers, ...out].some((r) => r.type === type && canonicalName(r.name) === name);
    for (const d of s.rdata) {
      const target = d.kind === 'NS' ? d.target : d.kind === 'MX' ? d.exchange : undefined;
      if (target === undefined || !isSubdomain(target, zone.origin)) continue;
      for (const t of [DnsType.A, DnsType.AAAA]) {
        const a = zone.rrset(target, t);
        if (a && !have(target, t)) this.addRRset(out, a, target);
      }
    }
    res.additionals = [...out, ...opt];
  }
}

function emptyMessage(h: DnsMessage['header']): DnsMessage {
  return { header: h, questions: [], answers: [], authorities: [], additionals: [] };
}

/** RFC 6891 § 6.2.5: the client's payload size (at least 512), capped by ours. */
export function udpLimit(query: DnsMessage | undefined, ours: number): number {
  const e = query ? ednsOf(query) : undefined;
  if (!e) return DNS_UDP_MAX;
  return Math.max(DNS_UDP_MAX, Math.min(e.udpSize, ours));
}

/**
 * Fits a response into `limit` octets (RFC 2181 § 9): first drop additional records (except
 * the OPT); if those were the glue of a referral, or answer/authority data still does not
 * fit, set TC and keep the whole RRsets that fit (NSD keeps none: see below).
 */
export function fit(
  res: DnsMessage,
  limit: number,
  referral: boolean,
): { bytes: Uint8Array; response: DnsMessage } {
  const enc = (m: DnsMessage): Uint8Array => {
    const b = encodeDns(m);
    // zone data was validated when parsed, and the question was parsed from the wire
    if (!b.ok) throw new Error(`authoritative: cannot encode a response: ${b.detail}`);
    return b.value;
  };
  const full = enc(res);
  if (full.length <= limit) return { bytes: full, response: res };
  const opt = res.additionals.filter((r) => r.type === DnsType.OPT);
  const noAdditional: DnsMessage = { ...res, additionals: opt };
  const b1 = enc(noAdditional);
  if (b1.length <= limit && !referral) return { bytes: b1, response: noAdditional };
  // TC: like NSD, send the question (and OPT) only; the client retries over TCP (RFC 7766).
  const tc: DnsMessage = {
    header: { ...res.header, tc: true },
    questions: res.questions,
    answers: [],
    authorities: [],
    additionals: opt,
  };
  return { bytes: enc(tc), response: tc };
}

// ───────────────────────────────────────── the server ────────────────────────────────────

export interface AuthServerOptions {
  zones?: readonly Zone[];
  engine?: AuthoritativeEngine;
  dgram: DgramApi;
  /** TCP (RFC 7766); without it the server answers over UDP only. */
  net?: NetApi;
  clock: Clock;
  trace?: TraceBus;
  /** Node name in trace events. */
  node?: string;
  /** Address to bind (0 = all of the host's addresses). */
  address?: Ipv4Addr;
  port?: number;
  /** Close idle TCP connections after this many ns (RFC 7766 § 6.2.3); default 10 s. */
  tcpIdleTimeout?: number;
}

/**
 * An authoritative server on a host's sockets:
 *
 *   const srv = new AuthoritativeServer({ zones, dgram: host.dgram, net: host.net, clock, trace, node: 'ns1' });
 *   srv.start();
 */
export class AuthoritativeServer {
  readonly engine: AuthoritativeEngine;
  private listener: DnsListener | undefined;

  constructor(readonly options: AuthServerOptions) {
    this.engine = options.engine ?? new AuthoritativeEngine(options.zones ?? []);
  }

  get stats(): AuthStats {
    return this.engine.stats;
  }

  start(): this {
    this.listener = new DnsListener(this.options, (q, client, port, transport) => {
      const r = this.engine.respond(q, transport);
      if (r) this.traceServe(r, client, port, transport);
      return r?.bytes;
    }).start();
    return this;
  }

  stop(): void {
    this.listener?.stop();
    this.listener = undefined;
  }

  private traceServe(
    r: RespondResult,
    client: Ipv4Addr,
    port: number,
    transport: 'udp' | 'tcp',
  ): void {
    const bus = this.options.trace;
    if (!bus?.active) return;
    const q = r.response.questions[0] ?? r.query?.questions[0];
    const h = r.response.header;
    bus.emit('dns.serve', this.options.node ?? '', {
      role: 'authoritative',
      client,
      port,
      transport,
      qname: q?.name ?? '',
      qtype: q ? typeName(q.type) : '',
      id: h.id,
      rcode: rcodeName(h.rcode),
      aa: h.aa,
      tc: h.tc,
      outcome: h.tc ? 'truncated' : r.info.kind,
      zone: r.info.zone,
      size: r.bytes.length,
    });
  }
}
