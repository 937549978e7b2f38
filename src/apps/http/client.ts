/**
 * HTTP/1.1 client over NetApi: a connection pool with keep-alive, timeouts on simulated time,
 * redirects, and per-request timing marks for a waterfall.
 *
 * Read first:
 * - RFC 9112 § 9.3 persistence, § 9.3.1.1 retrying requests (an idempotent request whose reused
 *   connection closed before any response byte is retried once on a new connection), § 9.3.2
 *   pipelining (not used: browsers send one request at a time per connection), § 9.4 concurrency
 *   (browsers open up to 6 connections per host; so do we, configurable), § 9.5 idle timeouts
 *   (a client closes idle connections before the server's keep-alive timeout).
 * - RFC 9110 § 7.2 Host (uri-host and the port unless it is the scheme's default), § 9.3.2 HEAD
 *   responses have no content (the parser is told so), § 15.2 interim 1xx responses are skipped,
 *   § 15.4 redirection (301/302/303/307/308, Location resolved against the request URL, 303
 *   and 301/302 after POST become GET).
 *
 * Call chain: request() → pool acquire (idle connection, new connection, or wait for one) →
 * net.connect → write head + body → HttpParser('response') callbacks → resolve with the response
 * → release (idle, keep-alive timer) or close.
 *
 * DNS is the caller's: request() takes an address; fetch() takes a resolver for redirects.
 */
import type { Clock, TimerHandle } from '../../sim/clock.js';
import type { Duration, Instant } from '../../sim/time.js';
import { SECOND } from '../../sim/time.js';
import type { TraceBus } from '../../sim/trace.js';
import type { NetApi, NetSocket, SocketError } from '../../stack/api.js';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import { HttpHeaders } from './headers.js';
import { concatBytes, latin1Bytes, requestHeadText } from './message.js';
import { HttpParser } from './parser.js';
import type { HttpHead, HttpParserLimits } from './parser.js';

declare module '../../sim/trace.js' {
  interface TraceEventMap {
    /** The pool chose a connection for a request, opened one, parked one, or closed one. */
    'http.pool': {
      action: 'connect' | 'reuse' | 'wait' | 'idle' | 'close';
      /** "host:port" the pool is keyed by. */
      origin: string;
      connectionId: number;
      /** "local:port → remote:port" once connected. */
      conn?: string;
      why: string;
    };
    /** A request head (and body) was written to a connection. */
    'http.request-out': {
      conn: string;
      connectionId: number;
      method: string;
      url: string;
      target: string;
      host: string;
      /** Bytes written: head + body. */
      bytes: number;
      /** The connection carried an earlier request (keep-alive). */
      reused: boolean;
      headers: [string, string][];
    };
    /** A final response was read completely. */
    'http.response-in': {
      conn: string;
      connectionId: number;
      url: string;
      method: string;
      status: number;
      reason: string;
      /** Bytes received for it: head + body as framed on the wire. */
      bytes: number;
      bodyBytes: number;
      headBytes: number;
      keepAlive: boolean;
      /** Time to first byte after the request was sent, ns. */
      ttfb: number;
      /** Time from the first to the last byte, ns. */
      download: number;
      headers: [string, string][];
    };
  }
}

export type HttpClientErrorCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'connect-timeout'
  | 'timeout'
  | 'bad-response'
  | 'closed'
  | 'bad-url'
  | 'unsupported-scheme'
  | 'too-many-redirects'
  | 'dns'
  | 'socket';

export class HttpClientError extends Error {
  constructor(
    readonly code: HttpClientErrorCode,
    message: string,
    /**
     * For a failed connect: the socket's own address and port (getsockname after connect(),
     * which curl prints in "connect to … from 192.168.3.10 port 33564 failed").
     */
    readonly local?: { address: Ipv4Addr; port: number },
  ) {
    super(message);
    this.name = 'HttpClientError';
  }
}

