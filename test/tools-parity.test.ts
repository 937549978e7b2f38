// The run tools against the real Linux tools' behaviour, item by item from a usability review:
// flags the real tools take, their exit statuses and their formats (iputils ping, BIND dig,
// curl 8, iproute2 ip, net-tools route).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRoute, routeLookups } from '../src/apps/tools/route.js';
import type { Route } from '../src/stack/route.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { run, onPc } from './cli-helpers.js';

const ip = (s: string): number => parseIpv4(s)!;

// ─────────────────────────────────────────── ping ─────────────────────────────────────────

test('ping -4 is accepted (IPv4 is all there is); -6 is a clear usage error', async () => {
  const r = await onPc('ping', '-4', '-c1', '198.51.100.80');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^PING 198\.51\.100\.80 \(198\.51\.100\.80\) 56\(84\) bytes of data\./);
  assert.match(r.out, /1 packets transmitted, 1 received, 0% packet loss/);
  const six = await onPc('ping', '-6', '-c1', '198.51.100.80');
  assert.equal(six.code, 2);
  assert.match(six.err, /ping: -6: IPv6 is not supported/);
  const both = await onPc('ping', '-4', '-6', '-c1', '198.51.100.80');
  assert.equal(both.code, 2);
  assert.match(both.err, /ping: only one -4 or -6 option may be specified/);
});

test('ping -w 3 without -c: pings until the deadline, exit 0 when replies came (iputils finish())', async () => {
  const r = await onPc('ping', '-w', '3', '198.51.100.80');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /3 packets transmitted, 3 received, 0% packet loss, time 2000ms/);
  // more time, more requests: no default count of 4 with -w
  const long = await onPc('ping', '-q', '-w', '6', '198.51.100.80');
  assert.equal(long.code, 0);
  assert.match(long.out, /6 packets transmitted, 6 received/);
  // -w with -c: -c counts replies, and fewer than that is a failure
  const short = await onPc('ping', '-q', '-w', '2', '-c', '5', '198.51.100.80');
  assert.equal(short.code, 1);
  assert.match(short.out, /2 packets transmitted, 2 received/);
});

test('ping of a broadcast address without -b: the iputils question, exit 2; with -b it pings', async () => {
  const r = await onPc('ping', '-c1', '192.168.3.255');
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(
    r.err,
    'ping: Do you want to ping broadcast? Then -b. If not, check your local firewall rules\n',
  );
  const all = await onPc('ping', '-c1', '255.255.255.255');
  assert.equal(all.code, 2);
  // Linux hosts ignore echo requests to a broadcast (net.ipv4.icmp_echo_ignore_broadcasts=1)
  const b = await onPc('ping', '-b', '-c1', '192.168.3.255');
  assert.equal(b.err, 'WARNING: pinging broadcast address\n');
  assert.equal(b.code, 1);
  assert.match(b.out, /1 packets transmitted, 0 received, 100% packet loss/);
  // a remote subnet's broadcast address is not one to this host: routed as unicast
  const remote = await onPc('ping', '-c1', '-W1', '198.51.100.255');
  assert.doesNotMatch(remote.err, /broadcast/);
});

// ─────────────────────────────────────────── dig ──────────────────────────────────────────

test('dig +noall +answer: the answer records alone (dig.c printmessage)', async () => {
  const r = await onPc('dig', '+noall', '+answer', 'www.server.com');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'www.server.com.\t\t300\tIN\tA\t198.51.100.80\n');
  const none = await onPc('dig', '+noall', 'www.server.com');
  assert.equal(none.out, '');
});

test('dig +nocomments, +nocmd, +nostats: BIND layout without those parts', async () => {
  const nc = await onPc('dig', '+nocomments', 'www.server.com');
  assert.deepEqual(nc.out.split('\n').slice(0, 6), [
    '',
    '; <<>> wiretrail dig <<>> +nocomments www.server.com',
    ';; global options: +cmd',
    ';www.server.com.\t\t\tIN\tA',
    'www.server.com.\t\t300\tIN\tA\t198.51.100.80',
    ';; Query time: 116 msec',
  ]);
  assert.match(nc.out, /;; MSG SIZE {2}rcvd: \d+\n\n$/);
  const quiet = await onPc('dig', '+nocmd', '+nostats', '+noquestion', 'www.server.com');
  const lines = quiet.out.split('\n');
  assert.equal(lines[0], ';; Got answer:');
  assert.ok(!quiet.out.includes('QUESTION SECTION'));
  assert.ok(!quiet.out.includes('Query time'));
  assert.ok(
    quiet.out.endsWith(';; ANSWER SECTION:\nwww.server.com.\t\t300\tIN\tA\t198.51.100.80\n\n'),
  );
});

