// netstat and ss name addresses and ports as the Linux tools do, end to end on the default
// internet: net-tools' netstat names hosts (the hosts file, then PTR queries that cross the
// simulated network) and ports (/etc/services) unless -n / --numeric-hosts / --numeric-ports;
// iproute2's ss names ports unless -n, hosts only with -r, and never a port of the ephemeral
// range.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runTool } from '../src/apps/tools/command.js';
import { DnsType } from '../src/wire/dns.js';
import { buildWorld } from '../src/world/visit.js';
import { capturedOn, dnsIn, ptrQueries, run } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wiretrail-netstat-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The PTR queries and their answers' rcodes in a pcapng file, in capture order. */
function ptrIn(file: string): { queries: string[]; rcodes: Map<string, string> } {
  const seen = dnsIn(file);
  const answers = seen.filter((m) => m.qr === 'response' && m.type === DnsType.PTR);
  return { queries: ptrQueries(seen), rcodes: new Map(answers.map((m) => [m.name, m.rcode])) };
}

test('netstat names hosts and services unless -n; ss names services, hosts only with -r', async () => {
  const pcap = join(dir, 'names.pcapng');
  const r = await capturedOn(
    'pc',
    pcap,
    'curl -s -o /dev/null http://www.server.com/; netstat -at; netstat -ant; ' +
      'netstat -at --numeric-ports; netstat -at --numeric-hosts; ss -ta; ss -tan; ss -tar; ss -tarn',
  );
  assert.equal(r.code, 0, r.err);
  const head = [
    'Active Internet connections (servers and established)',
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ',
  ];
  const ssHead = 'State      Recv-Q Send-Q Local Address:Port   Peer Address:Port Process';
  assert.equal(
    r.out,
    [
      // 192.168.3.10 has no PTR record (NXDOMAIN): the address; 198.51.100.80 is www.server.com
      ...head,
      'tcp        0      0 192.168.3.10:33564      www.server.com:http     TIME_WAIT  ',
      ...head,
      'tcp        0      0 192.168.3.10:33564      198.51.100.80:80        TIME_WAIT  ',
      ...head,
      'tcp        0      0 192.168.3.10:33564      www.server.com:80       TIME_WAIT  ',
      ...head,
      'tcp        0      0 192.168.3.10:33564      198.51.100.80:http      TIME_WAIT  ',
      ssHead,
      'TIME-WAIT  0      0       192.168.3.10:33564 198.51.100.80:http',
      ssHead,
      'TIME-WAIT  0      0       192.168.3.10:33564 198.51.100.80:80',
      'State      Recv-Q Send-Q Local Address:Port    Peer Address:Port Process',
      'TIME-WAIT  0      0       192.168.3.10:33564 www.server.com:http',
      'State      Recv-Q Send-Q Local Address:Port    Peer Address:Port Process',
      'TIME-WAIT  0      0       192.168.3.10:33564 www.server.com:80',
      '',
    ].join('\n'),
  );
  // Real PTR queries from the pc, in the order netstat prints the addresses, each asked once;
  // the later commands' answers come from the OS cache (the miss included: negative caching).
  const { queries, rcodes } = ptrIn(pcap);
  assert.deepEqual(queries, ['10.3.168.192.in-addr.arpa.', '80.100.51.198.in-addr.arpa.']);
  assert.equal(rcodes.get('10.3.168.192.in-addr.arpa.'), 'NXDOMAIN');
  assert.equal(rcodes.get('80.100.51.198.in-addr.arpa.'), 'NOERROR');
});

test('-n asks no PTR query at all; ss without -r neither', async () => {
  const pcap = join(dir, 'numeric.pcapng');
  const r = await capturedOn(
    'pc',
    pcap,
    'curl -s -o /dev/null http://www.server.com/; netstat -ant; netstat -at --numeric-hosts; ss -ta',
  );
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(ptrIn(pcap).queries, []);
});

test('listeners: services by name, a port without one as a number, ss never names an ephemeral port', async () => {
  const world = buildWorld(undefined, { seed: 1 });
  const { net } = world;
  await net.run();
  const pc = net.hostNamed('pc');
  for (const port of [8080, 57000, 7777]) pc.net!.createServer(() => {}).listen(port);
  // the phone (192.168.3.20: no PTR record) connects to the pc's http-alt
  const sock = net.hostNamed('phone').net!.connect({ host: 0xc0a8030a, port: 8080 });
  await net.run({ until: net.clock.now() + 200_000_000 });
  const ctx = { stubs: world.apps.stubs };
  const lines: string[] = [];
  const on = async (...argv: string[]): Promise<string[]> => {
    lines.length = 0;
    await runTool(net, 'pc', argv, (l) => lines.push(l), ctx);
    return [...lines];
  };
  const netstat = await on('netstat', '-at');
  const client = /192\.168\.3\.20:(\d+)/.exec(netstat[5])?.[1];
  assert.ok(client !== undefined, netstat.join('\n'));
  assert.deepEqual(netstat.slice(2), [
    'tcp        0      0 0.0.0.0:7777            0.0.0.0:*               LISTEN     ',
    'tcp        0      0 0.0.0.0:http-alt        0.0.0.0:*               LISTEN     ',
    // netbase names 57000/tcp "dircproxy", and net-tools prints it
    'tcp        0      0 0.0.0.0:dircproxy       0.0.0.0:*               LISTEN     ',
    `tcp        0      0 192.168.3.10:http-alt   192.168.3.20:${client}      ESTABLISHED`,
  ]);
  // ss: 57000 is in ip_local_port_range, so never looked up
  const ss = await on('ss', '-ta');
  assert.deepEqual(ss, [
    'State      Recv-Q Send-Q Local Address:Port     Peer Address:Port  Process',
    'LISTEN     0      511          0.0.0.0:7777          0.0.0.0:*',
    'LISTEN     0      511          0.0.0.0:http-alt      0.0.0.0:*',
    'LISTEN     0      511          0.0.0.0:57000         0.0.0.0:*',
    `ESTAB      0      0       192.168.3.10:http-alt 192.168.3.20:${client}`,
  ]);
  // -r: ss asks for every address, 0.0.0.0 included; none has a name here
  const t0 = net.clock.now();
  assert.deepEqual(await on('ss', '-tar'), ss);
  assert.ok(net.clock.now() > t0, 'ss -r asked the resolver (0.0.0.0 was not asked before)');
  assert.deepEqual(await on('ss', '--resolve', '--numeric', '-ta'), await on('ss', '-tan'));
  const numeric = await on('netstat', '-atn');
  assert.equal(
    numeric[3],
    'tcp        0      0 0.0.0.0:8080            0.0.0.0:*               LISTEN     ',
  );
  assert.deepEqual(await on('netstat', '-at', '--numeric-ports', '--numeric-hosts'), numeric);
  sock.destroy();
});

test('ss -ua and netstat -lu on a DNS server: domain', async () => {
  const r = await run('run', 'internet', 'ns1', '--', 'ss -ua; netstat -lu; netstat -lt -W');
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      'State      Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
      'UNCONN     0      0            0.0.0.0:domain      0.0.0.0:*',
      'Active Internet connections (only servers)',
      'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ',
      'udp        0      0 0.0.0.0:domain          0.0.0.0:*                          ',
      'Active Internet connections (only servers)',
      'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ',
      'tcp        0      0 0.0.0.0:domain          0.0.0.0:*               LISTEN     ',
      '',
    ].join('\n'),
  );
});
