/**
 * A static HTTP/1.1 origin server over a NetServer (src/stack/api.ts), like a small nginx.
 *
 * Read first:
 * - RFC 9112: § 3.2 (Host: exactly one, else 400; absolute-form accepted), § 9.3 persistence,
 *   § 9.3.2 pipelining (responses in request order), § 9.5 idle timeouts, § 9.6 closing
 *   ("close" → close after the response, read nothing more).
 * - RFC 9110: § 9.3.1 GET, § 9.3.2 HEAD (same fields, no content), § 9.3.7 OPTIONS, § 13.1.2
 *   If-None-Match (weak comparison), § 13.1.3 If-Modified-Since, § 13.2.2 precondition order
 *   (If-None-Match wins), § 15.4.2 301 with Location, § 15.4.5 304 fields, § 15.5.6 405 with
 *   Allow, § 15.6.2 501 for unknown methods, § 10.2.2 Location may be a relative reference.
 * - RFC 9111 § 5.2.2 Cache-Control response directives (policy per file, site.ts).
 * - RFC 3986 § 5.2.4 remove_dot_segments (a path that climbs above the root is a 400).
 *
 * Call chain: NetServer 'connection' → ServerConnection.onData → HttpParser.execute →
 * onHeadersComplete (trace http.request-in) → onMessageComplete → respond() (pure: request →
 * response) → socket.write (trace http.response-out, access log line).
 *
 * The server decides "which file" the way the seeds describe: a path without a file name (one
 * that ends in "/") gets the default file, index.html.
 */
