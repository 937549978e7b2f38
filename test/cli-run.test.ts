// `wiretrail run <topology> <node> -- <cmd>` on real worlds: shipped topologies by name, services
// started (DNS, web), names resolved by the node's stub resolver, chains sharing one world.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { getopt, runTool, ToolUsageError } from '../src/apps/tools/command.js';
import { buildWorld } from '../src/world/visit.js';
import { run, onPc } from './cli-helpers.js';

test('curl -v http://www.server.com/ on the default internet: body on stdout, curl -v on stderr', async () => {
  const r = await onPc('curl', '-v', 'http://www.server.com/');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^<!DOCTYPE html>/);
  assert.match(r.out, /<\/html>\n$/);
  const err = r.err.split('\n');
  assert.deepEqual(err.slice(0, 6), [
    '* Host www.server.com:80 was resolved.',
    '* IPv6: (none)',
    '* IPv4: 198.51.100.80',
    '*   Trying 198.51.100.80:80...',
    '* Connected to www.server.com (198.51.100.80) port 80',
    '> GET / HTTP/1.1',
  ]);
  assert.ok(err.includes('> Host: www.server.com'));
  assert.ok(err.includes('< HTTP/1.1 200 OK'));
  assert.ok(err.includes('* Connection #0 to host www.server.com left intact'));
});