test('dig AAAA www.server.com: type before the name, as dig.c takes it', async () => {
  const r = await onPc('dig', '+noall', '+question', 'AAAA', 'www.server.com');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, ';www.server.com.\t\t\tIN\tAAAA\n');
  const two = await onPc('dig', '+noall', '+question', 'www.server.com', 'MX', 'A');
  assert.equal(two.out, ';www.server.com.\t\t\tIN\tA\n');
  assert.equal(two.err, ';; Warning, extra type option\n');
});

test('dig -h: the usage on stdout, exit 0', async () => {
  const r = await onPc('dig', '-h');
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /^Usage: {2}dig \[@global-server\] \[domain\] \[q-type\] \[q-class\] \{q-opt\}\n/,
  );
  assert.match(r.out, /\+\[no\]all {12}\(Set or clear all display flags\)/);
});

// ─────────────────────────────────────────── curl ─────────────────────────────────────────

test('curl -f: HTTP ≥ 400 is error 22, no body; -fsS prints only the error, -fs nothing', async () => {
  const f = await onPc('curl', '-f', 'http://www.server.com/nosuch');
  assert.equal(f.code, 22);
  assert.equal(f.out, '');
  assert.equal(f.err, 'curl: (22) The requested URL returned error: 404\n');
  const fsS = await onPc('curl', '-fsS', 'http://www.server.com/nosuch');
  assert.equal(fsS.code, 22);
  assert.equal(fsS.err, 'curl: (22) The requested URL returned error: 404\n');
  const fs = await onPc('curl', '-fs', 'http://www.server.com/nosuch');
  assert.deepEqual([fs.code, fs.out, fs.err], [22, '', '']);
  // -i still prints the head (curl writes it before it sees the status is an error)
  const fi = await onPc('curl', '-fi', '--silent', 'http://www.server.com/nosuch');
  assert.match(fi.out, /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.ok(fi.out.endsWith('\r\n\r\n'));
  const v = await onPc('curl', '-fv', 'http://www.server.com/nosuch');
  assert.ok(v.err.includes('* The requested URL returned error: 404\n* Closing connection\n'));
  // a 200 is not affected; short options bundle with a value last (tool_getparam.c)
  const ok = await onPc('curl', '-fsSo/dev/null', '-w', '%{http_code}', 'http://www.server.com/');
  assert.deepEqual([ok.code, ok.out], [0, '200']);
});

test('curl -m / --max-time: exit 28 with the phase that ran out (multi.c), in simulated time', async () => {
  const dead = await onPc('curl', '-m', '2', 'http://198.51.100.99/');
  assert.equal(dead.code, 28);
  assert.equal(dead.err, 'curl: (28) Connection timed out after 2000 milliseconds\n');
  const dns = await onPc('curl', '--max-time', '0.05', 'http://www.server.com/');
  assert.equal(dns.err, 'curl: (28) Resolving timed out after 50 milliseconds\n');
  const op = await onPc('curl', '-sSm0.15', 'http://www.server.com/');
  assert.equal(op.code, 28);
  assert.equal(
    op.err,
    'curl: (28) Operation timed out after 150 milliseconds with 0 bytes received\n',
  );
  const enough = await onPc('curl', '-s', '-m', '5', '-o', '/dev/null', 'http://www.server.com/');
  assert.equal(enough.code, 0);
  const none = await onPc('curl', '-s', '-m', '0', '-o', '/dev/null', 'http://www.server.com/');
  assert.equal(none.code, 0);
  const bad = await onPc('curl', '-m', 'soon', 'http://www.server.com/');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /curl: option -m: expected a proper numerical parameter/);
});

