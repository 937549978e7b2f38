/**
 * curl over the in-memory network: verbose output shaped like curl 8's, -I, -i, -L, -o, -H,
 * argument errors, and curl's exit codes for the failures a user meets.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../src/sim/scheduler.js';
import { TraceBus } from '../src/sim/trace.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { HttpServer } from '../src/apps/http/server.js';
import { CurlUsageError, curl, parseCurlArgs } from '../src/apps/tools/curl.js';
import { embeddedSite } from '../src/world/sites/index.js';
import { FakeNet } from './http-fake-net.js';

const SRV = parseIpv4('198.51.100.80')!;

async function run(argv: string[]) {
  const clock = new Scheduler();
  const trace = new TraceBus(() => clock.now());
  const net = new FakeNet(clock, { delay: 2_000_000 });
  new HttpServer({
    net: net.host(SRV),
    clock,
    trace,
    node: 'web1',
    site: embeddedSite('www.server.com')!,
  }).listen();
  let out = '';
  let err = '';
  const files = new Map<string, Uint8Array>();
  const r = await clock.runUntilSettled(
    curl(parseCurlArgs(argv), {
      net: net.host(parseIpv4('192.168.3.10')!),
      resolve: async (n) => {
        if (n !== 'www.server.com') throw new Error('NXDOMAIN');
        return { addresses: [SRV] };
      },
      clock,
      trace,
      node: 'pc',
      out: (t) => void (out += typeof t === 'string' ? t : new TextDecoder().decode(t)),
      err: (t) => void (err += t),
      writeFile: (n, d) => void files.set(n, d),
    }),
  );
  return { ...r, out, err, files, net };
}

describe('curl', () => {
  test('-v prints the conversation like curl', async () => {
    const r = await run(['-v', 'www.server.com']);
    assert.equal(r.exitCode, 0);
    const lines = r.err.split('\n');
    assert.deepEqual(lines.slice(0, 11), [
      '* Host www.server.com:80 was resolved.',
      '* IPv6: (none)',
      '* IPv4: 198.51.100.80',
      '*   Trying 198.51.100.80:80...',
      '* Connected to www.server.com (198.51.100.80) port 80',
      '> GET / HTTP/1.1',
      '> Host: www.server.com',
      '> User-Agent: curl/8.5.0',
      '> Accept: */*',
      '> ',
      '< HTTP/1.1 200 OK',
    ]);
    assert.ok(lines.includes('* Connection #0 to host www.server.com left intact'));
    assert.match(r.out, /^<!DOCTYPE html>/);
  });

  test('-I sends HEAD and prints the head only', async () => {
    const r = await run(['-I', 'http://www.server.com/logo.png']);
    assert.match(r.out, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(r.out, /Content-Type: image\/png\r\n/);
    assert.match(r.out, /\r\n\r\n$/);
  });

  test('-L follows the directory redirect on the same connection; -o writes the body', async () => {
    const r = await run(['-vL', '-o', 'steps.html', 'http://www.server.com/steps']);
    assert.equal(r.exitCode, 0);
    assert.match(
      r.err,
      /\* Issue another request to this URL: 'http:\/\/www\.server\.com\/steps\/'/,
    );
    assert.match(r.err, /\* Re-using existing connection with host www\.server\.com/);
    assert.equal(r.net.connects, 1);
    assert.match(new TextDecoder().decode(r.files.get('steps.html')), /Every step, in detail/);
    assert.equal(r.out, '');
  });

  test('-i prints the head then the body; -H adds a field', async () => {
    const r = await run(['-i', '-H', 'X-Test: 1', 'http://www.server.com/style.css']);
    assert.match(r.out, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nbody \{/);
    const v = await run(['-v', '-H', 'X-Test: 1', 'http://www.server.com/style.css']);
    assert.match(v.err, /> X-Test: 1\n/);
  });

  const failures: [string[], number, RegExp][] = [
    [['www.nosuch.com'], 6, /curl: \(6\) Could not resolve host: www\.nosuch\.com/],
    [
      ['http://www.server.com:81/'],
      7,
      /curl: \(7\) Failed to connect to www\.server\.com port 81 after \d+ ms: Couldn't connect to server/,
    ],
    [
      ['https://www.server.com/'],
      1,
      /curl: \(1\) Protocol "https" not supported \(no TLS in wiretrail\)/,
    ],
    [['http://exa mple.com/'], 3, /curl: \(3\) URL rejected/],
  ];
  for (const [argv, code, msg] of failures) {
    test(`curl ${argv.join(' ')} → exit ${code}`, async () => {
      const r = await run(argv);
      assert.equal(r.exitCode, code);
      assert.match(r.err, msg);
    });
  }

  test('argument errors', () => {
    assert.throws(() => parseCurlArgs([]), CurlUsageError);
    assert.throws(() => parseCurlArgs(['-o']), CurlUsageError);
    assert.throws(() => parseCurlArgs(['--nope', 'x']), CurlUsageError);
    assert.throws(() => parseCurlArgs(['-H', 'novalue', 'x']), CurlUsageError);
  });
});
