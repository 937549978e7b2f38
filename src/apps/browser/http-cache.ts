/**
 * The browser's HTTP cache: a private cache (RFC 9111) keyed by URL, for GET.
 *
 * Read first: RFC 9111 § 3 (storing: method understood, status final and understood, no
 * "no-store", and either explicit freshness or a status that is heuristically cacheable,
 * § 4.2.2 list), § 3.2 (a 304 updates the stored header fields), § 4 (constructing responses
 * from the cache: Vary, § 4.1), § 4.2.1 (freshness lifetime: max-age, else Expires − Date, else
 * heuristic), § 4.2.2 (heuristic: we use 10 % of the time since Last-Modified, as browsers do),
 * § 4.2.3 (age calculation), § 4.3.1 (validation: If-None-Match from ETag, If-Modified-Since
 * from Last-Modified), § 4.3.4 (freshening with a 304), § 5.2.2 (response directives:
 * no-store, no-cache, max-age, must-revalidate, private is fine for a private cache; s-maxage
 * is for shared caches and ignored).
 *
 * Times: request/response instants are simulated ns; Date, Expires and Last-Modified are wall
 * clock, related to simulated time through the epoch (date.ts).
 */
import type { Instant } from '../../sim/time.js';
import { DEFAULT_EPOCH_MS, parseHttpDate, wallMs } from '../http/date.js';
import { HttpHeaders } from '../http/headers.js';

export interface CachedResponse {
  readonly url: string;
  status: number;
  reason: string;
  headers: HttpHeaders;
  readonly body: Uint8Array;
  /** When the request that got it was sent / the response arrived (simulated ns). */
  requestTime: Instant;
  responseTime: Instant;
  /** Request field values named by Vary, lower-cased names (RFC 9111 § 4.1). */
  readonly vary: Record<string, string | undefined>;
}

export interface CacheLookup {
  entry: CachedResponse;
  /** Usable without asking the server. */
  fresh: boolean;
  /** Current age and freshness lifetime, seconds (RFC 9111 § 4.2). */
  age: number;
  lifetime: number;
  /** Why fresh or not, for the story. */
  why: string;
  /** Conditional request fields to validate it (RFC 9111 § 4.3.1). */
  validators: [string, string][];
}

/** Status codes heuristically cacheable (RFC 9110 § 15.1). */
const HEURISTIC = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);
/** Final statuses this cache understands well enough to store. */
const UNDERSTOOD = new Set([200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501]);

/** Cache-Control directives, lower-cased names, values unquoted (RFC 9111 § 5.2). */
export function parseCacheControl(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (value === undefined) return out;
  for (const part of value.split(',')) {
    const t = part.trim();
    if (t === '') continue;
    const eq = t.indexOf('=');
    const name = (eq < 0 ? t : t.slice(0, eq)).trim().toLowerCase();
    let v = eq < 0 ? '' : t.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    if (!out.has(name)) out.set(name, v);
  }
  return out;
}

function seconds(v: string | undefined): number | undefined {
  if (v === undefined || !/^[0-9]+$/.test(v)) return undefined;
  return Number(v);
}

export class HttpCache {
  private readonly entries = new Map<string, CachedResponse>();

  constructor(private readonly epochMs: number = DEFAULT_EPOCH_MS) {}

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  /** RFC 9111 § 4.2.1: freshness lifetime in seconds, and how it was obtained. */
  lifetime(e: CachedResponse): { seconds: number; how: string } {
    const cc = parseCacheControl(e.headers.get('cache-control'));
    const maxAge = seconds(cc.get('max-age'));
    if (maxAge !== undefined) return { seconds: maxAge, how: `max-age=${maxAge}` };
    const expiresText = e.headers.get('expires');
    if (expiresText !== undefined) {
      const expires = parseHttpDate(expiresText);
      const date = this.dateValue(e);
      // RFC 9111 § 5.3: an invalid Expires means "already expired".
      if (expires === undefined) return { seconds: 0, how: 'an invalid Expires (already expired)' };
      return {
        seconds: Math.max(0, Math.floor((expires - date) / 1000)),
        how: `Expires ${expiresText}`,
      };
    }
    const lm = e.headers.get('last-modified');
    const lmMs = lm === undefined ? undefined : parseHttpDate(lm);
    if (lmMs !== undefined && HEURISTIC.has(e.status)) {
      const s = Math.floor(Math.max(0, this.dateValue(e) - lmMs) / 10000);
      return {
        seconds: s,
        how: `heuristic: 10% of the ${Math.round((this.dateValue(e) - lmMs) / 86400000)} days since Last-Modified`,
      };
    }
    return { seconds: 0, how: 'no max-age, Expires or Last-Modified' };
  }

  private dateValue(e: CachedResponse): number {
    const d = e.headers.get('date');
    const v = d === undefined ? undefined : parseHttpDate(d);
    return v ?? wallMs(e.responseTime, this.epochMs);
  }

