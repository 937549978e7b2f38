import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../sim/scheduler.js';
import { MS } from '../../sim/time.js';
import { TcpLayer } from '../../stack/tcp/layer.js';
import { FakeHost, wire } from '../../stack/tcp/testing.js';
import {
  formatNetstatNapt,
  formatNetstatI,
  formatNetstatS,
  formatSsSummary,
  formatSsTan,
  netstatEndpoint,
  netstatLookups,
  netstatNapt,
  netstatS,
  ssLookups,
  ssServiceNames,
  ssTan,
  tcpSocketRows,
} from './netstat.js';
import type { TcpSocketRow } from './netstat.js';
import { SERVICES, serviceName } from './services.js';

function twoHosts(): { clock: Scheduler; A: TcpLayer; B: TcpLayer } {
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, 0x0a000001, 3);
  const hb = new FakeHost('b', clock, 0x0a000002, 3);
  const A = new TcpLayer(ha);
  const B = new TcpLayer(hb);
  wire(clock, ha, A, hb, B, 1 * MS);
  return { clock, A, B };
}

test('netstat -napt: listener and established connections, shaped like net-tools', () => {
  const { clock, A, B } = twoHosts();
  B.createServer(() => {}).listen(80);
  const c = A.connect({ host: 0x0a000002, port: 80 });
  clock.runSync({ until: 10 * MS });
  c.write(new Uint8Array(100));
  const text = netstatNapt(B).split('\n');
  assert.equal(text[0], 'Active Internet connections (servers and established)');
  assert.equal(
    text[1],
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    ',
  );
  assert.equal(
    text[2],
    'tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN      -                   ',
  );
  assert.match(text[3], /^tcp        0      0 10\.0\.0\.2:80 {13}10\.0\.0\.1:\d+ +ESTABLISHED -/);
  const a = netstatNapt(A).split('\n');
  assert.match(a[2], /^tcp        0    100 10\.0\.0\.1:\d+ +10\.0\.0\.2:80 +ESTABLISHED/);
});

test('ss -tan: iproute2 columns, backlog as the listener Send-Q', () => {
  const lines = formatSsTan([
    { state: 1, localAddr: 0, localPort: 80, remoteAddr: 0, remotePort: 0, recvQ: 0, sendQ: 511 },
    {
      state: 4,
      localAddr: 0x0a000002,
      localPort: 80,
      remoteAddr: 0x0a000001,
      remotePort: 49152,
      recvQ: 0,
      sendQ: 0,
    },
    {
      state: 10,
      localAddr: 0x0a000002,
      localPort: 80,
      remoteAddr: 0x0a000001,
      remotePort: 49153,
      recvQ: 0,
      sendQ: 0,
    },
  ]);
  assert.deepEqual(lines, [
    'State      Recv-Q Send-Q Local Address:Port Peer Address:Port  Process',
    'LISTEN     0      511          0.0.0.0:80        0.0.0.0:*',
    'ESTAB      0      0           10.0.0.2:80       10.0.0.1:49152',
    'TIME-WAIT  0      0           10.0.0.2:80       10.0.0.1:49153',
  ]);
});

test('netstat -s: the Tcp section always, TcpExt only non-zero counters', () => {
  const { clock, A, B } = twoHosts();
  B.createServer((s) => s.end()).listen(80);
  const c = A.connect({ host: 0x0a000002, port: 80 });
  c.on('end', () => c.end());
  A.connect({ host: 0x0a000002, port: 81 });
  clock.runSync({ until: 10 * 1000 * MS });
  const text = netstatS(A).split('\n');
  assert.deepEqual(text.slice(0, 11), [
    'Tcp:',
    '    2 active connection openings',
    '    0 passive connection openings',
    '    1 failed connection attempts',
    '    0 connection resets received',
    '    0 connections established',
    `    ${A.stats.inSegs} segments received`,
    `    ${A.stats.outSegs} segments sent out`,
    '    0 segments retransmitted',
    '    0 bad segments received',
    '    0 resets sent',
  ]);
  assert.ok(netstatS(B).includes('    1 resets sent'));
  assert.ok(ssTan(B).startsWith('State'));
  assert.equal(
    formatNetstatS({ ...A.stats, drops: {} }, 0).includes('TcpExt:'),
    A.stats.hpAcks > 0,
  );
});

test('netstat -s: undone timeouts and HyStart++ exits under their Linux names', () => {
  const { A } = twoHosts();
  const s = {
    ...A.stats,
    lossUndo: 2,
    spuriousRtos: 2,
    hystartDelayDetect: 1,
    hystartDelayCwnd: 38,
  };
  const text = formatNetstatS(s, 0);
  assert.ok(
    text.includes('    2 congestion windows recovered without slow start after partial ack'),
  );
  assert.ok(text.includes('    TCPSpuriousRTOs: 2'));
  assert.ok(text.includes('    TCPHystartDelayDetect: 1'));
  assert.ok(text.includes('    TCPHystartDelayCwnd: 38'));
  assert.ok(!formatNetstatS(A.stats, 0).some((l) => l.includes('TCPHystart')));
});

