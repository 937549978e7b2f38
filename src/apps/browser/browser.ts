/**
 * The simulated browser: the address bar, the HTTP cache, its own DNS cache, an HTTP/1.1
 * connection pool, an HTML parser, and a text renderer, with a timing entry per resource like a
 * browser's network panel. Everything it does is told through trace events; the story (src/story)
 * narrates them.
 *
 * Read first: the seeds (parse URL → build the HTTP request → caches → DNS → socket → ...);
 * WHATWG URL; RFC 9110 (semantics, redirects § 15.4), RFC 9111 (caching, http-cache.ts),
 * RFC 9112 (messages, connections); the W3C Resource Timing model for the timing marks (DNS,
 * connect, request sent, waiting = TTFB, content download).
 *
 * Call chain of visit(text): parseAddress (browser.url-parsed) → load(document): HTTP cache
 * lookup, request built (browser.request-built, browser.cache), DNS cache or resolver
 * (browser.dns-cache), HttpClient.request (http.* events), cache store/freshen, redirects
 * (browser.redirect), timing (browser.resource-timing) → parse HTML → load subresources in
 * parallel over the pool (kept-alive connections are reused, up to 6 per host) → render
 * (browser.page-rendered).
 */
import type { Clock } from '../../sim/clock.js';
import type { Duration, Instant } from '../../sim/time.js';
import { SECOND } from '../../sim/time.js';
import type { TraceBus } from '../../sim/trace.js';
import type { NetApi } from '../../stack/api.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import { HttpClient, HttpClientError } from '../http/client.js';
import type { ClientResponse } from '../http/client.js';
import { DEFAULT_EPOCH_MS } from '../http/date.js';
import { HttpHeaders } from '../http/headers.js';
import { latin1Bytes } from '../http/message.js';
import { essence } from '../http/mime.js';
import { BrowserError, parseAddress } from './address.js';
import type { ParsedAddress } from './address.js';
import { BrowserDnsCache } from './dns-cache.js';
import { HttpCache } from './http-cache.js';
import { decodeHtml, formatBytes, parseDocument, renderDocument } from './render.js';
import type { ImageInfo, SubresourceType } from './render.js';

export { BrowserError, parseAddress };
export type { ParsedAddress };

declare module '../../sim/trace.js' {
  interface TraceEventMap {
    /** The typed text became a URL (the seeds' first step). */
    'browser.url-parsed': {
      input: string;
      href: string;
      scheme: string;
      host: string;
      hostIsAddress: boolean;
      port: number;
      portIsDefault: boolean;
      path: string;
      query: string;
      fragment: string;
      /** The path names no file: the server chooses its default file (index.html). */
      defaultFile: boolean;
      addedScheme: boolean;
    };
    /** The HTTP request message for a resource was built (before caches and DNS). */
    'browser.request-built': {
      url: string;
      resource: ResourceType;
      method: string;
      /** The head as text, "GET / HTTP/1.1\r\nHost: …\r\n\r\n". */
      text: string;
      /** The same head as bytes. */
      bytes: Uint8Array;
      length: number;
      fields: number;
      /** Validators added to revalidate a cached copy. */
      conditional: [string, string][];
    };
    /** The HTTP cache was consulted or updated. */
    'browser.cache': {
      url: string;
      result: 'miss' | 'hit' | 'stale' | 'revalidated' | 'updated' | 'stored' | 'not-stored';
      why: string;
      /** Age and freshness lifetime, seconds, when a stored response was found. */
      age?: number;
      lifetime?: number;
    };
    /** The browser's DNS cache was consulted. */
    'browser.dns-cache': {
      host: string;
      result: 'hit' | 'miss' | 'expired' | 'literal';
      addresses: number[];
      /** Seconds the entry has left (hit) or was stored for (after a miss). */
      ttl?: number;
    };
    /** The resolver answered a lookup the browser cache missed. */
    'browser.dns-resolved': { host: string; addresses: number[]; ttl?: number; duration: number };
    /** A redirect was followed. */
    'browser.redirect': { from: string; to: string; status: number; why: string };
    /** Timing of one resource, like a network panel row (ns; 0 when a phase did not happen). */
    'browser.resource-timing': ResourceTiming;
    /** The page was rendered. */
    'browser.page-rendered': {
      url: string;
      status: number;
      title: string;
      text: string;
      lines: number;
      links: number;
      images: number;
      resources: number;
      bytes: number;
      loadTime: number;
    };
    /** The visit failed; `message` is for people. */
    'browser.error': { input: string; code: string; message: string; url?: string; host?: string };
  }
}