  /** RFC 9111 § 4.2.3: current_age in seconds. */
  age(e: CachedResponse, now: Instant): number {
    const ageValue = seconds(e.headers.get('age')) ?? 0;
    const responseWall = wallMs(e.responseTime, this.epochMs);
    const apparentAge = Math.max(0, (responseWall - this.dateValue(e)) / 1000);
    const responseDelay = (e.responseTime - e.requestTime) / 1e9;
    const correctedAgeValue = ageValue + responseDelay;
    const correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
    const residentTime = (now - e.responseTime) / 1e9;
    return correctedInitialAge + residentTime;
  }

  lookup(url: string, now: Instant, request?: HttpHeaders): CacheLookup | undefined {
    const e = this.entries.get(key(url));
    if (e === undefined) return undefined;
    // RFC 9111 § 4.1: the fields named by Vary must match.
    for (const [name, value] of Object.entries(e.vary)) {
      if (name === '*' || request?.get(name) !== value) return undefined;
    }
    const cc = parseCacheControl(e.headers.get('cache-control'));
    const { seconds: lifetime, how } = this.lifetime(e);
    const age = this.age(e, now);
    const validators: [string, string][] = [];
    const etag = e.headers.get('etag');
    if (etag !== undefined) validators.push(['If-None-Match', etag]);
    const lm = e.headers.get('last-modified');
    if (lm !== undefined) validators.push(['If-Modified-Since', lm]);
    const ageText = `age ${fmt(age)} s`;
    if (cc.has('no-cache')) {
      return {
        entry: e,
        fresh: false,
        age,
        lifetime,
        validators,
        why: 'Cache-Control: no-cache → must revalidate with the server every time',
      };
    }
    if (lifetime > age) {
      return {
        entry: e,
        fresh: true,
        age,
        lifetime,
        validators,
        why: `${how}, ${ageText} → fresh for ${fmt(lifetime - age)} s more`,
      };
    }
    return {
      entry: e,
      fresh: false,
      age,
      lifetime,
      validators,
      why: `${how}, ${ageText} → stale, revalidate`,
    };
  }

  /** RFC 9111 § 3: stores a response when allowed; returns why or why not. */
  store(
    url: string,
    res: { status: number; reason: string; headers: HttpHeaders; body: Uint8Array },
    requestTime: Instant,
    responseTime: Instant,
    request?: HttpHeaders,
    method = 'GET',
  ): { stored: boolean; why: string } {
    if (method !== 'GET') return { stored: false, why: `${method} responses are not cached here` };
    const cc = parseCacheControl(res.headers.get('cache-control'));
    if (cc.has('no-store')) return { stored: false, why: 'Cache-Control: no-store' };
    if (!UNDERSTOOD.has(res.status))
      return { stored: false, why: `status ${res.status} is not cached` };
    const explicit =
      cc.has('max-age') || res.headers.has('expires') || cc.has('public') || cc.has('no-cache');
    if (!explicit && !HEURISTIC.has(res.status)) {
      return {
        stored: false,
        why: `status ${res.status} without explicit freshness is not cacheable`,
      };
    }
    const varyNames = res.headers.list('vary').map((v) => v.toLowerCase());
    if (varyNames.includes('*')) return { stored: false, why: 'Vary: * never matches' };
    const vary: Record<string, string | undefined> = {};
    for (const n of varyNames) vary[n] = request?.get(n);
    const entry: CachedResponse = {
      url: key(url),
      status: res.status,
      reason: res.reason,
      headers: res.headers.clone(),
      body: res.body,
      requestTime,
      responseTime,
      vary,
    };
    this.entries.set(key(url), entry);
    const { seconds: lifetime, how } = this.lifetime(entry);
    const policy = cc.has('no-cache')
      ? 'no-cache: stored, but revalidated before each use'
      : `${how} → fresh for ${lifetime} s`;
    return { stored: true, why: policy };
  }

  /** RFC 9111 § 4.3.4: a 304 freshens the stored response. */
  freshen(
    url: string,
    notModified: HttpHeaders,
    requestTime: Instant,
    responseTime: Instant,
  ): CachedResponse | undefined {
    const e = this.entries.get(key(url));
    if (e === undefined) return undefined;
    const skip = new Set([
      'content-length',
      'content-encoding',
      'transfer-encoding',
      'content-range',
    ]);
    const updated = e.headers.clone();
    for (const [n] of notModified) {
      if (!skip.has(n.toLowerCase())) updated.delete(n);
    }
    for (const [n, v] of notModified) {
      if (!skip.has(n.toLowerCase())) updated.append(n, v);
    }
    e.headers = updated;
    e.requestTime = requestTime;
    e.responseTime = responseTime;
    return e;
  }

  /** Cached URLs and their state, for the story and the web UI's tables. */
  list(
    now: Instant,
  ): { url: string; status: number; bytes: number; age: number; lifetime: number }[] {
    return [...this.entries.values()].map((e) => ({
      url: e.url,
      status: e.status,
      bytes: e.body.length,
      age: this.age(e, now),
      lifetime: this.lifetime(e).seconds,
    }));
  }
}

function key(url: string): string {
  const i = url.indexOf('#');
  return i < 0 ? url : url.slice(0, i);
}

function fmt(s: number): string {
  return s >= 10 || Number.isInteger(s) ? String(Math.round(s)) : s.toFixed(1);
}
