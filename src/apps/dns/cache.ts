/**
 * The recursive resolver's cache: RRsets with their TTLs, and negative answers.
 *
 * Read first: RFC 1035 § 7.4 (caching by TTL), RFC 2181 § 5.2 (an RRset has one TTL; the
 * cache holds whole RRsets), § 5.4.1 (ranking: data from an authoritative answer beats a
 * referral's NS, which beats glue; lower-ranked data never replaces higher-ranked data still
 * alive), § 8 (TTLs over 2^31 − 1 are taken as 0), RFC 2308 § 5 (negative answers are cached
 * with the SOA, for min(SOA TTL, SOA MINIMUM) seconds, NXDOMAIN for the name and every type,
 * NODATA for one type) and § 4 (negative TTLs are capped; we cap at 3 hours), RFC 8767 is not
 * implemented (no serving of stale data).
 *
 * Entries are keyed by canonical name and type ("*" for NXDOMAIN). TTLs count down in
 * simulated time; an entry found expired is removed and reported (`expire`).
 */
import type { Clock } from '../../sim/clock.js';
import { SECOND, type Instant } from '../../sim/time.js';
import type { TraceBus } from '../../sim/trace.js';
import {
  DnsType,
  canonicalName,
  formatRData,
  formatRecordLine,
  typeName,
  type DnsRecord,
} from '../../wire/dns.js';
import type { DnsCacheOp } from './events.js';

/** RFC 2181 § 5.4.1, simplified to what an iterative resolver receives. */
export const Trust = {
  /** Addresses from the additional section of a referral. */
  glue: 1,
  /** NS records from the authority section of a referral. */
  referral: 2,
  /** The answer section of a non-authoritative response. */
  answer: 3,
  /** The answer (or negative answer) of an authoritative response. */
  authoritative: 4,
  /** Root hints and configuration: never expire. */
  hints: 5,
} as const;
export type TrustLevel = (typeof Trust)[keyof typeof Trust];

export type CacheKind = 'answer' | 'cname' | 'nxdomain' | 'nodata' | 'referral' | 'glue';

export interface CacheEntry {
  /** Canonical owner. */
  readonly name: string;
  /** The type; 0 for NXDOMAIN (every type). */
  readonly type: number;
  readonly kind: CacheKind;
  /** The RRset (positive) with the TTLs as received (capped). */
  readonly records: readonly DnsRecord[];
  /** The SOA of a negative answer (RFC 2308 § 5). */
  readonly soa?: DnsRecord;
  readonly trust: TrustLevel;
  readonly stored: Instant;
  readonly expires: Instant;
}

export interface CacheHit {
  entry: CacheEntry;
  /** Remaining TTL in whole seconds. */
  ttl: number;
  /** The records with their TTLs counted down. */
  records: DnsRecord[];
  soa?: DnsRecord;
}

export interface CacheOptions {
  clock: Clock;
  trace?: TraceBus;
  node?: string;
  /** Cap on positive TTLs, seconds (default 1 day, as unbound's cache-max-ttl). */
  maxTtl?: number;
  /** Cap on negative TTLs, seconds (default 3 hours, RFC 2308 § 5). */
  maxNegativeTtl?: number;
  /** Most entries kept; the oldest are evicted first (default 10000). */
  maxEntries?: number;
}

const NX = 0;

export class DnsCache {
  private readonly map = new Map<string, CacheEntry>();
  readonly maxTtl: number;
  readonly maxNegativeTtl: number;
  readonly maxEntries: number;
  readonly stats = { hits: 0, misses: 0, stores: 0, expired: 0, evicted: 0 };

  constructor(private readonly o: CacheOptions) {
    this.maxTtl = o.maxTtl ?? 86400;
    this.maxNegativeTtl = o.maxNegativeTtl ?? 10800;
    this.maxEntries = o.maxEntries ?? 10000;
  }

  get size(): number {
    return this.map.size;
  }

  /**
   * Looks up (name, type): an NXDOMAIN for the name answers every type. Expired entries are
   * removed. With `quiet`, no hit/miss event (internal lookups of NS and addresses).
   */
  get(name: string, type: number, quiet = false): CacheHit | undefined {
    const n = canonicalName(name);
    const nx = this.live(n, NX);
    const e = nx ?? this.live(n, type);
    if (!e) {
      if (!quiet) {
        this.stats.misses++;
        this.event('miss', n, type, type === DnsType.CNAME ? 'cname' : 'answer', 0);
      }
      return undefined;
    }
    const hit = this.hitOf(e);
    if (!quiet) {
      this.stats.hits++;
      this.event('hit', n, type, e.kind, hit.ttl, e);
    }
    return hit;
  }

  /** Like get, without events and without removing expired entries' siblings. */
  peek(name: string, type: number): CacheHit | undefined {
    return this.get(name, type, true);
  }

  /** Stores an RRset (all records share owner and type). Returns false if refused by rank. */
  putRRset(records: readonly DnsRecord[], kind: CacheKind, trust: TrustLevel): boolean {
    if (records.length === 0) return false;
    const name = canonicalName(records[0].name);
    const type = records[0].type;
    // RFC 2181 § 5.2: one TTL per RRset, the lowest if they differ; § 8: > 2^31-1 means 0
    let ttl = Infinity;
    for (const r of records) ttl = Math.min(ttl, r.ttl > 0x7fffffff ? 0 : r.ttl);
    ttl = Math.min(ttl, this.maxTtl);
    if (trust === Trust.hints) ttl = Infinity;
    return this.store(
      {
        name,
        type,
        kind,
        records: records.map((r) => ({ ...r, name, ttl: Math.min(r.ttl, ttl) })),
        trust,
      },
      ttl,
    );
  }

