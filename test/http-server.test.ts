/**
 * The static server over sockets (raw bytes in, raw bytes out) and the client's pool: status
 * codes and why, conditional requests (304), HEAD, pipelining in order, bad requests answered
 * 400 and closed, keep-alive and request timeouts on simulated time, 6 connections per host,
 * retry of a request whose kept-alive connection the server had closed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../src/sim/scheduler.js';
import { MS, SECOND } from '../src/sim/time.js';
import { TraceBus, TraceRecorder } from '../src/sim/trace.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { HttpServer, decodePath } from '../src/apps/http/server.js';
import type { HttpServerOptions } from '../src/apps/http/server.js';
import { HttpClient } from '../src/apps/http/client.js';
import { HttpHeaders } from '../src/apps/http/headers.js';
import { HttpParser } from '../src/apps/http/parser.js';
import type { HttpHead } from '../src/apps/http/parser.js';
import { createSite } from '../src/apps/http/site.js';
import { formatHttpDate, parseHttpDate } from '../src/apps/http/date.js';
import { FakeNet } from './http-fake-net.js';
import type { FakeSocket } from './http-fake-net.js';

const SRV = parseIpv4('198.51.100.80')!;
const PC = parseIpv4('192.168.3.10')!;
const enc = new TextEncoder();
const dec = new TextDecoder();

const site = createSite(
  'www.server.com',
  {
    '/index.html': '<h1>home</h1>',
    '/a/index.html': '<h1>a</h1>',
    '/style.css': 'body{}',
    '/404.html': '<h1>not here</h1>',
  },
  { redirects: { '/old': '/a/' } },
);

function setup(opts: Partial<HttpServerOptions> = {}) {
  const clock = new Scheduler();
  const trace = new TraceBus(() => clock.now());
  const rec = new TraceRecorder(trace);
  const net = new FakeNet(clock);
  const logs: string[] = [];
  const server = new HttpServer({
    net: net.host(SRV),
    clock,
    trace,
    node: 'web1',
    site,
    accessLog: (l) => logs.push(l),
    ...opts,
  }).listen();
  return { clock, trace, rec, net, server, logs };
}

/** Opens a raw connection, writes `text` (CRLF), collects parsed responses until the server closes or time passes. */
async function raw(
  w: ReturnType<typeof setup>,
  text: string | Uint8Array,
  opts: { wait?: number; headFor?: string[]; endAfter?: boolean } = {},
) {
  const sock = w.net.host(PC).connect({ host: SRV, port: 80 }) as FakeSocket;
  const heads: HttpHead[] = [];
  const bodies: string[] = [];
  let cur: Uint8Array[] = [];
  let closed = false;
  let n = 0;
  const parser = new HttpParser('response', {
    onHeadersComplete: (h) => {
      heads.push(h);
      return opts.headFor?.[n] === 'HEAD' ? 'skip-body' : undefined;
    },
    onBody: (b) => void cur.push(b.slice()),
    onMessageComplete: () => {
      bodies.push(dec.decode(Buffer.concat(cur)));
      cur = [];
      n++;
    },
  });
  sock.on('data', (d) => void parser.execute(d));
  sock.on('end', () => {
    closed = true;
    parser.finish();
    sock.end();
  });
  sock.on('connect', () => {
    sock.write(typeof text === 'string' ? enc.encode(text.replace(/\n/g, '\r\n')) : text);
    if (opts.endAfter) sock.end();
  });
  await w.clock.run({ until: w.clock.now() + (opts.wait ?? 100 * MS) });
  return { heads, bodies, closed: () => closed, sock };
}

