/**
 * HTTP/1.1 parser and serializer: smuggling defences, incremental parsing at every split,
 * pipelining, HEAD/1xx/204/304 framing, limits, and a serialize → split → parse property test.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HttpParser, errorStatus } from '../src/apps/http/parser.js';
import type { HttpHead, HttpMessageKind, HttpParseErrorCode } from '../src/apps/http/parser.js';
import { HttpHeaders } from '../src/apps/http/headers.js';
import {
  encodeChunk,
  lastChunk,
  serializeRequestHead,
  serializeResponseHead,
  concatBytes,
} from '../src/apps/http/message.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const crlf = (s: string): Uint8Array => enc.encode(s.replace(/\n/g, '\r\n'));

interface Msg {
  head: HttpHead;
  body: string;
  trailers: [string, string][];
}

/** Parses `input` fed in pieces of `step` bytes; returns messages and the error code if any. */
function parse(
  kind: HttpMessageKind,
  input: Uint8Array,
  step = input.length || 1,
  opts: {
    skipBody?: boolean;
    limits?: ConstructorParameters<typeof HttpParser>[2];
    finish?: boolean;
  } = {},
): { msgs: Msg[]; error?: HttpParseErrorCode; upgrade?: number } {
  const msgs: Msg[] = [];
  let cur: { head?: HttpHead; body: Uint8Array[] } = { body: [] };
  const p = new HttpParser(
    kind,
    {
      onHeadersComplete: (h) => {
        cur.head = h;
        return opts.skipBody ? 'skip-body' : undefined;
      },
      onBody: (b) => cur.body.push(b.slice()),
      onMessageComplete: (t) => {
        msgs.push({
          head: cur.head!,
          body: dec.decode(concatBytes(cur.body)),
          trailers: t.entries() as [string, string][],
        });
        cur = { body: [] };
      },
    },
    opts.limits,
  );
  for (let i = 0; i < input.length; i += step) {
    const r = p.execute(input.subarray(i, i + step));
    if (r.kind === 'error') return { msgs, error: r.error.code };
    if (r.kind === 'upgrade') return { msgs, upgrade: r.offset };
  }
  if (opts.finish) {
    const e = p.finish();
    if (e) return { msgs, error: e.code };
  }
  return { msgs };
}

