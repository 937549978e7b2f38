// Reverse DNS in the host tools, end to end on the default internet: traceroute's hop names,
// ping's reply names (iputils' rules: only for a target given as a name, never with -n) and
// arp's entry names come from the hosts file, then from PTR queries that really cross the
// simulated network (they are in the capture, as Linux's would be), through the node's own
// stub resolver to the ISP's resolver and the reverse zones of src/world/zones/.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DnsType } from '../src/wire/dns.js';
import { capturedOn, dnsIn, onPc, ptrQueries, run } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wiretrail-rdns-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('traceroute names each hop as Linux traceroute does: /etc/hosts, then PTR records', async () => {
  const pcap = join(dir, 'trace.pcapng');
  const r = await capturedOn('pc', pcap, 'traceroute', 'www.server.com');
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      'traceroute to www.server.com (198.51.100.80), 30 hops max, 60 byte packets',
      ' 1  router.home (192.168.3.1)  0.023 ms  0.023 ms  0.024 ms',
      ' 2  eth0.r-isp.isp.net (100.64.0.1)  6.038 ms  6.046 ms  6.054 ms',
      ' 3  eth0.r-core.isp.net (100.64.1.2)  16.062 ms  16.070 ms  16.078 ms',
      ' 4  eth0.r-dc.server.com (100.64.2.2)  24.086 ms  24.094 ms  24.101 ms',
      ' 5  www.server.com (198.51.100.80)  24.154 ms  24.162 ms  24.169 ms',
      '',
    ].join('\n'),
  );
  // The names are real DNS traffic from the pc to its resolver: one PTR query per address
  // (RFC 1035 § 3.5 names), none for 192.168.3.1 (the hosts file names it), each answered.
  const seen = dnsIn(pcap);
  assert.deepEqual(ptrQueries(seen), [
    '1.0.64.100.in-addr.arpa.',
    '2.1.64.100.in-addr.arpa.',
    '2.2.64.100.in-addr.arpa.',
    '80.100.51.198.in-addr.arpa.',
  ]);
  const answers = seen.filter((m) => m.qr === 'response' && m.type === DnsType.PTR);
  assert.deepEqual(
    answers.map((m) => [m.name, m.rcode, m.ptr.join()]),
    [
      ['1.0.64.100.in-addr.arpa.', 'NOERROR', 'eth0.r-isp.isp.net.'],
      ['2.1.64.100.in-addr.arpa.', 'NOERROR', 'eth0.r-core.isp.net.'],
      ['2.2.64.100.in-addr.arpa.', 'NOERROR', 'eth0.r-dc.server.com.'],
      ['80.100.51.198.in-addr.arpa.', 'NOERROR', 'www.server.com.'],
    ],
  );
});

test('traceroute -n: addresses only, and no PTR query at all', async () => {
  const pcap = join(dir, 'trace-n.pcapng');
  const r = await capturedOn('pc', pcap, 'traceroute', '-n', 'www.server.com');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[1], ' 1  192.168.3.1  0.023 ms  0.023 ms  0.024 ms');
  assert.equal(lines[2], ' 2  100.64.0.1  6.038 ms  6.046 ms  6.054 ms');
  assert.equal(lines[5], ' 5  198.51.100.80  24.154 ms  24.162 ms  24.169 ms');
  assert.deepEqual(ptrQueries(dnsIn(pcap)), []);
});

test('a PTR miss: NXDOMAIN for a private address prints the address twice, as getnameinfo gives it', async () => {
  // the phone has a resolver but no hosts file: 192.168.3.1 has no PTR record anywhere
  const pcap = join(dir, 'phone.pcapng');
  const r = await capturedOn(
    'phone',
    pcap,
    'traceroute',
    '-q',
    '1',
    '-m',
    '2',
    '198.51.100.80',
    ';',
    'arp',
    '-a',
  );
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(
    lines[0],
    'traceroute to 198.51.100.80 (198.51.100.80), 2 hops max, 60 byte packets',
  );
  assert.match(lines[1], /^ 1  192\.168\.3\.1 \(192\.168\.3\.1\)  \d+\.\d{3} ms$/);
  assert.match(lines[2], /^ 2  eth0\.r-isp\.isp\.net \(100\.64\.0\.1\)  \d+\.\d{3} ms$/);
  // arp -a: no name in the hosts file nor in DNS: "?" (from the OS cache's negative entry now)
  assert.equal(lines[3], '? (192.168.3.1) at 02:00:00:00:01:01 [ether] on eth0');
  const seen = dnsIn(pcap);
  const miss = seen.find((m) => m.qr === 'response' && m.name === '1.3.168.192.in-addr.arpa.');
  assert.ok(miss, 'the PTR query for 192.168.3.1 was answered');
  assert.equal(miss.rcode, 'NXDOMAIN');
  // asked once: traceroute's miss is remembered (negative caching), arp -a does not ask again
  assert.equal(ptrQueries(seen).filter((n) => n === '1.3.168.192.in-addr.arpa.').length, 1);
});