import type { Clock, TimerHandle } from '../../sim/clock.js';
import type { Duration } from '../../sim/time.js';
import { SECOND } from '../../sim/time.js';
import type { TraceBus } from '../../sim/trace.js';
import type { NetApi, NetServer, NetSocket } from '../../stack/api.js';
import { formatIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import { DEFAULT_EPOCH_MS, formatHttpDate, formatLogDate, parseHttpDate, wallMs } from './date.js';
import { HttpHeaders, splitList } from './headers.js';
import {
  concatBytes,
  latin1Bytes,
  responseHeadText,
  serializeResponseHead,
  statusText,
} from './message.js';
import { HttpParser, errorStatus } from './parser.js';
import type { HttpHead, HttpParseError, HttpParserLimits } from './parser.js';
import type { Site, SiteFile } from './site.js';

declare module '../../sim/trace.js' {
  interface TraceEventMap {
    /** A request head arrived at the server (after its empty line). */
    'http.request-in': {
      /** Client "address:port". */
      conn: string;
      method: string;
      target: string;
      version: string;
      host: string;
      /** Head bytes on the wire (request line + fields + CRLF). */
      bytes: number;
      /** 1 for the first request on the connection. */
      requestNo: number;
      /** Field lines as received, for the story's packet detail. */
      headers: [string, string][];
    };
    /** The server wrote a response. */
    'http.response-out': {
      conn: string;
      status: number;
      reason: string;
      /** Bytes written: head + body. */
      bytes: number;
      bodyBytes: number;
      /** Why this status: "/ → index.html (default file)", "If-None-Match matched", ... */
      why: string;
      method: string;
      target: string;
      /** The file served, when one was. */
      file?: string;
      contentType?: string;
      /** The connection closes after this response. */
      close: boolean;
      /** The request could not be parsed (400, 414, 431, ...). */
      parseError?: { code: string; offset: number; reason: string };
    };
    /** The server closes a connection (FIN). */
    'http.server-close': { conn: string; why: string; requests: number };
  }
}

export interface HttpServerOptions {
  net: NetApi;
  clock: Clock;
  trace: TraceBus;
  /** Node name in trace events. */
  node: string;
  site: Site;
  port?: number;
  /** Listen address (0 = any). */
  address?: Ipv4Addr;
  /** Server field value; default "wiretrail". */
  serverName?: string;
  /** Idle time before a kept-alive connection is closed; default 75 s (nginx's keepalive_timeout). */
  keepAliveTimeout?: Duration;
  /** Time allowed to receive a whole request head; default 60 s (client_header_timeout) → 408. */
  requestTimeout?: Duration;
  /** Requests per connection before the server closes it; default 1000 (keepalive_requests). */
  maxRequestsPerConnection?: number;
  /** Wall-clock ms at simulated time 0 (Date header, access log). */
  epochMs?: number;
  limits?: Partial<HttpParserLimits>;
  /** Called with each access-log line (nginx "combined" format). */
  accessLog?: (line: string) => void;
}

/** What the server answers to one request; respond() is pure so tests need no sockets. */
export interface ServerResponse {
  status: number;
  headers: HttpHeaders;
  /** Content (empty for HEAD, 304, 204). */
  body: Uint8Array;
  why: string;
  file?: string;
  /** The connection must close after it. */
  close: boolean;
}

export interface ServerRequest {
  method: string;
  target: string;
  versionMajor: number;
  versionMinor: number;
  headers: HttpHeaders;
}

const ALLOW = 'GET, HEAD, OPTIONS';
/** Methods RFC 9110 § 9.3 (and PATCH, RFC 5789) defines: 405 rather than 501 (§ 15.6.2). */
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

export interface HttpServerStats {
  connections: number;
  requests: number;
  parseErrors: number;
  byStatus: Record<number, number>;
}

export class HttpServer {
  readonly options: HttpServerOptions;
  readonly port: number;
  /** The most recent access-log lines (up to 1000). */
  readonly accessLog: string[] = [];
  readonly stats: HttpServerStats = { connections: 0, requests: 0, parseErrors: 0, byStatus: {} };
  private server: NetServer | undefined;
  private readonly conns = new Set<ServerConnection>();
  /**
   * The time strings of the current wall-clock second, formatted once per second as nginx's
   * ngx_time_update caches them (every response carries Date, every access-log line the time).
   */
  private readonly timeCache = { sec: NaN, http: '', log: '' };
  /** Last-Modified of each file's mtime, formatted once. */
  private readonly lastModifiedText = new Map<number, string>();

  constructor(options: HttpServerOptions) {
    this.options = options;
    this.port = options.port ?? 80;
  }

  listen(): this {
    const s = this.options.net.createServer((sock) => this.accept(sock));
    s.listen(this.port, this.options.address ?? 0);
    this.server = s;
    return this;
  }

  /** Stops listening and closes every connection. */
  close(): void {
    this.server?.close();
    this.server = undefined;
    for (const c of [...this.conns]) c.shutdown('server stopped');
  }

  get openConnections(): number {
    return this.conns.size;
  }

  /** Serves one connection (also usable with a socket from elsewhere). */
  accept(socket: NetSocket): void {
    this.stats.connections++;
    const c = new ServerConnection(this, socket);
    this.conns.add(c);
    socket.on('close', () => this.conns.delete(c));
  }

  wallNow(): number {
    return wallMs(this.options.clock.now(), this.options.epochMs ?? DEFAULT_EPOCH_MS);
  }

  private cachedTime(): { http: string; log: string } {
    const ms = this.wallNow();
    const c = this.timeCache;
    const sec = Math.floor(ms / 1000);
    if (sec !== c.sec) {
      c.sec = sec;
      c.http = formatHttpDate(ms);
      c.log = formatLogDate(ms);
    }
    return c;
  }

  /** The Date field's value now (IMF-fixdate). */
  httpDate(): string {
    return this.cachedTime().http;
  }

  /** The access log's $time_local now. */
  logDate(): string {
    return this.cachedTime().log;
  }

  private lastModified(mtimeMs: number): string {
    let s = this.lastModifiedText.get(mtimeMs);
    if (s === undefined) {
      s = formatHttpDate(mtimeMs);
      this.lastModifiedText.set(mtimeMs, s);
    }
    return s;
  }

  log(line: string): void {
    this.accessLog.push(line);
    if (this.accessLog.length > 1000) this.accessLog.shift();
    this.options.accessLog?.(line);
  }

  /** Common fields of every response. */
  private baseHeaders(): HttpHeaders {
    return new HttpHeaders([
      ['Server', this.options.serverName ?? 'wiretrail'],
      ['Date', this.httpDate()],
    ]);
  }

  /** An error response with a small HTML body, like nginx's. */
  errorResponse(
    status: number,
    why: string,
    extra: [string, string][] = [],
    close = false,
  ): ServerResponse {
    const text = `${status} ${statusText(status)}`;
    const body = new TextEncoder().encode(
      `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n<center><h1>${text}</h1></center>\r\n` +
        `<hr><center>${this.options.serverName ?? 'wiretrail'}</center>\r\n</body>\r\n</html>\r\n`,
    );
    const headers = this.baseHeaders();
    headers.append('Content-Type', 'text/html; charset=utf-8');
    headers.append('Content-Length', String(body.length));
    for (const [n, v] of extra) headers.append(n, v);
    return { status, headers, body, why, close };
  }

  /** Decides the response to a request (RFC 9110 semantics), without touching sockets. */
  respond(req: ServerRequest): ServerResponse {
    const site = this.options.site;
    const { method } = req;
    const v11 = req.versionMajor > 1 || req.versionMinor >= 1;
    // RFC 9112 § 3.2: exactly one Host in HTTP/1.1, with a valid value.
    const hosts = req.headers.getAll('host');
    if ((v11 && hosts.length !== 1) || hosts.length > 1) {
      return this.errorResponse(
        400,
        hosts.length === 0 ? 'no Host field in an HTTP/1.1 request' : 'more than one Host field',
        [],
        true,
      );
    }
    if (
      hosts.length === 1 &&
      !/^([A-Za-z0-9._~!$&'()*+,;=%-]*|\[[0-9A-Fa-f:.]+\])(:[0-9]*)?$/.test(hosts[0])
    ) {
      return this.errorResponse(400, `invalid Host value ${JSON.stringify(hosts[0])}`, [], true);
    }
    if (!KNOWN_METHODS.has(method)) {
      return this.errorResponse(501, `method ${method} is not implemented`);
    }
    if (req.target === '*') {
      if (method !== 'OPTIONS') return this.errorResponse(400, '"*" is only for OPTIONS');
      const headers = this.baseHeaders();
      headers.append('Allow', ALLOW);
      headers.append('Content-Length', '0');
      return {
        status: 200,
        headers,
        body: new Uint8Array(0),
        why: 'OPTIONS * → Allow',
        close: false,
      };
    }
    if (method === 'CONNECT') {
      return this.errorResponse(
        405,
        'CONNECT: this is an origin server, not a proxy',
        [['Allow', ALLOW]],
        true,
      );
    }
    // RFC 9112 § 3.2.2: accept absolute-form; the origin is us whatever it names.
    let target = req.target;
    const abs = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(target);
    if (abs) target = target.slice(abs[0].length) || '/';
    if (!target.startsWith('/')) return this.errorResponse(400, `bad request-target ${target}`);
    const cut = target.search(/[?#]/);
    const rawPath = cut < 0 ? target : target.slice(0, cut);
    const query = cut >= 0 && target[cut] === '?' ? target.slice(cut).replace(/#.*$/, '') : '';
    const path = decodePath(rawPath);
    if (path === undefined)
      return this.errorResponse(400, `the path ${rawPath} does not decode or climbs above /`);

    if (method === 'OPTIONS') {
      const headers = this.baseHeaders();
      headers.append('Allow', ALLOW);
      headers.append('Content-Length', '0');
      return {
        status: 204,
        headers,
        body: new Uint8Array(0),
        why: `OPTIONS ${path} → Allow: ${ALLOW}`,
        close: false,
      };
    }
    if (method !== 'GET' && method !== 'HEAD') {
      return this.errorResponse(405, `${method} is not allowed on a static site`, [
        ['Allow', ALLOW],
      ]);
    }

    const redirect = site.redirects.get(path);
    if (redirect !== undefined) return this.redirect(redirect, `configured redirect for ${path}`);

    let filePath = path;
    let why: string;
    if (path.endsWith('/')) {
      filePath = `${path}index.html`;
      why = `${path} has no file name → the default file ${filePath}`;
    } else {
      why = `${path} → ${filePath}`;
    }
    const file = site.files.get(filePath);
    if (file === undefined) {
      if (!path.endsWith('/') && site.files.has(`${path}/index.html`)) {
        // nginx: a directory requested without its trailing slash → 301 to the slash form.
        return this.redirect(`${path}/${query}`, `${path} is a directory: redirect to ${path}/`);
      }
      return this.notFound(path);
    }
    return this.serveFile(req, file, filePath, why);
  }

  private redirect(location: string, why: string): ServerResponse {
    return this.errorResponse(301, why, [['Location', location]]);
  }

  private notFound(path: string): ServerResponse {
    const site = this.options.site;
    const page = site.notFoundPage !== undefined ? site.files.get(site.notFoundPage) : undefined;
    const why = `no file for ${path}`;
    if (page === undefined) return this.errorResponse(404, why);
    const headers = this.baseHeaders();
    headers.append('Content-Type', page.type);
    headers.append('Content-Length', String(page.body.length));
    return { status: 404, headers, body: page.body, why, file: site.notFoundPage, close: false };
  }

  private serveFile(
    req: ServerRequest,
    file: SiteFile,
    filePath: string,
    why: string,
  ): ServerResponse {
    const headers = this.baseHeaders();
    const lastModified = this.lastModified(file.mtimeMs);
    // RFC 9110 § 13.2.2: If-None-Match is evaluated first; when present, If-Modified-Since is ignored.
    const inm = req.headers.get('if-none-match');
    let notModified: string | undefined;
    if (inm !== undefined) {
      if (etagMatches(inm, file.etag))
        notModified = `If-None-Match ${inm} matches ETag ${file.etag}`;
    } else {
      const ims = req.headers.get('if-modified-since');
      const imsMs = ims === undefined ? undefined : parseHttpDate(ims);
      if (imsMs !== undefined && Math.floor(file.mtimeMs / 1000) * 1000 <= imsMs) {
        notModified = `not modified since ${ims} (Last-Modified ${lastModified})`;
      }
    }
    if (notModified !== undefined) {
      // RFC 9110 § 15.4.5: a 304 carries the validators and caching fields a 200 would.
      headers.append('Last-Modified', lastModified);
      headers.append('ETag', file.etag);
      headers.append('Cache-Control', file.cacheControl);
      return {
        status: 304,
        headers,
        body: new Uint8Array(0),
        why: notModified,
        file: filePath,
        close: false,
      };
    }
    headers.append('Content-Type', file.type);
    headers.append('Content-Length', String(file.body.length));
    headers.append('Last-Modified', lastModified);
    headers.append('ETag', file.etag);
    headers.append('Cache-Control', file.cacheControl);
    return { status: 200, headers, body: file.body, why, file: filePath, close: false };
  }
}

/** RFC 9110 § 13.1.2: weak comparison against our strong tag; "*" matches any. */
function etagMatches(header: string, etag: string): boolean {
  const mine = etag.replace(/^W\//, '');
  for (const t of splitList(header)) {
    if (t === '*') return true;
    if (t.replace(/^W\//, '') === mine) return true;
  }
  return false;
}

/** Percent-decodes a path and removes dot segments (RFC 3986 § 5.2.4); undefined if invalid. */
export function decodePath(raw: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segs = decoded.split('/');
  const out: string[] = [];
  for (let i = 1; i < segs.length; i++) {
    const s = segs[i];
    const last = i === segs.length - 1;
    if (s === '.') {
      if (last) out.push('');
      continue;
    }
    if (s === '..') {
      if (out.length === 0) return undefined; // climbs above the root: nginx answers 400
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(s);
  }
  return `/${out.join('/')}`;
}

/** One accepted TCP connection: parses requests, answers them in order, keeps alive, times out. */
class ServerConnection {
  private readonly parser: HttpParser;
  private readonly conn: string;
  private head: HttpHead | undefined;
  private requests = 0;
  private closing = false;
  private idleTimer: TimerHandle | undefined;
  private headTimer: TimerHandle | undefined;
  private requestLine = '-';

  constructor(
    private readonly server: HttpServer,
    private readonly socket: NetSocket,
  ) {
    this.conn = `${formatIpv4(socket.remoteAddress)}:${socket.remotePort}`;
    this.parser = new HttpParser(
      'request',
      {
        onMessageBegin: () => this.onMessageBegin(),
        onHeadersComplete: (h) => this.onHeadersComplete(h),
        onMessageComplete: () => this.onMessageComplete(),
      },
      server.options.limits,
    );
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.clearTimers());
    socket.on('error', () => this.clearTimers());
    this.armIdle();
  }

  private get opts(): HttpServerOptions {
    return this.server.options;
  }

  private clearTimers(): void {
    this.idleTimer?.cancel();
    this.headTimer?.cancel();
    this.idleTimer = undefined;
    this.headTimer = undefined;
  }

  private armIdle(): void {
    this.idleTimer?.cancel();
    const t = this.opts.keepAliveTimeout ?? 75 * SECOND;
    this.idleTimer = this.opts.clock.schedule(t, () => {
      this.idleTimer = undefined;
      if (this.parser.phase === 'idle')
        this.shutdown(`idle for ${t / SECOND} s (keep-alive timeout)`);
    });
  }

  private onMessageBegin(): void {
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    this.requestLine = '-';
    const t = this.opts.requestTimeout ?? 60 * SECOND;
    this.headTimer?.cancel();
    this.headTimer = this.opts.clock.schedule(t, () => {
      this.headTimer = undefined;
      if (this.closing) return;
      const r = this.server.errorResponse(
        408,
        `the request was not complete after ${t / SECOND} s`,
        [],
        true,
      );
      this.send(r, 'GET', '-');
    });
  }

  private onHeadersComplete(head: HttpHead): void {
    if (this.closing) return;
    this.head = head;
    this.requests++;
    this.server.stats.requests++;
    this.requestLine = `${head.method} ${head.target} HTTP/${head.versionMajor}.${head.versionMinor}`;
    const tr = this.opts.trace;
    if (tr.active) {
      tr.emit('http.request-in', this.opts.node, {
        conn: this.conn,
        method: head.method,
        target: head.target,
        version: `${head.versionMajor}.${head.versionMinor}`,
        host: head.headers.get('host') ?? '',
        bytes: head.headBytes,
        requestNo: this.requests,
        headers: head.headers.entries().map(([n, v]) => [n, v]),
      });
    }
  }

  private onMessageComplete(): void {
    this.headTimer?.cancel();
    this.headTimer = undefined;
    const head = this.head;
    if (head === undefined || this.closing) return;
    this.head = undefined;
    const res = this.server.respond(head);
    const max = this.opts.maxRequestsPerConnection ?? 1000;
    // RFC 9112 § 9.6: close after a "close" request; also on upgrade (we do not switch protocols).
    if (!head.keepAlive || head.upgrade || this.requests >= max) res.close = true;
    if (!res.close && head.versionMajor === 1 && head.versionMinor === 0) {
      res.headers.append('Connection', 'keep-alive');
    }
    this.send(res, head.method, head.target, head);
  }

  private send(
    res: ServerResponse,
    method: string,
    target: string,
    head?: HttpHead,
    parseError?: HttpParseError,
  ): void {
    if (this.closing) return;
    if (res.close && !res.headers.has('connection')) res.headers.append('Connection', 'close');
    // RFC 9110 § 6.2: a server sends its own highest version (1.1) whatever the request's minor.
    const headText = responseHeadText({ status: res.status, headers: res.headers });
    // RFC 9110 § 9.3.2: HEAD gets the fields a GET would (Content-Length included), no content.
    if (method === 'HEAD') res.body = new Uint8Array(0);
    const bytes = latin1Bytes(headText, res.body);
    const stats = this.server.stats;
    stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
    const tr = this.opts.trace;
    if (tr.active) {
      tr.emit('http.response-out', this.opts.node, {
        conn: this.conn,
        status: res.status,
        reason: statusText(res.status),
        bytes: bytes.length,
        bodyBytes: res.body.length,
        why: res.why,
        method,
        target,
        ...(res.file !== undefined ? { file: res.file } : {}),
        ...(res.headers.has('content-type')
          ? { contentType: res.headers.get('content-type')! }
          : {}),
        close: res.close,
        ...(parseError
          ? {
              parseError: {
                code: parseError.code,
                offset: parseError.offset,
                reason: parseError.reason,
              },
            }
          : {}),
      });
    }
    this.accessLogLine(res, head);
    this.socket.write(bytes);
    if (res.close)
      this.shutdown(parseError ? `bad request (${parseError.code})` : 'Connection: close');
    else if (this.parser.phase === 'idle') this.armIdle();
  }

  /** nginx combined: $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" */
  private accessLogLine(res: ServerResponse, head: HttpHead | undefined): void {
    const q = (s: string | undefined): string =>
      s === undefined ? '"-"' : JSON.stringify(s).replace(/\\\\/g, '\\');
    const line =
      `${formatIpv4(this.socket.remoteAddress)} - - [${this.server.logDate()}] ` +
      `"${this.requestLine}" ${res.status} ${res.body.length} ` +
      `${q(head?.headers.get('referer'))} ${q(head?.headers.get('user-agent'))}`;
    this.server.log(line);
  }

  private onData(chunk: Uint8Array): void {
    if (this.closing) return; // RFC 9112 § 9.6: read nothing after deciding to close
    this.idleTimer?.cancel();
    this.idleTimer = undefined;
    const r = this.parser.execute(chunk);
    if (r.kind === 'error') {
      this.server.stats.parseErrors++;
      const e = r.error;
      const res = this.server.errorResponse(
        errorStatus(e),
        `${e.reason} (byte ${e.offset})`,
        [],
        true,
      );
      this.send(res, this.head?.method ?? '-', this.head?.target ?? '-', this.head, e);
      return;
    }
    if (!this.closing && this.parser.phase === 'idle' && this.idleTimer === undefined)
      this.armIdle();
  }

  /** The client half-closed (FIN). */
  private onEnd(): void {
    if (this.closing) return;
    const e = this.parser.finish();
    this.shutdown(
      e === undefined
        ? 'the client closed the connection'
        : `the client closed mid-request (${e.code})`,
    );
  }

  /** Closes our side (FIN after queued data); destroys if the peer never closes. */
  shutdown(why: string): void {
    if (this.closing) return;
    this.closing = true;
    this.clearTimers();
    const tr = this.opts.trace;
    if (tr.active)
      tr.emit('http.server-close', this.opts.node, {
        conn: this.conn,
        why,
        requests: this.requests,
      });
    this.socket.end();
  }
}

/** Bytes of a response to a simple request, for tests and tools. */
export function responseBytes(res: ServerResponse): Uint8Array {
  const head = serializeResponseHead({ status: res.status, headers: res.headers });
  return concatBytes([head, res.body]);
}
