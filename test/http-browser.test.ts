/**
 * The browser against the static server over the in-memory network: first visit (DNS, connect,
 * default file, subresources on kept-alive connections, rendering, timing), second visit (HTTP
 * cache fresh hits and a 304 revalidation, DNS cache hit, connection reuse), redirects, 404, and
 * the errors a user can meet.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../src/sim/scheduler.js';
import { SECOND } from '../src/sim/time.js';
import { TraceBus, TraceRecorder } from '../src/sim/trace.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { Browser, BrowserError } from '../src/apps/browser/browser.js';
import type { BrowserSettings } from '../src/apps/browser/browser.js';
import { HttpServer } from '../src/apps/http/server.js';
import { embeddedSite } from '../src/world/sites/index.js';
import { FakeNet } from './http-fake-net.js';

const SERVER = parseIpv4('198.51.100.80')!;
const PC = parseIpv4('192.168.3.10')!;

function world(settings: Partial<BrowserSettings> = {}) {
  const clock = new Scheduler();
  const trace = new TraceBus(() => clock.now());
  const rec = new TraceRecorder(trace);
  const net = new FakeNet(clock, { delay: 2_000_000 });
  const server = new HttpServer({
    net: net.host(SERVER),
    clock,
    trace,
    node: 'web1',
    site: embeddedSite('www.server.com')!,
  }).listen();
  const lookups: string[] = [];
  const browser = new Browser({
    net: net.host(PC),
    resolve: async (name) => {
      lookups.push(name);
      if (name === 'www.server.com') return { addresses: [SERVER], ttl: 300 };
      throw new Error('the name does not exist (NXDOMAIN)');
    },
    clock,
    trace,
    node: 'pc',
    options: settings,
  });
  const visit = (text: string) => clock.runUntilSettled(browser.visit(text));
  return { clock, trace, rec, net, server, browser, lookups, visit };
}

describe('first visit', () => {
  test('loads the default file, fetches the subresources, renders text', async () => {
    const w = world();
    const page = await w.visit('www.server.com');
    assert.equal(page.status, 200);
    assert.equal(page.url, 'http://www.server.com/');
    assert.equal(page.title, 'What happens when you type a URL');
    assert.match(page.text, /^\[image: logo\.png 294 B "wiretrail"\]/);
    assert.match(page.text, /# What happens when you type a URL/);
    assert.match(page.text, /every step in detail\[1\]/);
    assert.match(page.text, /References\n {2}\[1\] http:\/\/www\.server\.com\/steps\//);
    assert.deepEqual(
      page.resources.map((r) => [r.resource, r.url, r.status]),
      [
        ['document', 'http://www.server.com/', 200],
        ['stylesheet', 'http://www.server.com/style.css', 200],
        ['script', 'http://www.server.com/app.js', 200],
        ['image', 'http://www.server.com/logo.png', 200],
      ],
    );
    const doc = page.resources[0];
    assert.ok(doc.dns === 0, 'the resolver here answers at once');
    assert.equal(doc.connect, 4_000_000, 'SYN and SYN-ACK each take 2 ms');
    assert.equal(doc.wait, 4_000_000, 'request there, response back');
    // The document's connection is reused by one subresource; the others open new ones (≤ 6).
    const conns = new Set(page.resources.map((r) => r.connectionId));
    assert.equal(conns.size, 3);
    assert.equal(page.resources.filter((r) => r.reused).length, 1);
    assert.deepEqual(w.lookups, ['www.server.com']);
    const parsed = w.rec.ofKind('browser.url-parsed')[0];
    assert.equal(parsed.defaultFile, true);
    assert.equal(parsed.addedScheme, true);
    assert.equal(parsed.port, 80);
    const built = w.rec.ofKind('browser.request-built')[0];
    assert.equal(
      built.text,
      'GET / HTTP/1.1\r\nHost: www.server.com\r\nUser-Agent: wiretrail/0.1\r\nAccept: text/html,*/*;q=0.8\r\nConnection: keep-alive\r\n\r\n',
    );
    const out = w.rec.ofKind('http.response-out')[0];
    assert.match(out.why, /default file \/index\.html/);
    assert.equal(w.rec.ofKind('browser.page-rendered').length, 1);
    assert.match(
      w.server.accessLog[0],
      /^192\.168\.3\.10 - - \[01\/Jan\/2025:00:00:00 \+0000\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "wiretrail\/0\.1"$/,
    );
  });

  test('one connection per host when asked: everything on a kept-alive connection', async () => {
    const w = world({ maxConnectionsPerHost: 1 });
    const page = await w.visit('http://www.server.com/');
    assert.equal(new Set(page.resources.map((r) => r.connectionId)).size, 1);
    assert.equal(page.resources.filter((r) => r.reused).length, 3);
    assert.ok(w.rec.ofKind('http.pool').some((e) => e.action === 'wait'));
  });

  test('trace events come in the order of the seeds: URL, request, caches, DNS, connect', async () => {
    const w = world();
    await w.visit('http://www.server.com/');
    const kinds = w.rec.events.map((e) => e.kind);
    const first = (k: string) => kinds.indexOf(k as never);
    assert.ok(first('browser.url-parsed') < first('browser.request-built'));
    assert.ok(first('browser.request-built') < first('browser.cache'));
    assert.ok(first('browser.cache') < first('browser.dns-cache'));
    assert.ok(first('browser.dns-cache') < first('http.pool'));
    assert.ok(first('http.request-out') < first('http.request-in'));
    assert.ok(first('http.response-in') < first('browser.resource-timing'));
    assert.ok(first('browser.resource-timing') < first('browser.page-rendered'));
  });
});