describe('request smuggling defences (RFC 9112 § 6.1, § 6.3, § 11.2)', () => {
  const cases: [string, string, HttpParseErrorCode][] = [
    [
      'CL then TE',
      'POST / HTTP/1.1\nHost: a\nContent-Length: 3\nTransfer-Encoding: chunked\n\n',
      'content-length-with-transfer-encoding',
    ],
    [
      'TE then CL',
      'POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\nContent-Length: 3\n\n',
      'content-length-with-transfer-encoding',
    ],
    [
      'duplicate CL, different',
      'POST / HTTP/1.1\nContent-Length: 3\nContent-Length: 4\n\n',
      'duplicate-content-length',
    ],
    [
      'duplicate CL, equal',
      'POST / HTTP/1.1\nContent-Length: 3\nContent-Length: 3\n\n',
      'duplicate-content-length',
    ],
    ['CL list', 'POST / HTTP/1.1\nContent-Length: 3, 3\n\n', 'bad-content-length'],
    ['CL sign', 'POST / HTTP/1.1\nContent-Length: +3\n\n', 'bad-content-length'],
    ['CL negative', 'POST / HTTP/1.1\nContent-Length: -1\n\n', 'bad-content-length'],
    ['CL hex', 'POST / HTTP/1.1\nContent-Length: 0x10\n\n', 'bad-content-length'],
    ['CL empty', 'POST / HTTP/1.1\nContent-Length:\n\n', 'bad-content-length'],
    [
      'CL overflow',
      'POST / HTTP/1.1\nContent-Length: 99999999999999999999999\n\n',
      'content-length-overflow',
    ],
    ['TE identity', 'POST / HTTP/1.1\nTransfer-Encoding: identity\n\n', 'bad-transfer-encoding'],
    [
      'TE chunked not last',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked, gzip\n\n',
      'bad-transfer-encoding',
    ],
    [
      'TE disguised xchunked',
      'POST / HTTP/1.1\nTransfer-Encoding: xchunked\n\n',
      'bad-transfer-encoding',
    ],
    [
      'TE chunked twice',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\nTransfer-Encoding: chunked\n\n',
      'bad-transfer-encoding',
    ],
    [
      'TE after chunked line',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\nTransfer-Encoding: gzip\n\n',
      'bad-transfer-encoding',
    ],
    ['TE empty', 'POST / HTTP/1.1\nTransfer-Encoding:\n\n', 'bad-transfer-encoding'],
    [
      'TE in HTTP/1.0',
      'POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n0\n\n',
      'bad-transfer-encoding',
    ],
    [
      'TE with vertical tab',
      'POST / HTTP/1.1\nTransfer-Encoding: \x0bchunked\n\n',
      'bad-field-value',
    ],
    [
      'space before colon',
      'POST / HTTP/1.1\nTransfer-Encoding : chunked\n\n',
      'space-before-colon',
    ],
    ['tab before colon', 'POST / HTTP/1.1\nContent-Length\t: 1\n\n', 'space-before-colon'],
    ['obs-fold', 'GET / HTTP/1.1\nHost: a\nX: 1\n 2\n\n', 'obs-fold'],
    ['obs-fold of TE', 'POST / HTTP/1.1\nTransfer-Encoding:\n chunked\n\n', 'obs-fold'],
    ['whitespace before first field', 'GET / HTTP/1.1\n Host: a\n\n', 'space-after-start-line'],
    ['NUL in a value', 'GET / HTTP/1.1\nX: a\0b\n\n', 'bad-field-value'],
    ['NUL in a name', 'GET / HTTP/1.1\nX\0: a\n\n', 'bad-field-name'],
    ['empty name', 'GET / HTTP/1.1\n: a\n\n', 'bad-field-name'],
    [
      'CL in trailer',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n0\nContent-Length: 5\n\n',
      'bad-trailer',
    ],
    [
      'chunk size with 0x',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n0x5\nhello\n0\n\n',
      'bad-chunk-size',
    ],
    [
      'chunk size with space',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5 \nhello\n0\n\n',
      'bad-chunk-size',
    ],
    [
      'chunk size negative',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n-5\nhello\n0\n\n',
      'bad-chunk-size',
    ],
    [
      'chunk size overflow',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\n\nfffffffffffffffff\n',
      'chunk-size-overflow',
    ],
    [
      'chunk data too long',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n3\nhello\n0\n\n',
      'bad-chunk-end',
    ],
    [
      'chunk ext with space',
      'POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5; a=b\nhello\n0\n\n',
      'bad-chunk-extension',
    ],
    ['method with space', 'GE T / HTTP/1.1\n\n', 'bad-target'],
    ['two spaces after method', 'GET  / HTTP/1.1\n\n', 'bad-target'],
    ['target with CTL', 'GET /a\x01b HTTP/1.1\n\n', 'bad-target'],
    ['HTTP/2.0 request line', 'GET / HTTP/2.0\n\n', 'unsupported-version'],
    ['lowercase http', 'GET / http/1.1\n\n', 'bad-protocol'],
  ];
  for (const [name, text, code] of cases) {
    test(name, () => {
      const r = parse('request', crlf(text));
      assert.equal(r.error, code);
      assert.equal(r.msgs.length, 0);
    });
  }

  test('bare CR is an error, bare LF is an error', () => {
    assert.equal(
      parse('request', enc.encode('GET / HTTP/1.1\r\nX: a\rb\r\n\r\n')).error,
      'bare-cr',
    );
    assert.equal(parse('request', enc.encode('GET / HTTP/1.1\nHost: a\n\n')).error, 'bare-lf');
    assert.equal(parse('request', enc.encode('GET / HTTP/1.1\r\nHost: a\n\r\n')).error, 'bare-lf');
    assert.equal(parse('response', enc.encode('HTTP/1.1 200 OK\n\n')).error, 'bare-lf');
  });

  test('errors suggest a status', () => {
    const p = new HttpParser('request', {}, { maxTargetBytes: 10 });
    const r = p.execute(enc.encode('GET /aaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n\r\n'));
    assert.equal(r.kind, 'error');
    if (r.kind === 'error') assert.equal(errorStatus(r.error), 414);
  });

  test('the parser stays stopped after an error', () => {
    const p = new HttpParser('request');
    assert.equal(p.execute(crlf('GET / HTTP/1.1\nX: a\0\n\n')).kind, 'error');
    assert.equal(p.execute(crlf('GET / HTTP/1.1\n\n')).kind, 'error');
    assert.equal(p.phase, 'error');
  });
});