export type ResourceType = 'document' | SubresourceType;

export interface ResourceTiming {
  url: string;
  resource: ResourceType;
  method: string;
  status: number;
  /** "memory" when served from the cache without a request, "revalidated" after a 304. */
  cache: 'none' | 'memory' | 'revalidated';
  /** Durations, ns. */
  queued: number;
  dns: number;
  connect: number;
  send: number;
  wait: number;
  download: number;
  total: number;
  /** Absolute instants, ns. */
  start: Instant;
  end: Instant;
  dnsStart?: Instant;
  dnsEnd?: Instant;
  connectStart?: Instant;
  connectEnd?: Instant;
  requestSent?: Instant;
  responseStart?: Instant;
  responseEnd?: Instant;
  /** Bytes received on the wire (0 from the cache) and body bytes. */
  transferred: number;
  size: number;
  connectionId?: number;
  conn?: string;
  reused?: boolean;
  address?: number;
  error?: string;
}

export interface ResolveResult {
  addresses: Ipv4Addr[];
  /** Seconds, if the resolver knows it. */
  ttl?: number;
  [more: string]: unknown;
}

export type Resolver = (name: string) => Promise<ResolveResult>;

export interface BrowserSettings {
  /** Default 6, like browsers over HTTP/1.1. Set 1 to put everything on one connection. */
  maxConnectionsPerHost: number;
  /** Longest time a DNS answer is kept in the browser's own cache; default 60 s. */
  dnsCacheTtl: Duration;
  userAgent: string;
  accept: string;
  fetchSubresources: boolean;
  maxRedirects: number;
  requestTimeout: Duration;
  connectTimeout: Duration;
  idleTimeout: Duration;
  /** Wall-clock ms at simulated time 0 (Date/Expires arithmetic). */
  epochMs: number;
  /** Columns of the text view. */
  width: number;
  /** Use the HTTP cache. */
  cache: boolean;
}

export const DEFAULT_BROWSER_SETTINGS: BrowserSettings = {
  maxConnectionsPerHost: 6,
  dnsCacheTtl: 60 * SECOND,
  userAgent: 'wiretrail/0.1',
  accept: 'text/html,*/*;q=0.8',
  fetchSubresources: true,
  maxRedirects: 20,
  requestTimeout: 30 * SECOND,
  connectTimeout: 20 * SECOND,
  idleTimeout: 60 * SECOND,
  epochMs: DEFAULT_EPOCH_MS,
  width: 80,
  cache: true,
};

export interface BrowserOptions {
  net: NetApi;
  resolve: Resolver;
  clock: Clock;
  trace: TraceBus;
  /** Node name in trace events. */
  node: string;
  options?: Partial<BrowserSettings>;
}

export interface LoadedResource {
  url: string;
  resource: ResourceType;
  status: number;
  reason: string;
  headers: HttpHeaders;
  body: Uint8Array;
  timing: ResourceTiming;
  /** The exchange, when one happened. */
  response?: ClientResponse;
}

export interface PageLoad {
  input: string;
  address: ParsedAddress;
  /** Final URL after redirects. */
  url: string;
  status: number;
  reason: string;
  contentType: string;
  title: string;
  /** The text view. */
  text: string;
  links: { n: number; url: string; text: string }[];
  images: { url: string; alt: string; bytes?: number }[];
  /** The document (redirect hops first) and then each subresource. */
  resources: ResourceTiming[];
  redirects: { from: string; to: string; status: number }[];
  document: LoadedResource;
  subresources: LoadedResource[];
  startedAt: Instant;
  finishedAt: Instant;
  loadTime: Duration;
  /** Bytes received on the wire for the whole page. */
  transferred: number;
}

