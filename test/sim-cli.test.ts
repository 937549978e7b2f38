// `wiretrail run <topology> <node> -- <tool> ...`: output, exit codes, errors, capture file.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCapture } from '../src/wire/pcapng.js';
import { run } from './cli-helpers.js';

const SIMPLE = 'src/world/examples/simple.yaml';

test('ping, arp and ip route get on the simple network', async () => {
  const r = await run(
    'run',
    SIMPLE,
    'pc',
    '--',
    'ping',
    '-c',
    '2',
    '198.51.100.80',
    ';',
    'arp',
    '-n',
    ';',
    'ip',
    'route',
    'get',
    '198.51.100.80',
  );
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[0], 'PING 198.51.100.80 (198.51.100.80) 56(84) bytes of data.');
  assert.match(lines[1], /^64 bytes from 198\.51\.100\.80: icmp_seq=1 ttl=62 time=[\d.]+ ms$/);
  assert.ok(lines.includes('2 packets transmitted, 2 received, 0% packet loss, time 1000ms'));
  assert.ok(
    lines.includes(
      '192.168.3.1              ether   02:00:00:00:01:01   C                     eth0',
    ),
  );
  assert.ok(lines.includes('198.51.100.80 via 192.168.3.1 dev eth0 src 192.168.3.10 uid 0'));
});

test('exit status 1 when ping gets no reply; usage errors are one line with status 2', async () => {
  const lost = await run('run', SIMPLE, 'pc', '--', 'ping', '-c', '1', '198.51.100.99');
  assert.equal(lost.code, 1);
  assert.match(lost.out, /From 203\.0\.113\.2 icmp_seq=1 Destination Host Unreachable/);
  const bad = await run('run', SIMPLE, 'pc', '--', 'ping', '-x', '1.2.3.4');
  assert.equal(bad.code, 2);
  assert.equal(bad.err, "wiretrail: ping: invalid option -- 'x'\n");
  const badCount = await run('run', SIMPLE, 'pc', '--', 'ping', '-c', 'lots', '1.2.3.4');
  assert.equal(badCount.code, 2);
  assert.match(badCount.err, /ping: invalid argument to -c: 'lots'/);
  const noNode = await run('run', SIMPLE, 'nobody', '--', 'arp');
  assert.equal(noNode.code, 2);
  assert.match(noNode.err, /no node "nobody"/);
  const noFile = await run('run', 'no/such.yaml', 'pc', '--', 'arp');
  assert.equal(noFile.code, 2);
  assert.equal(noFile.err, 'wiretrail: cannot read topology no/such.yaml: no such file\n');
  const sw = await run('run', SIMPLE, 'sw-client', '--', 'ping', '1.2.3.4');
  assert.equal(sw.code, 2);
  assert.match(sw.err, /ping runs on a host or router; sw-client is a switch/);
});

test('topology errors name file, line and field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-run-'));
  try {
    const f = join(dir, 'broken.yaml');
    writeFileSync(f, readFileSync(SIMPLE, 'utf8').replace('delay: 2ms', 'delay: 2 parsecs'));
    const r = await run('run', f, 'pc', '--', 'arp');
    assert.equal(r.code, 2);
    assert.match(r.err, /^broken\.yaml:\d+:\d+: links\[2\]\.delay: "2 parsecs" is not a duration/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--pcapng writes a capture; brctl showmacs on a switch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-run-'));
  try {
    const f = join(dir, 'out.pcapng');
    const r = await run(
      'run',
      SIMPLE,
      'pc',
      '--pcapng',
      f,
      '--',
      'traceroute',
      '-n',
      '198.51.100.80',
    );
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n').slice(0, 1), [
      'traceroute to 198.51.100.80 (198.51.100.80), 30 hops max, 60 byte packets',
    ]);
    assert.ok(existsSync(f));
    const cap = readCapture(new Uint8Array(readFileSync(f)));
    assert.ok(cap.ok);
    assert.ok(cap.value.packets.length > 20, `${cap.value.packets.length} packets`);
    assert.deepEqual(
      cap.value.interfaces.map((i) => i.name),
      ['pc.eth0'],
      'by default, the node the commands run on',
    );
    const macs = await run('run', SIMPLE, 'sw-client', '--', 'brctl', 'showmacs');
    assert.equal(macs.out.split('\n')[0], 'port no\tmac addr\t\tis local?\tageing timer');
    assert.equal(
      macs.out.split('\n').length,
      4,
      'both stations learned from their start-up announcements',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
