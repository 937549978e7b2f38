import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../sim/scheduler.js';
import { MS } from '../../sim/time.js';
import { TcpLayer } from '../../stack/tcp/layer.js';
import { FakeHost, wire } from '../../stack/tcp/testing.js';
import {
  formatNetstatI,
  formatNetstatNapt,
  formatNetstatS,
  netstatEndpoint,
  netstatLookups,
  netstatNapt,
  netstatS,
} from './netstat.js';
import { tcpSocketRows } from './sockets.js';
import type { SsTcpInfo, TcpSocketRow } from './sockets.js';
import {
  formatBw,
  formatG,
  formatSsInfo,
  formatSsSummary,
  formatSsTan,
  formatSsTimer,
  parseSsExpr,
  printMsTimer,
  SS_ALL,
  SS_CONN,
  SS_LISTENING,
  ssExprMatches,
  ssLookups,
  ssScanState,
  ssServiceNames,
  ssShowsState,
  ssStateFilter,
  ssStateMatches,
  ssTan,
} from './ss.js';
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

const INFO: SsTcpInfo = {
  cong: 'cubic',
  wscale: [7, 7],
  rto: 204,
  backoff: 0,
  rtt: 0.05,
  rttvar: 0.025,
  ato: 40,
  mss: 1448,
  pmtu: 1500,
  advmss: 1448,
  cwnd: 10,
  ssthresh: 7,
  bytesAcked: 113,
  bytesReceived: 4096,
  lastack: 12,
  unacked: 0,
  reordering: 3,
  notsent: 0,
  minrtt: 0.042,
  sndWnd: 64256,
};

test('ss -i: the tcp_info line in ss.c tcp_stats_print order, zero fields left out', () => {
  assert.equal(
    formatSsInfo(INFO),
    '\t cubic wscale:7,7 rto:204 rtt:0.05/0.025 ato:40 mss:1448 pmtu:1500 advmss:1448 cwnd:10 ' +
      'ssthresh:7 bytes_acked:113 bytes_received:4096 send 2.32Gbps lastack:12 minrtt:0.042 snd_wnd:64256',
  );
  // -n: sprint_bw prints the rate as a plain number
  assert.match(formatSsInfo(INFO, true), / send 2316800000bps /);
  const quiet: SsTcpInfo = {
    ...INFO,
    wscale: undefined,
    ssthresh: 0x7fffffff / 1448,
    rtt: 0,
    rttvar: 0,
    backoff: 2,
    reordering: 5,
    notsent: 300,
    unacked: 1,
    lastack: 0,
    minrtt: 0,
  };
  // no rtt: no "send" either; an infinite ssthresh (>= 0xFFFF segments) is not printed
  assert.equal(
    formatSsInfo(quiet),
    '\t cubic rto:204 backoff:2 ato:40 mss:1448 pmtu:1500 advmss:1448 cwnd:10 bytes_acked:113 ' +
      'bytes_received:4096 unacked:1 reordering:5 notsent:300 snd_wnd:64256',
  );
  // the counters, in tcp_stats_print's places
  assert.equal(
    formatSsInfo({
      ...INFO,
      bytesSent: 5000,
      bytesRetrans: 1448,
      segsOut: 9,
      segsIn: 7,
      dataSegsOut: 4,
      dataSegsIn: 3,
      lastsnd: 30,
      lastrcv: 20,
      retrans: 0,
      totalRetrans: 1,
    }),
    '\t cubic wscale:7,7 rto:204 rtt:0.05/0.025 ato:40 mss:1448 pmtu:1500 advmss:1448 cwnd:10 ' +
      'ssthresh:7 bytes_sent:5000 bytes_retrans:1448 bytes_acked:113 bytes_received:4096 segs_out:9 ' +
      'segs_in:7 data_segs_out:4 data_segs_in:3 send 2.32Gbps lastsnd:30 lastrcv:20 lastack:12 ' +
      'retrans:0/1 minrtt:0.042 snd_wnd:64256',
  );
  // TIME-WAIT and SYN-RECV: the kernel gives no tcp_info, ss prints the tab alone
  assert.equal(formatSsInfo(null), '\t');
});