export interface HttpClientOptions {
  net: NetApi;
  clock: Clock;
  trace: TraceBus;
  /** Node name in trace events. */
  node: string;
  /** Connections per origin; default 6 (what browsers do for HTTP/1.1). */
  maxConnectionsPerHost?: number;
  /** Idle connections are closed after this; default 60 s (below nginx's 75 s keep-alive). */
  idleTimeout?: Duration;
  /** Default 20 s. */
  connectTimeout?: Duration;
  /** From the request being written to the response's last byte; default 30 s. */
  requestTimeout?: Duration;
  limits?: Partial<HttpParserLimits>;
}

export interface ClientRequest {
  method?: string;
  url: string | URL;
  /** The server's address; the caller resolved the host name. */
  address: Ipv4Addr;
  /** Fields to send besides Host (and Content-Length with a body). */
  headers?: HttpHeaders;
  body?: Uint8Array;
  /** Overrides requestTimeout. */
  timeout?: Duration;
}

/** Simulated-time marks of one exchange (ns); the caller adds DNS. */
export interface RequestTiming {
  /** request() was called. */
  start: Instant;
  /** A connection was available (start → here: queueing, "stalled"). */
  connection: Instant;
  /** Only for a new connection: connect() issued and connected (TCP handshake). */
  connectStart?: Instant;
  connectEnd?: Instant;
  /** The request head and body were handed to the socket. */
  requestSent: Instant;
  /** First byte of the response (TTFB = responseStart − requestSent). */
  responseStart: Instant;
  /** Last byte of the response. */
  responseEnd: Instant;
}

export interface ClientResponse {
  url: string;
  method: string;
  status: number;
  reason: string;
  version: string;
  headers: HttpHeaders;
  body: Uint8Array;
  /** The head as parsed (framing decisions included). */
  head: HttpHead;
  /** The request head as sent. */
  requestHead: Uint8Array;
  requestHeadText: string;
  /** Bytes of the response on the wire (head + framed body). */
  wireBytes: number;
  timing: RequestTiming;
  connectionId: number;
  /** "192.168.3.10:49731 → 198.51.100.80:80" */
  conn: string;
  reused: boolean;
  remoteAddress: Ipv4Addr;
  remotePort: number;
  localPort: number;
}

export interface FetchOptions {
  method?: string;
  headers?: HttpHeaders;
  body?: Uint8Array;
  /** Name → addresses; IPv4 literals need none. */
  resolve?: (name: string) => Promise<{ addresses: readonly Ipv4Addr[] }>;
  /** Default 20 (Fetch standard's redirect limit). */
  maxRedirects?: number;
  /** Do not follow redirects. */
  manual?: boolean;
  timeout?: Duration;
}

export interface FetchResponse extends ClientResponse {
  /** Responses that redirected, in order. */
  redirects: ClientResponse[];
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

interface Exchange {
  method: string;
  url: string;
  head?: HttpHead;
  chunks: Uint8Array[];
  wire: number;
  timing: RequestTiming;
  firstByte: boolean;
  requestHead: Uint8Array;
  requestHeadText: string;
  /** What is sent (head and body), and sent again on a retry. */
  bytes: Uint8Array;
  reused: boolean;
  timer?: TimerHandle;
  resolve(r: ClientResponse): void;
  reject(e: HttpClientError): void;
}

let clientIds = 0;

/** One TCP connection to an origin. */
class ClientConnection {
  readonly id: number;
  socket: NetSocket | undefined;
  parser: HttpParser;
  exchange: Exchange | undefined;
  used = 0;
  idle = false;
  dead = false;
  idleTimer: TimerHandle | undefined;
  conn = '';

  constructor(
    readonly client: HttpClient,
    readonly pool: OriginPool,
  ) {
    this.id = ++clientIds;
    this.parser = this.newParser();
  }

