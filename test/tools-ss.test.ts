// iproute2 ss's -i (the tcp_info line under each TCP socket) and its state filters (`state X`,
// `exclude X`), end to end on the default internet: what a socket in each state prints, and
// the tables a filter leaves (iproute2 drops the State column when one state is asked for).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTool } from '../src/apps/tools/command.js';
import { buildWorld } from '../src/world/visit.js';
import { run } from './cli-helpers.js';

test('ss -ti on both ends of an open connection: cwnd, rtt, bytes as tcp_info has them', async () => {
  const { net } = buildWorld(undefined, { seed: 1 });
  await net.run();
  const pc = net.hostNamed('pc');
  const sock = pc.net!.connect({ host: 0xc6336450, port: 80 }); // www.server.com on web1
  sock.on('data', () => {});
  await net.run({ until: net.clock.now() + 200_000_000 });
  sock.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: www.server.com\r\n\r\n'));
  await net.run({ until: net.clock.now() + 1_000_000_000 });
  const on = async (node: string, ...args: string[]): Promise<string[]> => {
    const lines: string[] = [];
    await runTool(net, node, ['ss', ...args], (l) => lines.push(l));
    return lines;
  };
  const client =
    '\t reno wscale:6,6 rto:200 rtt:45.129/24.015 ato:40 mss:1448 pmtu:1500 advmss:1448 cwnd:10 ' +
    'bytes_sent:40 bytes_acked:41 bytes_received:1898 segs_out:4 segs_in:3 data_segs_out:1 ' +
    'data_segs_in:2 send 2.57Mbps lastsnd:1000 lastrcv:975 lastack:975 minrtt:24.226 snd_wnd:131712';
  assert.deepEqual(await on('pc', '-ti'), [
    'State      Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
    'ESTAB      0      0       192.168.3.10:33564 198.51.100.80:http',
    client,
  ]);
  // -o: no timer pending on the idle connection; the option words open the -i line
  assert.deepEqual(
    (await on('pc', '-tio'))[1],
    'ESTAB      0      0       192.168.3.10:33564 198.51.100.80:http',
  );
  assert.deepEqual((await on('pc', '-tio'))[2], client.replace('\t reno', '\t ts sack reno'));
  // -n: numeric ports, and the rate as a plain number (sprint_bw)
  assert.deepEqual((await on('pc', '-tin'))[2], client.replace('2.57Mbps', '2566864bps'));
  // the server: its listener (congestion control and initial window only), then the
  // connection, which has sent the page (bytes_acked) and received the request
  assert.deepEqual(await on('web1', '-tai'), [
    'State      Recv-Q Send-Q Local Address:Port Peer Address:Port  Process',
    'LISTEN     0      511          0.0.0.0:http      0.0.0.0:*',
    '\t reno cwnd:10',
    'ESTAB      0      0      198.51.100.80:http 192.168.3.10:33564',
    '\t reno wscale:6,6 rto:200 rtt:24.082/9.069 ato:40 mss:1448 pmtu:1500 advmss:1448 cwnd:11 ' +
      'bytes_sent:1898 bytes_acked:1898 bytes_received:40 segs_out:3 segs_in:4 data_segs_out:2 ' +
      'data_segs_in:1 send 5.29Mbps lastsnd:987 lastrcv:987 lastack:963 minrtt:24.058 snd_wnd:131712',
  ]);
  // the two ends agree: no loss, so what one sent the other received, segment for segment (the
  // server's connection counts the SYN it was made from and its SYN-ACK); the request is 40
  // bytes, the page 1898
  const field = (line: string, name: string): number =>
    Number(new RegExp(` ${name}:(\\d+)`).exec(line)?.[1] ?? 0);
  const c = (await on('pc', '-ti'))[2];
  const sv = (await on('web1', '-ti'))[2];
  assert.equal(field(c, 'bytes_sent'), 40);
  assert.equal(field(sv, 'bytes_received'), field(c, 'bytes_sent'));
  assert.equal(field(c, 'bytes_received'), field(sv, 'bytes_sent'));
  assert.equal(field(sv, 'bytes_sent'), 1898);
  assert.equal(field(c, 'segs_out'), field(sv, 'segs_in'));
  assert.equal(field(sv, 'segs_out'), field(c, 'segs_in'));
  assert.equal(field(c, 'data_segs_out'), field(sv, 'data_segs_in'));
  assert.equal(field(sv, 'data_segs_out'), field(c, 'data_segs_in'));
  assert.equal(field(sv, 'data_segs_out'), Math.ceil(1898 / 1448));
  assert.doesNotMatch(c + sv, /bytes_retrans|retrans:/);
  // one state asked for: no State column
  assert.deepEqual(await on('web1', '-tn', 'state', 'established'), [
    'Recv-Q Send-Q Local Address:Port Peer Address:Port  Process',
    '0      0      198.51.100.80:80   192.168.3.10:33564',
  ]);
  assert.deepEqual(await on('web1', '-ta', 'exclude', 'established'), [
    'State      Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
    'LISTEN     0      511          0.0.0.0:http      0.0.0.0:*',
  ]);
  sock.destroy();
});