test('printf %g and ss sprint_bw', () => {
  assert.equal(formatG(204), '204');
  assert.equal(formatG(0.05), '0.05');
  assert.equal(formatG(45.1294), '45.1294');
  assert.equal(formatG(123.4567), '123.457');
  assert.equal(formatG(0.00001), '1e-05');
  assert.equal(formatG(1234567), '1.23457e+06');
  assert.equal(formatBw(2316800000, false), '2.32G');
  assert.equal(formatBw(5290000, false), '5.29M');
  assert.equal(formatBw(999, false), '999');
  assert.equal(formatBw(1500, false), '1.5k');
  assert.equal(formatBw(999999, false), '1e+03k');
  assert.equal(formatBw(2566864.2, true), '2566864');
});

test('ss -ti rows from a layer: both ends of a connection, a listener, what each side counts', () => {
  const { clock, A, B } = twoHosts();
  B.createServer((s) => {
    s.on('data', () => {});
  }).listen(80);
  const c = A.connect({ host: 0x0a000002, port: 80 });
  clock.runSync({ until: 10 * MS });
  c.write(new Uint8Array(100));
  clock.runSync({ until: 100 * MS });
  const a = tcpSocketRows(A, true);
  const b = tcpSocketRows(B, true);
  assert.equal(a.length, 1);
  assert.equal(b.length, 2);
  const ai = a[0].info!;
  const bi = b[1].info!;
  // the active opener's bytes_acked counts its SYN, as Linux's (tcp_ack on the SYN-ACK)
  assert.equal(ai.bytesAcked, 101);
  assert.equal(ai.bytesReceived, 0);
  assert.equal(bi.bytesAcked, 0);
  assert.equal(bi.bytesReceived, 100);
  assert.equal(ai.cwnd, 10);
  // SRTT: the SYN's 2 ms, then the data's 42 ms (the server's delayed ACK): 7/8·2 + 1/8·42
  assert.equal(ai.rtt, 7);
  assert.equal(ai.rttvar, 10.75);
  assert.ok(ai.rto >= 200, 'RTO at least the 200 ms floor');
  assert.ok(ai.minrtt > 0 && ai.minrtt <= ai.rtt);
  assert.equal(ai.lastack, 48, 'ms since the ACK of the data (sent at 10 ms, ACKed at 52 ms)');
  assert.deepEqual(b[0].info, {
    ...b[0].info,
    cwnd: 10,
    unacked: 0,
    rtt: 0,
  });
  assert.match(formatSsInfo(b[0].info!), /^\t (reno|cubic) cwnd:10$/);
  // without `info` the rows carry none (ss without -i)
  assert.equal(tcpSocketRows(A)[0].info, undefined);
});