export class Browser {
  readonly settings: BrowserSettings;
  readonly cache: HttpCache;
  readonly dnsCache: BrowserDnsCache;
  readonly client: HttpClient;
  private readonly inflightDns = new Map<
    string,
    Promise<{ address: Ipv4Addr; dnsStart?: Instant; dnsEnd?: Instant }>
  >();

  constructor(private readonly o: BrowserOptions) {
    this.settings = { ...DEFAULT_BROWSER_SETTINGS, ...o.options };
    this.cache = new HttpCache(this.settings.epochMs);
    this.dnsCache = new BrowserDnsCache(this.settings.dnsCacheTtl);
    this.client = new HttpClient({
      net: o.net,
      clock: o.clock,
      trace: o.trace,
      node: o.node,
      maxConnectionsPerHost: this.settings.maxConnectionsPerHost,
      idleTimeout: this.settings.idleTimeout,
      connectTimeout: this.settings.connectTimeout,
      requestTimeout: this.settings.requestTimeout,
    });
  }

  private get now(): Instant {
    return this.o.clock.now();
  }

  /** Types `text` into the address bar and loads the page. Rejects with BrowserError. */
  async visit(text: string): Promise<PageLoad> {
    const startedAt = this.now;
    const tr = this.o.trace;
    let address: ParsedAddress;
    try {
      address = parseAddress(text);
    } catch (e) {
      this.fail(text, e);
      throw e;
    }
    if (tr.active) {
      tr.emit('browser.url-parsed', this.o.node, {
        input: address.input,
        href: address.url.href,
        scheme: address.scheme,
        host: address.host,
        hostIsAddress: address.hostIsAddress,
        port: address.port,
        portIsDefault: address.portIsDefault,
        path: address.path,
        query: address.query,
        fragment: address.fragment,
        defaultFile: address.defaultFile,
        addedScheme: address.addedScheme,
      });
    }
    const resources: ResourceTiming[] = [];
    const redirects: { from: string; to: string; status: number }[] = [];
    let doc: LoadedResource;
    try {
      doc = await this.load(address.url, 'document', resources, redirects);
    } catch (e) {
      this.fail(text, e, address);
      throw e;
    }
    const contentType = doc.headers.get('content-type') ?? '';
    const subresources: LoadedResource[] = [];
    let title = '';
    let rendered: { text: string; links: PageLoad['links']; images: PageLoad['images'] };
    if (essence(contentType) === 'text/html') {
      const parsed = parseDocument(decodeHtml(doc.body, contentType), doc.url);
      title = parsed.title;
      const images = new Map<string, ImageInfo>();
      if (this.settings.fetchSubresources) {
        const wanted = parsed.subresources.filter((s) => s.url.startsWith('http:'));
        const results = await Promise.all(
          wanted.map((s) =>
            this.load(new URL(s.url), s.type, resources, []).then(
              (r) => r,
              (e: unknown) => ({ error: e as Error, url: s.url, type: s.type }),
            ),
          ),
        );
        for (const r of results) {
          if ('error' in r) {
            if (r.type === 'image') images.set(r.url, { error: r.error.message });
            continue;
          }
          subresources.push(r);
          if (r.resource === 'image') images.set(r.url, { bytes: r.body.length, status: r.status });
        }
      }
      rendered = renderDocument(parsed, images, this.settings.width);
    } else if (essence(contentType).startsWith('text/')) {
      rendered = { text: new TextDecoder().decode(doc.body), links: [], images: [] };
    } else {
      rendered = {
        text: `[${essence(contentType) || 'unknown type'} ${formatBytes(doc.body.length)}]`,
        links: [],
        images: [],
      };
    }
    const finishedAt = this.now;
    const transferred = resources.reduce((a, r) => a + r.transferred, 0);
    const page: PageLoad = {
      input: text,
      address,
      url: doc.url,
      status: doc.status,
      reason: doc.reason,
      contentType,
      title,
      text: rendered.text,
      links: rendered.links,
      images: rendered.images,
      resources,
      redirects,
      document: doc,
      subresources,
      startedAt,
      finishedAt,
      loadTime: finishedAt - startedAt,
      transferred,
    };
    if (tr.active) {
      tr.emit('browser.page-rendered', this.o.node, {
        url: doc.url,
        status: doc.status,
        title,
        text: rendered.text,
        lines: rendered.text === '' ? 0 : rendered.text.split('\n').length,
        links: rendered.links.length,
        images: rendered.images.length,
        resources: resources.length,
        bytes: transferred,
        loadTime: page.loadTime,
      });
    }
    return page;
  }