test('after curl: TIME-WAIT prints an empty -i line; state filters pick it or leave it', async () => {
  const r = await run(
    'run',
    'internet',
    'pc',
    '--',
    'curl -s -o /dev/null http://www.server.com/; ss -tai; ss -tn state time-wait; ' +
      'ss -t state established; ss -tan state bucket; ss -tan state connected',
  );
  assert.equal(r.code, 0, r.err);
  const tw = 'TIME-WAIT  0      0       192.168.3.10:33564 198.51.100.80:';
  assert.equal(
    r.out,
    [
      'State      Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
      `${tw}http`,
      '\t',
      'Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
      '0      0       192.168.3.10:33564 198.51.100.80:80',
      'Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
      'State      Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
      `${tw}80`,
      'State      Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
      `${tw}80`,
      '',
    ].join('\n'),
  );
});

test('ss -o after curl: the TIME-WAIT timer counts down on the simulator clock', async () => {
  const r = await run(
    'run',
    'internet',
    'pc',
    '--',
    'curl -s -o /dev/null http://www.server.com/; ss -tno state time-wait; sleep 30; ss -tao; ss -taio',
  );
  assert.equal(r.code, 0, r.err);
  const head = 'State      Recv-Q Send-Q Local Address:Port   Peer Address:Port Process';
  const tw = 'TIME-WAIT  0      0       192.168.3.10:33564 198.51.100.80:http';
  assert.equal(
    r.out,
    [
      'Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
      '0      0       192.168.3.10:33564 198.51.100.80:80   timer:(timewait,59sec,0)',
      head,
      `${tw} timer:(timewait,29sec,0)`,
      head,
      `${tw} timer:(timewait,29sec,0)`,
      '\t',
      '',
    ].join('\n'),
  );
});

test('a listener under -l and state listening; bad state names and expressions', async () => {
  const r = await run('run', 'internet', 'web1', '--', 'ss -tli; ss -t state listening');
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    [
      'State      Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
      'LISTEN     0      511          0.0.0.0:http      0.0.0.0:*',
      '\t reno cwnd:10',
      'Recv-Q Send-Q Local Address:Port Peer Address:Port Process',
      '0      511          0.0.0.0:http      0.0.0.0:*',
      '',
    ].join('\n'),
  );
  const bad = await run('run', 'internet', 'web1', '--', 'ss', '-t', 'state', 'nosuch');
  assert.equal(bad.code, 255);
  assert.match(bad.err, /ss: wrong state name: nosuch/);
  const cut = await run('run', 'internet', 'web1', '--', 'ss', '-t', 'state');
  assert.equal(cut.code, 255);
  assert.match(cut.err, /Command line is not complete\. Try option "help"/);
  const name = await run('run', 'internet', 'web1', '--', 'ss', '-tn', 'dport', '=', ':nosuch');
  assert.equal(name.code, 255);
  assert.match(name.err, /Error: "nosuch" does not look like a port\./);
  // "exclude all" leaves no state: ss then falls back to the default (connected sockets), as
  // iproute2's main() does (filter_states_set ignores an empty set)
  const none = await run('run', 'internet', 'web1', '--', 'ss', '-t', 'exclude', 'all');
  assert.equal(none.code, 0, none.err);
  assert.equal(none.out, 'State      Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n');
});

test('ss expressions after the state filter: dport, sport, dst, with or and parentheses', async () => {
  const r = await run(
    'run',
    'internet',
    'pc',
    '--',
    "curl -s -o /dev/null http://www.server.com/; ss -tan dport = :80; ss -tan '( dport = :http or sport = :http )'; " +
      'ss -tan state time-wait dst 198.51.100.0/24; ss -tan dport != :80; ss -tan sport gt :40000',
  );
  assert.equal(r.code, 0, r.err);
  const head = 'State      Recv-Q Send-Q Local Address:Port   Peer Address:Port Process';
  const tw = 'TIME-WAIT  0      0       192.168.3.10:33564 198.51.100.80:80';
  const empty = 'State      Recv-Q Send-Q Local Address:Port Peer Address:Port Process';
  assert.equal(
    r.out,
    [
      head,
      tw,
      head,
      tw,
      'Recv-Q Send-Q Local Address:Port   Peer Address:Port Process',
      '0      0       192.168.3.10:33564 198.51.100.80:80',
      empty,
      empty,
      '',
    ].join('\n'),
  );
});