test('ss -o: print_ms_timer spellings and the timer column after the process', () => {
  assert.equal(printMsTimer(59_999), '59sec');
  assert.equal(printMsTimer(60_000), '1min');
  assert.equal(printMsTimer(119_000), '1min59sec');
  assert.equal(printMsTimer(119_999), '1min59sec');
  assert.equal(printMsTimer(605_000), '10min');
  assert.equal(printMsTimer(200), '200ms');
  assert.equal(printMsTimer(9_500), '9.500ms');
  assert.equal(printMsTimer(1_005), '1.005ms');
  assert.equal(printMsTimer(12_345), '12sec');
  assert.equal(printMsTimer(0), '');
  assert.equal(formatSsTimer(null), '');
  assert.equal(
    formatSsTimer({ name: 'timewait', ms: 59_999, retrans: 0 }),
    ' timer:(timewait,59sec,0)',
  );
  assert.equal(formatSsTimer({ name: 'on', ms: 0, retrans: 2 }), ' timer:(on,,2)');
  const rows: TcpSocketRow[] = [
    row({
      localPort: 57000,
      remoteAddr: 0x64400102,
      remotePort: 80,
      program: 'curl',
      timer: { name: 'on', ms: 204, retrans: 1 },
      info: { ...INFO, ts: true, sack: true, ecn: true, ecnseen: true },
    }),
    row({
      state: 10,
      localPort: 57001,
      remoteAddr: 0x64400102,
      remotePort: 80,
      timer: { name: 'timewait', ms: 42_000, retrans: 0 },
      info: null,
    }),
    row({ localPort: 57002, remoteAddr: 0x64400102, remotePort: 80, timer: null }),
  ];
  assert.deepEqual(formatSsTan(rows, {}, { options: true }).slice(1), [
    'ESTAB      0      0           10.0.0.1:57000   100.64.1.2:80   users:(("curl")) timer:(on,204ms,1)',
    'TIME-WAIT  0      0           10.0.0.1:57001   100.64.1.2:80   timer:(timewait,42sec,0)',
    'ESTAB      0      0           10.0.0.1:57002   100.64.1.2:80',
  ]);
  // without -o neither the timer nor the option words; with -io the words open the -i line
  assert.equal(
    formatSsTan(rows, {}, {})[2],
    'TIME-WAIT  0      0           10.0.0.1:57001   100.64.1.2:80',
  );
  const io = formatSsTan(rows, {}, { info: true, options: true });
  assert.equal(io[2], formatSsInfo(rows[0].info!, false, true));
  assert.match(io[2], /^\t ts sack ecn ecnseen cubic wscale:7,7 /);
  assert.match(formatSsTan(rows, {}, { info: true })[2], /^\t cubic wscale:7,7 /);
});

test('ss -o rows from a layer: the retransmission timer while data is in flight, then TIME-WAIT', () => {
  const { clock, A, B } = twoHosts();
  B.createServer((s) => {
    s.on('data', () => {});
    s.on('end', () => s.end());
  }).listen(80);
  const c = A.connect({ host: 0x0a000002, port: 80 });
  clock.runSync({ until: 10 * MS });
  // nothing pending on an idle connection (no keep-alive): no timer
  assert.equal(tcpSocketRows(A, false, true)[0].timer, null);
  assert.equal(tcpSocketRows(A)[0].timer, undefined);
  c.write(new Uint8Array(100));
  clock.runSync({ until: 10 * MS + MS / 2 });
  const on = tcpSocketRows(A, true, true)[0];
  assert.equal(on.timer!.name, 'on');
  assert.equal(on.timer!.retrans, 0);
  assert.ok(on.timer!.ms > 0 && on.timer!.ms <= on.info!.rto, `${on.timer!.ms} ms left of the RTO`);
  c.end();
  clock.runSync({ until: 200 * MS });
  const tw = tcpSocketRows(A, true, true)[0];
  assert.equal(tw.state, 10);
  assert.equal(tw.timer!.name, 'timewait');
  assert.equal(tw.timer!.retrans, 0);
  assert.ok(tw.timer!.ms > 59_000 && tw.timer!.ms < 60_000, `${tw.timer!.ms} ms of TIME-WAIT left`);
});