  /** Closes kept-alive connections (FIN from the browser's side). */
  closeConnections(): void {
    this.client.closeIdle('the browser closes its idle connections');
  }

  clearCaches(): void {
    this.cache.clear();
    this.dnsCache.clear();
  }

  private fail(input: string, e: unknown, address?: ParsedAddress): void {
    const tr = this.o.trace;
    if (!tr.active) return;
    const be =
      e instanceof BrowserError
        ? e
        : new BrowserError('connection-failed', String((e as Error)?.message ?? e));
    tr.emit('browser.error', this.o.node, {
      input,
      code: be.code,
      message: be.message,
      ...(address ? { url: address.url.href, host: address.host } : {}),
    });
  }

  /** Fetches one resource through cache, DNS and the pool, following redirects. */
  private async load(
    first: URL,
    resource: ResourceType,
    timings: ResourceTiming[],
    redirects: { from: string; to: string; status: number }[],
  ): Promise<LoadedResource> {
    let url = first;
    for (let hop = 0; ; hop++) {
      const loaded = await this.loadOnce(url, resource);
      timings.push(loaded.timing);
      const location = loaded.headers.get('location');
      if (
        loaded.status < 300 ||
        loaded.status >= 400 ||
        location === undefined ||
        loaded.status === 304
      )
        return loaded;
      if (![301, 302, 303, 307, 308].includes(loaded.status)) return loaded;
      if (hop >= this.settings.maxRedirects) {
        throw new BrowserError(
          'too-many-redirects',
          `more than ${this.settings.maxRedirects} redirects (last to ${location})`,
        );
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new BrowserError(
          'bad-response',
          `the server redirected to ${JSON.stringify(location)}, which is not a URL`,
        );
      }
      next.hash = next.hash || url.hash;
      if (next.protocol === 'https:') {
        throw new BrowserError(
          'https-not-supported',
          `redirected to ${next.href}: HTTPS is not supported yet (no TLS in wiretrail)`,
        );
      }
      if (next.protocol !== 'http:')
        throw new BrowserError(
          'unsupported-scheme',
          `redirected to ${next.href}, not an http:// URL`,
        );
      redirects.push({ from: url.href, to: next.href, status: loaded.status });
      const tr = this.o.trace;
      if (tr.active) {
        tr.emit('browser.redirect', this.o.node, {
          from: url.href,
          to: next.href,
          status: loaded.status,
          why: `${loaded.status} ${loaded.reason} with Location: ${location}`,
        });
      }
      url = next;
    }
  }

  private requestHeaders(): HttpHeaders {
    return new HttpHeaders([
      ['User-Agent', this.settings.userAgent],
      ['Accept', this.settings.accept],
      ['Connection', 'keep-alive'],
    ]);
  }

