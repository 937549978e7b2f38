/**
 * The stub resolver of a host: what `getaddrinfo()` / `gethostbyname()` do (the seeds'
 * "system cache" step): the hosts file, an OS-level cache (like nscd or systemd-resolved),
 * then queries with RD set to the name servers of resolv.conf.
 *
 * Order, as the seeds give it (browser cache → OS cache → hosts file → local DNS server): the
 * browser (another module) keeps its own cache in front of this. glibc reads /etc/hosts
 * before any DNS query ("hosts: files dns"); a caching daemon sits behind that; we look in the
 * hosts file first, then the OS cache, then ask.
 *
 * Read first: RFC 1034 § 5.3.1 (stub resolvers), RFC 1123 § 6.1.3.3 (retransmission: try each
 * server, back off), resolv.conf(5) (timeout, attempts, ndots, search, rotate, edns0), RFC 2308
 * § 5 (negative answers may be cached), RFC 5452 (random ID and port, strict matching:
 * client.ts), RFC 6891 (EDNS0, only with `options edns0`, as glibc).
 */
import type { Clock } from '../../sim/clock.js';
import type { Rng } from '../../sim/rng.js';
import { SECOND, type Instant } from '../../sim/time.js';
import type { TraceBus } from '../../sim/trace.js';
import type { DgramApi, NetApi } from '../../stack/api.js';
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../../wire/addr.js';
import {
  DnsClass,
  DnsType,
  Rcode,
  canonicalName,
  formatIpv6,
  nameToLabels,
  parseIpv6,
  rcodeName,
  splitName,
  typeName,
  type DnsMessage,
  type DnsRecord,
} from '../../wire/dns.js';
import { exchange } from './client.js';
import { reverseName } from './reverse.js';
import {
  DEFAULT_HOSTS,
  HostsFile,
  defaultResolvConf,
  parseHosts,
  parseResolvConf,
  type ResolvConf,
} from './hostsfile.js';

export type LookupSource = 'literal' | 'hosts' | 'os-cache' | 'dns';

/** The UDP payload size glibc advertises with `options edns0` (RESOLV_EDNS_BUFFER_SIZE). */
export const GLIBC_EDNS_BUFFER_SIZE = 1200;

export interface LookupResult {
  /** The name as asked. */
  name: string;
  /** The name the addresses belong to, after CNAMEs and the search list (no trailing dot). */
  canonicalName: string;
  /** Aliases followed (CNAME owners). */
  aliases: string[];
  addresses: Ipv4Addr[];
  /** IPv6 addresses as text (family 6). */
  addresses6: string[];
  source: LookupSource;
  /** Seconds the answer may still be cached. */
  ttl: number;
  /** The name server that answered (source 'dns'). */
  server?: Ipv4Addr;
  /** ns spent in this lookup. */
  elapsed: number;
}

/** What getnameinfo() / gethostbyaddr() found for an address (StubResolver.reverse). */
export interface ReverseResult {
  address: Ipv4Addr;
  /** The host name (no trailing dot): the hosts file's canonical name, or the first PTR. */
  name: string;
  /** Every name found: the names of the hosts file's line, or every PTR record. */
  names: string[];
  source: Exclude<LookupSource, 'literal'>;
  /** Seconds the answer may still be cached (0 for the hosts file). */
  ttl: number;
  /** The name server that answered (source 'dns'). */
  server?: Ipv4Addr;
  /** ns spent in this lookup. */
  elapsed: number;
}

/** Node-like error codes (dns.lookup's err.code). */
export type LookupErrorCode =
  'ENOTFOUND' | 'ENODATA' | 'ETIMEOUT' | 'ESERVFAIL' | 'EREFUSED' | 'EBADNAME' | 'ECONNREFUSED';

export class DnsLookupError extends Error {
  constructor(
    readonly code: LookupErrorCode,
    readonly hostname: string,
    /** A sentence for the user ("the name server answered NXDOMAIN"). */
    readonly detail: string,
    readonly rcode?: string,
  ) {
    super(`${code} ${hostname}: ${detail}`);
    this.name = 'DnsLookupError';
  }
}

