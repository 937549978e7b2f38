// Exit statuses of `wiretrail dig` and of dig under `wiretrail run`: BIND's (bin/dig/dighost.c):
// 0 a reply came (NXDOMAIN included), 1 usage, 9 no reply from the server, 10 internal error
// such as no address for @server. wiretrail's own option mistakes stay 2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serveZones } from '../src/cli/dns.js';
import { parseZone } from '../src/apps/dns/zone.js';
import { onPc, run } from './cli-helpers.js';

test('wiretrail dig: 0 for an answer and for NXDOMAIN, 9 when no server replies', async () => {
  const ok = await run('dig', 'www.server.com');
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /status: NOERROR/);
  const nx = await run('dig', 'www.nosuch.com');
  assert.equal(nx.code, 0, 'NXDOMAIN is a reply: BIND exits 0');
  assert.match(nx.out, /status: NXDOMAIN/);
  // 9.9.9.9 is not a DNS server of the simulated internet: three tries time out.
  const dead = await run('dig', '@9.9.9.9', 'www.server.com');
  assert.equal(dead.code, 9, dead.out);
  assert.match(dead.out, /;; no servers could be reached\n/);
  const short = await run('dig', '@9.9.9.9', 'www.server.com', '+short', '+tries=1');
  assert.equal(short.code, 9);
});

test('wiretrail dig +trace: 9 when the resolver does not reply, 0 otherwise', async () => {
  const ok = await run('dig', '+trace', 'www.server.com');
  assert.equal(ok.code, 0, ok.err);
  const nx = await run('dig', '+trace', 'www.nosuch.com');
  assert.equal(nx.code, 0, nx.out);
  const dead = await run('dig', '+trace', '@9.9.9.9', 'www.server.com', '+tries=1');
  assert.equal(dead.code, 9, dead.out);
});

test('wiretrail dig: 1 for a mistake in dig arguments, 10 for @server without an address', async () => {
  const bad = await run('dig', '+frob', 'x');
  assert.equal(bad.code, 1);
  assert.equal(bad.err, 'wiretrail: dig: Invalid option: +frob\n');
  const noSrv = await run('dig', '@nowhere.invalid', 'x');
  assert.equal(noSrv.code, 10);
  assert.equal(noSrv.err, "dig: couldn't get address for 'nowhere.invalid': not found\n");
  assert.equal(noSrv.out, '');
  // wiretrail's own options are not dig's: exit 2 like every wiretrail command
  const seed = await run('dig', '--seed', 'x', 'www.server.com');
  assert.equal(seed.code, 2);
});

test('wiretrail run -- dig: the same statuses, passed through as the last command', async () => {
  const dead = await onPc('dig', '@9.9.9.9', 'www.server.com');
  assert.equal(dead.code, 9, dead.out);
  assert.match(dead.out, /;; no servers could be reached\n/);
  const bad = await onPc('dig', '+frob', 'x');
  assert.equal(bad.code, 1);
  const noSrv = await onPc('dig', '@nowhere.invalid', 'x');
  assert.equal(noSrv.code, 10);
  assert.equal(noSrv.err, "dig: couldn't get address for 'nowhere.invalid': not found\n");
  // a ";" list exits with its last command's status, as a shell's does
  const then = await onPc('dig', '@9.9.9.9', 'x', '+tries=1', ';', 'dig', 'www.server.com');
  assert.equal(then.code, 0, then.err);
});

test('wiretrail dig --real -p PORT +trace: every step asks, and is labelled with, that port', async () => {
  // A root zone on 127.0.0.1:<free port> whose only name server is 127.0.0.1: as BIND's dig,
  // the trace asks it at the same -p port.
  const root = parseZone(
    [
      '$TTL 3600',
      '@ IN SOA ns.test. hostmaster.test. 1 3600 900 604800 60',
      '@ IN NS ns.test.',
      'ns.test. IN A 127.0.0.1',
    ].join('\n'),
    { origin: '.', file: 'root.test' },
  );
  assert.ok(root.ok);
  const srv = await serveZones([root.zone], { address: '127.0.0.1', port: 0 });
  try {
    const r = await run(
      'dig',
      '--real',
      '@127.0.0.1',
      '-p',
      String(srv.port),
      '+trace',
      '+tries=1',
      '+timeout=1',
      'www.server.com',
    );
    const lines = r.out.split('\n').filter((l) => l.startsWith(';; '));
    assert.match(
      lines[1] ?? '',
      new RegExp(
        `^;; Received \\d+ bytes from 127\\.0\\.0\\.1#${srv.port}\\(127\\.0\\.0\\.1\\) in \\d+ ms$`,
      ),
      r.out,
    );
    // the next step asked ns.test. (127.0.0.1) at the same port
    assert.match(lines[2] ?? '', new RegExp(`127\\.0\\.0\\.1#${srv.port}`), r.out);
  } finally {
    await srv.close();
  }
});