  private async loadOnce(url: URL, resource: ResourceType): Promise<LoadedResource> {
    const tr = this.o.trace;
    const start = this.now;
    const href = url.href.replace(/#.*$/, '');
    const headers = this.requestHeaders();
    const cached = this.settings.cache ? this.cache.lookup(href, start, headers) : undefined;
    const conditional: [string, string][] =
      cached !== undefined && !cached.fresh ? cached.validators : [];
    for (const [n, v] of conditional) headers.append(n, v);
    if (tr.active) {
      // The head as the client will send it (it builds its own when it sends).
      const text = this.client.buildHead('GET', url, headers);
      const bytes = latin1Bytes(text);
      tr.emit('browser.request-built', this.o.node, {
        url: href,
        resource,
        method: 'GET',
        text,
        bytes,
        length: bytes.length,
        fields: headers.size + 1,
        conditional,
      });
      if (cached === undefined) {
        tr.emit('browser.cache', this.o.node, {
          url: href,
          result: 'miss',
          why: this.settings.cache ? 'not in the HTTP cache' : 'the HTTP cache is off',
        });
      } else {
        tr.emit('browser.cache', this.o.node, {
          url: href,
          result: cached.fresh ? 'hit' : 'stale',
          why: cached.why,
          age: cached.age,
          lifetime: cached.lifetime,
        });
      }
    }
    if (cached?.fresh) {
      const e = cached.entry;
      const timing: ResourceTiming = {
        url: href,
        resource,
        method: 'GET',
        status: e.status,
        cache: 'memory',
        queued: 0,
        dns: 0,
        connect: 0,
        send: 0,
        wait: 0,
        download: 0,
        total: 0,
        start,
        end: start,
        transferred: 0,
        size: e.body.length,
      };
      if (tr.active) tr.emit('browser.resource-timing', this.o.node, timing);
      return {
        url: href,
        resource,
        status: e.status,
        reason: e.reason,
        headers: e.headers,
        body: e.body,
        timing,
      };
    }

    const dns = await this.lookup(url.hostname);
    let res: ClientResponse;
    try {
      res = await this.client.request({ url, address: dns.address, headers });
    } catch (e) {
      throw this.networkError(e, url, dns.address);
    }
    const t = res.timing;
    let status = res.status;
    let reason = res.reason;
    let resHeaders = res.headers;
    let body = res.body;
    let cacheState: ResourceTiming['cache'] = 'none';
    if (this.settings.cache) {
      if (res.status === 304 && cached !== undefined) {
        const e = this.cache.freshen(href, res.headers, t.requestSent, t.responseEnd)!;
        status = e.status;
        reason = e.reason;
        resHeaders = e.headers;
        body = e.body;
        cacheState = 'revalidated';
        if (tr.active) {
          tr.emit('browser.cache', this.o.node, {
            url: href,
            result: 'revalidated',
            why: `304 Not Modified: the cached copy (${formatBytes(e.body.length)}) is still good, no body sent`,
          });
        }
      } else {
        const s = this.cache.store(href, res, t.requestSent, t.responseEnd, headers);
        if (tr.active) {
          tr.emit('browser.cache', this.o.node, {
            url: href,
            result: s.stored ? (cached !== undefined ? 'updated' : 'stored') : 'not-stored',
            why: s.why,
          });
        }
      }
    }
    const dnsTime =
      dns.dnsStart !== undefined && dns.dnsEnd !== undefined ? dns.dnsEnd - dns.dnsStart : 0;
    const connect =
      t.connectStart !== undefined && t.connectEnd !== undefined
        ? t.connectEnd - t.connectStart
        : 0;
    const timing: ResourceTiming = {
      url: href,
      resource,
      method: 'GET',
      status,
      cache: cacheState,
      queued: Math.max(0, t.connection - t.start - connect),
      dns: dnsTime,
      connect,
      send: 0,
      wait: t.responseStart - t.requestSent,
      download: t.responseEnd - t.responseStart,
      total: t.responseEnd - start,
      start,
      end: t.responseEnd,
      ...(dns.dnsStart !== undefined ? { dnsStart: dns.dnsStart, dnsEnd: dns.dnsEnd } : {}),
      ...(t.connectStart !== undefined
        ? { connectStart: t.connectStart, connectEnd: t.connectEnd }
        : {}),
      requestSent: t.requestSent,
      responseStart: t.responseStart,
      responseEnd: t.responseEnd,
      transferred: res.wireBytes,
      size: body.length,
      connectionId: res.connectionId,
      conn: res.conn,
      reused: res.reused,
      address: dns.address,
    };
    if (tr.active) tr.emit('browser.resource-timing', this.o.node, timing);
    return {
      url: href,
      resource,
      status,
      reason,
      headers: resHeaders,
      body,
      timing,
      response: res,
    };
  }

  /** Browser DNS cache in front of the injected resolver; one lookup per host at a time. */
  private lookup(
    host: string,
  ): Promise<{ address: Ipv4Addr; dnsStart?: Instant; dnsEnd?: Instant }> {
    const tr = this.o.trace;
    const literal = parseIpv4(host);
    if (literal !== undefined) {
      if (tr.active)
        tr.emit('browser.dns-cache', this.o.node, {
          host,
          result: 'literal',
          addresses: [literal],
        });
      return Promise.resolve({ address: literal });
    }
    const now = this.now;
    const c = this.dnsCache.lookup(host, now);
    if (c.result === 'hit') {
      if (tr.active) {
        tr.emit('browser.dns-cache', this.o.node, {
          host,
          result: 'hit',
          addresses: [...c.entry.addresses],
          ttl: c.remaining,
        });
      }
      return Promise.resolve({ address: c.entry.addresses[0] });
    }
    const pending = this.inflightDns.get(host);
    if (pending !== undefined) return pending;
    if (tr.active) {
      tr.emit('browser.dns-cache', this.o.node, {
        host,
        result: c.result,
        addresses: c.result === 'expired' ? [...c.entry.addresses] : [],
      });
    }
    const p = (async () => {
      const dnsStart = this.now;
      let r: ResolveResult;
      try {
        r = await this.o.resolve(host);
      } catch (e) {
        // A resolver error names the host and its code already ("ENOTFOUND www.x.com: …"):
        // say each once, "cannot find www.x.com (ENOTFOUND): the name does not exist …".
        const d = e as { code?: unknown; detail?: unknown };
        const msg =
          typeof d?.code === 'string' && typeof d.detail === 'string'
            ? ` (${d.code}): ${d.detail}`
            : `: ${(e as Error)?.message ?? String(e)}`;
        throw new BrowserError('dns', `cannot find ${host}${msg}`, e);
      }
      const dnsEnd = this.now;
      if (r.addresses.length === 0)
        throw new BrowserError('dns', `cannot find ${host}: no IPv4 address`, r);
      const entry = this.dnsCache.put(host, r.addresses, dnsEnd, r.ttl);
      if (tr.active) {
        tr.emit('browser.dns-resolved', this.o.node, {
          host,
          addresses: [...r.addresses],
          ...(r.ttl !== undefined ? { ttl: r.ttl } : {}),
          duration: dnsEnd - dnsStart,
        });
        tr.emit('browser.dns-cache', this.o.node, {
          host,
          result: 'miss',
          addresses: [...entry.addresses],
          ttl: (entry.expires - dnsEnd) / SECOND,
        });
      }
      return { address: r.addresses[0], dnsStart, dnsEnd };
    })();
    this.inflightDns.set(host, p);
    const clear = (): void => void this.inflightDns.delete(host);
    p.then(clear, clear);
    return p;
  }

  private networkError(e: unknown, url: URL, address: Ipv4Addr): BrowserError {
    // An IP address in the URL is named once: "10.9.9.9 port 80", not "10.9.9.9 (10.9.9.9) …".
    const ip = formatIpv4(address);
    const where = `${url.hostname === ip ? ip : `${url.hostname} (${ip})`} port ${url.port || 80}`;
    if (!(e instanceof HttpClientError))
      return new BrowserError('connection-failed', `cannot load ${url.href}: ${String(e)}`, e);
    switch (e.code) {
      case 'ECONNREFUSED':
        return new BrowserError(
          'connection-refused',
          `cannot connect to ${where}: connection refused (nothing listens there)`,
          e,
        );
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return new BrowserError(
          'unreachable',
          `cannot reach ${where}: ${e.code === 'EHOSTUNREACH' ? 'host' : 'network'} unreachable`,
          e,
        );
      case 'ETIMEDOUT':
      case 'connect-timeout':
        return new BrowserError('timeout', `connecting to ${where} timed out`, e);
      case 'timeout':
        return new BrowserError('timeout', `${url.href}: the server did not answer in time`, e);
      case 'bad-response':
        return new BrowserError('bad-response', e.message, e);
      default:
        return new BrowserError('connection-failed', `${url.href}: ${e.message}`, e);
    }
  }
}