test('curl -D -: the response head on stdout; -D file: no file system here (23)', async () => {
  const r = await onPc('curl', '-s', '-D', '-', '-o', '/dev/null', 'http://www.server.com/');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^HTTP\/1\.1 200 OK\r\nServer: wiretrail\r\n/);
  assert.ok(r.out.endsWith('\r\n\r\n'));
  const f = await onPc('curl', '--dump-header', '/tmp/h', 'http://www.server.com/');
  assert.equal(f.code, 23);
});

test('curl -v to a refused port: cf-socket.c names the socket it connected from', async () => {
  const r = await onPc('curl', '-v', 'http://www.server.com:8080/');
  assert.equal(r.code, 7);
  assert.ok(
    r.err.includes(
      '* connect to 198.51.100.80 port 8080 from 192.168.3.10 port 33564 failed: Connection refused\n',
    ),
    r.err,
  );
});

test('run -- help lists the curl options run takes', async () => {
  const r = await onPc('help');
  assert.match(
    r.out,
    /curl \[-v\] \[-s\] \[-S\] \[-f\] .*\[-D file\|-\] \[-m s\] \[-w format\] \[--max-redirs n\]/,
  );
});

// ──────────────────────────────────────────── ip ──────────────────────────────────────────

test('ip addr show [dev] NAME: that interface only; an unknown one is nodev(), exit 1', async () => {
  for (const cmd of [
    ['ip', 'addr', 'show', 'eth0'],
    ['ip', 'addr', 'show', 'dev', 'eth0'],
    ['ip', 'a', 's', 'eth0'],
  ]) {
    const r = await onPc(...cmd);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.split('\n'), [
      '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP group default qlen 1000',
      '    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff',
      '    inet 192.168.3.10/24 brd 192.168.3.255 scope global eth0',
      '       valid_lft forever preferred_lft forever',
      '',
    ]);
  }
  const none = await onPc('ip', 'addr', 'show', 'dev', 'eth9');
  assert.deepEqual([none.code, none.out, none.err], [1, '', 'Device "eth9" does not exist.\n']);
  const link = await onPc('ip', 'link', 'show', 'eth9');
  assert.deepEqual([link.code, link.err], [1, 'Device "eth9" does not exist.\n']);
  const junk = await onPc('ip', 'addr', 'eth0');
  assert.equal(junk.code, 255);
  assert.match(junk.err, /Command "eth0" is unknown, try "ip address help"\./);
});

test('ip -4 addr: no link/ lines; lo without brd, as iproute2 shows Linux', async () => {
  const r = await onPc('ip', '-4', 'addr');
  assert.equal(r.code, 0, r.err);
  assert.ok(!r.out.includes('link/'), r.out);
  assert.deepEqual(r.out.split('\n').slice(0, 3), [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
    '    inet 127.0.0.1/8 scope host lo',
    '       valid_lft forever preferred_lft forever',
  ]);
  const all = await onPc('ip', 'addr');
  assert.ok(all.out.includes('    inet 127.0.0.1/8 scope host lo\n'));
  assert.ok(!all.out.includes('127.255.255.255'));
});

test('ip -br addr / ip -br link: iproute2 brief columns (16, 14)', async () => {
  const a = await onPc('ip', '-br', 'a');
  assert.equal(a.code, 0, a.err);
  assert.equal(
    a.out,
    [
      'lo               UNKNOWN        127.0.0.1/8',
      'eth0             UP             192.168.3.10/24',
      'eth1             UP             192.168.10.10/24',
      '',
    ].join('\n'),
  );
  const l = await onPc('ip', '-brief', 'link', 'show', 'eth0');
  assert.equal(
    l.out,
    'eth0             UP             02:00:00:00:00:0a <BROADCAST,MULTICAST,UP,LOWER_UP>\n',
  );
});

// ─────────────────────────────────────────── route ────────────────────────────────────────

test('route without -n: default, and gateways named by gethostbyaddr (hosts file, then DNS)', async () => {
  const r = await onPc('route');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.out.split('\n'), [
    'Kernel IP routing table',
    'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface',
    'default         router.home     0.0.0.0         UG    0      0        0 eth0',
    '192.168.3.0     0.0.0.0         255.255.255.0   U     0      0        0 eth0',
    '192.168.10.0    0.0.0.0         255.255.255.0   U     0      0        0 eth1',
    '',
  ]);
  const n = await onPc('route', '-n');
  assert.ok(n.out.includes('\n0.0.0.0         192.168.3.1     0.0.0.0         UG    0'));
});