test('ping names replies only for a target given as a name and without -n (iputils)', async () => {
  const pcap = join(dir, 'ping.pcapng');
  const r = await capturedOn(
    'pc',
    pcap,
    'ping',
    '-c',
    '2',
    'www.server.com',
    ';',
    'ping',
    '-c',
    '1',
    '-n',
    'www.server.com',
    ';',
    'ping',
    '-c',
    '1',
    '198.51.100.80',
    ';',
    'ping',
    '-c',
    '1',
    '-t',
    '2',
    'www.example.org',
  );
  assert.equal(r.code, 1, r.err); // the last ping got no reply (TTL 2)
  const lines = r.out.split('\n');
  assert.equal(lines[0], 'PING www.server.com (198.51.100.80) 56(84) bytes of data.');
  assert.equal(
    lines[1],
    '64 bytes from www.server.com (198.51.100.80): icmp_seq=1 ttl=60 time=24.1 ms',
  );
  assert.equal(
    lines[2],
    '64 bytes from www.server.com (198.51.100.80): icmp_seq=2 ttl=60 time=24.1 ms',
  );
  assert.ok(lines.includes('--- www.server.com ping statistics ---'));
  // -n: the address alone
  assert.ok(lines.includes('64 bytes from 198.51.100.80: icmp_seq=1 ttl=60 time=24.1 ms'));
  // a numeric target sets F_NUMERIC
  assert.ok(lines.includes('PING 198.51.100.80 (198.51.100.80) 56(84) bytes of data.'));
  assert.equal(
    lines.filter((l) => l === '64 bytes from 198.51.100.80: icmp_seq=1 ttl=60 time=24.1 ms').length,
    2,
  );
  // errors are named too (pr_addr in receive_error_msg)
  assert.ok(
    lines.includes('From eth0.r-isp.isp.net (100.64.0.1) icmp_seq=1 Time to live exceeded'),
    r.out,
  );
  // one PTR query for 198.51.100.80 (the first ping; the second answer came from the OS
  // cache), none for -n or the numeric target, one for the router that sent the error
  assert.deepEqual(ptrQueries(dnsIn(pcap)), [
    '80.100.51.198.in-addr.arpa.',
    '1.0.64.100.in-addr.arpa.',
  ]);
});

test('arp -a names entries from the hosts file, then DNS; -n never; "?" without a name', async () => {
  // the default internet with a resolver on web1, whose neighbours have PTR records
  const yaml = readFileSync('src/world/examples/internet.yaml', 'utf8').replace(
    '    services:\n      http: { site: www.server.com }',
    '    resolver: 203.0.113.53\n    hosts:\n      gw.local: 198.51.100.1\n    services:\n      http: { site: www.server.com }',
  );
  assert.ok(yaml.includes('gw.local'), 'the test topology was made');
  const file = join(dir, 'web1-resolver.yaml');
  writeFileSync(file, yaml);
  const r = await run(
    'run',
    file,
    'web1',
    '--',
    'ping',
    '-c',
    '1',
    '-q',
    '198.51.100.2',
    ';',
    'arp',
    '-a',
    ';',
    'arp',
    ';',
    'arp',
    '-an',
  );
  assert.equal(r.code, 0, r.err);
  // the first arp -a has one entry (ping's); its PTR query then went out through the gateway,
  // whose ARP entry the next commands show (as on Linux: the lookup itself needs ARP)
  assert.deepEqual(r.out.split('\n').slice(5), [
    'ns1.server.com (198.51.100.2) at 02:00:00:00:08:02 [ether] on eth0', // DNS (PTR)
    'Address                  HWtype  HWaddress           Flags Mask            Iface',
    'ns1.server.com           ether   02:00:00:00:08:02   C                     eth0',
    'gw.local                 ether   02:00:00:00:07:02   C                     eth0', // hosts
    '? (198.51.100.2) at 02:00:00:00:08:02 [ether] on eth0', // -n: never a name
    '? (198.51.100.1) at 02:00:00:00:07:02 [ether] on eth0',
    '',
  ]);
});

test('determinism: the same run with its PTR queries gives a byte-identical capture', async () => {
  const cmd = ['traceroute', 'www.server.com', ';', 'ping', '-c', '1', 'www.example.org'];
  const a = join(dir, 'det-a.pcapng');
  const b = join(dir, 'det-b.pcapng');
  const ra = await capturedOn('pc', a, ...cmd);
  const rb = await capturedOn('pc', b, ...cmd);
  assert.equal(ra.out, rb.out);
  assert.ok(ptrQueries(dnsIn(a)).length >= 5, 'the capture holds the PTR queries');
  assert.ok(Buffer.compare(readFileSync(a), readFileSync(b)) === 0, 'captures differ');
});

test("ping's banner has the canonical name (iputils: ai_canonname), traceroute's the name typed", async () => {
  const r = await onPc(
    'ping',
    '-c',
    '1',
    'img.server.com',
    ';',
    'traceroute',
    '-q',
    '1',
    '-m',
    '1',
    'img.server.com',
  );
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  // img → static → www (CNAMEs): getaddrinfo's canonical name is www.server.com
  assert.equal(lines[0], 'PING www.server.com (198.51.100.80) 56(84) bytes of data.');
  assert.equal(
    lines[1],
    '64 bytes from www.server.com (198.51.100.80): icmp_seq=1 ttl=60 time=24.1 ms',
  );
  assert.ok(lines.includes('--- www.server.com ping statistics ---'), r.out);
  assert.ok(
    lines.includes('traceroute to img.server.com (198.51.100.80), 1 hops max, 60 byte packets'),
    r.out,
  );
});