test('rows come from the layer without changing it', () => {
  const { A } = twoHosts();
  A.listen(0, 8080, 16);
  const rows = tcpSocketRows(A);
  assert.equal(rows.length, 1);
  assert.equal(formatNetstatNapt(rows).length, 3);
  assert.equal(A.listenerList().length, 1);
});

const NAMES = new Map([
  [0x0a000002, 'www.server.com'],
  [0x64400102, 'eth0.r-core.isp.net'],
  [0x0a000009, 'a-very-long-host-name-indeed.example.org'],
]);
const names = { host: (a: number) => NAMES.get(a), service: serviceName };

test('/etc/services: netbase names by port and protocol, none for an unlisted port', () => {
  assert.equal(serviceName(80, 'tcp'), 'http');
  assert.equal(serviceName(53, 'udp'), 'domain');
  assert.equal(serviceName(143, 'tcp'), 'imap2');
  assert.equal(serviceName(8080, 'tcp'), 'http-alt');
  assert.equal(serviceName(465, 'tcp'), 'submissions');
  assert.equal(serviceName(22, 'udp'), undefined, 'ssh is tcp only in netbase');
  assert.equal(serviceName(7777, 'tcp'), undefined);
  for (const s of SERVICES) assert.ok(s.port > 0 && s.port < 65536 && /^[a-z0-9-]+$/.test(s.name));
});

test('netstat endpoints: names, "*" for port 0, 0.0.0.0 never named, long ones cut as addr_do_one', () => {
  assert.equal(netstatEndpoint(0x0a000002, 80, 'tcp', { names }), 'www.server.com:http');
  assert.equal(netstatEndpoint(0x0a000002, 80, 'tcp'), '10.0.0.2:80');
  assert.equal(netstatEndpoint(0, 0, 'tcp', { names: { host: () => 'any' } }), '0.0.0.0:*');
  assert.equal(netstatEndpoint(0x0a000003, 7777, 'tcp', { names }), '10.0.0.3:7777');
  // 19 + 4 > 22: the port stays whole, the host keeps 22 - 4 characters
  assert.equal(netstatEndpoint(0x64400102, 80, 'tcp', { names }), 'eth0.r-core.isp.ne:http');
  assert.equal(
    netstatEndpoint(0x64400102, 80, 'tcp', { names, wide: true }),
    'eth0.r-core.isp.net:http',
  );
  // a long port name keeps at most 18 characters, the host 4
  assert.equal(
    netstatEndpoint(0x0a000009, 1, 'tcp', {
      names: { ...names, service: () => 'an-unusually-long-service-name' },
    }),
    'a-ve:an-unusually-long-',
  );
  // the numeric form always fits: 255.255.255.255:65535 is 21 characters
  assert.equal(netstatEndpoint(0xffffffff, 65535, 'tcp', { names: {} }), '255.255.255.255:65535');
});

const row = (over: Partial<TcpSocketRow>): TcpSocketRow => ({
  state: 4,
  localAddr: 0x0a000001,
  localPort: 49152,
  remoteAddr: 0x0a000002,
  remotePort: 80,
  recvQ: 0,
  sendQ: 0,
  ...over,
});

test('netstat lines: 23-character columns, -W widens them, UDP has no state, -p adds a column', () => {
  const rows = [
    row({ state: 1, localAddr: 0, localPort: 80, remoteAddr: 0, remotePort: 0, sendQ: 511 }),
    row({ remoteAddr: 0x64400102 }),
    row({ state: 0, localAddr: 0, localPort: 53, remoteAddr: 0, remotePort: 0, proto: 'udp' }),
  ];
  assert.deepEqual(formatNetstatNapt(rows, { names, programs: false }).slice(1), [
    'Proto Recv-Q Send-Q Local Address           Foreign Address         State      ',
    'tcp        0      0 0.0.0.0:http            0.0.0.0:*               LISTEN     ',
    'tcp        0      0 10.0.0.1:49152          eth0.r-core.isp.ne:http ESTABLISHED',
    'udp        0      0 0.0.0.0:domain          0.0.0.0:*                          ',
  ]);
  assert.equal(
    formatNetstatNapt(rows, { names, programs: false, wide: true })[3],
    'tcp        0      0 10.0.0.1:49152          eth0.r-core.isp.net:http ESTABLISHED',
  );
  assert.equal(
    formatNetstatNapt(rows)[4],
    'udp        0      0 0.0.0.0:53              0.0.0.0:*                           -                   ',
  );
});