test('ss -i counters: bytes and segments each way, a retransmission while in flight and after', () => {
  const { clock, A, B } = twoHosts();
  const ha = A.host as FakeHost;
  const send = ha.onSend!;
  let sent = 0;
  // the third segment A sends (the first data, after SYN and ACK) is lost
  ha.onSend = (d) => {
    if (++sent !== 3) send(d);
  };
  B.createServer((s) => {
    s.on('data', () => {});
  }).listen(80);
  const c = A.connect({ host: 0x0a000002, port: 80 });
  clock.runSync({ until: 10 * MS });
  c.write(new Uint8Array(100));
  const first = tcpSocketRows(A, true, true)[0];
  assert.equal(first.timer!.name, 'on');
  assert.equal(first.timer!.retrans, 0);
  // just after the timer fired: the retransmission is on the wire (1 ms each way)
  clock.runSync({ until: 10 * MS + first.timer!.ms * MS + MS / 2 });
  const rtx = tcpSocketRows(A, true, true)[0];
  // the tail loss probe resent it (RFC 8985 § 7): a retransmission, not a timeout (count 0)
  assert.deepEqual(rtx.timer && [rtx.timer.name, rtx.timer.retrans], ['on', 0]);
  assert.equal(rtx.info!.backoff, 0);
  const ri = rtx.info!;
  assert.deepEqual(
    [ri.bytesSent, ri.bytesRetrans, ri.dataSegsOut, ri.segsOut, ri.retrans, ri.totalRetrans],
    [200, 100, 2, 4, 1, 1],
  );
  assert.match(formatSsInfo(ri), / bytes_sent:200 bytes_retrans:100 bytes_acked:1 /);
  assert.match(formatSsInfo(ri), / segs_out:4 segs_in:1 data_segs_out:2 /);
  assert.match(formatSsInfo(ri), / retrans:1\/1 /);
  clock.runSync({ until: clock.now() + 100 * MS });
  const done = tcpSocketRows(A, true, true)[0];
  // ACKed: none outstanding, one in all; no timer pending
  assert.equal(done.timer, null);
  assert.equal(done.info!.retrans, 0);
  assert.match(formatSsInfo(done.info!), / retrans:0\/1 /);
  const b = tcpSocketRows(B, true)[1].info!;
  // the server's connection: the SYN it was made from, the handshake's ACK, the data once
  assert.deepEqual(
    [b.bytesReceived, b.dataSegsIn, b.segsIn, b.segsOut, b.bytesSent, b.totalRetrans],
    [100, 1, 3, 2, 0, 0],
  );
  // times: the retransmission took 1 ms to arrive; B's delayed ACK (40 ms) took 1 ms back
  assert.equal(done.info!.lastsnd! - b.lastrcv!, 1);
  assert.equal(b.lastrcv! - done.info!.lastack, 41);
});

