/**
 * HTTP/1.1 parser throughput: our TypeScript parser (src/apps/http/parser.ts) against llhttp as
 * Node ships it (C, the reference, measured in the same run through node:_http_common), on a
 * browser-like request, a pipelined burst (whole, and in 1460-byte pieces as TCP hands a stream
 * over: a head split between two pieces leaves the parser's fast path for its byte-by-byte state
 * machine), and a chunked response, plus the static server's respond() (request → response
 * decision without sockets).
 *
 * Last line: {"bench": "http", "figures": {...}} (ENGINEERING.md).
 */
import { createRequire } from 'node:module';
import { HttpParser } from '../src/apps/http/parser.js';
import { HttpServer } from '../src/apps/http/server.js';
import { HttpHeaders } from '../src/apps/http/headers.js';
import { Scheduler } from '../src/sim/scheduler.js';
import { TraceBus } from '../src/sim/trace.js';
import { embeddedSite } from '../src/world/sites/index.js';
import type { NetApi } from '../src/stack/api.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const { HTTPParser } = require('_http_common') as { HTTPParser: any };

const enc = new TextEncoder();
const REQ = enc.encode(
  'GET /index.html HTTP/1.1\r\nHost: www.server.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n' +
    'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\n' +
    'Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nIf-None-Match: "674ba700-602"\r\n\r\n',
);
const BURST = (() => {
  const out = new Uint8Array(REQ.length * 100);
  for (let i = 0; i < 100; i++) out.set(REQ, i * REQ.length);
  return out;
})();
const CHUNKED = (() => {
  let s = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n';
  const piece = 'x'.repeat(1000);
  for (let i = 0; i < 64; i++) s += `3e8\r\n${piece}\r\n`;
  return enc.encode(s + '0\r\n\r\n');
})();

function time(fn: () => void, minMs = 300): number {
  for (let i = 0; i < 50; i++) fn(); // warm up
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  do {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    el = Number(process.hrtime.bigint() - t0) / 1e6;
  } while (el < minMs);
  return (el * 1e6) / n; // ns per call
}

let sink = 0;
function ours(kind: 'request' | 'response', data: Uint8Array): () => void {
  return () => {
    const p = new HttpParser(kind, {
      onMessageComplete: () => void sink++,
      onBody: (b) => void (sink += b.length),
    });
    p.execute(data);
  };
}
/** Ours, fed `data` in pieces of `size` bytes. */
function oursInPieces(kind: 'request' | 'response', data: Uint8Array, size: number): () => void {
  return () => {
    const p = new HttpParser(kind, {
      onMessageComplete: () => void sink++,
      onBody: (b) => void (sink += b.length),
    });
    for (let i = 0; i < data.length; i += size) p.execute(data.subarray(i, i + size));
  };
}
function llhttp(kind: 'request' | 'response', data: Uint8Array): () => void {
  const buf = Buffer.from(data);
  return () => {
    const p = new HTTPParser();
    p.initialize(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {});
    p[HTTPParser.kOnHeadersComplete] = () => void sink++;
    p[HTTPParser.kOnBody] = (b: Buffer) => void (sink += b.length);
    p[HTTPParser.kOnMessageComplete] = () => void sink++;
    p.execute(buf);
    p.finish();
    p.close();
  };
}

const mbps = (bytes: number, ns: number): number => (bytes / ns) * 1e3;
const rows: [string, number, number][] = [];
const measure = (name: string, bytes: number, f: () => void): number => {
  const ns = time(f);
  rows.push([name, ns, mbps(bytes, ns)]);
  return ns;
};

const oursReq = measure('ours: one browser request', REQ.length, ours('request', REQ));
const refReq = measure('llhttp: one browser request', REQ.length, llhttp('request', REQ));
const oursBurst = measure('ours: 100 pipelined requests', BURST.length, ours('request', BURST));
const refBurst = measure('llhttp: 100 pipelined requests', BURST.length, llhttp('request', BURST));
const oursPieces = measure(
  'ours: the same in 1460-byte pieces',
  BURST.length,
  oursInPieces('request', BURST, 1460),
);
const oursChunk = measure(
  'ours: 64 KB chunked response',
  CHUNKED.length,
  ours('response', CHUNKED),
);
const refChunk = measure(
  'llhttp: 64 KB chunked response',
  CHUNKED.length,
  llhttp('response', CHUNKED),
);

const clock = new Scheduler();
const server = new HttpServer({
  net: {} as NetApi,
  clock,
  trace: new TraceBus(() => 0),
  node: 'web1',
  site: embeddedSite('www.server.com')!,
});
const head = {
  method: 'GET',
  target: '/',
  versionMajor: 1,
  versionMinor: 1,
  headers: new HttpHeaders([
    ['Host', 'www.server.com'],
    ['If-None-Match', '"x"'],
  ]),
};
const respondNs = time(() => void (sink += server.respond(head).status));
rows.push(['server.respond(GET /)', respondNs, 0]);

const w = Math.max(...rows.map((r) => r[0].length));
console.log(`${'measurement'.padEnd(w)}  ${'per call'.padStart(12)}  throughput`);
for (const [name, ns, mb] of rows) {
  console.log(
    `${name.padEnd(w)}  ${(ns / 1000).toFixed(2).padStart(9)} µs  ${mb > 0 ? `${mb.toFixed(0)} MB/s` : ''}`,
  );
}
console.log(
  'llhttp is the C parser inside Node (the reference). Ours allocates a head object with a field\n' +
    'list per message; llhttp here only reports spans. Ratios above 1 mean ours is slower.',
);
if (sink === 0.5) console.log('');
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify({
    bench: 'http',
    figures: {
      parse_request_mb_per_s: {
        value: round(mbps(BURST.length, oursBurst), 1),
        unit: 'MB/s',
        target: 100,
        better: 'higher',
      },
      parse_request_pieces_mb_per_s: {
        value: round(mbps(BURST.length, oursPieces), 1),
        unit: 'MB/s',
        better: 'higher',
      },
      parse_chunked_mb_per_s: {
        value: round(mbps(CHUNKED.length, oursChunk), 1),
        unit: 'MB/s',
        target: 500,
        better: 'higher',
      },
      request_vs_llhttp: {
        value: round(oursReq / refReq, 2),
        unit: 'x',
        target: 4,
        better: 'lower',
      },
      pipelined_vs_llhttp: { value: round(oursBurst / refBurst, 2), unit: 'x' },
      chunked_vs_llhttp: { value: round(oursChunk / refChunk, 2), unit: 'x' },
      server_respond_us: {
        value: round(respondNs / 1000, 2),
        unit: 'µs',
        target: 10,
        better: 'lower',
      },
    },
  }),
);