export interface StubOptions {
  dgram: DgramApi;
  /** TCP when an answer is truncated. */
  net?: NetApi;
  clock: Clock;
  rng: Rng;
  trace?: TraceBus;
  node?: string;
  /** hosts(5) text or a parsed file (default: localhost only). */
  hosts?: string | HostsFile;
  /** resolv.conf(5) text or settings. */
  config?: string | Partial<ResolvConf>;
  /** OS cache on/off (default on), and its caps in seconds. */
  cache?: boolean;
  cacheMaxTtl?: number;
  negativeMaxTtl?: number;
}

interface OsCacheEntry {
  name: string;
  type: number;
  negative?: { code: LookupErrorCode; rcode: string };
  canonicalName: string;
  aliases: string[];
  addresses: Ipv4Addr[];
  addresses6: string[];
  /** PTR answers: the names (no trailing dot). */
  names?: string[];
  server?: Ipv4Addr;
  expires: Instant;
}

export class StubResolver {
  readonly hosts: HostsFile;
  readonly config: ResolvConf;
  private readonly osCache = new Map<string, OsCacheEntry>();
  private next = 0;
  readonly stats = {
    lookups: 0,
    hostsHits: 0,
    cacheHits: 0,
    queries: 0,
    timeouts: 0,
    failures: 0,
    /** Responses ignored, by reason (RFC 5452 matching, malformed). */
    dropped: {} as Record<string, number>,
  };