  private newParser(): HttpParser {
    return new HttpParser(
      'response',
      {
        onHeadersComplete: (head) => {
          const ex = this.exchange;
          if (ex === undefined) return undefined;
          // RFC 9110 § 15.2: interim responses are not the answer; keep reading.
          if (head.status >= 100 && head.status < 200 && head.status !== 101) return undefined;
          ex.head = head;
          // RFC 9112 § 6.3 item 1: a response to HEAD has no content whatever it says.
          return ex.method === 'HEAD' ? 'skip-body' : undefined;
        },
        onBody: (chunk) => {
          this.exchange?.chunks.push(chunk.slice());
        },
        onMessageComplete: () => {
          const ex = this.exchange;
          if (ex === undefined || ex.head === undefined) return; // interim response
          this.finishExchange(ex);
        },
      },
      this.client.options.limits,
    );
  }

  connect(address: Ipv4Addr, port: number): Promise<void> {
    const opts = this.client.options;
    return new Promise((resolve, reject) => {
      const sock = opts.net.connect({
        host: address,
        port,
        timeout: opts.connectTimeout ?? 20 * SECOND,
        noDelay: true,
      });
      this.socket = sock;
      let settled = false;
      const timer = opts.clock.schedule(opts.connectTimeout ?? 20 * SECOND, () => {
        if (settled) return;
        settled = true;
        this.dead = true;
        sock.destroy();
        this.client.wake();
        reject(
          new HttpClientError(
            'connect-timeout',
            `connecting to ${formatIpv4(address)}:${port} timed out`,
          ),
        );
      });
      sock.once('connect', () => {
        if (settled) return;
        settled = true;
        timer.cancel();
        this.conn = `${formatIpv4(sock.localAddress)}:${sock.localPort} → ${formatIpv4(sock.remoteAddress)}:${sock.remotePort}`;
        this.client.wake();
        resolve();
      });
      sock.on('error', (e: SocketError) => {
        if (!settled) {
          settled = true;
          timer.cancel();
          this.dead = true;
          this.client.wake();
          reject(
            new HttpClientError(
              socketCode(e.code),
              `${e.code}: cannot connect to ${formatIpv4(address)}:${port}`,
              { address: sock.localAddress, port: sock.localPort },
            ),
          );
          return;
        }
        this.fail(new HttpClientError(socketCode(e.code), `${e.code} on ${this.conn}`));
      });
      sock.on('data', (chunk) => this.onData(chunk));
      sock.on('end', () => this.onEnd());
      sock.on('close', () => this.onClose());
    });
  }

  send(ex: Exchange, bytes: Uint8Array): void {
    this.exchange = ex;
    this.idle = false;
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    // A parser per exchange; the first one was made with the connection and has seen no byte.
    if (this.used > 0) this.parser = this.newParser();
    this.used++;
    const opts = this.client.options;
    const timeout = opts.requestTimeout ?? 30 * SECOND;
    ex.timer = opts.clock.schedule(timeout, () => {
      if (this.exchange !== ex) return;
      this.fail(
        new HttpClientError(
          'timeout',
          `no complete response for ${ex.method} ${ex.url} within ${timeout / SECOND} s`,
        ),
      );
    });
    this.socket!.write(bytes);
  }

  private onData(chunk: Uint8Array): void {
    const ex = this.exchange;
    if (ex === undefined) {
      // Bytes nobody asked for (RFC 9112 § 9.3.2 forbids unsolicited responses): drop the connection.
      this.close('the server sent data without a request');
      return;
    }
    if (!ex.firstByte) {
      ex.firstByte = true;
      ex.timing.responseStart = this.client.options.clock.now();
    }
    ex.wire += chunk.length;
    const r = this.parser.execute(chunk);
    if (r.kind === 'error') {
      this.fail(
        new HttpClientError(
          'bad-response',
          `bad response from ${this.conn}: ${r.error.reason} (byte ${r.error.offset})`,
        ),
      );
    } else if (r.kind === 'upgrade' && this.exchange === ex) {
      this.fail(
        new HttpClientError('bad-response', `the server switched protocols on ${this.conn}`),
      );
    }
  }