describe('responses', () => {
  test('the default file for "/", 404 with the site page, 301 for a directory, configured redirect', async () => {
    const w = setup();
    const r = await raw(
      w,
      'GET / HTTP/1.1\nHost: x\n\nGET /nope HTTP/1.1\nHost: x\n\nGET /a HTTP/1.1\nHost: x\n\nGET /a?x=1 HTTP/1.1\nHost: x\n\nGET /old HTTP/1.1\nHost: x\n\n',
    );
    assert.deepEqual(
      r.heads.map((h) => [h.status, h.headers.get('location') ?? '']),
      [
        [200, ''],
        [404, ''],
        [301, '/a/'],
        [301, '/a/?x=1'],
        [301, '/a/'],
      ],
    );
    assert.equal(r.bodies[0], '<h1>home</h1>');
    assert.equal(r.bodies[1], '<h1>not here</h1>');
    const why = w.rec.ofKind('http.response-out').map((e) => e.why);
    assert.match(why[0], /\/ has no file name → the default file \/index\.html/);
    assert.match(why[1], /no file for \/nope/);
    assert.match(why[2], /\/a is a directory/);
  });

  test('fields of a 200: type, length, validators, cache policy, date from simulated time', async () => {
    const w = setup({ serverName: 'nginx' });
    const r = await raw(w, 'GET /style.css HTTP/1.1\nHost: x\n\n');
    const h = r.heads[0].headers;
    assert.equal(h.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(h.get('content-length'), '6');
    assert.equal(h.get('cache-control'), 'max-age=3600');
    assert.equal(h.get('server'), 'nginx');
    assert.equal(h.get('etag'), site.files.get('/style.css')!.etag);
    assert.equal(h.get('last-modified'), 'Sun, 01 Dec 2024 00:00:00 GMT');
    assert.equal(h.get('date'), 'Wed, 01 Jan 2025 00:00:00 GMT');
  });

  test('HEAD has the fields of GET and no content', async () => {
    const w = setup();
    const r = await raw(w, 'HEAD / HTTP/1.1\nHost: x\n\nGET / HTTP/1.1\nHost: x\n\n', {
      headFor: ['HEAD'],
    });
    assert.equal(r.heads[0].headers.get('content-length'), '13');
    assert.deepEqual(r.bodies, ['', '<h1>home</h1>']);
  });

  test('304 on If-None-Match (weak comparison, lists, *) and If-Modified-Since; If-None-Match wins', async () => {
    const w = setup();
    const etag = site.files.get('/index.html')!.etag;
    const r = await raw(
      w,
      `GET / HTTP/1.1\nHost: x\nIf-None-Match: "zzz", W/${etag}\n\n` +
        'GET / HTTP/1.1\nHost: x\nIf-None-Match: *\n\n' +
        'GET / HTTP/1.1\nHost: x\nIf-Modified-Since: Sun, 01 Dec 2024 00:00:00 GMT\n\n' +
        'GET / HTTP/1.1\nHost: x\nIf-Modified-Since: Sat, 30 Nov 2024 00:00:00 GMT\n\n' +
        'GET / HTTP/1.1\nHost: x\nIf-None-Match: "other"\nIf-Modified-Since: Sun, 01 Dec 2024 00:00:00 GMT\n\n',
    );
    assert.deepEqual(
      r.heads.map((h) => h.status),
      [304, 304, 304, 200, 200],
    );
    assert.equal(r.heads[0].headers.get('etag'), etag);
    assert.equal(r.bodies[0], '');
  });

  test('405 with Allow for POST, 501 for an unknown method, OPTIONS, 400 without Host in 1.1', async () => {
    const w = setup();
    const r = await raw(
      w,
      'POST / HTTP/1.1\nHost: x\nContent-Length: 2\n\nhiBREW /pot HTTP/1.1\nHost: x\n\nOPTIONS * HTTP/1.1\nHost: x\n\nGET / HTTP/1.0\n\nGET / HTTP/1.1\nHost: x\n\n',
    );
    assert.deepEqual(
      r.heads.map((h) => h.status),
      [405, 501, 200, 200],
      'a 1.0 request without keep-alive ends the connection: the fifth is not answered',
    );
    assert.equal(r.heads[0].headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(r.heads[2].headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(r.closed(), true);
    const noHost = await raw(w, 'GET / HTTP/1.1\n\n');
    assert.equal(noHost.heads[0].status, 400);
    assert.equal(noHost.closed(), true);
    const twoHosts = await raw(w, 'GET / HTTP/1.1\nHost: a\nHost: b\n\n');
    assert.equal(twoHosts.heads[0].status, 400);
  });

  test('paths are decoded and cannot climb above the root', () => {
    assert.equal(decodePath('/a/./b/../c%20d'), '/a/c d');
    assert.equal(decodePath('/a/'), '/a/');
    assert.equal(decodePath('/..'), undefined);
    assert.equal(decodePath('/%2e%2e/etc/passwd'), undefined);
    assert.equal(decodePath('/%zz'), undefined);
    assert.equal(decodePath('/a%00b'), undefined);
  });

  test('HTTP dates round-trip and the obsolete formats parse (RFC 9110 § 5.6.7)', () => {
    const ms = Date.UTC(1994, 10, 6, 8, 49, 37);
    assert.equal(formatHttpDate(ms), 'Sun, 06 Nov 1994 08:49:37 GMT');
    assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), ms);
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), ms);
    assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), ms);
    assert.equal(parseHttpDate('Sun, 31 Feb 1994 08:49:37 GMT'), undefined);
    assert.equal(parseHttpDate('yesterday'), undefined);
  });
});