describe('second visit: caches and keep-alive at work', () => {
  test('assets fresh from the cache, the page revalidated with a 304, DNS cached, connection reused', async () => {
    const w = world();
    await w.visit('http://www.server.com/');
    w.clock.runSync({ until: w.clock.now() + 10 * SECOND });
    const before = w.net.connects;
    const page = await w.visit('http://www.server.com/');
    assert.equal(page.status, 200);
    assert.deepEqual(
      page.resources.map((r) => [r.resource, r.cache]),
      [
        ['document', 'revalidated'],
        ['stylesheet', 'memory'],
        ['script', 'memory'],
        ['image', 'memory'],
      ],
    );
    assert.equal(page.resources[0].reused, true);
    assert.equal(w.net.connects, before, 'no new TCP connection');
    assert.deepEqual(w.lookups, ['www.server.com'], 'the browser DNS cache answered');
    const built = w.rec.ofKind('browser.request-built').at(-4)!;
    assert.deepEqual(
      built.conditional.map(([n]) => n),
      ['If-None-Match', 'If-Modified-Since'],
    );
    assert.ok(w.rec.ofKind('browser.dns-cache').some((e) => e.result === 'hit'));
    const out = w.rec.ofKind('http.response-out').at(-1)!;
    assert.equal(out.status, 304);
    assert.equal(out.bodyBytes, 0);
    assert.match(page.text, /What happens when you type a URL/);
  });

  test('after the freshness lifetime, assets are revalidated; after the DNS TTL, DNS is asked again', async () => {
    const w = world();
    await w.visit('http://www.server.com/');
    w.clock.runSync({ until: w.clock.now() + 3700 * SECOND });
    const page = await w.visit('http://www.server.com/');
    assert.deepEqual(
      page.resources.map((r) => r.cache),
      ['revalidated', 'revalidated', 'revalidated', 'revalidated'],
    );
    assert.deepEqual(w.lookups, ['www.server.com', 'www.server.com']);
    assert.ok(w.rec.ofKind('browser.dns-cache').some((e) => e.result === 'expired'));
  });

  test('the server closes idle connections after 75 s; the browser opens a new one', async () => {
    const w = world({ idleTimeout: 600 * SECOND });
    await w.visit('http://www.server.com/');
    w.clock.runSync({ until: w.clock.now() + 80 * SECOND });
    assert.ok(w.rec.ofKind('http.server-close').some((e) => /keep-alive timeout/.test(e.why)));
    const page = await w.visit('http://www.server.com/');
    assert.equal(page.resources[0].reused, false);
    assert.equal(page.status, 200);
  });
});

describe('redirects and errors', () => {
  test('a directory without its slash: 301, then the default file', async () => {
    const w = world();
    const page = await w.visit('http://www.server.com/steps');
    assert.deepEqual(page.redirects, [
      { from: 'http://www.server.com/steps', to: 'http://www.server.com/steps/', status: 301 },
    ]);
    assert.equal(page.url, 'http://www.server.com/steps/');
    assert.equal(page.title, 'Every step, in detail');
    assert.equal(page.resources[0].status, 301);
    assert.equal(page.resources[1].reused, true);
  });

  test('a missing file renders the 404 page', async () => {
    const w = world();
    const page = await w.visit('http://www.server.com/nope.html');
    assert.equal(page.status, 404);
    assert.match(page.text, /# 404 Not Found/);
  });

  const errors: [string, string, RegExp][] = [
    [
      'https://www.server.com/',
      'https-not-supported',
      /HTTPS is not supported yet \(no TLS in wiretrail\)/,
    ],
    ['ftp://www.server.com/', 'unsupported-scheme', /http:\/\/ only/],
    ['http://www.server.com:99999/', 'invalid-url', /port 99999 is out of range/],
    ['www.ser ver.com', 'invalid-url', /cannot contain spaces/],
    ['   ', 'empty', /type an address/],
    ['http://www.nosuch.com/', 'dns', /cannot find www\.nosuch\.com: the name does not exist/],
    ['http://www.server.com:8080/', 'connection-refused', /connection refused/],
  ];
  for (const [input, code, message] of errors) {
    test(`${JSON.stringify(input)} → ${code}`, async () => {
      const w = world();
      await assert.rejects(w.visit(input), (e: unknown) => {
        assert.ok(e instanceof BrowserError);
        assert.equal(e.code, code);
        assert.match(e.message, message);
        return true;
      });
      const ev = w.rec.ofKind('browser.error');
      assert.equal(ev.length, 1);
      assert.equal(ev[0].code, code);
    });
  }

  test('an unanswered request times out on simulated time', async () => {
    const w = world({ requestTimeout: 5 * SECOND });
    // A server that accepts and never answers.
    w.net
      .host(parseIpv4('198.51.100.81')!)
      .createServer(() => {})
      .listen(80);
    const b = new Browser({
      net: w.net.host(PC),
      resolve: async () => ({ addresses: [parseIpv4('198.51.100.81')!] }),
      clock: w.clock,
      trace: w.trace,
      node: 'pc2',
      options: { requestTimeout: 5 * SECOND },
    });
    const t0 = w.clock.now();
    await assert.rejects(
      w.clock.runUntilSettled(b.visit('http://silent.example/')),
      /did not answer in time/,
    );
    assert.ok(w.clock.now() - t0 >= 5 * SECOND);
  });
});