  private onEnd(): void {
    // The server closed (FIN). A body delimited by the close is complete now (RFC 9112 § 6.3 item 8).
    const ex = this.exchange;
    if (ex !== undefined) {
      const e = this.parser.finish();
      if (e !== undefined && this.exchange === ex) {
        const retry = !ex.firstByte && ex.reused && IDEMPOTENT.has(ex.method);
        this.fail(
          new HttpClientError(
            'closed',
            `the server closed ${this.conn} before the response was complete`,
          ),
          retry,
        );
      }
    }
    this.close('the server closed the connection');
  }

  private onClose(): void {
    this.dead = true;
    this.idleTimer?.cancel();
    if (this.exchange !== undefined) {
      const ex = this.exchange;
      const retry = !ex.firstByte && ex.reused && IDEMPOTENT.has(ex.method);
      this.fail(new HttpClientError('closed', `${this.conn} closed before the response`), retry);
    }
    this.pool.remove(this);
  }

  private finishExchange(ex: Exchange): void {
    const clock = this.client.options.clock;
    ex.timer?.cancel();
    ex.timing.responseEnd = clock.now();
    this.exchange = undefined;
    const head = ex.head!;
    const sock = this.socket!;
    // The chunks are copies the exchange owns (onBody): a body in one chunk is used as it is.
    const body = ex.chunks.length === 1 ? ex.chunks[0] : concatBytes(ex.chunks);
    const res: ClientResponse = {
      url: ex.url,
      method: ex.method,
      status: head.status,
      reason: head.reason,
      version: `${head.versionMajor}.${head.versionMinor}`,
      headers: head.headers,
      body,
      head,
      requestHead: ex.requestHead,
      requestHeadText: ex.requestHeadText,
      wireBytes: ex.wire,
      timing: ex.timing,
      connectionId: this.id,
      conn: this.conn,
      reused: ex.reused,
      remoteAddress: sock.remoteAddress,
      remotePort: sock.remotePort,
      localPort: sock.localPort,
    };
    const tr = this.client.options.trace;
    if (tr.active) {
      tr.emit('http.response-in', this.client.options.node, {
        conn: this.conn,
        connectionId: this.id,
        url: ex.url,
        method: ex.method,
        status: head.status,
        reason: head.reason,
        bytes: ex.wire,
        bodyBytes: body.length,
        headBytes: head.headBytes,
        keepAlive: head.keepAlive,
        ttfb: ex.timing.responseStart - ex.timing.requestSent,
        download: ex.timing.responseEnd - ex.timing.responseStart,
        headers: head.headers.entries().map(([n, v]) => [n, v]),
      });
    }
    const requestClose = /(^|,)\s*close\s*(,|$)/i.test(
      ex.requestHeadText.match(/\r\nconnection:([^\r]*)/i)?.[1] ?? '',
    );
    if (head.keepAlive && !requestClose && this.parser.phase === 'idle') this.pool.release(this);
    else
      this.close(
        head.keepAlive ? 'the request asked to close' : 'the response ends the connection',
      );
    this.client.wake();
    ex.resolve(res);
  }

  fail(e: HttpClientError, retry = false): void {
    const ex = this.exchange;
    this.exchange = undefined;
    if (!this.dead) {
      this.dead = true;
      this.socket?.destroy();
    }
    this.pool.remove(this);
    if (ex !== undefined) {
      ex.timer?.cancel();
      this.client.wake();
      if (retry) this.pool.retry(ex);
      else ex.reject(e);
    }
  }

  /** Half-closes (FIN) and forgets the connection. */
  close(why: string): void {
    if (this.dead && this.socket === undefined) return;
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    const wasDead = this.dead;
    this.dead = true;
    this.idle = false;
    this.pool.remove(this);
    if (!wasDead) {
      const tr = this.client.options.trace;
      if (tr.active) {
        tr.emit('http.pool', this.client.options.node, {
          action: 'close',
          origin: this.pool.origin,
          connectionId: this.id,
          conn: this.conn,
          why,
        });
      }
      this.socket?.end();
    }
  }
}

interface Waiter {
  ex: Exchange;
  bytes: Uint8Array;
}

/** Connections to one origin (host:port at one address). */
class OriginPool {
  readonly conns: ClientConnection[] = [];
  readonly waiting: Waiter[] = [];