test('ss: services unless numeric, never for an ephemeral port; host names only when given', () => {
  const svc = ssServiceNames();
  assert.equal(svc(80, 'tcp'), 'http');
  assert.equal(svc(57000, 'tcp'), undefined, 'dircproxy is in 32768-60999');
  assert.equal(ssServiceNames([60000, 61000])(57000, 'tcp'), 'dircproxy');
  const rows = [
    row({ state: 1, localAddr: 0, localPort: 80, remoteAddr: 0, remotePort: 0, sendQ: 511 }),
    row({ localPort: 57000, remoteAddr: 0x64400102, remotePort: 8080 }),
  ];
  assert.deepEqual(formatSsTan(rows, { service: svc }), [
    'State      Recv-Q Send-Q Local Address:Port  Peer Address:Port     Process',
    'LISTEN     0      511          0.0.0.0:http       0.0.0.0:*',
    'ESTAB      0      0           10.0.0.1:57000   100.64.1.2:http-alt',
  ]);
  assert.deepEqual(formatSsTan(rows, { service: svc, host: (a) => NAMES.get(a) }).slice(1), [
    'LISTEN     0      511          0.0.0.0:http              0.0.0.0:*',
    'ESTAB      0      0           10.0.0.1:57000 eth0.r-core.isp.net:http-alt',
  ]);
});

test('the addresses each tool looks up, in print order: netstat skips 0.0.0.0, ss -r does not', () => {
  const rows = [
    row({ state: 1, localAddr: 0, localPort: 80, remoteAddr: 0, remotePort: 0 }),
    row({}),
    row({ remotePort: 81 }),
  ];
  assert.deepEqual(netstatLookups(rows), [0x0a000001, 0x0a000002]);
  assert.deepEqual(ssLookups(rows), [0, 0x0a000001, 0x0a000002]);
});

test('netstat -i: net-tools columns, interfaces sorted by name, down ones only with -a', () => {
  const nic = { loopback: false, up: true, running: true, promiscuous: false };
  const zero = {
    rxErrors: 0,
    rxDropped: 0,
    rxFifoErrors: 0,
    txErrors: 0,
    txDropped: 0,
    txFifoErrors: 0,
  };
  const rows = [
    {
      name: 'lo',
      mtu: 65536,
      ...nic,
      loopback: true,
      rxPackets: 3247292,
      txPackets: 3247292,
      ...zero,
    },
    { name: 'eth10', mtu: 1500, ...nic, rxPackets: 1, txPackets: 2, ...zero },
    { name: 'eth0', mtu: 1400, ...nic, rxPackets: 16448, txPackets: 12242, ...zero },
    {
      name: 'eth2',
      mtu: 1500,
      ...nic,
      up: false,
      running: false,
      rxPackets: 0,
      txPackets: 0,
      ...zero,
    },
    {
      name: 'eth3',
      mtu: 1500,
      ...nic,
      promiscuous: true,
      rxPackets: 5,
      txPackets: 6,
      ...zero,
      rxDropped: 7,
    },
  ];
  // the lo and eth0 lines are what Linux's netstat -i printed on this machine
  assert.deepEqual(formatNetstatI(rows), [
    'Kernel Interface table',
    'Iface             MTU    RX-OK RX-ERR RX-DRP RX-OVR    TX-OK TX-ERR TX-DRP TX-OVR Flg',
    'eth0             1400    16448      0      0 0         12242      0      0      0 BMRU',
    'eth3             1500        5      0      7 0             6      0      0      0 BMPRU',
    'eth10            1500        1      0      0 0             2      0      0      0 BMRU',
    'lo              65536  3247292      0      0 0       3247292      0      0      0 LRU',
  ]);
  assert.ok(formatNetstatI(rows, true).some((l) => l.startsWith('eth2 ') && l.endsWith(' BM')));
});

test('ss -s: totals as iproute2 prints them from sockstat', () => {
  const row = (state: number) => ({
    state,
    localAddr: 0,
    localPort: 0,
    remoteAddr: 0,
    remotePort: 0,
    recvQ: 0,
    sendQ: 0,
  });
  // a listener, two established, one CLOSE-WAIT, three TIME-WAIT; two UDP sockets
  const lines = formatSsSummary([1, 4, 4, 7, 10, 10, 10].map(row), 2);
  assert.deepEqual(lines, [
    'Total: 9',
    'TCP:   7 (estab 3, closed 3, orphaned 0, timewait 3)',
    '',
    'Transport Total     IP        IPv6',
    'RAW\t  0         0         0        ',
    'UDP\t  2         2         0        ',
    'TCP\t  7         7         0        ',
    'INET\t  9         9         0        ',
    'FRAG\t  0         0         0        ',
  ]);
});
