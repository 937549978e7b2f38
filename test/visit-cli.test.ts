/**
 * `wiretrail visit` as a user runs it: exit codes, the story in both languages, and the
 * capture checked by tshark (no malformed packet, no bad checksum or FCS, and its HTTP and DNS
 * dissection agrees with the story).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { run } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wiretrail-visit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tshark(file: string, ...args: string[]): string {
  assert.ok(
    existsSync('/usr/bin/tshark'),
    'tshark is needed for this test (apt-get install tshark; .ci/run installs it)',
  );
  return execFileSync(
    'tshark',
    [
      '-r',
      file,
      '-o',
      'ip.check_checksum:TRUE',
      '-o',
      'tcp.check_checksum:TRUE',
      '-o',
      'udp.check_checksum:TRUE',
      '-o',
      'eth.check_fcs:TRUE',
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

describe('wiretrail visit', () => {
  test('tells the story, writes a capture that tshark agrees with', async () => {
    const pcap = join(dir, 'visit.pcapng');
    const r = await run('visit', 'http://www.server.com/', '--pcapng', pcap);
    assert.equal(r.code, 0, r.err);
    for (const title of [
      'URL parsed',
      'HTTP request built',
      'Caches',
      'DNS',
      'Socket',
      'Route lookup',
      'ARP',
      'TCP handshake',
      'Frame on the wire',
      'Switch sw-home',
      'Router r-home',
      'Server web1',
      'Response',
      'Page',
      'Close',
    ]) {
      assert.ok(r.out.includes(title), `story has "${title}"`);
    }
    assert.match(r.out, /hop table/);
    assert.match(r.out, /waterfall/);
    assert.match(r.out, /# What happens when you type a URL/, 'the rendered page');

    // tshark: nothing malformed, no bad checksum.
    const expert = tshark(pcap, '-q', '-z', 'expert,error');
    assert.doesNotMatch(expert, /Malformed|Bad checksum|bad_checksum|Bad FCS|Error/i, expert);
    // tshark's dissection agrees with the story.
    const dnsA = tshark(
      pcap,
      '-Y',
      'dns.flags.response == 1 && dns.qry.name == "www.server.com"',
      '-T',
      'fields',
      '-e',
      'dns.a',
    ).trim();
    assert.equal(dnsA.split('\n')[0], '198.51.100.80');
    assert.match(r.out, /www\.server\.com is 198\.51\.100\.80/);
    const codes = tshark(pcap, '-Y', 'http.response', '-T', 'fields', '-e', 'http.response.code')
      .trim()
      .split('\n');
    assert.ok(codes.length >= 2 && codes.every((c) => c === '200'), codes.join(','));
    const comments = tshark(pcap, '-T', 'fields', '-e', 'frame.comment');
    assert.match(comments, /step \d+ · TCP handshake/);
    const syn = tshark(
      pcap,
      '-Y',
      'tcp.flags.syn == 1 && tcp.flags.ack == 0',
      '-T',
      'fields',
      '-e',
      'tcp.seq_raw',
      '-e',
      'tcp.options.mss_val',
    )
      .trim()
      .split('\n')[0];
    const [seq, mss] = syn.split('\t');
    assert.ok(r.out.includes(`SYN seq=${seq} MSS ${mss}`), `story's SYN seq=${seq} MSS ${mss}`);
  });

  test('Chinese tells the same numbered steps', async () => {
    const en = await run('visit', 'http://www.server.com/', '--no-page');
    const zh = await run('visit', 'http://www.server.com/', '--no-page', '--lang', 'zh');
    assert.equal(zh.code, 0);
    const nums = (s: string) =>
      s
        .split('\n')
        .map((l) => /^\s?(\d+)  /.exec(l)?.[1])
        .filter(Boolean);
    assert.deepEqual(nums(zh.out), nums(en.out));
    assert.match(zh.out, /TCP 三次握手/);
    assert.match(zh.out, /TCP 四次挥手/);
  });

  test('hop and packet detail levels add the per-hop trails and decoded headers', async () => {
    const hop = await run('visit', 'http://www.server.com/', '--no-page', '--detail', 'hop');
    assert.match(hop.out, /every hop of every packet of the first request/);
    assert.match(hop.out, /\[SYN, ACK\]/);
    const pkt = await run('visit', 'http://www.server.com/', '--no-page', '--detail', 'packet');
    assert.match(pkt.out, /Internet Protocol Version 4/);
    assert.match(pkt.out, /Transmission Control Protocol/);
  });

  test('errors: unknown name → exit 1 explained; bad input → exit 2, one line', async () => {
    const nx = await run('visit', 'http://www.nosuch.com/', '--no-page');
    assert.equal(nx.code, 1);
    assert.match(nx.err, /cannot reach www\.nosuch\.com — the name does not exist/);
    assert.match(nx.err, /a\.gtld-servers\.net\. answered NXDOMAIN/);
    // In Chinese the summary on stderr is Chinese too.
    const nxZh = await run('visit', 'http://www.nosuch.com/', '--no-page', '--lang', 'zh');
    assert.equal(nxZh.code, 1);
    assert.match(nxZh.err, /无法访问 www\.nosuch\.com —— 域名不存在/);
    assert.match(nxZh.err, /a\.gtld-servers\.net\. 回答 NXDOMAIN/);
    assert.doesNotMatch(nxZh.err, /answered|try:/);
    const https = await run('visit', 'https://www.server.com/');
    assert.equal(https.code, 2);
    assert.match(https.err, /HTTPS is not supported yet/);
    const badLoss = await run('visit', 'http://www.server.com/', '--loss', 'lots');
    assert.equal(badLoss.code, 2);
    assert.match(badLoss.err, /--loss/);
    const badTopo = await run(
      'visit',
      'http://www.server.com/',
      '--topology',
      join(dir, 'missing.yaml'),
    );
    assert.equal(badTopo.code, 2);
    assert.match(badTopo.err, /^wiretrail: cannot read topology .*missing\.yaml: no such file\n$/);
    // Shipped topologies by name, as `run` and `topology` take them.
    const named = await run(
      'visit',
      'http://www.server.com/',
      '--topology',
      'internet',
      '--no-page',
    );
    assert.equal(named.code, 0);
    const unknown = await run('visit', 'http://www.server.com/', '--topology', 'nosuch');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no topology "nosuch": not a file, nor a shipped topology/);
    const badOption = await run('visit', 'http://www.server.com/', '--bogus');
    assert.equal(badOption.code, 2);
    assert.equal(
      badOption.err,
      "wiretrail: unknown option '--bogus' (see wiretrail visit --help)\n",
    );
  });

  test('nothing typed is silently ignored: an extra argument, --capture without --pcapng', async () => {
    const extra = await run('visit', 'http://www.server.com/', 'extra');
    assert.equal(extra.code, 2);
    assert.equal(
      extra.err,
      "wiretrail: too many arguments for 'visit'. Expected 1 argument but got 2. (see wiretrail visit --help)\n",
    );
    assert.equal(extra.out, '');
    // as run says it
    const capture = await run('visit', 'http://www.server.com/', '--capture', 'links');
    assert.equal(capture.code, 2);
    assert.equal(
      capture.err,
      'wiretrail: --capture needs --pcapng FILE (it chooses what the capture file records)\n',
    );
    assert.equal(capture.out, '');
    const port = await run(
      'visit',
      'http://www.server.com/',
      '--capture',
      'nosuch.eth0',
      '--pcapng',
      join(dir, 'x.pcapng'),
    );
    assert.equal(port.code, 2);
    assert.equal(
      port.err,
      'wiretrail: --capture: no port "nosuch.eth0" (use client, links, or node.port such as pc.eth0)\n',
    );
    const out = await run('visit', 'http://www.server.com/', '--pcapng', join(dir, 'no', 'x'));
    assert.equal(out.code, 2);
    assert.equal(
      out.err,
      `wiretrail: --pcapng ${join(dir, 'no', 'x')}: cannot write there (no directory ${join(dir, 'no')})\n`,
    );
  });
});