  constructor(
    readonly client: HttpClient,
    readonly origin: string,
    readonly address: Ipv4Addr,
    readonly port: number,
  ) {}

  submit(ex: Exchange, bytes: Uint8Array): void {
    const opts = this.client.options;
    const tr = opts.trace;
    const idle = this.conns.find((c) => c.idle && !c.dead);
    if (idle !== undefined) {
      ex.reused = true;
      ex.timing.connection = opts.clock.now();
      if (tr.active) {
        tr.emit('http.pool', opts.node, {
          action: 'reuse',
          origin: this.origin,
          connectionId: idle.id,
          conn: idle.conn,
          why: `connection #${idle.id} is idle and kept alive (used ${idle.used} time${idle.used === 1 ? '' : 's'})`,
        });
      }
      this.write(idle, ex, bytes);
      return;
    }
    const max = opts.maxConnectionsPerHost ?? 6;
    if (this.conns.length >= max) {
      if (tr.active) {
        tr.emit('http.pool', opts.node, {
          action: 'wait',
          origin: this.origin,
          connectionId: 0,
          why: `all ${max} connections to ${this.origin} are busy`,
        });
      }
      this.waiting.push({ ex, bytes });
      return;
    }
    const c = new ClientConnection(this.client, this);
    this.conns.push(c);
    if (tr.active) {
      const busy = this.conns.length - 1;
      tr.emit('http.pool', opts.node, {
        action: 'connect',
        origin: this.origin,
        connectionId: c.id,
        why:
          busy === 0
            ? `no open connection to ${this.origin}`
            : `${busy} connection${busy === 1 ? ' is' : 's are'} busy (limit ${max} per host)`,
      });
    }
    ex.reused = false;
    ex.timing.connectStart = opts.clock.now();
    c.connect(this.address, this.port).then(
      () => {
        ex.timing.connectEnd = opts.clock.now();
        ex.timing.connection = ex.timing.connectEnd;
        this.write(c, ex, bytes);
      },
      (e: HttpClientError) => {
        this.remove(c);
        ex.reject(e);
        this.pump();
      },
    );
  }

  private write(c: ClientConnection, ex: Exchange, bytes: Uint8Array): void {
    const opts = this.client.options;
    ex.timing.requestSent = opts.clock.now();
    const tr = opts.trace;
    if (tr.active) {
      const headers = requestHeaderLines(ex.requestHeadText);
      tr.emit('http.request-out', opts.node, {
        conn: c.conn,
        connectionId: c.id,
        method: ex.method,
        url: ex.url,
        target: ex.requestHeadText.split(' ')[1] ?? '',
        host: headers.find(([n]) => n.toLowerCase() === 'host')?.[1] ?? '',
        bytes: bytes.length,
        reused: ex.reused,
        headers,
      });
    }
    c.send(ex, bytes);
  }

  /** A connection finished an exchange and stays open. */
  release(c: ClientConnection): void {
    const next = this.waiting.shift();
    if (next !== undefined) {
      next.ex.reused = true;
      next.ex.timing.connection = this.client.options.clock.now();
      const tr = this.client.options.trace;
      if (tr.active) {
        tr.emit('http.pool', this.client.options.node, {
          action: 'reuse',
          origin: this.origin,
          connectionId: c.id,
          conn: c.conn,
          why: `connection #${c.id} finished a response; the next waiting request takes it`,
        });
      }
      this.write(c, next.ex, next.bytes);
      return;
    }
    c.idle = true;
    const opts = this.client.options;
    const t = opts.idleTimeout ?? 60 * SECOND;
    c.idleTimer = opts.clock.schedule(t, () => c.close(`idle for ${t / SECOND} s`));
    if (opts.trace.active) {
      opts.trace.emit('http.pool', opts.node, {
        action: 'idle',
        origin: this.origin,
        connectionId: c.id,
        conn: c.conn,
        why: 'response complete; the connection is kept alive for the next request',
      });
    }
  }