test('ss state filters: scan_state names and groups, state/exclude as ss main() applies them', () => {
  const bit = (name: string): number => ssScanState(name)!;
  assert.equal(bit('established'), 1 << 1);
  assert.equal(bit('ESTABLISHED'), 1 << 1);
  assert.equal(bit('syn-rcv'), bit('syn-recv'));
  assert.equal(bit('closed'), bit('unconnected'));
  assert.equal(bit('close'), bit('unconnected'));
  assert.equal(ssScanState('nosuch'), undefined);
  // by our RFC 9293 state numbers: 1 LISTEN, 2 SYN-SENT, 3 SYN-RECEIVED, 4 ESTABLISHED, 10 TIME-WAIT
  const listed = (states: number): number[] =>
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((s) => ssStateMatches(states, s));
  assert.deepEqual(listed(SS_CONN), [2, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(listed(SS_LISTENING), [0, 1]);
  assert.deepEqual(listed(bit('connected')), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(listed(bit('synchronized')), [3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(listed(bit('bucket')), [3, 10]);
  assert.deepEqual(listed(bit('big')), [0, 1, 2, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(listed(bit('all')), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // the first "state" replaces what -a chose, later ones add; "exclude" starts from all
  assert.deepEqual(ssStateFilter(SS_ALL, ['state', 'listening']), {
    states: bit('listening'),
    rest: [],
  });
  const two = ssStateFilter(0, ['state', 'established', 'state', 'time-wait', 'dport', '=', ':80']);
  assert.deepEqual(two, {
    states: bit('established') | bit('time-wait'),
    rest: ['dport', '=', ':80'],
  });
  assert.deepEqual(ssStateFilter(0, ['exclude', 'time-wait']), {
    states: SS_ALL & ~bit('time-wait'),
    rest: [],
  });
  assert.deepEqual(ssStateFilter(0, ['excl', 'listening', 'state', 'listening']), {
    states: SS_ALL,
    rest: [],
  });
  assert.deepEqual(ssStateFilter(0, ['state', 'nosuch']), {
    error: 'ss: wrong state name: nosuch',
  });
  assert.deepEqual(ssStateFilter(0, ['state']), {
    error: 'Command line is not complete. Try option "help"',
  });
  // the State column only when more than one state can be listed
  assert.equal(ssShowsState(bit('established')), false);
  assert.equal(ssShowsState(bit('bucket')), true);
  assert.equal(ssShowsState(SS_CONN), true);
});

test('ss without the State column, and with -i lines under TCP sockets only', () => {
  const rows: TcpSocketRow[] = [
    row({ proto: 'udp', state: 0, localAddr: 0, localPort: 53, remoteAddr: 0, remotePort: 0 }),
    row({ localPort: 57000, remoteAddr: 0x64400102, remotePort: 80, info: INFO }),
    row({ state: 10, localPort: 57001, remoteAddr: 0x64400102, remotePort: 80, info: null }),
  ];
  assert.deepEqual(formatSsTan(rows.slice(1, 2), {}, { state: false }), [
    'Recv-Q Send-Q Local Address:Port  Peer Address:Port Process',
    '0      0           10.0.0.1:57000   100.64.1.2:80',
  ]);
  const lines = formatSsTan(rows, {}, { info: true });
  assert.deepEqual(lines.slice(1), [
    'UNCONN     0      0            0.0.0.0:53         0.0.0.0:*',
    'ESTAB      0      0           10.0.0.1:57000   100.64.1.2:80',
    formatSsInfo(INFO),
    'TIME-WAIT  0      0           10.0.0.1:57001   100.64.1.2:80',
    '\t',
  ]);
});

test('ss expressions: dport/sport comparisons, dst/src prefixes, and/or/not, parentheses', () => {
  const conn = row({
    localAddr: 0xc0a8030a,
    localPort: 33564,
    remoteAddr: 0xc6336450,
    remotePort: 80,
  });
  const listener = row({ state: 1, localAddr: 0, localPort: 80, remoteAddr: 0, remotePort: 0 });
  const pass = (...args: string[]): boolean[] => {
    const e = parseSsExpr(args);
    assert.notEqual(typeof e, 'string', String(e));
    return [conn, listener].map((r) => ssExprMatches(e as Exclude<typeof e, string>, r));
  };
  assert.deepEqual(pass('dport', '=', ':80'), [true, false]);
  assert.deepEqual(pass('dport', 'eq', 'http'), [true, false]);
  assert.deepEqual(pass('( dport = :http )'), [true, false]);
  assert.deepEqual(pass('sport', '==', ':http'), [false, true]);
  assert.deepEqual(pass('dport = :http or sport = :http'), [true, true]);
  assert.deepEqual(pass('dport', '!=', ':80'), [false, true]);
  assert.deepEqual(pass('sport', '>', ':1024'), [true, false]);
  assert.deepEqual(pass('sport', 'le', ':80'), [false, true]);
  assert.deepEqual(pass('sport', '<', ':80'), [false, false]);
  assert.deepEqual(pass('dst', '198.51.100.0/24'), [true, false]);
  assert.deepEqual(pass('src', '192.168.3.10:33564'), [true, false]);
  assert.deepEqual(pass('not', 'dst', '198.51.100.80'), [false, true]);
  assert.deepEqual(pass('!', '(', 'sport', '=', ':80', ')', 'dport', '>=', ':0'), [true, false]);
  assert.deepEqual(pass('src 0.0.0.0/0 and dport = :*'), [true, true]);
  assert.equal(
    parseSsExpr(['dport', '=', ':nosuch']),
    'Error: "nosuch" does not look like a port.',
  );
  assert.equal(
    parseSsExpr(['dst', 'www.server.com']),
    'Error: an inet prefix is expected rather than "www.server.com".',
  );
  assert.equal(
    parseSsExpr(['(', 'dport', '=', ':80']),
    'ss: bison bellows (while parsing filter): "syntax error!"',
  );
  assert.match(
    String(parseSsExpr(['dev', 'eth0'])),
    /"dev" in a filter expression is not supported/,
  );
});