test('route -e: netstat -r columns (MSS Window irtt); -ee: both', async () => {
  const e = await onPc('route', '-en');
  assert.deepEqual(e.out.split('\n').slice(1, 3), [
    'Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface',
    '0.0.0.0         192.168.3.1     0.0.0.0         UG        0 0          0 eth0',
  ]);
  const ee = await onPc('route', '-e', '-e');
  assert.deepEqual(ee.out.split('\n').slice(1, 3), [
    'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt',
    'default         router.home     0.0.0.0         UG    0      0        0 eth0     0     0      0',
  ]);
});

test('formatRoute: a host route is named, a network is not; names are cut to 15 columns', () => {
  const routes: Route[] = [
    {
      dst: 0,
      prefix: 0,
      mask: 0,
      gateway: ip('100.64.0.1'),
      iface: 'eth0',
      metric: 0,
      src: 0,
      proto: 'static',
    },
    {
      dst: ip('10.0.0.7'),
      prefix: 32,
      mask: 0xffffffff,
      gateway: 0,
      iface: 'eth1',
      metric: 0,
      src: 0,
      proto: 'static',
    },
    {
      dst: ip('10.0.0.0'),
      prefix: 8,
      mask: 0xff000000,
      gateway: 0,
      iface: 'eth1',
      metric: 0,
      src: 0,
      proto: 'kernel',
    },
  ];
  const names = new Map([
    [ip('100.64.0.1'), 'eth1.r-isp.isp.net'],
    [ip('10.0.0.7'), 'box.example'],
    [ip('10.0.0.0'), 'should-not-be-used'],
  ]);
  assert.deepEqual(routeLookups(routes), [ip('100.64.0.1'), ip('10.0.0.7')]);
  assert.deepEqual(formatRoute(routes, { nameOf: (a) => names.get(a) }).slice(2), [
    'default         eth1.r-isp.isp. 0.0.0.0         UG    0      0        0 eth0',
    'box.example     0.0.0.0         255.255.255.255 UH    0      0        0 eth1',
    '10.0.0.0        0.0.0.0         255.0.0.0       U     0      0        0 eth1',
  ]);
});

// ───────────────────────────────────── netstat -r/-i, ss -s ─────────────────────────────────

test('netstat -r is the routing table in its netstat layout (MSS Window irtt), -re route’s own, -rn numeric', async () => {
  const r = await onPc('netstat', '-r', ';', 'netstat', '-rn', ';', 'netstat', '-re');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  const heads = lines.filter((l) => l.startsWith('Destination'));
  assert.deepEqual(heads, [
    'Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface',
    'Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface',
    'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface',
  ]);
  assert.ok(
    lines.includes('default         router.home     0.0.0.0         UG        0 0          0 eth0'),
  );
  assert.ok(
    lines.includes('0.0.0.0         192.168.3.1     0.0.0.0         UG        0 0          0 eth0'),
  );
});

test('netstat -i counts the frames the interfaces moved; ss -s counts the TIME-WAIT socket', async () => {
  const r = await onPc(
    'curl',
    '-s',
    '-o',
    '/dev/null',
    'http://www.server.com/',
    ';',
    'netstat',
    '-i',
    ';',
    'ss',
    '-s',
  );
  assert.equal(r.code, 0, r.err);
  const eth0 = r.out.split('\n').find((l) => l.startsWith('eth0 '));
  assert.ok(eth0 !== undefined && eth0.endsWith(' BMRU'), r.out);
  const [rxOk, , , , txOk] = eth0.trim().split(/\s+/).slice(2).map(Number);
  assert.ok(rxOk >= 5 && txOk >= 5, eth0);
  assert.match(r.out, /\nTCP: {3}1 \(estab 0, closed 1, orphaned 0, timewait 1\)\n/);
  assert.match(r.out, /\nTCP\t {2}1 {9}1 {9}0/);
});

test('ip: an unknown option exits 255 and an unknown object 1, as iproute2', async () => {
  const opt = await onPc('ip', '-z', 'addr');
  assert.equal(opt.code, 255);
  assert.match(opt.err, /ip: option "-z" is unknown/);
  const obj = await onPc('ip', 'foo');
  assert.equal(obj.code, 1);
  assert.match(obj.err, /ip: object "foo" is unknown/);
});