  remove(c: ClientConnection): void {
    const i = this.conns.indexOf(c);
    if (i >= 0) {
      this.conns.splice(i, 1);
      this.pump();
    }
  }

  /** RFC 9112 § 9.3.1.1: resend on a fresh connection. */
  retry(ex: Exchange): void {
    const bytes = ex.bytes;
    ex.firstByte = false;
    ex.chunks = [];
    ex.wire = 0;
    ex.reused = false;
    // Force a new connection even if another idle one exists: it may be stale too.
    const c = new ClientConnection(this.client, this);
    this.conns.push(c);
    const opts = this.client.options;
    if (opts.trace.active) {
      opts.trace.emit('http.pool', opts.node, {
        action: 'connect',
        origin: this.origin,
        connectionId: c.id,
        why: 'the kept-alive connection was closed by the server before answering; retrying (RFC 9112 § 9.3.1.1)',
      });
    }
    ex.timing.connectStart = opts.clock.now();
    c.connect(this.address, this.port).then(
      () => {
        ex.timing.connectEnd = opts.clock.now();
        ex.timing.connection = ex.timing.connectEnd;
        this.write(c, ex, bytes);
      },
      (e: HttpClientError) => {
        this.remove(c);
        ex.reject(e);
      },
    );
  }

  private pump(): void {
    const max = this.client.options.maxConnectionsPerHost ?? 6;
    while (this.waiting.length > 0 && this.conns.length < max) {
      const w = this.waiting.shift()!;
      this.submit(w.ex, w.bytes);
    }
  }

  closeAll(why: string): void {
    for (const c of [...this.conns]) {
      if (c.exchange === undefined) c.close(why);
    }
  }
}

function requestHeaderLines(text: string): [string, string][] {
  const lines = text.split('\r\n').slice(1);
  const out: [string, string][] = [];
  for (const l of lines) {
    if (l === '') break;
    const i = l.indexOf(':');
    out.push([l.slice(0, i), l.slice(i + 1).trim()]);
  }
  return out;
}

function socketCode(code: string): HttpClientErrorCode {
  switch (code) {
    case 'ECONNREFUSED':
    case 'ECONNRESET':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return code;
    default:
      return 'socket';
  }
}

/** The Host field value for a URL (RFC 9110 § 7.2: omit the port when it is the default). */
export function hostField(url: URL): string {
  return url.host;
}

export class HttpClient {
  readonly options: HttpClientOptions;
  private readonly pools = new Map<string, OriginPool>();

  constructor(options: HttpClientOptions) {
    this.options = options;
  }

  /** Tells the scheduler that a promise an application awaits was settled from a stack event. */
  wake(): void {
    this.options.clock.noteWake();
  }

  /** Builds the request head a request would send (for the browser's "request built" step). */
  buildHead(method: string, url: URL, headers?: HttpHeaders, body?: Uint8Array): string {
    const h = new HttpHeaders([['Host', hostField(url)]]);
    if (headers) for (const [n, v] of headers) if (n.toLowerCase() !== 'host') h.append(n, v);
    if (body !== undefined && body.length > 0 && !h.has('content-length'))
      h.append('Content-Length', String(body.length));
    return requestHeadText({ method, target: url.pathname + url.search, headers: h });
  }