describe('accepted forms', () => {
  test('OWS around values, case-insensitive names, chunked with trailing OWS', () => {
    const r = parse(
      'request',
      crlf('POST /x HTTP/1.1\nhost: a\ntRaNsFeR-eNcOdInG:  Chunked \t\n\n3\nabc\n0\n\n'),
    );
    assert.equal(r.error, undefined);
    assert.equal(r.msgs[0].body, 'abc');
    assert.equal(r.msgs[0].head.headers.get('Host'), 'a');
    assert.equal(r.msgs[0].head.headers.get('transfer-encoding'), 'Chunked');
  });
  test('gzip, chunked in a request parses (the server decides 501)', () => {
    const r = parse('request', crlf('POST / HTTP/1.1\nTransfer-Encoding: gzip, chunked\n\n0\n\n'));
    assert.equal(r.error, undefined);
    assert.deepEqual(r.msgs[0].head.transferCodings, ['gzip', 'chunked']);
  });
  test('absolute-form and asterisk-form', () => {
    const r = parse(
      'request',
      crlf('GET http://www.server.com/a?b HTTP/1.1\n\nOPTIONS * HTTP/1.1\n\n'),
    );
    assert.deepEqual(
      r.msgs.map((m) => m.head.target),
      ['http://www.server.com/a?b', '*'],
    );
  });
  test('leading empty lines are ignored (RFC 9112 § 2.2)', () => {
    const r = parse('request', crlf('\n\nGET / HTTP/1.1\n\n'));
    assert.equal(r.msgs.length, 1);
  });
  test('HTTP/1.2 is treated as 1.1 (RFC 9110 § 6.2)', () => {
    const r = parse('request', crlf('GET / HTTP/1.2\n\n'));
    assert.equal(r.msgs[0].head.keepAlive, true);
  });
  test('obs-text in values is kept byte for byte (Latin-1)', () => {
    const r = parse(
      'request',
      new Uint8Array([...crlf('GET / HTTP/1.1\nX: '), 0xc3, 0xbc, ...crlf('\n\n')]),
    );
    assert.equal(r.msgs[0].head.headers.get('x'), '\u00c3\u00bc');
  });
});

