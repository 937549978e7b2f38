/**
 * The page's data, without a browser: hops and event rows from a trace, device tables at two
 * moments, the compressed clock, the address bar's commands, the tools' narration and the
 * visit's story in both languages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { topologyFile } from '../../src/world/examples/index.js';
import { analyse, eventAtTime, rowAtOrBefore } from '../src/model.js';
import { parseInput, runTool } from '../src/run.js';
import { arpTable, macTable, routeChoice, sockets } from '../src/tables.js';
import { TimeWarp } from '../src/timewarp.js';
import { inkOn, protoColor } from '../src/ui/topology.js';
import { runVisitData } from '../src/visit-adapter.js';

const simple = topologyFile('simple')!;

describe('web model', () => {
  test('ping on the simple network: every arrival paired with its transmission', async () => {
    const run = await runTool({
      input: 'ping -c 1 198.51.100.80',
      yaml: simple.text,
      file: simple.file,
    });
    const rx = run.events.filter((e) => e.kind === 'link.rx' || e.kind === 'link.drop').length;
    assert.equal(run.rows.length, rx);
    assert.equal(run.hops.length, rx);
    for (const h of run.hops) {
      assert.ok(h.t0 <= h.t1);
      // Only frames sent while the links came up, before the recorder subscribed, lack theirs.
      if (h.tx < 0) {
        assert.ok(
          h.t0 < 20_000,
          `an arrival at ${h.t1} ns (sent at ${h.t0}) without its transmission`,
        );
        continue;
      }
      const tx = run.events[h.tx];
      assert.equal(tx.kind, 'link.tx');
      assert.equal(tx.node, h.fromNode);
      assert.ok(h.t0 <= h.t1);
    }
    // Each router forwards the echo request and the reply: its rows say what it did.
    for (const r of ['r-client', 'r-server']) {
      const fw = run.rows.filter(
        (row) => row.at === r && row.actions.some((i) => run.events[i].kind === 'router.forward'),
      );
      assert.ok(fw.length >= 2, `${r} forwarded ${fw.length} frames`);
    }
    assert.ok(run.story.length >= 5);
    for (const s of run.story) {
      assert.ok(s.title.en !== '' && s.title.zh !== '');
      assert.equal(s.lines.en.length, s.lines.zh.length);
    }
    assert.match(run.output.join('\n'), /1 received/);
    assert.deepEqual([...run.pcapng.subarray(0, 4)], [0x0a, 0x0d, 0x0d, 0x0a]);
  });

  test('device tables at two moments', async () => {
    const run = await runTool({
      input: 'ping -c 1 198.51.100.80',
      yaml: simple.text,
      file: simple.file,
    });
    const learned = run.events.findIndex(
      (e) =>
        e.kind === 'arp.state' && e.node === 'pc' && e.ip === '192.168.3.1' && e.mac !== undefined,
    );
    assert.ok(learned > 0);
    assert.deepEqual(
      arpTable(run.events, 'pc', learned - 1).filter((r) => r.ip === '192.168.3.1' && r.mac !== ''),
      [],
    );
    const after = arpTable(run.events, 'pc', learned);
    assert.equal(after.find((r) => r.ip === '192.168.3.1')?.mac, '02:00:00:00:01:01');
    // The client switch learned the pc's MAC on port1 from its first frame.
    const mt = macTable(run.events, 'sw-client', run.events.length - 1);
    assert.equal(mt.find((r) => r.mac === '02:00:00:00:00:0a')?.port, 'port1');
    assert.deepEqual(macTable(run.events, 'sw-client', 0), []);
    // r-client's decision for the echo request: the default route.
    const fw = run.events.findIndex((e) => e.kind === 'router.forward' && e.node === 'r-client');
    const c = routeChoice(run.events, 'r-client', fw);
    assert.equal(c?.dstNet, '0.0.0.0');
    assert.equal(c?.prefix, 0);
    assert.equal(c?.gateway, '203.0.113.2');
    assert.ok(
      run.nodes
        .find((n) => n.name === 'r-client')!
        .routes.some((r) => r.dst === c?.dstNet && r.prefix === c?.prefix),
    );
  });

  test('traceroute: ICMP time exceeded from each router', async () => {
    const run = await runTool({
      input: 'traceroute 198.51.100.80',
      yaml: simple.text,
      file: simple.file,
    });
    assert.match(run.output.join('\n'), / 1 {2}192\.168\.3\.1 /);
    const froms = new Set(
      run.events
        .filter((e) => e.kind === 'icmp.rx' && e.node === 'pc')
        .map((e) => (e as { from: string }).from),
    );
    assert.ok(froms.has('192.168.3.1') && froms.has('203.0.113.2') && froms.has('198.51.100.80'));
  });

  test("ping's story: each switch's step is the echo request it forwarded, in path order", async () => {
    const internet = topologyFile('internet')!;
    const run = await runTool({
      input: 'ping -c 1 198.51.100.80',
      yaml: internet.text,
      file: internet.file,
    });
    const titles = run.story.map((s) => s.title.en);
    const dc = run.story.find((s) => s.title.en.startsWith('Switch sw-dc'));
    assert.equal(dc?.title.en, 'Switch sw-dc · ICMP');
    assert.match(dc.lines.en[0], /^ICMP frame \(Echo \(ping\) request/);
    assert.match(dc.lines.zh[0], /ICMP 帧/);
    assert.equal(
      run.story.find((s) => s.title.en.startsWith('Switch sw-home'))?.title.en,
      'Switch sw-home · ICMP',
    );
    // The echo request's path: pc → sw-home → r-home → r-isp → r-core → r-dc → sw-dc.
    const path = titles.filter((x) => /^(Switch|Router) /.test(x)).map((x) => x.split(' ')[1]);
    assert.deepEqual(path, ['sw-home', 'r-home', 'r-isp', 'r-core', 'r-dc', 'sw-dc']);
  });

  test('ping and traceroute of a name look it up with DNS first', async () => {
    const internet = topologyFile('internet')!;
    const run = await runTool({
      input: 'ping -c 1 www.server.com',
      yaml: internet.text,
      file: internet.file,
    });
    assert.equal(run.error, undefined);
    // www.server.com is web1 (198.51.100.80), not the first server whose name looks like one.
    assert.match(run.output[0], /^PING www\.server\.com \(198\.51\.100\.80\) /);
    assert.ok(run.output.includes('--- www.server.com ping statistics ---'));
    // The reply is named by its PTR record, as iputils names it for a target typed as a name.
    assert.match(run.output[1], /^64 bytes from www\.server\.com \(198\.51\.100\.80\): /);
    assert.ok(run.frames.some((f) => f.proto === 'dns'));
    assert.ok(
      run.events.some((e) => e.kind === 'icmp.rx' && e.node === 'pc' && e.from === '198.51.100.80'),
    );
    assert.equal(run.story[0].title.en, 'DNS lookup');
    assert.match(run.story[0].lines.en.join(' '), /198\.51\.100\.80/);
    assert.equal(run.story[0].title.zh, 'DNS 域名解析');
    // The routers the story names are those the echo request crossed, after the lookup.
    const r = run.story.find((s) => s.title.en === 'Router r-home');
    assert.match(r?.lines.en[0] ?? '', /^198\.51\.100\.80 /);

    // As iputils: the banner names the canonical name, after the CNAMEs.
    const alias = await runTool({
      input: 'ping -c 1 img.server.com',
      yaml: internet.text,
      file: internet.file,
    });
    assert.match(alias.output[0], /^PING www\.server\.com \(198\.51\.100\.80\) /);

    const tr = await runTool({
      input: 'traceroute www.example.org',
      yaml: internet.text,
      file: internet.file,
    });
    assert.match(tr.output[0], /^traceroute to www\.example\.org \(192\.0\.2\.80\)/);
    // Hops are named as the CLI's traceroute names them: PTR queries, seen among the frames.
    assert.ok(tr.output.some((l) => /^ *\d+ +www\.example\.org \(192\.0\.2\.80\)/.test(l)));
    assert.ok(tr.output.some((l) => /^ *2 +eth0\.r-isp\.isp\.net \(100\.64\.0\.1\)/.test(l)));
    assert.ok(
      tr.events.some((e) => e.kind.startsWith('dns.') && /in-addr\.arpa/.test(JSON.stringify(e))),
    );

    const bad = await runTool({
      input: 'ping www.nosuch.com',
      yaml: internet.text,
      file: internet.file,
    });
    assert.equal(bad.error, 'ping: www.nosuch.com: Name or service not known');
    assert.match(bad.story[0].lines.en.join(' '), /NXDOMAIN/);
  });

  test('a visit on a topology whose client is not called "pc" starts from its first host', async () => {
    const yaml = [
      'name: two',
      'nodes:',
      '  a: { kind: host, interfaces: { eth0: 10.0.0.1/24 } }',
      '  b: { kind: host, interfaces: { eth0: 10.0.0.2/24 } }',
      'links:',
      '  - [a.eth0, b.eth0]',
      '',
    ].join('\n');
    const run = await runVisitData(
      { id: 1, input: 'http://10.0.0.2/', topology: 'custom', yaml, faults: {}, lang: 'en' },
      { text: yaml, file: 'uploaded.yaml' },
    );
    // Nothing listens on b: the visit fails there, not for want of a "pc".
    assert.match(run.error ?? '', /connection refused/);
    assert.ok(run.rows.some((r) => r.at === 'b' && r.from === 'a'));
  });

  test('a failed visit: the status says why, in Chinese as the story does', async () => {
    const run = await runVisitData(
      { id: 1, input: 'http://www.nosuch.com/', topology: 'default', faults: {}, lang: 'zh' },
      undefined,
    );
    assert.match(run.error ?? '', /NXDOMAIN/);
    assert.match(run.title.en, /the name does not exist/);
    // The story's own words (src/story), not the browser's English message.
    assert.match(run.title.zh, /^http:\/\/www\.nosuch\.com\/：.*[\u4e00-\u9fff]/);
    assert.doesNotMatch(run.title.zh, /cannot find/);
  });

  test('a name on a network without DNS: the visit fails and says to type an IP address', async () => {
    // The page's worker shows this run as it is (it no longer pings the server instead).
    const run = await runVisitData(
      { id: 1, input: 'http://www.server.com/', topology: 'simple', faults: {}, lang: 'en' },
      { text: simple.text, file: simple.file },
    );
    assert.equal(run.mode, 'visit');
    assert.match(run.error ?? '', /has no DNS resolver configured \(type an IP address/);
    assert.ok(!run.frames.some((f) => f.proto === 'icmp'));
  });

  test('protocol badges: dark ink on light colours, white on dark ones', () => {
    assert.equal(inkOn(protoColor('arp')), '#212529');
    assert.equal(inkOn(protoColor('icmp')), '#ffffff');
    assert.equal(inkOn('#ffffff'), '#212529');
    assert.equal(inkOn('#000000'), '#ffffff');
  });

  test('the visit: rows, sockets at a moment, story in both languages', async () => {
    const run = await runVisitData(
      { id: 1, input: 'http://www.server.com/', topology: 'default', faults: {}, lang: 'en' },
      undefined,
    );
    assert.equal(run.error, undefined);
    assert.equal(run.mode, 'visit');
    // The title gives the page's load time, not the run's 60 s of TIME-WAIT.
    assert.match(run.title.en, /→ 200 “.*” · loaded in \d+(\.\d+)? ms$/);
    assert.match(run.title.zh, /加载用时 \d/);
    assert.ok(run.endT > 59e9);
    assert.ok(run.story.length >= 10);
    for (const s of run.story) {
      assert.ok(s.events.every((i) => i >= 0 && i < run.events.length));
      assert.notEqual(s.title.zh, '');
    }
    assert.ok(run.story.some((s) => s.title.zh.includes('三次握手')));
    assert.ok(run.waterfall.length >= 1);
    const est = run.events.findIndex(
      (e) => e.kind === 'tcp.state' && e.node === 'pc' && e.to === 'ESTABLISHED',
    );
    assert.ok(
      sockets(run.events, 'pc', est).some(
        (s) => s.state === 'ESTABLISHED' && s.remote === '198.51.100.80:80',
      ),
    );
    assert.ok(!sockets(run.events, 'pc', est - 50).some((s) => s.state === 'ESTABLISHED'));
    const roles = new Map(run.nodes.map((n) => [n.name, n.role]));
    assert.equal(roles.get('pc'), 'client');
    assert.equal(roles.get('web1'), 'web');
    assert.equal(roles.get('dns-local'), 'dns');
    assert.equal(roles.get('r-core'), 'router');
    assert.equal(roles.get('sw-home'), 'switch');
  });

  test('analyse: a lost frame ends its hop and still gets a row', async () => {
    const run = await runTool({
      input: 'ping -c 4 198.51.100.80',
      yaml: simple.text,
      file: simple.file,
      faults: { loss: 0.4 },
    });
    const drops = run.events.filter((e) => e.kind === 'link.drop').length;
    assert.ok(drops > 0, 'no loss happened with 40% loss');
    assert.equal(run.rows.filter((r) => r.dropped).length, drops);
    for (const h of run.hops.filter((x) => x.dropped)) assert.ok(h.t1 >= h.t0);
    assert.deepEqual(analyse([]), { hops: [], rows: [], frames: [], frameBytes: [], endT: 0 });
  });

  test('compressed clock: monotonic, invertible, every hop visible', () => {
    const moments = [0, 5_000, 5_500, 2_005_500, 2_010_000, 1_000_000_000];
    const w = new TimeWarp(moments, 1_000_000_000);
    let prev = -1;
    for (const t of moments) {
      const d = w.toDisplay(t);
      assert.ok(d > prev || (t === 0 && d === 0));
      prev = d;
      assert.ok(Math.abs(w.toSim(d) - t) < 1e-3 * Math.max(1, t));
    }
    // A 500 ns gap and a 2 ms gap both get a visible share; the second a longer one.
    const short = w.toDisplay(5_500) - w.toDisplay(5_000);
    const long = w.toDisplay(2_005_500) - w.toDisplay(5_500);
    assert.ok(short >= 0.1 && long > short);
    assert.ok(w.toDisplay(1e9) - w.toDisplay(2_010_000) <= 1.2);
    const lin = new TimeWarp(moments, 1e9, 'linear');
    assert.ok(Math.abs(lin.toDisplay(2e6) / lin.toDisplay(1e6) - 2) < 1e-9);
  });

  test('address bar: commands and URLs', () => {
    assert.deepEqual(parseInput('ping -c 3 10.0.0.1'), {
      tool: 'ping',
      target: '10.0.0.1',
      count: 3,
    });
    assert.deepEqual(parseInput('traceroute 10.0.0.1'), {
      tool: 'traceroute',
      target: '10.0.0.1',
      count: undefined,
    });
    assert.deepEqual(parseInput(' http://www.server.com/ '), {
      tool: 'visit',
      target: 'http://www.server.com/',
    });
  });

  test('binary searches over rows and events', () => {
    const rows = [{ ev: 3 }, { ev: 7 }, { ev: 9 }] as never[];
    assert.equal(rowAtOrBefore(rows, 2), -1);
    assert.equal(rowAtOrBefore(rows, 7), 1);
    assert.equal(rowAtOrBefore(rows, 100), 2);
    const evs = [{ t: 0 }, { t: 5 }, { t: 5 }, { t: 9 }] as never[];
    assert.equal(eventAtTime(evs, 5), 2);
    assert.equal(eventAtTime(evs, -1), -1);
  });
});