  /** Stores a negative answer: NXDOMAIN (all types) or NODATA (one type), RFC 2308 § 5. */
  putNegative(
    name: string,
    type: number,
    kind: 'nxdomain' | 'nodata',
    soa: DnsRecord | undefined,
    trust: TrustLevel,
  ): boolean {
    const n = canonicalName(name);
    // RFC 2308 § 5: TTL = min(SOA TTL, SOA MINIMUM); without an SOA, do not cache (§ 5)
    if (!soa || soa.data.kind !== 'SOA') return false;
    const ttl = Math.min(soa.ttl, soa.data.minimum, this.maxNegativeTtl);
    return this.store(
      {
        name: n,
        type: kind === 'nxdomain' ? NX : type,
        kind,
        records: [],
        soa: { ...soa, ttl },
        trust,
      },
      ttl,
    );
  }

  private store(e: Omit<CacheEntry, 'stored' | 'expires'>, ttl: number): boolean {
    const now = this.o.clock.now();
    const k = key(e.name, e.type);
    const old = this.live(e.name, e.type);
    if (old && old.trust > e.trust) return false;
    const entry: CacheEntry = {
      ...e,
      stored: now,
      expires: ttl === Infinity ? Infinity : now + ttl * SECOND,
    };
    this.map.delete(k);
    this.map.set(k, entry);
    // a positive answer replaces a negative one for the name (and vice versa for the type)
    if (e.type !== NX && e.kind !== 'nodata') this.map.delete(key(e.name, NX));
    this.stats.stores++;
    this.event('store', e.name, e.type, e.kind, ttl === Infinity ? 0 : ttl, entry);
    while (this.map.size > this.maxEntries) {
      const first = this.map.keys().next().value as string;
      this.map.delete(first);
      this.stats.evicted++;
    }
    return true;
  }

  /** Removes everything (rndc flush). */
  flush(): void {
    this.map.clear();
  }

  /** Removes entries for one name (rndc flushname). */
  flushName(name: string): void {
    const n = canonicalName(name);
    for (const [k, e] of this.map) if (e.name === n) this.map.delete(k);
  }

  /** Live entries, for dumps (expired ones are left out, not removed). */
  entries(): { entry: CacheEntry; ttl: number }[] {
    const now = this.o.clock.now();
    const out: { entry: CacheEntry; ttl: number }[] = [];
    for (const e of this.map.values()) {
      if (e.expires <= now) continue;
      out.push({ entry: e, ttl: remaining(e, now) });
    }
    return out;
  }

  private live(name: string, type: number): CacheEntry | undefined {
    const k = key(name, type);
    const e = this.map.get(k);
    if (!e) return undefined;
    if (e.expires <= this.o.clock.now()) {
      this.map.delete(k);
      this.stats.expired++;
      this.event('expire', name, type, e.kind, 0, e);
      return undefined;
    }
    return e;
  }

  private hitOf(e: CacheEntry): CacheHit {
    const now = this.o.clock.now();
    const ttl = remaining(e, now);
    const records = e.records.map((r) => ({ ...r, ttl: Math.min(r.ttl, ttl) }));
    const soa = e.soa ? { ...e.soa, ttl } : undefined;
    return soa ? { entry: e, ttl, records, soa } : { entry: e, ttl, records };
  }

  private event(
    op: DnsCacheOp,
    name: string,
    type: number,
    what: CacheKind,
    ttl: number,
    e?: CacheEntry,
  ): void {
    const bus = this.o.trace;
    if (!bus?.active) return;
    const data = e
      ? e.soa
        ? [`SOA ${formatRData(e.soa)}`]
        : e.records.map((r) => formatRData(r))
      : undefined;
    bus.emit('dns.cache', this.o.node ?? '', {
      op,
      name,
      qtype: type === NX ? 'ANY' : typeName(type),
      what,
      ttl,
      ...(data ? { data } : {}),
    });
  }
}

function key(name: string, type: number): string {
  return `${name}|${type}`;
}

function remaining(e: CacheEntry, now: Instant): number {
  if (e.expires === Infinity) return 0x7fffffff;
  return Math.max(0, Math.floor((e.expires - now) / SECOND));
}

/**
 * A cache dump in the spirit of `unbound-control dump_cache` / `rndc dumpdb -cache`: one
 * record per line with its remaining TTL, negative entries as comments with their SOA.
 */
export function formatCacheDump(cache: DnsCache): string {
  const lines: string[] = [';; resolver cache (remaining TTLs)'];
  const rows = cache
    .entries()
    .sort((a, b) =>
      a.entry.name === b.entry.name
        ? a.entry.type - b.entry.type
        : a.entry.name < b.entry.name
          ? -1
          : 1,
    );
  for (const { entry, ttl } of rows) {
    if (entry.trust === Trust.hints) continue;
    if (entry.kind === 'nxdomain' || entry.kind === 'nodata') {
      const what = entry.kind === 'nxdomain' ? 'NXDOMAIN' : `NODATA ${typeName(entry.type)}`;
      lines.push(
        `; ${entry.name}\t${ttl}\t${what}\t; SOA ${entry.soa ? formatRData(entry.soa) : ''}`,
      );
      continue;
    }
    const tag =
      entry.kind === 'glue' ? '\t; glue' : entry.kind === 'referral' ? '\t; referral' : '';
    for (const r of entry.records)
      lines.push(formatRecordLine({ ...r, name: entry.name, ttl: Math.min(r.ttl, ttl) }) + tag);
  }
  return lines.join('\n') + '\n';
}
