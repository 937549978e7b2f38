/**
 * The recursive resolver: the ISP's "local DNS server" of the seeds. It answers clients from
 * its cache, or walks the tree from the root hints (root → TLD → authoritative), caching
 * everything it learns.
 *
 * Read first: RFC 1034 § 5.3.3 (the algorithm: look in the cache; find the best servers to
 * ask — the closest enclosing delegation known; send; on a referral cache the NS and glue and
 * go on; on an answer cache it and return; on a CNAME restart with the target), RFC 1035 § 7
 * (resolver implementation), RFC 2181 § 5.4.1 (ranking) and § 6.1 / § 11 (bailiwick: a server
 * is believed only about names inside the zone it was asked as a server of), RFC 2308
 * (negative caching), RFC 5452 (random ID and source port, strict matching, see client.ts),
 * RFC 7766 (TCP after TC), RFC 8020 (NXDOMAIN means nothing below exists), RFC 9156 (QNAME
 * minimisation: tell each server only the next label; QTYPE A for the minimised queries,
 * § 2.1, NXDOMAIN stops, NOERROR/NODATA adds a label, § 3).
 *
 * Server selection (as BIND and unbound do it, simplified): a smoothed RTT per server address;
 * a server never heard from gets a small random SRTT so that each is tried; a timeout doubles
 * its SRTT. Each resolution has a work budget (queries sent) to stop loops and
 * amplification; each server is tried `attempts` times per zone before SERVFAIL.
 *
 * Call chain: client query → serve() → resolve() → cache → iterate() → exchange() (client.ts)
 * → classify → cache / referral / CNAME restart.
 */
import type { Clock } from '../../sim/clock.js';
import type { Rng } from '../../sim/rng.js';
import { MS } from '../../sim/time.js';
import type { TraceBus } from '../../sim/trace.js';
import type { DgramApi, NetApi } from '../../stack/api.js';
import { formatIpv4, type Ipv4Addr } from '../../wire/addr.js';
import {
  DNS_PORT,
  DnsClass,
  DnsType,
  Opcode,
  Rcode,
  canonicalName,
  ednsOf,
  emptyHeader,
  formatRData,
  isSubdomain,
  joinName,
  optRecord,
  parseDns,
  rcodeName,
  splitName,
  typeName,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
} from '../../wire/dns.js';
import { ROOT_HINTS, ROOT_HINTS_FILE } from '../../world/zones/index.js';
import { DEFAULT_EDNS_SIZE, fit, udpLimit } from './authoritative.js';
import { DnsCache, Trust, type CacheHit } from './cache.js';
import { exchange, type ExchangeResult } from './client.js';
import type { DnsResponseKind } from './events.js';
import { DnsListener } from './listener.js';
import { parseMasterFile } from './zone.js';

export interface RootHint {
  /** "a.root-servers.net." */
  name: string;
  address: Ipv4Addr;
}

