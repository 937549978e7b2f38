/**
 * The Node-shaped socket API (NetApi / NetSocket / NetServer of src/stack/api.ts) over TCP:
 * events, back-pressure, half-close, async iteration in simulated time, Node-like error codes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Scheduler } from '../../sim/scheduler.js';
import { MS, SECOND } from '../../sim/time.js';
import type { NetSocket, SocketError } from '../api.js';
import { TcpLayer } from './layer.js';
import type { TcpSocket } from './socket.js';
import { FakeHost, wire } from './testing.js';
import type { TcpConfig } from './config.js';

const A_ADDR = 0x0a000001;
const B_ADDR = 0x0a000002;

function pair(
  cfg: Partial<TcpConfig> = {},
  delay = 1 * MS,
): { clock: Scheduler; A: TcpLayer; B: TcpLayer; ha: FakeHost; hb: FakeHost } {
  const clock = new Scheduler();
  const ha = new FakeHost('a', clock, A_ADDR, 11);
  const hb = new FakeHost('b', clock, B_ADDR, 11);
  const A = new TcpLayer(ha, cfg);
  const B = new TcpLayer(hb, cfg);
  wire(clock, ha, A, hb, B, delay);
  return { clock, A, B, ha, hb };
}

test('connect / createServer: events in order, data both ways, orderly close', () => {
  const { clock, A, B } = pair();
  const log: string[] = [];
  B.createServer((s) => {
    log.push('server:connection');
    s.on('data', (d) => {
      log.push(`server:data ${d.length}`);
      s.write(d);
    });
    s.on('end', () => log.push('server:end'));
    s.on('close', (e) => log.push(`server:close ${e}`));
  }).listen(7);
  const c = A.connect({ host: B_ADDR, port: 7 });
  c.on('connect', () => {
    log.push('client:connect');
    c.write(new TextEncoder().encode('hello'));
  });
  c.on('data', (d) => {
    log.push(`client:data ${new TextDecoder().decode(d)}`);
    c.end();
  });
  c.on('end', () => log.push('client:end'));
  c.on('close', (e) => log.push(`client:close ${e}`));
  clock.runSync({ until: 1 * SECOND });
  assert.deepEqual(log, [
    'client:connect',
    'server:connection',
    'server:data 5',
    'client:data hello',
    'server:end',
    'client:end',
    'client:close false',
    'server:close false',
  ]);
  assert.equal(c.state, 'TIME-WAIT');
});

test('ECONNREFUSED when nothing listens; the error comes before close(true)', () => {
  const { clock, A } = pair();
  const log: string[] = [];
  const c = A.connect({ host: B_ADDR, port: 9 });
  c.on('error', (e) => log.push(e.code));
  c.on('close', (h) => log.push(`close ${h}`));
  clock.runSync({ until: 1 * SECOND });
  assert.deepEqual(log, ['ECONNREFUSED', 'close true']);
});

test('ETIMEDOUT when SYNs go unanswered (connect timeout option)', () => {
  const { clock, A, ha } = pair();
  ha.onSend = null; // a black hole
  const c = A.connect({ host: B_ADDR, port: 80, timeout: 5 * SECOND });
  let code = '';
  c.on('error', (e) => (code = e.code));
  clock.runSync({ until: 10 * SECOND });
  assert.equal(code, 'ETIMEDOUT');
  assert.equal(clock.now(), 10 * SECOND);
});

test('write() returns false above the send buffer and "drain" follows', () => {
  const { clock, A, B } = pair({ sndBuf: 16 * 1024 });
  let got = 0;
  B.createServer((s) => s.on('data', (d) => (got += d.length))).listen(80);
  const c = A.connect({ host: B_ADDR, port: 80 });
  let drained = 0;
  let ok = true;
  c.on('connect', () => {
    ok = c.write(new Uint8Array(100 * 1024));
  });
  c.on('drain', () => drained++);
  clock.runSync({ until: 2 * SECOND });
  assert.equal(ok, false);
  assert.equal(drained, 1);
  assert.equal(got, 100 * 1024);
});

test('EPIPE on write after end()', () => {
  const { clock, A, B } = pair();
  B.createServer(() => {}).listen(80);
  const c = A.connect({ host: B_ADDR, port: 80 });
  let err: SocketError | undefined;
  c.on('error', (e) => (err = e));
  c.on('connect', () => {
    c.end();
    c.write(new Uint8Array(1));
  });
  clock.runSync({ until: 1 * SECOND });
  assert.equal(err?.code, 'EPIPE');
});

test('allowHalfOpen: the server keeps writing after the client end()', () => {
  const { clock, A, B } = pair();
  const server = B.createServer((s) => {
    s.on('end', () => {
      s.write(new TextEncoder().encode('late reply'));
      s.end();
    });
  });
  (server as unknown as { allowHalfOpen: boolean }).allowHalfOpen = true;
  server.listen(80);
  const c = A.connect({ host: B_ADDR, port: 80, allowHalfOpen: true } as never);
  let reply = '';
  c.on('connect', () => c.end());
  c.on('data', (d) => (reply += new TextDecoder().decode(d)));
  clock.runSync({ until: 1 * SECOND });
  assert.equal(reply, 'late reply');
});

test('destroy() sends RST; the peer sees ECONNRESET', () => {
  const { clock, A, B } = pair();
  let peerErr = '';
  B.createServer((s) => s.on('error', (e) => (peerErr = e.code))).listen(80);
  const c = A.connect({ host: B_ADDR, port: 80 });
  c.on('connect', () => clock.schedule(10 * MS, () => c.destroy()));
  clock.runSync({ until: 1 * SECOND });
  assert.equal(peerErr, 'ECONNRESET');
  assert.equal(A.stats.outRsts, 1);
});

test('async iteration reads until FIN in simulated-time order (noteWake)', async () => {
  const { clock, A, B } = pair({}, 5 * MS);
  B.createServer((s) => {
    let n = 0;
    const tick = (): void => {
      s.write(new TextEncoder().encode(`chunk${n}`));
      if (++n < 3) clock.schedule(100 * MS, tick);
      else s.end();
    };
    tick();
  }).listen(80);
  const c = A.connect({ host: B_ADDR, port: 80 });
  const read = async (sock: NetSocket): Promise<string[]> => {
    const out: string[] = [];
    for await (const chunk of sock)
      out.push(`${new TextDecoder().decode(chunk)}@${clock.now() / MS}`);
    return out;
  };
  const chunks = await clock.runUntilSettled(read(c));
  // SYN 0→5, SYN-ACK 5→10, ACK 10→15 ms: the server writes at 15, 115, 215; +5 ms in flight.
  assert.deepEqual(chunks, ['chunk0@20', 'chunk1@120', 'chunk2@220']);
});

test('async iteration applies flow control: an unread stream closes the window', async () => {
  const { clock, A, B } = pair({ rcvBuf: 8 * 1024 });
  let written = 0;
  B.createServer((s) => {
    const pump = (): void => {
      while (written < 200 * 1024) {
        written += 4096;
        if (!s.write(new Uint8Array(4096))) return;
      }
      s.end();
    };
    s.on('drain', pump);
    pump();
  }).listen(80);
  const c = A.connect({ host: B_ADDR, port: 80 }) as TcpSocket;
  clock.runSync({ until: 2 * SECOND });
  assert.ok(
    c.tcb!.recvQueued > 0 && c.tcb!.recvQueued <= c.tcb!.rcvBufSize,
    'the receive buffer bounds what is held',
  );
  assert.ok(written < 200 * 1024, 'the sender is held back');
  let total = 0;
  const it = c[Symbol.asyncIterator]();
  const drainAll = async (): Promise<number> => {
    for (;;) {
      const r = await it.next();
      if (r.done) return total;
      total += r.value.length;
    }
  };
  assert.equal(await clock.runUntilSettled(drainAll()), 200 * 1024);
});

test('the async iterator throws the socket error', async () => {
  const { clock, A } = pair();
  const c = A.connect({ host: B_ADDR, port: 1 });
  c.on('error', () => {});
  const read = async (): Promise<string> => {
    try {
      for await (const _ of c) void _;
      return 'no error';
    } catch (e) {
      return (e as SocketError).code;
    }
  };
  assert.equal(await clock.runUntilSettled(read()), 'ECONNREFUSED');
});

test('server: EADDRINUSE for a second listener on the same port', () => {
  const { clock, B } = pair();
  B.createServer().listen(80);
  let code = '';
  B.createServer()
    .on('error', (e) => (code = e.code))
    .listen(80);
  clock.runSync({ until: 1 * MS });
  assert.equal(code, 'EADDRINUSE');
});

test('trace: state, segment, cwnd and drop events carry why', () => {
  const { clock, A, B, ha } = pair();
  const kinds = new Map<string, number>();
  const whys = new Set<string>();
  ha.trace.subscribe((e) => {
    kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    if (e.kind === 'tcp.segment-out' || e.kind === 'tcp.state') whys.add(e.why);
  });
  B.createServer((s) => s.on('data', () => {})).listen(80);
  const c = A.connect({ host: B_ADDR, port: 80 });
  c.on('connect', () => {
    c.write(new Uint8Array(5000));
    c.end();
  });
  clock.runSync({ until: 1 * SECOND });
  for (const k of ['tcp.state', 'tcp.segment-out', 'tcp.segment-in', 'tcp.cwnd'])
    assert.ok(kinds.get(k)! > 0, k);
  assert.ok(whys.has('SYN (active open)'));
  assert.ok(whys.has('active open (connect)'));
  assert.ok(whys.has('data'));
});