test('dig +trace www.server.com: root, .com, then ns1.server.com with the answer', async () => {
  const r = await onPc('dig', '+trace', 'www.server.com');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[1], '; <<>> wiretrail dig <<>> +trace www.server.com');
  const received = lines.filter((l) => l.startsWith(';; Received'));
  assert.equal(received.length, 4, r.out);
  assert.match(received[0], /from 203\.0\.113\.53#53\(203\.0\.113\.53\)/);
  assert.match(
    received[1],
    /from (198\.41\.0\.4#53\(a|170\.247\.170\.2#53\(b)\.root-servers\.net\)/,
  );
  assert.match(received[2], /from 192\.5\.6\.30#53\(a\.gtld-servers\.net\)/);
  assert.match(received[3], /from 198\.51\.100\.2#53\(ns1\.server\.com\)/);
  assert.ok(lines.includes('www.server.com.\t\t300\tIN\tA\t198.51.100.80'), r.out);
});

test('traceroute -n 198.51.100.80: five hops through the home, ISP, core and data-centre routers', async () => {
  const r = await onPc('traceroute', '-n', '198.51.100.80');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(
    lines[0],
    'traceroute to 198.51.100.80 (198.51.100.80), 30 hops max, 60 byte packets',
  );
  const hops = lines.slice(1).map((l) => l.trim().split(/\s+/)[1]);
  assert.deepEqual(hops, [
    '192.168.3.1',
    '100.64.0.1',
    '100.64.1.2',
    '100.64.2.2',
    '198.51.100.80',
  ]);
});

test('curl -s ; netstat -napt: the connection curl closed is in TIME_WAIT; the server listens', async () => {
  const r = await onPc('curl', '-s', 'http://www.server.com/', ';', 'netstat', '-napt');
  assert.equal(r.code, 0, r.err);
  const table = r.out.slice(r.out.indexOf('Active Internet connections'));
  const lines = table.trimEnd().split('\n');
  assert.equal(lines[0], 'Active Internet connections (servers and established)');
  assert.equal(
    lines[1],
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    ',
  );
  assert.equal(lines.length, 3, table);
  assert.match(
    lines[2],
    /^tcp        0      0 192\.168\.3\.10:\d+ +198\.51\.100\.80:80 +TIME_WAIT   -$/,
  );
  const srv = await run('run', 'internet', 'web1', '--', 'netstat', '-lnt', ';', 'ss', '-tln');
  assert.match(
    srv.out,
    /^tcp        0      0 0\.0\.0\.0:80              0\.0\.0\.0:\*               LISTEN     $/m,
  );
  assert.match(srv.out, /^LISTEN     0      511          0\.0\.0\.0:80        0\.0\.0\.0:\*$/m);
  // -4 on its own is the IPv4 flag, not a number (as net-tools and iproute2 read it).
  const four = await run(
    'run',
    'internet',
    'web1',
    '--',
    'netstat',
    '-4',
    '-lnt',
    ';',
    'ss',
    '-4',
    '-tln',
  );
  assert.equal(four.code, 0, four.err);
  assert.equal(four.out, srv.out);
});

test('a connection still open shows ESTABLISHED on both ends (netstat and ss over the same world)', async () => {
  const world = buildWorld(undefined, { seed: 1 });
  const { net } = world;
  await net.run();
  const pc = net.hostNamed('pc');
  const sock = pc.net!.connect({ host: 0xc6336450, port: 80 }); // 198.51.100.80
  await net.run({ until: net.clock.now() + 200_000_000 });
  const lines: string[] = [];
  await runTool(net, 'pc', ['ss', '-tn'], (l) => lines.push(l));
  await runTool(net, 'web1', ['netstat', '-tn'], (l) => lines.push(l));
  assert.match(lines[1], /^ESTAB +0 +0 +192\.168\.3\.10:\d+ +198\.51\.100\.80:80$/);
  assert.match(
    lines[4],
    /^tcp        0      0 198\.51\.100\.80:80 +192\.168\.3\.10:\d+ +ESTABLISHED$/,
  );
  sock.destroy();
});

test('ping -c 2 nas.home: the name comes from the hosts file, replies are named as iputils does', async () => {
  const r = await onPc('ping', '-c', '2', 'nas.home');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[0], 'PING nas.home (192.168.10.200) 56(84) bytes of data.');
  assert.match(
    lines[1],
    /^64 bytes from nas\.home \(192\.168\.10\.200\): icmp_seq=1 ttl=64 time=[\d.]+ ms$/,
  );
  assert.ok(lines.includes('--- nas.home ping statistics ---'));
  assert.ok(lines.includes('2 packets transmitted, 2 received, 0% packet loss, time 1000ms'));
  const n = await onPc('ping', '-n', '-c', '1', 'nas.home');
  assert.match(n.out, /^64 bytes from 192\.168\.10\.200: icmp_seq=1/m);
});

test('ping and traceroute resolve DNS names through the stub resolver; hop names from /etc/hosts and PTR', async () => {
  const r = await onPc(
    'ping',
    '-c',
    '1',
    'www.server.com',
    ';',
    'traceroute',
    '-q',
    '1',
    'www.server.com',
  );
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(lines[0], 'PING www.server.com (198.51.100.80) 56(84) bytes of data.');
  // no name for 198.51.100.80 in /etc/hosts: the PTR record names it (iputils' pr_addr)
  assert.match(lines[1], /^64 bytes from www\.server\.com \(198\.51\.100\.80\): icmp_seq=1 ttl=60/);
  assert.ok(
    lines.includes('traceroute to www.server.com (198.51.100.80), 30 hops max, 60 byte packets'),
  );
  assert.ok(
    lines.some((l) => /^ 1  router\.home \(192\.168\.3\.1\)  [\d.]+ ms$/.test(l)),
    r.out,
  );
  assert.ok(
    lines.some((l) => /^ 2  eth0\.r-isp\.isp\.net \(100\.64\.0\.1\)  [\d.]+ ms$/.test(l)),
    r.out,
  );
});

test('names that do not resolve: ping and traceroute say so like Linux, curl exits 6', async () => {
  // `wiretrail run` exits with the tool's own status: iputils ping and traceroute 2, curl 6
  const p = await onPc('ping', '-c', '1', 'www.nosuch.com');
  assert.equal(p.code, 2);
  assert.equal(p.out, 'ping: www.nosuch.com: Name or service not known\n');
  const t = await onPc('traceroute', 'www.nosuch.com');
  assert.equal(t.code, 2);
  assert.match(
    t.out,
    /^www\.nosuch\.com: Name or service not known\nCannot handle "host" cmdline arg/,
  );
  const c = await onPc('curl', 'http://www.nosuch.com/');
  assert.equal(c.code, 6);
  assert.equal(c.err, 'curl: (6) Could not resolve host: www.nosuch.com\n');
  const s = await onPc('curl', '-s', 'http://www.nosuch.com/');
  assert.equal(s.err, '', 'curl -s prints no error');
  const sS = await onPc('curl', '-sS', 'http://www.nosuch.com/');
  assert.equal(sS.err, 'curl: (6) Could not resolve host: www.nosuch.com\n');
  // a topology without resolvers: a name is a usage error that says what is missing
  const simple = await run('run', 'simple', 'pc', '--', 'ping', 'www.server.com');
  assert.equal(simple.code, 2);
  assert.match(simple.err, /pc has no resolver to look names up/);
});

test('dig twice in one world: the second answer comes from the resolver cache, faster', async () => {
  const r = await onPc('dig', 'www.server.com', ';', 'dig', 'www.server.com');
  assert.equal(r.code, 0, r.err);
  const times = [...r.out.matchAll(/;; Query time: (\d+) msec/g)].map((m) => Number(m[1]));
  assert.equal(times.length, 2);
  assert.ok(times[1] < times[0], `first ${times[0]} ms, second ${times[1]} ms`);
  const ttls = [...r.out.matchAll(/^www\.server\.com\.\t\t(\d+)\tIN\tA\t198\.51\.100\.80$/gm)].map(
    (m) => Number(m[1]),
  );
  assert.deepEqual(ttls.length, 2);
  const ids = [...r.out.matchAll(/id: (\d+)/g)].map((m) => m[1]);
  assert.notEqual(ids[0], ids[1], 'each dig picks its own query ID');
});

test('dig @server by node name or name server name, -t TYPE, positional type, +short', async () => {
  const r = await onPc(
    'dig',
    '@a.root-servers.net',
    'www.server.com',
    '+norecurse',
    ';',
    'dig',
    '@ns1',
    '-t',
    'NS',
    'server.com',
    '+short',
    ';',
    'dig',
    'server.com',
    'SOA',
    '+short',
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /;; SERVER: 198\.41\.0\.4#53\(a\.root-servers\.net\) \(UDP\)/);
  assert.match(r.out, /^com\.\t\t\t172800\tIN\tNS\ta\.gtld-servers\.net\.$/m);
  assert.match(r.out, /^ns1\.server\.com\.$/m);
  assert.match(r.out, /^ns1\.server\.com\. \S+ \d+ /m, 'the SOA in +short form');
  const bad = await onPc('dig', '-t', 'BOGUS', 'x');
  assert.equal(bad.code, 1, "BIND dig's usage status");
  assert.equal(bad.err, 'wiretrail: dig: invalid type: BOGUS\n');
  const noSrv = await onPc('dig', '@nowhere.invalid', 'x');
  assert.equal(noSrv.code, 10, "BIND dig's fatal() status");
  assert.equal(noSrv.err, "dig: couldn't get address for 'nowhere.invalid': not found\n");
});

test('nslookup and host ask the resolver from resolv.conf, or the server given', async () => {
  const r = await run(
    'run',
    'internet',
    'phone',
    '--',
    'nslookup',
    'www.server.com',
    ';',
    'host',
    'www.server.com',
    ';',
    'host',
    '-t',
    'A',
    'www.server.com',
    'ns1',
  );
  assert.equal(r.code, 0, r.err);
  assert.ok(
    r.out.startsWith(
      'Server:\t\t203.0.113.53\nAddress:\t203.0.113.53#53\n\nNon-authoritative answer:\nName:\twww.server.com\nAddress: 198.51.100.80\n',
    ),
    r.out,
  );
  assert.match(r.out, /^www\.server\.com has address 198\.51\.100\.80$/m);
  assert.match(r.out, /^Using domain server:\nName: ns1\nAddress: 198\.51\.100\.2#53$/m);
  const nx = await onPc('host', 'www.nosuch.com');
  assert.equal(nx.code, 1);
  assert.equal(nx.out, 'Host www.nosuch.com not found: 3(NXDOMAIN)\n');
  const bad = await onPc('nslookup', '-debug', 'x');
  assert.equal(bad.code, 2);
  assert.equal(bad.err, 'wiretrail: nslookup: invalid option -debug\n');
});

test('netstat -s: Ip, Icmp, Tcp and Udp counters after a ping and a page', async () => {
  const r = await onPc(
    'ping',
    '-c',
    '1',
    '-q',
    '198.51.100.80',
    ';',
    'curl',
    '-s',
    '-o',
    'page.html',
    'http://www.server.com/',
    ';',
    'netstat',
    '-s',
  );
  // curl -o FILE: the node has no file system, curl reports a write error (23), silently with -s
  const stats = r.out.slice(r.out.indexOf('Ip:\n'));
  const sections = stats.split('\n').filter((l) => /^[A-Za-z]+:$/.test(l));
  assert.deepEqual(sections.slice(0, 5), ['Ip:', 'Icmp:', 'IcmpMsg:', 'Tcp:', 'Udp:']);
  assert.match(stats, /^    Forwarding: 2$/m);
  assert.match(stats, /^    1 active connection openings$/m);
  assert.match(stats, /^        echo requests: 1$/m);
  assert.match(stats, /^        OutType8: 1$/m);
  assert.match(stats, /^    1 packets sent$/m, 'the DNS query');
  const tcpOnly = await onPc('netstat', '-st');
  assert.ok(tcpOnly.out.startsWith('Tcp:\n'), tcpOnly.out);
  assert.doesNotMatch(tcpOnly.out, /^Udp:/m);
});

test('ss -tan, ss -ua, netstat -anu on a DNS server; hosts and cat /etc/resolv.conf', async () => {
  const r = await run('run', 'internet', 'ns1', '--', 'ss', '-an', ';', 'netstat', '-anu');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.equal(
    lines[0],
    'Netid State      Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
  );
  assert.equal(lines[1], 'udp   UNCONN     0      0            0.0.0.0:53        0.0.0.0:*');
  assert.equal(lines[2], 'tcp   LISTEN     0      511          0.0.0.0:53        0.0.0.0:*');
  assert.ok(
    lines.includes(
      'udp        0      0 0.0.0.0:53              0.0.0.0:*                          ',
    ),
  );
  const f = await onPc('hosts', ';', 'cat', '/etc/resolv.conf', ';', 'cat', '/etc/shadow');
  assert.equal(
    f.out,
    '127.0.0.1\tlocalhost\n192.168.10.200\tnas.home\n192.168.3.1\trouter.home\nnameserver 203.0.113.53\ncat: /etc/shadow: No such file or directory\n',
  );
  assert.equal(f.code, 1, 'the last command failed');
});

test('shipped topology names and files; unknown names and bad flags are one line, exit 2 (dig 1)', async () => {
  const simple = await run('run', 'simple', 'pc', '--', 'ping', '-c', '1', '198.51.100.80');
  assert.equal(simple.code, 0, simple.err);
  const file = await run('run', 'src/world/examples/internet.yaml', 'pc', '--', 'route', '-n');
  assert.equal(file.code, 0, file.err);
  assert.match(
    file.out,
    /^0\.0\.0\.0         192\.168\.3\.1     0\.0\.0\.0         UG    0      0        0 eth0$/m,
  );
  const none = await run('run', 'interweb', 'pc', '--', 'arp');
  assert.equal(none.code, 2);
  assert.equal(
    none.err,
    'wiretrail: no topology "interweb": not a file, nor a shipped topology (internet, simple)\n',
  );
  for (const [argv, msg] of [
    [['netstat', '-x'], "netstat: invalid option -- 'x'"],
    [['ss', '-Z'], "ss: invalid option -- 'Z'"],
    [['curl', '--frob', 'http://www.server.com/'], 'curl: option --frob: is unknown'],
    [['curl'], 'curl: no URL specified'],
    [['dig', '+frob', 'x'], 'dig: Invalid option: +frob', 1],
    [['host'], 'host: usage: host [options] name [server]'],
    [['cat'], 'cat: one file: /etc/hosts or /etc/resolv.conf'],
    // GNU coreutils sleep's words, and its usage status 1
    [['sleep', 'abc'], "sleep: invalid time interval 'abc'", 1],
    [['sleep', '5', '2x'], "sleep: invalid time interval '2x'", 1],
    [['sleep'], 'sleep: missing operand', 1],
    [
      ['telnet', 'x'],
      'unknown command "telnet" (one of: ping, traceroute, curl, dig, nslookup, host, netstat, ss, arp, route, ip, brctl, bridge, hosts, cat, sleep, help)',
    ],
  ] as const) {
    const r = await onPc(...argv);
    // 2, except BIND's dig and GNU sleep whose usage status is 1
    assert.equal(r.code, argv[0] === 'dig' || argv[0] === 'sleep' ? 1 : 2, argv.join(' '));
    assert.equal(r.err, `wiretrail: ${msg}\n`);
  }
});

test('runTool without a context: lines only, names are a usage error', async () => {
  const world = buildWorld(undefined, { seed: 1 });
  await world.net.run();
  const lines: string[] = [];
  const r = await runTool(world.net, 'pc', ['curl', '-s', 'http://198.51.100.80/'], (l) =>
    lines.push(l),
  );
  assert.equal(r.exitCode, 0);
  assert.equal(lines[0], '<!DOCTYPE html>');
  assert.equal(lines[lines.length - 1], '</html>');
  await assert.rejects(
    runTool(world.net, 'pc', ['ping', 'nas.home'], () => {}),
    ToolUsageError,
  );
  const withStubs = await runTool(world.net, 'pc', ['ping', '-c', '1', 'nas.home'], () => {}, {
    stubs: world.apps.stubs,
  });
  assert.equal(withStubs.exitCode, 0);
  assert.deepEqual(
    getopt('x', ['-nq', '-c3'], { withValue: ['c'], bool: ['n', 'q'] }).flags.get('c'),
    ['3'],
  );
});

test('curl -o: /dev/null discards the body, - is standard output, a file fails with 23', async () => {
  const n = await onPc('curl', '-s', '-o', '/dev/null', 'http://www.server.com/');
  assert.equal(n.code, 0, n.err);
  assert.equal(n.out, '');
  const dash = await onPc('curl', '-s', '-o', '-', 'http://www.server.com/app.js');
  assert.equal(dash.code, 0, dash.err);
  assert.ok(dash.out.length > 0);
  const file = await onPc('curl', '-o', 'page.html', 'http://www.server.com/');
  assert.equal(file.code, 23);
  assert.match(file.err, /^curl: \(23\) /);
});

test('sleep takes GNU sleep operands: suffixes s m h d, several added up', async () => {
  const r = await onPc('sleep', '1m', '0.5', ';', 'ping', '-c', '1', '-q', '192.168.3.1');
  assert.equal(r.code, 0, r.err);
});

const dir = mkdtempSync(join(tmpdir(), 'wiretrail-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('output files, capture points and --capture are checked before anything runs: one line, exit 2', async () => {
  const ping = ['--', 'ping', '-c', '1', '198.51.100.80'];
  const missing = join(dir, 'nosuch', 'x.pcapng');
  for (const [argv, msg] of [
    [
      ['--pcapng', missing],
      `--pcapng ${missing}: cannot write there (no directory ${dirname(missing)})`,
    ],
    [['--pcapng', dir], `--pcapng ${dir}: is a directory`],
    [
      ['--trace-out', join(dir, 'nosuch', 't.jsonl')],
      `--trace-out ${join(dir, 'nosuch', 't.jsonl')}: cannot write there (no directory ${join(dir, 'nosuch')})`,
    ],
    // as visit says it; run also takes node.*, links by name and *
    [
      ['--capture', 'nosuch.eth0', '--pcapng', join(dir, 'a.pcapng')],
      '--capture: no port "nosuch.eth0" (use node.port such as pc.eth0, node.*, a link name, or *)',
    ],
    [
      ['--capture', 'nosuch.*', '--pcapng', join(dir, 'a.pcapng')],
      '--capture: no node "nosuch" (use node.port such as pc.eth0, node.*, a link name, or *)',
    ],
    [
      ['--capture', 'nolink', '--pcapng', join(dir, 'a.pcapng')],
      '--capture: no port or link "nolink" (use node.port such as pc.eth0, node.*, a link name, or *)',
    ],
    // as visit: a capture point without a capture file is a mistake, not silently ignored
    [
      ['--capture', 'pc.eth0'],
      '--capture needs --pcapng FILE (it chooses what the capture file records)',
    ],
  ] as const) {
    const r = await run('run', 'internet', 'pc', ...argv, ...ping);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.err, `wiretrail: ${msg}\n`);
    assert.equal(r.out, '', 'nothing ran');
  }
  assert.ok(!existsSync(join(dir, 'a.pcapng')));
  // every kind of capture point that exists is accepted
  const ok = await run(
    'run',
    'internet',
    'pc',
    '--capture',
    'pc.eth0-sw-home.port1',
    'r-home.*',
    'sw-home.port2',
    '--pcapng',
    join(dir, 'ok.pcapng'),
    ...ping,
  );
  assert.equal(ok.code, 0, ok.err);
  assert.ok(readFileSync(join(dir, 'ok.pcapng')).length > 1000);
});

test("--trace-out - writes the trace to stdout (JSON lines) and the commands' output to stderr", async () => {
  const r = await run(
    'run',
    'internet',
    'pc',
    '--trace-out',
    '-',
    '--',
    'ping',
    '-c',
    '1',
    '198.51.100.80',
  );
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.ok(lines.length > 10);
  for (const l of lines) assert.equal(typeof JSON.parse(l).kind, 'string');
  assert.match(r.err, /^PING 198\.51\.100\.80 /);
  assert.ok(!existsSync('-'), 'no file named "-"');
  const file = join(dir, 'trace.jsonl');
  const f = await run('run', 'internet', 'pc', '--trace-out', file, '--', 'route', '-n');
  assert.equal(f.code, 0, f.err);
  assert.match(f.out, /^Kernel IP routing table\n/);
  assert.ok(readFileSync(file, 'utf8').split('\n').length > 2);
});

test('an option after the command without "--": the message shows where "--" goes', async () => {
  const r = await run('run', 'internet', 'pc', 'ping', '-c', '1', '198.51.100.80');
  assert.equal(r.code, 2);
  assert.equal(
    r.err,
    "wiretrail: unknown option '-c' — put the node's command after --: wiretrail run internet pc -- ping -c 1 198.51.100.80\n",
  );
  // run's own options still work anywhere; ";" and spaces are quoted as a shell needs them
  const chain = await run(
    'run',
    '--seed',
    '2',
    'internet',
    'pc',
    'dig',
    'x',
    ';',
    'curl',
    '-s',
    'a b',
  );
  assert.equal(
    chain.err,
    "wiretrail: unknown option '-s' — put the node's command after --: wiretrail run internet pc -- dig x ';' curl -s 'a b'\n",
  );
  // a mistyped option of run itself keeps the parser's message
  const typo = await run('run', 'internet', 'pc', '--seeds', '2', '--', 'arp');
  assert.equal(typo.code, 2);
  assert.match(typo.err, /^wiretrail: unknown option '--seeds'/);
  assert.doesNotMatch(typo.err, /put the node's command/);
  // without an option the command needs no "--"
  const plain = await run('run', 'internet', 'pc', 'arp');
  assert.equal(plain.code, 0, plain.err);
});

test('arp names neighbours from the hosts file (gethostbyaddr), -n never does', async () => {
  const r = await onPc(
    'ping',
    '-c',
    '1',
    'nas.home',
    ';',
    'arp',
    '-a',
    ';',
    'arp',
    '-an',
    ';',
    'arp',
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^nas\.home \(192\.168\.10\.200\) at 02:00:00:00:00:c8 \[ether\] on eth1$/m);
  assert.match(r.out, /^\? \(192\.168\.10\.200\) at 02:00:00:00:00:c8 \[ether\] on eth1$/m);
  assert.match(r.out, /^nas\.home {17}ether {3}02:00:00:00:00:c8 {3}C {21}eth1$/m);
});

test('curl -w (write-out) and -o /dev/null, for scripts: status, address, timings, errors', async () => {
  const ok = await onPc(
    'curl',
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code} %{remote_ip}:%{remote_port} %{size_download} %{num_connects}\\n',
    'http://www.server.com/',
  );
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.out, '200 198.51.100.80:80 1668 1\n');
  const times = await onPc(
    'curl',
    '-s',
    '-o',
    '/dev/null',
    '-w',
    '%{time_namelookup} %{time_connect} %{time_starttransfer} %{time_total}',
    'http://www.server.com/',
  );
  const t = times.out.split(' ').map(Number);
  assert.equal(t.length, 4);
  assert.ok(t[0] > 0 && t[0] < t[1] && t[1] < t[2] && t[2] <= t[3], times.out);
  const bad = await onPc('curl', '-s', '-w', '%{http_code} %{exitcode}', 'http://www.nosuch.com/');
  assert.equal(bad.code, 6);
  assert.equal(bad.out, '000 6');
});

test('ping -c N -w D: with a deadline, -c counts replies, so ping keeps asking (iputils)', async () => {
  const r = await onPc('ping', '-c', '1', '-w', '3', '192.0.2.99');
  assert.equal(r.code, 1);
  assert.match(r.out, /^3 packets transmitted, 0 received, 100% packet loss, time 2000ms$/m);
  const ok = await onPc('ping', '-c', '2', '-w', '5', '198.51.100.80');
  assert.equal(ok.code, 0);
  assert.match(ok.out, /^2 packets transmitted, 2 received, 0% packet loss/m);
});
