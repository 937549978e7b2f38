/**
 * The browser's own host cache, checked before asking the operating system's resolver (the
 * seeds' "浏览器缓存 → 系统缓存 → hosts → 本地 DNS").
 *
 * Chrome keeps host-resolver entries for about a minute whatever the record's TTL; we keep
 * min(TTL, maxTtl) with maxTtl = 60 s by default (RFC 1035 § 3.2.1: TTL is an upper bound on
 * caching, so a shorter time is always allowed).
 */
import type { Duration, Instant } from '../../sim/time.js';
import { SECOND } from '../../sim/time.js';
import type { Ipv4Addr } from '../../wire/addr.js';

export interface DnsCacheEntry {
  readonly host: string;
  readonly addresses: readonly Ipv4Addr[];
  /** Simulated instant after which the entry is gone. */
  readonly expires: Instant;
  /** The TTL the resolver gave, seconds (undefined when it gave none). */
  readonly ttl: number | undefined;
}

export type DnsCacheLookup =
  | { result: 'hit'; entry: DnsCacheEntry; remaining: number }
  | { result: 'miss' }
  | { result: 'expired'; entry: DnsCacheEntry };

export class BrowserDnsCache {
  private readonly entries = new Map<string, DnsCacheEntry>();

  constructor(readonly maxTtl: Duration = 60 * SECOND) {}

  lookup(host: string, now: Instant): DnsCacheLookup {
    const key = host.toLowerCase();
    const e = this.entries.get(key);
    if (e === undefined) return { result: 'miss' };
    if (now >= e.expires) {
      this.entries.delete(key);
      return { result: 'expired', entry: e };
    }
    return { result: 'hit', entry: e, remaining: (e.expires - now) / SECOND };
  }

  put(
    host: string,
    addresses: readonly Ipv4Addr[],
    now: Instant,
    ttlSeconds?: number,
  ): DnsCacheEntry {
    const keep =
      ttlSeconds === undefined ? this.maxTtl : Math.min(this.maxTtl, ttlSeconds * SECOND);
    const e: DnsCacheEntry = {
      host: host.toLowerCase(),
      addresses: [...addresses],
      expires: now + keep,
      ttl: ttlSeconds,
    };
    if (keep > 0) this.entries.set(e.host, e);
    return e;
  }

  clear(): void {
    this.entries.clear();
  }

  list(now: Instant): { host: string; addresses: readonly Ipv4Addr[]; remaining: number }[] {
    return [...this.entries.values()]
      .filter((e) => e.expires > now)
      .map((e) => ({
        host: e.host,
        addresses: e.addresses,
        remaining: (e.expires - now) / SECOND,
      }));
  }
}