  constructor(readonly o: StubOptions) {
    if (o.hosts instanceof HostsFile) this.hosts = o.hosts;
    else {
      const r = parseHosts(o.hosts ?? DEFAULT_HOSTS);
      if (r.errors.length > 0)
        throw new Error(r.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
      this.hosts = r.hosts;
    }
    if (typeof o.config === 'string') {
      const r = parseResolvConf(o.config);
      if (r.errors.length > 0)
        throw new Error(r.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
      this.config = r.config;
    } else this.config = { ...defaultResolvConf(), ...o.config };
  }

  private emit(data: Parameters<TraceBus['emit']>[2] & object): void {
    const bus = this.o.trace;
    if (bus?.active) bus.emit('dns.stub', this.o.node ?? '', data as never);
  }

  /**
   * getaddrinfo-like: resolves a host name to addresses. Rejects with DnsLookupError
   * (ENOTFOUND for NXDOMAIN, ENODATA, ETIMEOUT, ESERVFAIL, EREFUSED, EBADNAME).
   */
  async lookup(name: string, options: { family?: 4 | 6 } = {}): Promise<LookupResult> {
    this.stats.lookups++;
    const start = this.o.clock.now();
    const family = options.family ?? 4;
    const type = family === 6 ? DnsType.AAAA : DnsType.A;
    const bare = name.endsWith('.') ? name.slice(0, -1) : name;
    const base = { name, aliases: [] as string[], addresses6: [] as string[], ttl: 0 };
    // an address literal needs no lookup (AI_NUMERICHOST behaviour of getaddrinfo)
    const lit4 = parseIpv4(bare);
    if (lit4 !== undefined)
      return { ...base, canonicalName: bare, addresses: [lit4], source: 'literal', elapsed: 0 };
    const lit6 = bare.includes(':') ? parseIpv6(bare) : undefined;
    if (lit6)
      return {
        ...base,
        canonicalName: bare,
        addresses: [],
        addresses6: [formatIpv6(lit6)],
        source: 'literal',
        elapsed: 0,
      };
    if (bare === '' || !nameToLabels(bare).ok)
      throw new DnsLookupError('EBADNAME', name, 'not a valid host name');

    // 1. the hosts file
    const h = this.hosts.lookup(bare);
    if (h && (family === 4 ? h.v4.length > 0 : h.v6.length > 0)) {
      this.stats.hostsHits++;
      this.emit({ op: 'hosts-hit', name: bare, addresses: h.v4 });
      return {
        ...base,
        canonicalName: h.canonicalName,
        addresses: h.v4,
        addresses6: h.v6,
        source: 'hosts',
        elapsed: this.o.clock.now() - start,
      };
    }
    this.emit({ op: 'hosts-miss', name: bare });

    // 2-3. for each candidate name (search list), the OS cache, then the name servers
    let lastErr: DnsLookupError | undefined;
    for (const cand of this.candidates(name)) {
      const cached = this.cacheGet(cand, type);
      if (cached) {
        this.stats.cacheHits++;
        const ttl = Math.max(0, Math.floor((cached.expires - this.o.clock.now()) / SECOND));
        this.emit({
          op: 'cache-hit',
          name: cand,
          qtype: typeName(type),
          addresses: cached.addresses,
          ttl,
          ...(cached.negative ? { detail: cached.negative.rcode } : {}),
        });
        if (cached.negative) {
          lastErr = new DnsLookupError(
            cached.negative.code,
            name,
            `cached negative answer (${cached.negative.rcode})`,
            cached.negative.rcode,
          );
          if (cached.negative.code === 'ENOTFOUND' || cached.negative.code === 'ENODATA') continue;
          throw lastErr;
        }
        return {
          name,
          canonicalName: cached.canonicalName,
          aliases: cached.aliases,
          addresses: cached.addresses,
          addresses6: cached.addresses6,
          source: 'os-cache',
          ttl,
          ...(cached.server !== undefined ? { server: cached.server } : {}),
          elapsed: this.o.clock.now() - start,
        };
      }
      this.emit({ op: 'cache-miss', name: cand, qtype: typeName(type) });
      try {
        const r = await this.queryServers(cand, type);
        return { ...r, name, elapsed: this.o.clock.now() - start };
      } catch (e) {
        if (!(e instanceof DnsLookupError)) throw e;
        lastErr = new DnsLookupError(e.code, name, e.detail, e.rcode);
        // NXDOMAIN / NODATA: try the next candidate; other failures end the lookup
        if (e.code !== 'ENOTFOUND' && e.code !== 'ENODATA') break;
      }
    }
    this.stats.failures++;
    const err = lastErr ?? new DnsLookupError('ENOTFOUND', name, 'no candidate name');
    this.emit({ op: 'fail', name: bare, detail: err.code });
    throw err;
  }

  /**
   * getnameinfo-like (gethostbyaddr with "hosts: files dns"): the name of an IPv4 address. The
   * hosts file first (the first line with the address, its canonical name), then the OS cache,
   * then a PTR query for the address's in-addr.arpa name (RFC 1035 § 3.5) to the name servers
   * of resolv.conf, with the same retries, caching and failures as `lookup` (no search list:
   * the name is absolute). Rejects with DnsLookupError (ENOTFOUND for NXDOMAIN, ENODATA when
   * the name has no PTR record, ETIMEOUT, ...).
   */
  async reverse(address: Ipv4Addr): Promise<ReverseResult> {
    this.stats.lookups++;
    const start = this.o.clock.now();
    const a = address >>> 0;
    const qname = reverseName(a);
    const fromHosts = this.hosts.namesOf(a);
    if (fromHosts.length > 0) {
      this.stats.hostsHits++;
      this.emit({ op: 'hosts-hit', name: qname, addresses: [a], names: fromHosts });
      return {
        address: a,
        name: fromHosts[0],
        names: fromHosts,
        source: 'hosts',
        ttl: 0,
        elapsed: this.o.clock.now() - start,
      };
    }
    this.emit({ op: 'hosts-miss', name: qname });
    const cached = this.cacheGet(qname, DnsType.PTR);
    if (cached) {
      this.stats.cacheHits++;
      const ttl = Math.max(0, Math.floor((cached.expires - this.o.clock.now()) / SECOND));
      this.emit({
        op: 'cache-hit',
        name: qname,
        qtype: 'PTR',
        ttl,
        ...(cached.names ? { names: cached.names } : {}),
        ...(cached.negative ? { detail: cached.negative.rcode } : {}),
      });
      if (cached.negative)
        throw new DnsLookupError(
          cached.negative.code,
          qname,
          `cached negative answer (${cached.negative.rcode})`,
          cached.negative.rcode,
        );
      const names = cached.names ?? [];
      return {
        address: a,
        name: names[0] ?? '',
        names,
        source: 'os-cache',
        ttl,
        ...(cached.server !== undefined ? { server: cached.server } : {}),
        elapsed: this.o.clock.now() - start,
      };
    }
    this.emit({ op: 'cache-miss', name: qname, qtype: 'PTR' });
    try {
      const r = await this.queryServers(qname, DnsType.PTR);
      return {
        address: a,
        name: r.names[0],
        names: r.names,
        source: 'dns',
        ttl: r.ttl,
        ...(r.server !== undefined ? { server: r.server } : {}),
        elapsed: this.o.clock.now() - start,
      };
    } catch (e) {
      if (e instanceof DnsLookupError) {
        this.stats.failures++;
        this.emit({ op: 'fail', name: qname, detail: e.code });
      }
      throw e;
    }
  }

  /** resolv.conf(5) search rules: absolute names as is; ndots decides the order. */
  candidates(name: string): string[] {
    if (name.endsWith('.')) return [canonicalName(name)];
    const dots = splitName(name).length - 1;
    const asIs = canonicalName(name);
    const searched = this.config.search.map((s) =>
      canonicalName(`${name}.${s === '.' ? '' : s}`.replace(/\.$/, '')),
    );
    return dots >= this.config.ndots ? [asIs, ...searched] : [...searched, asIs];
  }

  private cacheGet(name: string, type: number): OsCacheEntry | undefined {
    if (this.o.cache === false) return undefined;
    const k = `${name}|${type}`;
    const e = this.osCache.get(k);
    if (!e) return undefined;
    if (e.expires <= this.o.clock.now()) {
      this.osCache.delete(k);
      return undefined;
    }
    return e;
  }

  private cachePut(e: OsCacheEntry, ttl: number): void {
    if (this.o.cache === false || ttl <= 0) return;
    this.osCache.set(`${e.name}|${e.type}`, e);
    this.emit({
      op: 'cache-store',
      name: e.name,
      qtype: typeName(e.type),
      addresses: e.addresses,
      ttl,
      ...(e.negative ? { detail: e.negative.rcode } : {}),
    });
  }

  /** The OS cache's live entries (for `wiretrail` tables and the web UI). */
  cacheEntries(): {
    name: string;
    type: string;
    addresses: string[];
    ttl: number;
    negative?: string;
  }[] {
    const now = this.o.clock.now();
    const out: {
      name: string;
      type: string;
      addresses: string[];
      ttl: number;
      negative?: string;
    }[] = [];
    for (const e of this.osCache.values()) {
      if (e.expires <= now) continue;
      out.push({
        name: e.name,
        type: typeName(e.type),
        addresses: [...e.addresses.map(formatIpv4), ...e.addresses6, ...(e.names ?? [])],
        ttl: Math.floor((e.expires - now) / SECOND),
        ...(e.negative ? { negative: e.negative.rcode } : {}),
      });
    }
    return out;
  }

  flushCache(): void {
    this.osCache.clear();
  }

  /** Asks the configured servers (RFC 1123 § 6.1.3.3: each server, `attempts` rounds). */
  private async queryServers(
    name: string,
    type: number,
  ): Promise<Omit<LookupResult, 'name' | 'elapsed'> & { names: string[] }> {
    const c = this.config;
    if (c.nameservers.length === 0)
      throw new DnsLookupError('ECONNREFUSED', name, 'no nameserver in resolv.conf');
    const n = c.nameservers.length;
    const first = c.rotate ? this.next++ % n : 0;
    let lastFail: DnsLookupError | undefined;
    for (let attempt = 1; attempt <= c.attempts; attempt++) {
      for (let i = 0; i < n; i++) {
        const server = c.nameservers[(first + i) % n];
        this.stats.queries++;
        this.emit({ op: 'query', name, qtype: typeName(type), server, attempt });
        const r = await exchange({
          dgram: this.o.dgram,
          net: this.o.net,
          clock: this.o.clock,
          rng: this.o.rng,
          server,
          port: c.port,
          question: { name, type, class: DnsClass.IN },
          rd: true,
          // glibc adds an OPT record only with `options edns0` (RES_USE_EDNS0), advertising
          // RESOLV_EDNS_BUFFER_SIZE = 1200 bytes (resolv/resolv-internal.h); without it the
          // query is plain RFC 1035 and an answer over 512 bytes comes truncated → TCP.
          edns: c.edns0 ? GLIBC_EDNS_BUFFER_SIZE : false,
          timeout: c.timeout * SECOND,
          onDrop: (reason, from, port, detail) => {
            this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
            const bus = this.o.trace;
            if (bus?.active)
              bus.emit('dns.drop', this.o.node ?? '', { reason, from, port, detail });
          },
        });
        if (!r.ok) {
          if (r.error === 'timeout') {
            this.stats.timeouts++;
            this.emit({
              op: 'timeout',
              name,
              qtype: typeName(type),
              server,
              attempt,
              detail: 'ETIMEOUT',
            });
            lastFail = new DnsLookupError(
              'ETIMEOUT',
              name,
              `no answer from ${formatIpv4(server)} after ${c.attempts} tries`,
            );
          } else lastFail = new DnsLookupError('ECONNREFUSED', name, r.detail);
          continue;
        }
        const m = r.response;
        const rc = m.header.rcode;
        const found = type === DnsType.PTR ? ptrNamesIn(m, name) : addressesIn(m, name, type);
        this.emit({
          op: 'answer',
          name,
          qtype: typeName(type),
          server,
          detail: rcodeName(rc),
          addresses: found.addresses,
          ...(type === DnsType.PTR ? { names: found.names } : {}),
        });
        if (
          rc === Rcode.SERVFAIL ||
          rc === Rcode.REFUSED ||
          rc === Rcode.NOTIMP ||
          rc === Rcode.FORMERR
        ) {
          lastFail = new DnsLookupError(
            rc === Rcode.REFUSED ? 'EREFUSED' : 'ESERVFAIL',
            name,
            `${formatIpv4(server)} answered ${rcodeName(rc)}`,
            rcodeName(rc),
          );
          continue; // try the next server
        }
        const negTtl = negativeTtl(m);
        if (rc === Rcode.NXDOMAIN) {
          this.cachePut(
            negEntry(
              name,
              type,
              'ENOTFOUND',
              'NXDOMAIN',
              this.o.clock.now(),
              Math.min(negTtl, this.o.negativeMaxTtl ?? 300),
            ),
            Math.min(negTtl, this.o.negativeMaxTtl ?? 300),
          );
          throw new DnsLookupError(
            'ENOTFOUND',
            name,
            `the name does not exist (NXDOMAIN from ${formatIpv4(server)})`,
            'NXDOMAIN',
          );
        }
        if (
          found.addresses.length === 0 &&
          found.addresses6.length === 0 &&
          found.names.length === 0
        ) {
          this.cachePut(
            negEntry(
              name,
              type,
              'ENODATA',
              'NODATA',
              this.o.clock.now(),
              Math.min(negTtl, this.o.negativeMaxTtl ?? 300),
            ),
            Math.min(negTtl, this.o.negativeMaxTtl ?? 300),
          );
          throw new DnsLookupError(
            'ENODATA',
            name,
            `${name} has no ${typeName(type)} record`,
            'NOERROR',
          );
        }
        const ttl = Math.min(found.ttl, this.o.cacheMaxTtl ?? 3600);
        const entry: OsCacheEntry = {
          name,
          type,
          canonicalName: found.canonical.replace(/\.$/, ''),
          aliases: found.aliases,
          addresses: found.addresses,
          addresses6: found.addresses6,
          ...(type === DnsType.PTR ? { names: found.names } : {}),
          server,
          expires: this.o.clock.now() + ttl * SECOND,
        };
        this.cachePut(entry, ttl);
        return {
          canonicalName: entry.canonicalName,
          aliases: entry.aliases,
          addresses: entry.addresses,
          addresses6: entry.addresses6,
          names: found.names,
          source: 'dns',
          ttl,
          server,
        };
      }
    }
    throw lastFail ?? new DnsLookupError('ETIMEOUT', name, 'no answer');
  }
}

function negEntry(
  name: string,
  type: number,
  code: LookupErrorCode,
  rcode: string,
  now: Instant,
  ttl: number,
): OsCacheEntry {
  return {
    name,
    type,
    negative: { code, rcode },
    canonicalName: name,
    aliases: [],
    addresses: [],
    addresses6: [],
    expires: now + ttl * SECOND,
  };
}

/** RFC 2308 § 5: the SOA's TTL in the authority section (0 when absent: not cached). */
function negativeTtl(m: DnsMessage): number {
  const soa = m.authorities.find((r) => r.type === DnsType.SOA);
  if (!soa || soa.data.kind !== 'SOA') return 0;
  return Math.min(soa.ttl, soa.data.minimum);
}

/** Follows the CNAME chain of an answer from `name` and collects the addresses. */
export function addressesIn(
  m: DnsMessage,
  name: string,
  type: number,
): {
  canonical: string;
  aliases: string[];
  addresses: Ipv4Addr[];
  addresses6: string[];
  names: string[];
  ttl: number;
} {
  let cur = canonicalName(name);
  const aliases: string[] = [];
  let ttl = Infinity;
  const at = (r: DnsRecord): boolean => canonicalName(r.name) === cur;
  for (let i = 0; i < 9; i++) {
    const cn = m.answers.find((r) => r.type === DnsType.CNAME && at(r));
    if (!cn || cn.data.kind !== 'CNAME') break;
    aliases.push(cur.replace(/\.$/, ''));
    ttl = Math.min(ttl, cn.ttl);
    cur = canonicalName(cn.data.target);
  }
  const addresses: Ipv4Addr[] = [];
  const addresses6: string[] = [];
  for (const r of m.answers) {
    if (!at(r) || r.type !== type) continue;
    ttl = Math.min(ttl, r.ttl);
    if (r.data.kind === 'A') addresses.push(r.data.address);
    if (r.data.kind === 'AAAA') addresses6.push(formatIpv6(r.data.address));
  }
  return {
    canonical: cur,
    aliases,
    addresses,
    addresses6,
    names: [],
    ttl: ttl === Infinity ? 0 : ttl,
  };
}

/**
 * The PTR names of an answer for `name` (no trailing dot), after the CNAMEs that lead to them
 * (RFC 2317: classless in-addr.arpa delegation answers with a CNAME into the delegated zone).
 */
export function ptrNamesIn(m: DnsMessage, name: string): ReturnType<typeof addressesIn> {
  const r = addressesIn(m, name, DnsType.PTR);
  const at = canonicalName(r.canonical);
  let ttl = r.ttl === 0 ? Infinity : r.ttl;
  const names: string[] = [];
  for (const rec of m.answers) {
    if (rec.type !== DnsType.PTR || rec.data.kind !== 'PTR' || canonicalName(rec.name) !== at)
      continue;
    ttl = Math.min(ttl, rec.ttl);
    names.push(rec.data.target.replace(/\.$/, ''));
  }
  return { ...r, names, ttl: ttl === Infinity ? 0 : ttl };
}