describe('incremental parsing', () => {
  const msg = crlf(
    'POST /upload HTTP/1.1\nHost: www.server.com\nTransfer-Encoding: chunked\n\n' +
      '5;name=value;q="quoted \\" ext"\nhello\n1\n \n6\nworld!\n0\nExpires: never\nX-Trailer: yes\n\n',
  );
  test('chunked body split at every byte boundary', () => {
    const whole = parse('request', msg);
    assert.equal(whole.error, undefined);
    assert.equal(whole.msgs[0].body, 'hello world!');
    assert.deepEqual(whole.msgs[0].trailers, [
      ['Expires', 'never'],
      ['X-Trailer', 'yes'],
    ]);
    for (let cut = 1; cut < msg.length; cut++) {
      const p = new HttpParser('request');
      const body: string[] = [];
      let done = 0;
      p.handler = { onBody: (b) => body.push(dec.decode(b)), onMessageComplete: () => done++ };
      assert.equal(p.execute(msg.subarray(0, cut)).kind, 'ok', `cut ${cut}`);
      assert.equal(p.execute(msg.subarray(cut)).kind, 'ok', `cut ${cut}`);
      assert.equal(body.join(''), 'hello world!', `cut ${cut}`);
      assert.equal(done, 1);
    }
  });
  test('byte by byte equals whole', () => {
    assert.deepEqual(
      parse('request', msg, 1).msgs.map((m) => m.body),
      parse('request', msg).msgs.map((m) => m.body),
    );
  });
});

describe('pipelining and keep-alive (RFC 9112 § 9.3)', () => {
  const three = crlf(
    'GET /a HTTP/1.1\nHost: x\n\nPOST /b HTTP/1.1\nHost: x\nContent-Length: 3\n\nabcGET /c HTTP/1.1\nHost: x\nConnection: close\n\n',
  );
  test('three requests in one chunk, in order', () => {
    for (const step of [three.length, 1, 7]) {
      const r = parse('request', three, step);
      assert.deepEqual(
        r.msgs.map((m) => [m.head.target, m.body, m.head.keepAlive]),
        [
          ['/a', '', true],
          ['/b', 'abc', true],
          ['/c', '', false],
        ],
      );
    }
  });
  test('data after Connection: close is an error', () => {
    assert.equal(
      parse('request', crlf('GET / HTTP/1.1\nConnection: close\n\nGET / HTTP/1.1\n\n')).error,
      'data-after-close',
    );
  });
  test('HTTP/1.0 closes unless keep-alive', () => {
    assert.equal(parse('request', crlf('GET / HTTP/1.0\n\n')).msgs[0].head.keepAlive, false);
    assert.equal(
      parse('request', crlf('GET / HTTP/1.0\nConnection: Keep-Alive\n\n')).msgs[0].head.keepAlive,
      true,
    );
  });
});

describe('response framing (RFC 9112 § 6.3)', () => {
  test('HEAD response: skip-body ignores Content-Length', () => {
    const r = parse(
      'response',
      crlf('HTTP/1.1 200 OK\nContent-Length: 5\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok'),
      undefined,
      {
        skipBody: true,
      },
    );
    assert.equal(r.msgs.length, 2);
    assert.equal(r.msgs[0].body, '');
  });
  test('304 and 204 have no body whatever they say', () => {
    const r = parse(
      'response',
      crlf(
        'HTTP/1.1 304 Not Modified\nContent-Length: 10\n\nHTTP/1.1 204 No Content\nContent-Length: 3\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok',
      ),
    );
    assert.deepEqual(
      r.msgs.map((m) => [m.head.status, m.body]),
      [
        [304, ''],
        [204, ''],
        [200, 'ok'],
      ],
    );
  });
  test('1xx interim responses are messages of their own', () => {
    const r = parse(
      'response',
      crlf(
        'HTTP/1.1 100 Continue\n\nHTTP/1.1 103 Early Hints\nLink: </s.css>; rel=preload\n\nHTTP/1.1 200 OK\nContent-Length: 2\n\nok',
      ),
    );
    assert.deepEqual(
      r.msgs.map((m) => m.head.status),
      [100, 103, 200],
    );
  });
  test('a body delimited by the close completes at finish()', () => {
    const r = parse('response', crlf('HTTP/1.1 200 OK\n\nuntil the end'), 3, { finish: true });
    assert.equal(r.error, undefined);
    assert.equal(r.msgs[0].body, 'until the end');
    assert.equal(r.msgs[0].head.keepAlive, false);
  });
  test('EOF inside a message is incomplete-message', () => {
    assert.equal(
      parse('response', crlf('HTTP/1.1 200 OK\nContent-Length: 10\n\nabc'), undefined, {
        finish: true,
      }).error,
      'incomplete-message',
    );
  });
  test('101 with Upgrade switches protocols; bytes after it are returned', () => {
    const input = crlf('HTTP/1.1 101 Switching Protocols\nConnection: upgrade\nUpgrade: h2c\n\n');
    const r = parse('response', concatBytes([input, enc.encode('PRI')]));
    assert.equal(r.upgrade, input.length);
  });
  test('status outside 100..599 is an error', () => {
    assert.equal(parse('response', crlf('HTTP/1.1 099 X\n\n')).error, 'bad-status');
    assert.equal(parse('response', crlf('HTTP/1.1 600 X\n\n')).error, 'bad-status');
  });
});