describe('connections', () => {
  test('pipelined requests are answered in order, each logged like nginx', async () => {
    const w = setup();
    const r = await raw(
      w,
      'GET /style.css HTTP/1.1\nHost: x\n\nGET / HTTP/1.1\nHost: x\nUser-Agent: t/1\nReferer: http://x/\n\nGET /a/ HTTP/1.1\nHost: x\n\n',
    );
    assert.deepEqual(r.bodies, ['body{}', '<h1>home</h1>', '<h1>a</h1>']);
    assert.equal(w.logs.length, 3);
    assert.match(
      w.logs[1],
      /^192\.168\.3\.10 - - \[01\/Jan\/2025:00:00:00 \+0000\] "GET \/ HTTP\/1\.1" 200 13 "http:\/\/x\/" "t\/1"$/,
    );
  });

  test('a smuggling attempt gets 400 and the connection closes; nothing after it is answered', async () => {
    const w = setup();
    const r = await raw(
      w,
      'POST / HTTP/1.1\nHost: x\nContent-Length: 5\nTransfer-Encoding: chunked\n\n0\n\nGET /admin HTTP/1.1\nHost: x\n\n',
    );
    assert.deepEqual(
      r.heads.map((h) => h.status),
      [400],
    );
    assert.equal(r.closed(), true);
    const out = w.rec.ofKind('http.response-out')[0];
    assert.equal(out.parseError?.code, 'content-length-with-transfer-encoding');
    assert.match(w.logs[0], /"-" 400 /);
  });

  test('bad requests map to 400, 414 and 431', async () => {
    const w = setup({ limits: { maxTargetBytes: 20 } });
    const a = await raw(w, 'GET / HTTP/1.1\nHost: x\nBad Header: 1\n\n');
    const b = await raw(w, `GET /${'a'.repeat(50)} HTTP/1.1\nHost: x\n\n`);
    const c = await raw(
      w,
      `GET / HTTP/1.1\nHost: x\n${Array.from({ length: 120 }, (_, i) => `X-${i}: y`).join('\n')}\n\n`,
    );
    assert.deepEqual([a.heads[0].status, b.heads[0].status, c.heads[0].status], [400, 414, 431]);
  });

  test('Connection: close is honoured; a second request on the same bytes is not answered', async () => {
    const w = setup();
    const r = await raw(
      w,
      'GET / HTTP/1.1\nHost: x\nConnection: close\n\nGET / HTTP/1.1\nHost: x\n\n',
    );
    assert.equal(r.heads.length, 1);
    assert.equal(r.heads[0].headers.get('connection'), 'close');
    assert.equal(r.closed(), true);
  });

  test('keep-alive: the server closes an idle connection after its timeout', async () => {
    const w = setup({ keepAliveTimeout: 5 * SECOND });
    const r = await raw(w, 'GET / HTTP/1.1\nHost: x\n\n', { wait: 4 * SECOND });
    assert.equal(r.closed(), false);
    await w.clock.run({ until: w.clock.now() + 2 * SECOND });
    assert.equal(r.closed(), true);
    assert.match(w.rec.ofKind('http.server-close')[0].why, /idle for 5 s/);
  });

  test('a request that never completes gets 408 after the request timeout', async () => {
    const w = setup({ requestTimeout: 2 * SECOND });
    const r = await raw(w, 'GET / HTTP/1.1\nHost: x\n', { wait: 3 * SECOND });
    assert.equal(r.heads[0]?.status, 408);
    assert.equal(r.closed(), true);
  });

  test('HTTP/1.0 keep-alive gets Connection: keep-alive back', async () => {
    const w = setup();
    const r = await raw(w, 'GET / HTTP/1.0\nConnection: keep-alive\n\n');
    assert.equal(r.heads[0].headers.get('connection'), 'keep-alive');
    assert.equal(r.closed(), false);
  });
});

