import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../sim/scheduler.js';
import { MS } from '../../sim/time.js';
import { TcpLayer } from '../../stack/tcp/layer.js';
import { FakeHost, wire } from '../../stack/tcp/testing.js';
import {
  formatNetstatNapt,
  formatNetstatS,
  formatSsTan,
  netstatNapt,
  netstatS,
  ssTan,
  tcpSocketRows,
} from './netstat.js';

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
