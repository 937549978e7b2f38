/**
 * The browser's HTTP cache (RFC 9111): what is stored, freshness from max-age / Expires /
 * heuristic, age calculation, no-cache, no-store, Vary, and freshening with a 304; and the
 * browser's DNS cache.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SECOND } from '../src/sim/time.js';
import { HttpCache, parseCacheControl } from '../src/apps/browser/http-cache.js';
import { BrowserDnsCache } from '../src/apps/browser/dns-cache.js';
import { HttpHeaders } from '../src/apps/http/headers.js';
import { DEFAULT_EPOCH_MS, formatHttpDate } from '../src/apps/http/date.js';

const body = new TextEncoder().encode('x');
const date = (s: number) => formatHttpDate(DEFAULT_EPOCH_MS + s * 1000);
const res = (status: number, fields: [string, string][]) => ({
  status,
  reason: '',
  headers: new HttpHeaders([['Date', date(0)], ...fields]),
  body,
});
const U = 'http://www.server.com/a';

describe('RFC 9111 freshness', () => {
  test('max-age: fresh until its age reaches it', () => {
    const c = new HttpCache();
    assert.equal(c.store(U, res(200, [['Cache-Control', 'max-age=60']]), 0, 0).stored, true);
    const l1 = c.lookup(U, 59 * SECOND)!;
    assert.equal(l1.fresh, true);
    assert.match(l1.why, /max-age=60, age 59 s → fresh for 1 s more/);
    assert.equal(c.lookup(U, 60 * SECOND)!.fresh, false);
  });

  test('Expires − Date, and an invalid Expires is already expired', () => {
    const c = new HttpCache();
    c.store(U, res(200, [['Expires', date(100)]]), 0, 0);
    assert.equal(c.lookup(U, 99 * SECOND)!.fresh, true);
    assert.equal(c.lookup(U, 101 * SECOND)!.fresh, false);
    c.store(U, res(200, [['Expires', '0']]), 0, 0);
    assert.equal(c.lookup(U, 0)!.fresh, false);
  });

  test('max-age wins over Expires', () => {
    const c = new HttpCache();
    c.store(
      U,
      res(200, [
        ['Expires', date(1000)],
        ['Cache-Control', 'max-age=10'],
      ]),
      0,
      0,
    );
    assert.equal(c.lookup(U, 20 * SECOND)!.fresh, false);
  });

  test('heuristic: 10% of the time since Last-Modified', () => {
    const c = new HttpCache();
    c.store(U, res(200, [['Last-Modified', date(-10 * 86400)]]), 0, 0);
    const l = c.lookup(U, 0)!;
    assert.equal(l.lifetime, 86400);
    assert.match(l.why, /heuristic/);
  });

  test('age counts the Age field, the response delay and the time in the cache (§ 4.2.3)', () => {
    const c = new HttpCache();
    c.store(
      U,
      res(200, [
        ['Cache-Control', 'max-age=100'],
        ['Age', '30'],
      ]),
      0,
      2 * SECOND,
    );
    const l = c.lookup(U, 12 * SECOND)!;
    assert.equal(l.age, 30 + 2 + 10);
  });

  test('no-cache is stored but always revalidated; no-store is not stored', () => {
    const c = new HttpCache();
    assert.equal(
      c.store(
        U,
        res(200, [
          ['Cache-Control', 'no-cache'],
          ['ETag', '"1"'],
        ]),
        0,
        0,
      ).stored,
      true,
    );
    const l = c.lookup(U, 0)!;
    assert.equal(l.fresh, false);
    assert.deepEqual(l.validators, [['If-None-Match', '"1"']]);
    assert.equal(
      c.store(U, res(200, [['Cache-Control', 'no-store, max-age=60']]), 0, 0).stored,
      false,
    );
  });

  test('statuses: 404 is heuristically cacheable, 500 is not, 302 only with explicit freshness', () => {
    const c = new HttpCache();
    assert.equal(c.store(U, res(404, [['Cache-Control', 'max-age=5']]), 0, 0).stored, true);
    assert.equal(c.store(U, res(500, []), 0, 0).stored, false);
    assert.equal(c.store(U, res(302, []), 0, 0).stored, false);
    assert.equal(c.store(U, res(302, [['Cache-Control', 'max-age=5']]), 0, 0).stored, true);
  });

  test('Vary: a different request field value misses; Vary: * is not stored', () => {
    const c = new HttpCache();
    const en = new HttpHeaders([['Accept-Language', 'en']]);
    c.store(
      U,
      res(200, [
        ['Cache-Control', 'max-age=60'],
        ['Vary', 'Accept-Language'],
      ]),
      0,
      0,
      en,
    );
    assert.ok(c.lookup(U, 0, en));
    assert.equal(c.lookup(U, 0, new HttpHeaders([['Accept-Language', 'zh']])), undefined);
    assert.equal(c.store(U, res(200, [['Vary', '*']]), 0, 0).stored, false);
  });

  test('a 304 freshens the stored response (§ 4.3.4)', () => {
    const c = new HttpCache();
    c.store(
      U,
      res(200, [
        ['Cache-Control', 'max-age=10'],
        ['ETag', '"1"'],
      ]),
      0,
      0,
    );
    assert.equal(c.lookup(U, 20 * SECOND)!.fresh, false);
    c.freshen(
      U,
      new HttpHeaders([
        ['Date', date(20)],
        ['Cache-Control', 'max-age=10'],
        ['ETag', '"1"'],
      ]),
      20 * SECOND,
      20 * SECOND,
    );
    assert.equal(c.lookup(U, 25 * SECOND)!.fresh, true);
    assert.equal(c.lookup(U, 25 * SECOND)!.entry.headers.getAll('etag').length, 1);
  });

  test('Cache-Control parsing: case, quotes, repeated directives keep the first', () => {
    const cc = parseCacheControl('Max-Age="5", no-cache, max-age=9');
    assert.equal(cc.get('max-age'), '5');
    assert.ok(cc.has('no-cache'));
  });
});

describe('browser DNS cache', () => {
  test('keeps min(TTL, 60 s); expired entries are reported and dropped', () => {
    const d = new BrowserDnsCache();
    d.put('www.server.com', [1], 0, 300);
    const hit = d.lookup('WWW.server.com', 59 * SECOND);
    assert.equal(hit.result, 'hit');
    assert.equal(d.lookup('www.server.com', 60 * SECOND).result, 'expired');
    assert.equal(d.lookup('www.server.com', 61 * SECOND).result, 'miss');
    d.put('short.example', [2], 0, 5);
    assert.equal(d.lookup('short.example', 6 * SECOND).result, 'expired');
  });
});