  /** One exchange, no redirects. Rejects with HttpClientError. */
  request(req: ClientRequest): Promise<ClientResponse> {
    const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
    if (url.protocol !== 'http:') {
      return Promise.reject(
        new HttpClientError('unsupported-scheme', `only http: URLs, not ${url.protocol}`),
      );
    }
    const method = req.method ?? 'GET';
    const text = this.buildHead(method, url, req.headers, req.body);
    const head = latin1Bytes(text);
    const bytes =
      req.body !== undefined && req.body.length > 0 ? concatBytes([head, req.body]) : head;
    const port = url.port === '' ? 80 : Number(url.port);
    const key = `${url.hostname}:${port}@${formatIpv4(req.address)}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new OriginPool(this, `${url.hostname}:${port}`, req.address, port);
      this.pools.set(key, pool);
    }
    const now = this.options.clock.now();
    return new Promise<ClientResponse>((resolve, reject) => {
      const ex: Exchange = {
        method,
        url: url.href,
        chunks: [],
        wire: 0,
        timing: {
          start: now,
          connection: now,
          requestSent: now,
          responseStart: now,
          responseEnd: now,
        },
        firstByte: false,
        requestHead: head,
        requestHeadText: text,
        bytes,
        reused: false,
        resolve,
        reject,
      };
      pool.submit(ex, bytes);
    });
  }

  /** Follows redirects (RFC 9110 § 15.4), resolving new host names with `resolve`. */
  async fetch(input: string | URL, options: FetchOptions = {}): Promise<FetchResponse> {
    let url = typeof input === 'string' ? new URL(input) : input;
    let method = options.method ?? 'GET';
    let body = options.body;
    const redirects: ClientResponse[] = [];
    const max = options.maxRedirects ?? 20;
    for (;;) {
      if (url.protocol !== 'http:') {
        throw new HttpClientError(
          'unsupported-scheme',
          `cannot fetch ${url.href}: only http: is supported`,
        );
      }
      const address = await this.addressOf(url.hostname, options.resolve);
      const res = await this.request({
        method,
        url,
        address,
        headers: options.headers,
        body,
        timeout: options.timeout,
      });
      const location = res.headers.get('location');
      if (options.manual || !REDIRECT.has(res.status) || location === undefined) {
        return { ...res, redirects };
      }
      if (redirects.length >= max) {
        throw new HttpClientError(
          'too-many-redirects',
          `more than ${max} redirects, last to ${location}`,
        );
      }
      redirects.push(res);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new HttpClientError(
          'bad-url',
          `the Location ${JSON.stringify(location)} is not a URL`,
        );
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  private async addressOf(host: string, resolve: FetchOptions['resolve']): Promise<Ipv4Addr> {
    const literal = parseIpv4(host);
    if (literal !== undefined) return literal;
    if (resolve === undefined) throw new HttpClientError('dns', `no resolver to look up ${host}`);
    let r: { addresses: readonly Ipv4Addr[] };
    try {
      r = await resolve(host);
    } catch (e) {
      throw new HttpClientError('dns', `cannot resolve ${host}: ${(e as Error).message}`);
    }
    if (r.addresses.length === 0) throw new HttpClientError('dns', `${host} has no IPv4 address`);
    return r.addresses[0];
  }

  /** Connections per origin: open and idle counts (for netstat-like views and tests). */
  connections(): { origin: string; open: number; idle: number; waiting: number }[] {
    return [...this.pools.values()].map((p) => ({
      origin: p.origin,
      open: p.conns.length,
      idle: p.conns.filter((c) => c.idle).length,
      waiting: p.waiting.length,
    }));
  }

  /** Closes idle connections (FIN); busy ones close when their response is done. */
  closeIdle(why = 'the client is done'): void {
    for (const p of this.pools.values()) p.closeAll(why);
  }

  /**
   * Aborts every connection — connecting, busy or idle — and every waiting request, as curl
   * does when --max-time runs out: the sockets are destroyed and the requests reject with `e`.
   * Says whether one of them had connected (curl's "Connection timed out" vs "Operation timed
   * out").
   */
  abort(e: HttpClientError): { connected: boolean } {
    let connected = false;
    for (const p of this.pools.values()) {
      for (const c of [...p.conns]) {
        if (c.conn !== '') connected = true;
        c.fail(e);
      }
      for (const w of p.waiting.splice(0)) w.ex.reject(e);
    }
    return { connected };
  }
}