describe('limits', () => {
  test('header section over the limit', () => {
    const big = 'X-Big: ' + 'a'.repeat(20000);
    const r = parse('request', crlf(`GET / HTTP/1.1\n${big}\n\n`));
    assert.equal(r.error, 'header-overflow');
  });
  test('too many field lines', () => {
    const lines = Array.from({ length: 101 }, (_, i) => `X-${i}: ${i}`).join('\n');
    assert.equal(parse('request', crlf(`GET / HTTP/1.1\n${lines}\n\n`)).error, 'too-many-fields');
  });
  test('body over the limit', () => {
    const r = parse('request', crlf('POST / HTTP/1.1\nContent-Length: 100\n\n'), undefined, {
      limits: { maxBodyBytes: 10 },
    });
    assert.equal(r.error, 'body-too-large');
  });
});

describe('serializer', () => {
  test('refuses header injection', () => {
    assert.throws(() =>
      serializeRequestHead({
        method: 'GET',
        target: '/',
        headers: new HttpHeaders([['X', 'a\r\nEvil: 1']]),
      }),
    );
    assert.throws(() =>
      serializeRequestHead({
        method: 'GET',
        target: '/',
        headers: new HttpHeaders([['Bad Name', 'a']]),
      }),
    );
    assert.throws(() => serializeRequestHead({ method: 'G ET', target: '/' }));
    assert.throws(() => serializeRequestHead({ method: 'GET', target: '/a b' }));
  });

  const token = fc
    .stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/)
    .filter(
      (n) =>
        !['content-length', 'transfer-encoding', 'connection', 'upgrade'].includes(n.toLowerCase()),
    );
  const value = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
  test('property: serialize → split anywhere → parse gives the same message', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(token, value), { maxLength: 8 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 40 }),
        (fields, body, chunked, chunkSizes, step) => {
          const headers = new HttpHeaders(fields);
          if (chunked) headers.append('Transfer-Encoding', 'chunked');
          else headers.append('Content-Length', String(body.length));
          const parts: Uint8Array[] = [serializeResponseHead({ status: 200, headers })];
          if (chunked) {
            let o = 0;
            let k = 0;
            while (o < body.length) {
              const n = chunkSizes[k++ % chunkSizes.length];
              parts.push(encodeChunk(body.subarray(o, o + n)));
              o += n;
            }
            parts.push(lastChunk());
          } else parts.push(body);
          const wire = concatBytes(parts);
          const got: Uint8Array[] = [];
          let head: HttpHead | undefined;
          let complete = 0;
          const p = new HttpParser('response', {
            onHeadersComplete: (h) => void (head = h),
            onBody: (b) => void got.push(b.slice()),
            onMessageComplete: () => void complete++,
          });
          for (let i = 0; i < wire.length; i += step) {
            const r = p.execute(wire.subarray(i, i + step));
            if (r.kind !== 'ok') return false;
          }
          if (complete !== 1 || head === undefined) return false;
          const want = headers.entries();
          const have = head.headers.entries();
          return (
            JSON.stringify(want) === JSON.stringify(have) &&
            Buffer.from(concatBytes(got)).equals(Buffer.from(body))
          );
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});