describe('client pool', () => {
  function client(w: ReturnType<typeof setup>, max = 6) {
    return new HttpClient({
      net: w.net.host(PC),
      clock: w.clock,
      trace: w.trace,
      node: 'pc',
      maxConnectionsPerHost: max,
    });
  }

  test('at most 6 connections per host; extra requests wait for a free one', async () => {
    const w = setup();
    const c = client(w);
    const all = Promise.all(
      Array.from({ length: 10 }, () => c.request({ url: 'http://www.server.com/', address: SRV })),
    );
    const res = await w.clock.runUntilSettled(all);
    assert.equal(new Set(res.map((r) => r.connectionId)).size, 6);
    assert.equal(w.net.connects, 6);
    assert.equal(res.filter((r) => r.reused).length, 4);
    assert.equal(w.rec.ofKind('http.pool').filter((e) => e.action === 'wait').length, 4);
    assert.deepEqual(c.connections(), [
      { origin: 'www.server.com:80', open: 6, idle: 6, waiting: 0 },
    ]);
  });

  test('timing marks: connect, request sent, first byte, last byte', async () => {
    const w = setup();
    const c = client(w);
    const r = await w.clock.runUntilSettled(
      c.request({ url: 'http://www.server.com/', address: SRV }),
    );
    const t = r.timing;
    assert.equal(t.connectEnd! - t.connectStart!, 2 * MS);
    assert.equal(t.responseStart - t.requestSent, 2 * MS);
    assert.equal(r.requestHeadText, 'GET / HTTP/1.1\r\nHost: www.server.com\r\n\r\n');
  });

  test('a kept-alive connection closed by the server is replaced, and a request caught by it is retried', async () => {
    const w = setup({ keepAliveTimeout: 10 * SECOND });
    const c = new HttpClient({
      net: w.net.host(PC),
      clock: w.clock,
      trace: w.trace,
      node: 'pc',
      idleTimeout: 100 * SECOND,
    });
    await w.clock.runUntilSettled(c.request({ url: 'http://www.server.com/', address: SRV }));
    // Send just as the server's idle timer fires: its FIN and our request cross.
    await w.clock.run({ until: w.clock.now() + 10 * SECOND - 1 * MS });
    const r = await w.clock.runUntilSettled(
      c.request({ url: 'http://www.server.com/a/', address: SRV }),
    );
    assert.equal(r.status, 200);
    assert.equal(dec.decode(r.body), '<h1>a</h1>');
    assert.ok(w.rec.ofKind('http.pool').some((e) => /retrying/.test(e.why)));
  });

  test('fetch follows redirects (max 20) and gives up on a loop', async () => {
    const loop = createSite('loop', { '/x.html': 'x' }, { redirects: { '/a': '/b', '/b': '/a' } });
    const w = setup({ site: loop });
    const c = client(w);
    const resolve = async () => ({ addresses: [SRV] });
    await assert.rejects(
      w.clock.runUntilSettled(c.fetch('http://loop/a', { resolve })),
      /more than 20 redirects/,
    );
    const w2 = setup();
    const r = await w2.clock.runUntilSettled(
      client(w2).fetch('http://www.server.com/old', { resolve }),
    );
    assert.equal(r.status, 200);
    assert.equal(r.redirects.length, 1);
  });

  test('a request times out on simulated time', async () => {
    const w = setup();
    w.net
      .host(parseIpv4('198.51.100.9')!)
      .createServer(() => {})
      .listen(80);
    const c = new HttpClient({
      net: w.net.host(PC),
      clock: w.clock,
      trace: w.trace,
      node: 'pc',
      requestTimeout: 3 * SECOND,
    });
    const t0 = w.clock.now();
    await assert.rejects(
      w.clock.runUntilSettled(c.request({ url: 'http://x/', address: parseIpv4('198.51.100.9')! })),
      /within 3 s/,
    );
    assert.equal(w.clock.now() - t0, 3 * SECOND + 2 * MS);
  });

  test('a body sent by the client gets Content-Length', async () => {
    const w = setup();
    const c = client(w);
    const r = await w.clock.runUntilSettled(
      c.request({
        method: 'POST',
        url: 'http://www.server.com/',
        address: SRV,
        body: enc.encode('abc'),
        headers: new HttpHeaders([['Content-Type', 'text/plain']]),
      }),
    );
    assert.equal(r.status, 405);
    assert.match(r.requestHeadText, /Content-Length: 3\r\n/);
  });
});