/** Parses a root hints file (named.root format) into servers. */
export function parseRootHints(text: string, file = ROOT_HINTS_FILE): RootHint[] {
  const { records, errors } = parseMasterFile(text, { origin: '.', file, defaultTtl: 3600000 });
  if (errors.length > 0)
    throw new Error(errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  const names = records
    .filter((r) => r.type === DnsType.NS && r.name === '.')
    .map((r) => (r.data as { target: string }).target);
  const out: RootHint[] = [];
  for (const n of names) {
    const a = records.find((r) => r.name === n && r.type === DnsType.A);
    if (a && a.data.kind === 'A') out.push({ name: n, address: a.data.address });
  }
  return out;
}

/** The shipped root hints (src/world/zones/root.hints). */
export function defaultRootHints(): RootHint[] {
  return parseRootHints(ROOT_HINTS);
}

export interface ResolverOptions {
  dgram: DgramApi;
  /** For TCP after TC, and for serving over TCP. */
  net?: NetApi;
  clock: Clock;
  rng: Rng;
  trace?: TraceBus;
  /** Node name in trace events. */
  node?: string;
  rootHints?: RootHint[];
  /** RFC 9156 (default off, so that each server sees the full name as in the seeds' picture). */
  qnameMinimisation?: boolean;
  /** Per-query timeout, ns (default 800 ms, BIND's first retry). */
  timeout?: number;
  /** Tries per server and zone (default 2). */
  attempts?: number;
  /** Queries one resolution may send, sub-resolutions included (default 40). */
  maxQueries?: number;
  ednsUdpSize?: number;
  cache?: DnsCache;
  maxTtl?: number;
  maxNegativeTtl?: number;
}

/** The outcome of a resolution. */
export interface Resolution {
  rcode: number;
  /** The CNAME chain (if any), then the records of the final name, TTLs counted down. */
  answers: DnsRecord[];
  /** The SOA of a negative answer. */
  authorities: DnsRecord[];
  /** The name the answer is for, after CNAMEs. */
  canonicalName: string;
  /** Answered without any query. */
  fromCache: boolean;
  queries: number;
  /** ns. */
  elapsed: number;
  /** Why it failed (SERVFAIL), for error messages. */
  detail?: string;
}

interface Ctx {
  queries: number;
  budget: number;
  depth: number;
  start: number;
  /** Zones whose servers are being looked up (stops glueless loops). */
  pending: Set<string>;
}

/** What one iteration (one name, one type, down the tree) found. */
type IterResult =
  | { kind: 'answer'; records: DnsRecord[] }
  | { kind: 'cname'; records: DnsRecord[]; target: string }
  | { kind: 'nxdomain' | 'nodata'; chain: DnsRecord[]; soa?: DnsRecord }
  | { kind: 'servfail'; detail: string };

interface ServerState {
  srtt: number;
  known: boolean;
}

export interface ResolverStats {
  clientQueries: number;
  resolutions: number;
  cacheAnswers: number;
  queriesSent: number;
  timeouts: number;
  tcpFallbacks: number;
  dropped: Record<string, number>;
  servfail: number;
}

export class RecursiveResolver {
  readonly cache: DnsCache;
  readonly rootHints: RootHint[];
  readonly stats: ResolverStats = {
    clientQueries: 0,
    resolutions: 0,
    cacheAnswers: 0,
    queriesSent: 0,
    timeouts: 0,
    tcpFallbacks: 0,
    dropped: {},
    servfail: 0,
  };
  /** Known server names by address, for narration. */
  private readonly names = new Map<Ipv4Addr, string>();
  private readonly servers = new Map<Ipv4Addr, ServerState>();
  private readonly inflight = new Map<string, Promise<Resolution>>();
  private listener: DnsListener | undefined;
  private readonly timeout: number;
  private readonly attempts: number;
  private readonly maxQueries: number;
  readonly ednsUdpSize: number;
  qnameMinimisation: boolean;

  constructor(readonly o: ResolverOptions) {
    this.cache =
      o.cache ??
      new DnsCache({
        clock: o.clock,
        trace: o.trace,
        node: o.node,
        maxTtl: o.maxTtl,
        maxNegativeTtl: o.maxNegativeTtl,
      });
    this.rootHints = o.rootHints ?? defaultRootHints();
    for (const h of this.rootHints) this.names.set(h.address, canonicalName(h.name));
    this.timeout = o.timeout ?? 800 * MS;
    this.attempts = o.attempts ?? 2;
    this.maxQueries = o.maxQueries ?? 40;
    this.ednsUdpSize = o.ednsUdpSize ?? DEFAULT_EDNS_SIZE;
    this.qnameMinimisation = o.qnameMinimisation ?? false;
  }

  private get node(): string {
    return this.o.node ?? '';
  }

  /** The name of a server address if known ("a.root-servers.net."), else its address. */
  serverName(a: Ipv4Addr): string {
    return this.names.get(a) ?? formatIpv4(a);
  }

  // ─────────────────────────────────── public resolution ──────────────────────────────────

  /**
   * Resolves (name, type) recursively. Never rejects: failures are SERVFAIL with a detail.
   * Identical concurrent questions share one resolution.
   */
  resolve(name: string, type: number = DnsType.A, client: Ipv4Addr = 0): Promise<Resolution> {
    const qname = canonicalName(name);
    const k = `${qname}|${type}`;
    const running = this.inflight.get(k);
    if (running) return running;
    const p = this.resolveTop(qname, type, client).finally(() => this.inflight.delete(k));
    this.inflight.set(k, p);
    return p;
  }

  private async resolveTop(qname: string, type: number, client: Ipv4Addr): Promise<Resolution> {
    this.stats.resolutions++;
    const bus = this.o.trace;
    const start = this.o.clock.now();
    if (bus?.active)
      bus.emit('dns.resolve', this.node, { phase: 'start', qname, qtype: typeName(type), client });
    const ctx: Ctx = { queries: 0, budget: this.maxQueries, depth: 0, start, pending: new Set() };
    const r = await this.resolveIn(qname, type, ctx, false);
    if (r.rcode === Rcode.SERVFAIL) this.stats.servfail++;
    if (r.fromCache) this.stats.cacheAnswers++;
    if (bus?.active)
      bus.emit('dns.resolve', this.node, {
        phase: 'done',
        qname,
        qtype: typeName(type),
        client,
        rcode: rcodeName(r.rcode),
        answer: r.answers.map((x) => `${x.name} ${typeName(x.type)} ${formatRData(x)}`),
        elapsed: r.elapsed,
        queries: r.queries,
        fromCache: r.fromCache,
      });
    return r;
  }

  /** RFC 1034 § 5.3.3 with CNAME restarts (step 3 "if the answer is a CNAME…"). */
  private async resolveIn(
    qname: string,
    type: number,
    ctx: Ctx,
    quiet: boolean,
  ): Promise<Resolution> {
    const chain: DnsRecord[] = [];
    let name = qname;
    const seen = new Set<string>();
    const done = (
      rcode: number,
      answers: DnsRecord[],
      authorities: DnsRecord[],
      detail?: string,
    ): Resolution => ({
      rcode,
      answers,
      authorities,
      canonicalName: name,
      fromCache: ctx.queries === 0,
      queries: ctx.queries,
      elapsed: this.o.clock.now() - ctx.start,
      ...(detail ? { detail } : {}),
    });
    for (let hop = 0; hop < 9; hop++) {
      if (seen.has(name)) return done(Rcode.SERVFAIL, chain, [], `CNAME loop at ${name}`);
      seen.add(name);
      // 1. the cache
      const hit = this.cache.get(name, type, quiet);
      if (hit) {
        if (hit.entry.kind === 'nxdomain')
          return done(Rcode.NXDOMAIN, chain, hit.soa ? [hit.soa] : []);
        if (hit.entry.kind === 'nodata')
          return done(Rcode.NOERROR, chain, hit.soa ? [hit.soa] : []);
        return done(Rcode.NOERROR, [...chain, ...hit.records], []);
      }
      if (type !== DnsType.CNAME) {
        const cn = this.cache.get(name, DnsType.CNAME, true);
        if (
          cn &&
          cn.entry.kind !== 'nxdomain' &&
          cn.entry.kind !== 'nodata' &&
          cn.records[0]?.data.kind === 'CNAME'
        ) {
          this.cacheEvent('hit', name, DnsType.CNAME, cn);
          chain.push(...cn.records);
          name = canonicalName(cn.records[0].data.target);
          continue;
        }
      }
      // 2-4. ask the servers
      const r = await this.iterate(name, type, ctx);
      switch (r.kind) {
        case 'answer':
          return done(Rcode.NOERROR, [...chain, ...r.records], []);
        case 'cname':
          chain.push(...r.records);
          name = r.target;
          continue;
        case 'nxdomain':
          return done(Rcode.NXDOMAIN, [...chain, ...r.chain], r.soa ? [r.soa] : []);
        case 'nodata':
          return done(Rcode.NOERROR, [...chain, ...r.chain], r.soa ? [r.soa] : []);
        case 'servfail':
          return done(Rcode.SERVFAIL, chain, [], r.detail);
      }
    }
    return done(Rcode.SERVFAIL, chain, [], 'CNAME chain longer than 8');
  }

  private cacheEvent(op: 'hit', name: string, type: number, hit: CacheHit): void {
    const bus = this.o.trace;
    if (!bus?.active) return;
    bus.emit('dns.cache', this.node, {
      op,
      name,
      qtype: typeName(type),
      what: hit.entry.kind,
      ttl: hit.ttl,
      data: hit.records.map((r) => formatRData(r)),
    });
  }

  // ───────────────────────────────────── the iteration ────────────────────────────────────

  /** The closest enclosing zone whose name servers are cached (or the root from hints). */
  private closestZone(name: string): { zone: string; ns: string[]; fromCache: boolean } {
    const labels = splitName(name);
    for (let i = 0; i < labels.length; i++) {
      const z = joinName(labels.slice(i));
      const hit = this.cache.peek(z, DnsType.NS);
      if (hit && hit.records.length > 0) {
        const ns = hit.records.flatMap((r) =>
          r.data.kind === 'NS' ? [canonicalName(r.data.target)] : [],
        );
        this.cacheEvent('hit', z, DnsType.NS, hit);
        return { zone: z, ns, fromCache: true };
      }
    }
    const root = this.cache.peek('.', DnsType.NS);
    if (root && root.records.length > 0)
      return {
        zone: '.',
        ns: root.records.flatMap((r) =>
          r.data.kind === 'NS' ? [canonicalName(r.data.target)] : [],
        ),
        fromCache: true,
      };
    return { zone: '.', ns: this.rootHints.map((h) => canonicalName(h.name)), fromCache: false };
  }

  /** Addresses of a zone's name servers: cached, from hints, or resolved (glueless). */
  private async serverAddresses(
    zone: string,
    ns: string[],
    ctx: Ctx,
  ): Promise<{ name: string; address: Ipv4Addr }[]> {
    const out: { name: string; address: Ipv4Addr }[] = [];
    const missing: string[] = [];
    for (const n of ns) {
      const hint =
        zone === '.' ? this.rootHints.find((h) => canonicalName(h.name) === n) : undefined;
      const hit = this.cache.peek(n, DnsType.A);
      const addrs =
        hit && hit.entry.kind !== 'nxdomain' && hit.entry.kind !== 'nodata'
          ? hit.records.flatMap((r) => (r.data.kind === 'A' ? [r.data.address] : []))
          : [];
      if (addrs.length === 0 && hint) addrs.push(hint.address);
      for (const a of addrs) {
        out.push({ name: n, address: a });
        this.names.set(a, n);
      }
      if (addrs.length === 0) missing.push(n);
    }
    if (out.length > 0 || missing.length === 0) return out;
    // Glueless delegation: resolve the name servers' addresses, unless they lie inside the
    // zone being reached (that needs glue we did not get) or we are already doing so.
    if (ctx.depth >= 4 || ctx.pending.has(zone)) return out;
    ctx.pending.add(zone);
    try {
      for (const n of missing) {
        if (isSubdomain(n, zone)) continue;
        const sub: Ctx = { ...ctx, depth: ctx.depth + 1, pending: ctx.pending };
        const r = await this.resolveIn(n, DnsType.A, sub, true);
        ctx.queries = sub.queries;
        for (const rec of r.answers) {
          if (rec.type === DnsType.A && rec.data.kind === 'A') {
            out.push({ name: n, address: rec.data.address });
            this.names.set(rec.data.address, n);
          }
        }
        if (out.length > 0) break;
      }
    } finally {
      ctx.pending.delete(zone);
    }
    return out;
  }

  private state(a: Ipv4Addr): ServerState {
    let s = this.servers.get(a);
    if (!s) {
      // never heard from: a small random SRTT (0-32 µs, as BIND) so each gets tried
      s = { srtt: this.o.rng.int(32_000), known: false };
      this.servers.set(a, s);
    }
    return s;
  }

  /** Picks the untried-most, fastest server (see the file header). */
  private pick(
    cands: { name: string; address: Ipv4Addr }[],
    tries: Map<Ipv4Addr, number>,
  ): { name: string; address: Ipv4Addr } | undefined {
    let best: { name: string; address: Ipv4Addr } | undefined;
    let bestKey = Infinity;
    for (const c of cands) {
      const t = tries.get(c.address) ?? 0;
      if (t >= this.attempts) continue;
      const k = t * 1e15 + this.state(c.address).srtt;
      if (k < bestKey) {
        bestKey = k;
        best = c;
      }
    }
    return best;
  }

  /** RFC 9156 § 3: the name to send to a server of `zone` while looking for `name`. */
  private minimised(name: string, zone: string, extra: number): string {
    const labels = splitName(name);
    const zl = zone === '.' ? 0 : splitName(zone).length;
    const want = Math.min(labels.length, zl + extra);
    return joinName(labels.slice(labels.length - want));
  }

  private async iterate(name: string, type: number, ctx: Ctx): Promise<IterResult> {
    let { zone, ns, fromCache } = this.closestZone(name);
    let why =
      zone === '.'
        ? fromCache
          ? 'start at the root (cached root NS)'
          : 'start at the root (root hints)'
        : `closest delegation in the cache: ${zone}`;
    let tries = new Map<Ipv4Addr, number>();
    let extra = 1; // QNAME minimisation: labels below the zone to reveal
    let cands = await this.serverAddresses(zone, ns, ctx);
    for (;;) {
      if (ctx.queries >= ctx.budget)
        return { kind: 'servfail', detail: `gave up after ${ctx.queries} queries` };
      const server = this.pick(cands, tries);
      if (!server) {
        return {
          kind: 'servfail',
          detail:
            cands.length === 0
              ? `no address for any name server of ${zone} (${ns.join(', ')})`
              : `no server of ${zone} answered usefully (${cands.map((c) => c.name).join(', ')})`,
        };
      }
      const attempt = (tries.get(server.address) ?? 0) + 1;
      tries.set(server.address, attempt);
      const minimise = this.qnameMinimisation && type !== DnsType.DS;
      const qn = minimise ? this.minimised(name, zone, extra) : name;
      const qt = qn === name ? type : DnsType.A; // RFC 9156 § 2.1: QTYPE A when minimised
      const q: DnsQuestion = { name: qn, type: qt, class: DnsClass.IN };
      const res = await this.ask(server, zone, q, attempt, why, ctx);
      if (!res.ok) {
        why = `retry: ${res.detail}`;
        continue;
      }
      const m = res.response;
      const kind = this.classify(m, zone, qn);
      this.traceResponse(server, zone, q, res, kind);
      const st = this.state(server.address);
      st.srtt = st.known ? Math.round(0.7 * st.srtt + 0.3 * res.rtt) : res.rtt;
      st.known = true;

      if (kind.kind === 'referral') {
        const child = kind.zone;
        // RFC 2181 § 5.4.1: NS from a referral rank below answers; glue only if inside the
        // zone of the server that sent it (bailiwick), and only for the named servers.
        const nsRecords = m.authorities.filter(
          (r) => r.type === DnsType.NS && canonicalName(r.name) === child,
        );
        this.cache.putRRset(nsRecords, 'referral', Trust.referral);
        const nsNames = nsRecords.flatMap((r) =>
          r.data.kind === 'NS' ? [canonicalName(r.data.target)] : [],
        );
        this.cacheGlue(m, zone, nsNames, server);
        const prev = zone;
        zone = child;
        ns = nsNames;
        why = `referral from ${prev === '.' ? 'the root' : prev}`;
        tries = new Map();
        extra = 1;
        cands = await this.serverAddresses(zone, ns, ctx);
        continue;
      }
      if (minimise && qn !== name) {
        // RFC 9156 § 3: the minimised name exists (answer or NODATA) and is not a cut: reveal
        // one more label to the same servers. NXDOMAIN: nothing below exists (RFC 8020).
        if (kind.kind === 'nxdomain') {
          const soa = this.soaOf(m, zone);
          this.cache.putNegative(name, type, 'nxdomain', soa, Trust.authoritative);
          return { kind: 'nxdomain', chain: [], soa: soa && this.decorate(soa) };
        }
        if (kind.kind === 'answer' || kind.kind === 'nodata' || kind.kind === 'cname') {
          extra++;
          tries = new Map();
          why = `QNAME minimisation: ${qn} is not a zone cut, one more label`;
          continue;
        }
      }
      switch (kind.kind) {
        case 'answer':
        case 'cname':
          return this.takeAnswer(m, zone, name, type, server);
        case 'nxdomain': {
          const chain = this.takeChain(m, zone, name, server);
          const last =
            chain.length > 0
              ? canonicalName((chain[chain.length - 1].data as { target: string }).target)
              : name;
          const soa = this.soaOf(m, zone);
          this.cache.putNegative(last, type, 'nxdomain', soa, Trust.authoritative);
          return { kind: 'nxdomain', chain, soa };
        }
        case 'nodata': {
          const chain = this.takeChain(m, zone, name, server);
          const last =
            chain.length > 0
              ? canonicalName((chain[chain.length - 1].data as { target: string }).target)
              : name;
          const soa = this.soaOf(m, zone);
          this.cache.putNegative(last, type, 'nodata', soa, Trust.authoritative);
          return { kind: 'nodata', chain, soa };
        }
        default:
          // lame, refused, servfail, formerr...: try another server of the zone
          why = `previous server was ${kind.kind === 'lame' ? 'lame (not authoritative for ' + zone + ')' : kind.kind}`;
          continue;
      }
    }
  }

  /** Sends one query (UDP, TCP on TC) with trace events; counts the work. */
  private async ask(
    server: { name: string; address: Ipv4Addr },
    zone: string,
    q: DnsQuestion,
    attempt: number,
    why: string,
    ctx: Ctx,
  ): Promise<ExchangeResult> {
    const bus = this.o.trace;
    ctx.queries++;
    this.stats.queriesSent++;
    const sentAt = this.o.clock.now();
    const res = await exchange({
      dgram: this.o.dgram,
      net: this.o.net,
      clock: this.o.clock,
      rng: this.o.rng,
      server: server.address,
      question: q,
      rd: false,
      edns: this.ednsUdpSize,
      timeout: this.timeout,
      onSend: (info) => {
        if (info.transport === 'tcp') this.stats.tcpFallbacks++;
        if (bus?.active)
          bus.emit('dns.query-out', this.node, {
            server: server.address,
            serverName: server.name,
            zone,
            qname: q.name,
            qtype: typeName(q.type),
            id: info.id,
            srcPort: info.srcPort,
            transport: info.transport,
            attempt,
            why:
              info.transport === 'tcp' ? 'the UDP answer was truncated (TC): retry over TCP' : why,
          });
      },
      onDrop: (reason, from, port, detail) => {
        this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
        if (bus?.active) bus.emit('dns.drop', this.node, { reason, from, port, detail });
      },
    });
    if (!res.ok) {
      if (res.error === 'timeout') {
        this.stats.timeouts++;
        const st = this.state(server.address);
        st.srtt = Math.max(st.srtt * 2, this.timeout);
        st.known = true;
        if (bus?.active)
          bus.emit('dns.timeout', this.node, {
            server: server.address,
            serverName: server.name,
            qname: q.name,
            qtype: typeName(q.type),
            attempt,
            waited: this.o.clock.now() - sentAt,
          });
      }
    }
    return res;
  }

  /** What a response means for a resolver asking a server of `zone` about `qname`. */
  private classify(
    m: DnsMessage,
    zone: string,
    qname: string,
  ): { kind: DnsResponseKind; zone: string } {
    const h = m.header;
    const rc = h.rcode;
    if (h.tc) return { kind: 'truncated', zone };
    if (rc === Rcode.NXDOMAIN) return { kind: 'nxdomain', zone };
    if (rc === Rcode.REFUSED) return { kind: 'refused', zone };
    if (rc === Rcode.SERVFAIL) return { kind: 'servfail', zone };
    if (rc === Rcode.FORMERR) return { kind: 'formerr', zone };
    if (rc !== Rcode.NOERROR) return { kind: 'error', zone };
    const qn = canonicalName(qname);
    const relevant = m.answers.filter((r) => canonicalName(r.name) === qn);
    if (relevant.length > 0)
      return {
        kind:
          relevant.some((r) => r.type === DnsType.CNAME) &&
          !relevant.some((r) => r.type !== DnsType.CNAME)
            ? 'cname'
            : 'answer',
        zone,
      };
    if (m.answers.length > 0 && h.aa) return { kind: 'answer', zone };
    // A referral: NS for a zone strictly below the one asked about, containing the name
    // (RFC 1034 § 5.3.3 step 4b). NS for the same zone or above is an upward referral: lame.
    const nsOwner = m.authorities.find((r) => r.type === DnsType.NS);
    if (!h.aa && nsOwner) {
      const child = canonicalName(nsOwner.name);
      if (child !== zone && isSubdomain(child, zone) && isSubdomain(qn, child))
        return { kind: 'referral', zone: child };
      return { kind: 'lame', zone };
    }
    const soa = m.authorities.find((r) => r.type === DnsType.SOA);
    if (h.aa || (soa && isSubdomain(canonicalName(soa.name), zone)))
      return { kind: 'nodata', zone };
    return { kind: 'lame', zone };
  }

  /** Caches glue: A/AAAA for the referral's NS names, inside the sender's zone only. */
  private cacheGlue(
    m: DnsMessage,
    zone: string,
    nsNames: string[],
    server: { name: string; address: Ipv4Addr },
  ): void {
    const byOwner = new Map<string, DnsRecord[]>();
    for (const r of m.additionals) {
      if (r.type !== DnsType.A && r.type !== DnsType.AAAA) continue;
      const owner = canonicalName(r.name);
      if (!isSubdomain(owner, zone)) {
        this.drop(
          'out-of-bailiwick',
          server,
          `${owner} ${typeName(r.type)} ${formatRData(r)} from a server of ${zone} (not cached)`,
        );
        continue;
      }
      if (!nsNames.includes(owner)) {
        this.drop(
          'out-of-bailiwick',
          server,
          `${owner} ${typeName(r.type)} is not a name server of the referral (not cached)`,
        );
        continue;
      }
      const k = `${owner}|${r.type}`;
      const l = byOwner.get(k) ?? [];
      l.push(r);
      byOwner.set(k, l);
    }
    for (const rs of byOwner.values()) this.cache.putRRset(rs, 'glue', Trust.glue);
  }

  private drop(reason: 'out-of-bailiwick', server: { address: Ipv4Addr }, detail: string): void {
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
    const bus = this.o.trace;
    if (bus?.active)
      bus.emit('dns.drop', this.node, { reason, from: server.address, port: DNS_PORT, detail });
  }

  /** The SOA of a negative answer, if it belongs to the zone asked (bailiwick). */
  private soaOf(m: DnsMessage, zone: string): DnsRecord | undefined {
    const soa = m.authorities.find((r) => r.type === DnsType.SOA);
    if (!soa || !isSubdomain(canonicalName(soa.name), zone)) return undefined;
    return soa;
  }

  private decorate(r: DnsRecord): DnsRecord {
    return { ...r, name: canonicalName(r.name) };
  }

  /**
   * Follows the CNAME chain in the answer section from `name`, accepting only records inside
   * the zone asked (RFC 2181 § 5.4.1: the server has no authority for the rest); caches each.
   */
  private takeChain(
    m: DnsMessage,
    zone: string,
    name: string,
    server: { name: string; address: Ipv4Addr },
  ): DnsRecord[] {
    const chain: DnsRecord[] = [];
    let cur = name;
    for (let i = 0; i < 9; i++) {
      const cn = m.answers.filter((r) => r.type === DnsType.CNAME && canonicalName(r.name) === cur);
      if (cn.length === 0 || cn[0].data.kind !== 'CNAME') break;
      if (!isSubdomain(cur, zone)) {
        this.drop('out-of-bailiwick', server, `${cur} CNAME from a server of ${zone} (not cached)`);
        break;
      }
      const rec = { ...cn[0], name: cur };
      this.cache.putRRset([rec], 'cname', m.header.aa ? Trust.authoritative : Trust.answer);
      chain.push(rec);
      cur = canonicalName(cn[0].data.target);
    }
    return chain;
  }

  private takeAnswer(
    m: DnsMessage,
    zone: string,
    name: string,
    type: number,
    server: { name: string; address: Ipv4Addr },
  ): IterResult {
    const chain = this.takeChain(m, zone, name, server);
    const last =
      chain.length > 0
        ? canonicalName((chain[chain.length - 1].data as { target: string }).target)
        : name;
    if (type === DnsType.CNAME && chain.length > 0) return { kind: 'answer', records: chain };
    const finals = m.answers.filter(
      (r) => canonicalName(r.name) === last && (r.type === type || type === DnsType.ANY),
    );
    if (finals.length > 0 && isSubdomain(last, zone)) {
      const recs = finals.map((r) => ({ ...r, name: last }));
      if (type === DnsType.ANY) {
        const byType = new Map<number, DnsRecord[]>();
        for (const r of recs) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
        for (const rs of byType.values())
          this.cache.putRRset(rs, 'answer', m.header.aa ? Trust.authoritative : Trust.answer);
      } else this.cache.putRRset(recs, 'answer', m.header.aa ? Trust.authoritative : Trust.answer);
      return { kind: 'answer', records: [...chain, ...recs] };
    }
    if (finals.length > 0)
      this.drop(
        'out-of-bailiwick',
        server,
        `${last} ${typeName(type)} from a server of ${zone} (not used; resolving it anew)`,
      );
    if (chain.length > 0) return { kind: 'cname', records: chain, target: last };
    return { kind: 'servfail', detail: `unexpected answer from ${server.name}` };
  }

  private traceResponse(
    server: { name: string; address: Ipv4Addr },
    zone: string,
    q: DnsQuestion,
    res: ExchangeResult & { ok: true },
    c: { kind: DnsResponseKind; zone: string },
  ): void {
    const bus = this.o.trace;
    if (!bus?.active) return;
    const m = res.response;
    let summary: string;
    let referral: { zone: string; servers: { name: string; address: Ipv4Addr }[] } | undefined;
    switch (c.kind) {
      case 'referral': {
        const servers = m.authorities
          .filter((r) => r.type === DnsType.NS && canonicalName(r.name) === c.zone)
          .map((r) => {
            const n = canonicalName((r.data as { target: string }).target);
            const glue = m.additionals.find(
              (a) => a.type === DnsType.A && canonicalName(a.name) === n && a.data.kind === 'A',
            );
            return { name: n, address: glue && glue.data.kind === 'A' ? glue.data.address : 0 };
          });
        referral = { zone: c.zone, servers };
        summary = `ask ${c.zone}: ${servers.map((s) => (s.address ? `${s.name} ${formatIpv4(s.address)}` : s.name)).join(', ')}`;
        break;
      }
      case 'answer':
      case 'cname':
        summary = m.answers
          .map((r) => `${r.name} ${typeName(r.type)} ${formatRData(r)} (TTL ${r.ttl})`)
          .join('; ');
        break;
      case 'nxdomain':
      case 'nodata': {
        const soa = m.authorities.find((r) => r.type === DnsType.SOA);
        summary = `${c.kind === 'nxdomain' ? `${q.name} does not exist` : `${q.name} has no ${typeName(q.type)} records`}${soa && soa.data.kind === 'SOA' ? ` (SOA ${soa.name}, negative TTL ${Math.min(soa.ttl, soa.data.minimum)} s)` : ''}`;
        break;
      }
      default:
        summary = `${rcodeName(m.header.rcode)}${c.kind === 'lame' ? ` (not authoritative for ${zone})` : ''}`;
    }
    bus.emit('dns.response-in', this.node, {
      server: server.address,
      serverName: server.name,
      zone,
      qname: q.name,
      qtype: typeName(q.type),
      id: res.id,
      rcode: rcodeName(m.header.rcode),
      aa: m.header.aa,
      tc: m.header.tc,
      outcome: c.kind,
      summary,
      rtt: res.rtt,
      size: res.bytes.length,
      transport: res.transport,
      ...(referral ? { referral } : {}),
    });
  }

  // ───────────────────────────────────── serving clients ──────────────────────────────────

  /**
   * Listens as a recursive server (the "local DNS server" of the seeds), on UDP and, with a
   * NetApi, TCP. Queries with RD clear are answered from the cache only.
   */
  serve(options: { address?: Ipv4Addr; port?: number; tcpIdleTimeout?: number } = {}): this {
    this.listener = new DnsListener({ ...this.o, ...options }, (q, client, port, transport) =>
      this.handleClient(q, client, port, transport),
    ).start();
    return this;
  }

  stop(): void {
    this.listener?.stop();
    this.listener = undefined;
  }

  /** Answers one client query (bytes in, bytes out; undefined = no response). */
  async handleClient(
    bytes: Uint8Array,
    client: Ipv4Addr,
    port: number,
    transport: 'udp' | 'tcp',
  ): Promise<Uint8Array | undefined> {
    this.stats.clientQueries++;
    if (bytes.length < 12 || (bytes[2] & 0x80) !== 0) return undefined;
    const p = parseDns(bytes);
    const h = emptyHeader((bytes[0] << 8) | bytes[1]);
    h.qr = true;
    h.ra = true;
    h.rd = (bytes[2] & 1) !== 0;
    h.opcode = (bytes[2] >>> 3) & 0xf;
    const res: DnsMessage = {
      header: h,
      questions: [],
      answers: [],
      authorities: [],
      additionals: [],
    };
    let kind: DnsResponseKind = 'answer';
    const query = p.ok ? p.value : undefined;
    const q = query?.questions[0];
    if (!query) {
      h.rcode = Rcode.FORMERR;
      kind = 'formerr';
    } else {
      res.questions = query.questions.slice(0, 1);
      h.cd = query.header.cd;
      const e = ednsOf(query);
      if (e) res.additionals.push(optRecord({ udpSize: this.ednsUdpSize }));
      if (h.opcode !== Opcode.QUERY) {
        h.rcode = Rcode.NOTIMP;
        kind = 'error';
      } else if (query.questions.length !== 1 || !q) {
        h.rcode = Rcode.FORMERR;
        kind = 'formerr';
      } else if (q.class !== DnsClass.IN) {
        h.rcode = Rcode.REFUSED;
        kind = 'refused';
      } else {
        const r = query.header.rd
          ? await this.resolve(q.name, q.type, client)
          : this.fromCacheOnly(q);
        h.rcode = r.rcode;
        res.answers = r.answers.map((x) => this.ownerCase(x, q));
        res.authorities = r.authorities;
        kind =
          r.rcode === Rcode.NXDOMAIN
            ? 'nxdomain'
            : r.rcode === Rcode.SERVFAIL
              ? 'servfail'
              : r.answers.length === 0
                ? 'nodata'
                : 'answer';
      }
    }
    const limit = transport === 'tcp' ? 0xffff : udpLimit(query, this.ednsUdpSize);
    const out = fit(res, limit, false);
    const bus = this.o.trace;
    if (bus?.active)
      bus.emit('dns.serve', this.node, {
        role: 'recursive',
        client,
        port,
        transport,
        qname: q?.name ?? '',
        qtype: q ? typeName(q.type) : '',
        id: h.id,
        rcode: rcodeName(out.response.header.rcode),
        aa: false,
        tc: out.response.header.tc,
        outcome: out.response.header.tc ? 'truncated' : kind,
        size: out.bytes.length,
      });
    return out.bytes;
  }

  /** RD clear: what the cache holds, no recursion (as BIND answers cache snooping). */
  private fromCacheOnly(q: DnsQuestion): Resolution {
    const base = { canonicalName: canonicalName(q.name), fromCache: true, queries: 0, elapsed: 0 };
    const hit = this.cache.get(q.name, q.type, true);
    if (!hit) return { ...base, rcode: Rcode.NOERROR, answers: [], authorities: [] };
    if (hit.entry.kind === 'nxdomain')
      return { ...base, rcode: Rcode.NXDOMAIN, answers: [], authorities: hit.soa ? [hit.soa] : [] };
    if (hit.entry.kind === 'nodata')
      return { ...base, rcode: Rcode.NOERROR, answers: [], authorities: hit.soa ? [hit.soa] : [] };
    return { ...base, rcode: Rcode.NOERROR, answers: hit.records, authorities: [] };
  }

  /** The first owner of the answer is written as the client spelled the question. */
  private ownerCase(r: DnsRecord, q: DnsQuestion): DnsRecord {
    return canonicalName(r.name) === canonicalName(q.name) ? { ...r, name: q.name } : r;
  }
}
