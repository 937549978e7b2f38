/**
 * The main job end to end on the default internet: the story has every step the seeds tell,
 * with values that match the packets of the capture; English and Chinese tell the same steps;
 * a second visit hits the caches; NXDOMAIN, refused and lossy paths tell the right story.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { buildStory, renderSteps, stepComments } from '../src/story/index.js';
import type { Step, Story, VisitStory } from '../src/story/index.js';
import { frameFacts, TCP_SYN } from '../src/story/frames.js';
import { captureFromTrace } from '../src/sim/trace-capture.js';
import { readPcapng } from '../src/wire/pcapng.js';
import { formatIpv4, formatMac } from '../src/wire/addr.js';
import { runVisit } from '../src/world/visit.js';
import type { VisitResult } from '../src/world/visit.js';

function stepsOf<K extends Step['kind']>(v: VisitStory, kind: K): Extract<Step, { kind: K }>[] {
  return v.steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind);
}
function one<K extends Step['kind']>(v: VisitStory, kind: K): Extract<Step, { kind: K }> {
  const s = stepsOf(v, kind);
  assert.ok(s.length > 0, `the story has a "${kind}" step`);
  return s[0];
}

describe('visit http://www.server.com/ on the default internet (twice)', () => {
  let r: VisitResult;
  let story: Story;
  before(async () => {
    r = await runVisit({ url: 'http://www.server.com/', repeat: 2 });
    story = buildStory(r.events, r.client);
  });

  test('both visits load the page', () => {
    assert.equal(r.visits.length, 2);
    for (const v of r.visits) assert.equal(v.page?.status, 200, v.error?.message);
    assert.equal(story.visits.length, 2);
    assert.ok(story.visits.every((v) => v.ok));
  });

  test('the first visit tells every step of the seeds, in their order', () => {
    const kinds = story.visits[0].steps.map((s) => s.kind);
    const expected = [
      'url',
      'request',
      'caches',
      'dns',
      'socket',
      'route',
      'arp',
      'handshake',
      'frame',
      'switch',
      'router',
      'segmentation',
      'server',
      'response',
      'page',
    ];
    let at = -1;
    for (const k of expected) {
      const i = kinds.indexOf(k as Step['kind'], at + 1);
      assert.ok(i > at, `step "${k}" comes after the previous ones (got ${kinds.join(', ')})`);
      at = i;
    }
    // The close (FIN/ACK, TIME-WAIT) is told after the last visit.
    const last = story.visits[1];
    const close = one(last, 'close');
    assert.equal(close.firstFin, 'client');
    assert.equal(close.timeWaitNode, 'pc');
    assert.equal(close.timeWait, 60e9, 'Linux-like TIME-WAIT of 60 s');
  });

  test('URL, request and DNS values are the real ones', () => {
    const v = story.visits[0];
    const url = one(v, 'url');
    assert.equal(url.host, 'www.server.com');
    assert.equal(url.port, 80);
    assert.ok(url.defaultFile, 'path "/" → default file');
    const req = one(v, 'request');
    assert.equal(req.firstLine, 'GET / HTTP/1.1');
    assert.equal(req.host, 'www.server.com');
    const caches = one(v, 'caches');
    assert.equal(caches.browserCache, 'miss');
    assert.equal(caches.dnsCache, 'miss');
    assert.equal(caches.osCache, 'miss');
    assert.equal(caches.hosts, 'miss');
    const dns = one(v, 'dns');
    assert.equal(dns.resolver, '203.0.113.53');
    assert.deepEqual(dns.addresses, ['198.51.100.80']);
    assert.equal(dns.ttl, 300);
    // root → TLD → authoritative, as the seeds draw it
    assert.deepEqual(
      dns.hops.map((h) => h.outcome),
      ['referral', 'referral', 'answer'],
    );
    assert.match(dns.hops[0].serverName, /root-servers\.net\.$/);
    assert.equal(dns.hops[1].serverName, 'a.gtld-servers.net.');
    assert.equal(dns.hops[2].serverName, 'ns1.server.com.');
    assert.ok(dns.hops[2].aa, 'the authoritative server sets AA');
  });

  test("route lookup and ARP match the seeds' route -n example", () => {
    const v = story.visits[0];
    const route = one(v, 'route');
    assert.equal(route.matched, '0.0.0.0/0');
    assert.equal(route.gateway, '192.168.3.1');
    assert.equal(route.iface, 'eth0');
    assert.equal(route.src, '192.168.3.10');
    assert.deepEqual(route.rejected.sort(), ['192.168.10.0/24', '192.168.3.0/24']);
    const arp = one(v, 'arp');
    assert.equal(arp.target, '192.168.3.1');
    assert.equal(arp.mac, '02:00:00:00:01:01');
  });

  test('handshake, frame and hop table agree with the bytes in the capture', () => {
    const v = story.visits[0];
    const cap = captureFromTrace(r.events, { points: ['pc.eth0'] });
    const parsed = readPcapng(cap.bytes);
    assert.ok(parsed.ok);
    if (!parsed.ok) return;
    const frames = parsed.value.packets.map((p) => frameFacts(p.data)!);
    const hs = one(v, 'handshake');
    const syn = frames.find((f) => f.tcp && f.tcp.flags === TCP_SYN && f.tcp.seq === hs.synSeq);
    assert.ok(syn, `the capture has the SYN with seq ${hs.synSeq}`);
    const synAck = frames.find(
      (f) => f.tcp && f.tcp.seq === hs.synAckSeq && f.tcp.ack === hs.synSeq + 1,
    );
    assert.ok(synAck, 'the capture has the SYN-ACK acknowledging seq+1');
    assert.equal(hs.mss, 1460);
    const frame = one(v, 'frame');
    assert.equal(frame.srcMac, formatMac(syn!.srcMac));
    assert.equal(frame.dstMac, formatMac(syn!.dstMac));
    assert.equal(frame.fcs, syn!.fcs);
    assert.equal(frame.wireBytes, frame.length + 20, 'preamble + SFD + IFG');
    // Hop table: MACs change at every router, IPs stay, TTL falls by one per router.
    const hops = v.hops;
    assert.ok(hops.length >= 6);
    assert.ok(hops.every((h) => h.srcIp === '192.168.3.10' && h.dstIp === '198.51.100.80'));
    const routers = stepsOf(v, 'router');
    assert.deepEqual(
      routers.map((s) => s.node),
      ['r-home', 'r-isp', 'r-core', 'r-dc'],
    );
    for (const rt of routers) {
      assert.equal(rt.ttlOut, rt.ttlIn - 1);
      assert.notEqual(rt.srcMac, rt.inSrcMac);
      assert.notEqual(rt.dstMac, rt.inDstMac);
    }
    assert.equal(hops[hops.length - 1].ttl, 60);
    const switches = stepsOf(v, 'switch').map((s) => s.node);
    assert.deepEqual(switches, ['sw-home', 'sw-dc']);
  });

  test('the server peels the layers along the Linux receive path and answers 200', () => {
    const v = story.visits[0];
    const server = one(v, 'server');
    assert.equal(server.node, 'web1');
    assert.equal(server.status, 200);
    assert.equal(server.file, '/index.html');
    const fns = server.path.map((p) => p.fn);
    assert.ok(fns.includes('ip_rcv') && fns.includes('tcp_v4_rcv'), fns.join(' → '));
    const resp = one(v, 'response');
    assert.equal(resp.hops, 4, 'the response crosses the 4 routers back');
    const page = one(v, 'page');
    assert.equal(page.title, 'What happens when you type a URL');
    assert.ok(page.subresources.length >= 2);
  });

  test('the second visit hits the caches and reuses the kept-alive connection', () => {
    const v = story.visits[1];
    const caches = one(v, 'caches');
    assert.equal(caches.dnsCache, 'hit');
    assert.notEqual(caches.browserCache, 'miss');
    assert.equal(stepsOf(v, 'dns').length, 0, 'no DNS lookup');
    const sock = one(v, 'socket');
    assert.ok(sock.reused);
    assert.equal(stepsOf(v, 'handshake').length, 0, 'no new handshake');
    const page = one(v, 'page');
    assert.ok(
      page.subresources.every((s) => s.cache !== 'none'),
      'subresources from the browser cache',
    );
  });

  test("English and Chinese tell the same steps, with the seeds' vocabulary", () => {
    for (const v of story.visits) {
      const en = renderSteps(v, 'en');
      const zh = renderSteps(v, 'zh');
      assert.deepEqual(
        zh.map((s) => [s.n, s.kind]),
        en.map((s) => [s.n, s.kind]),
      );
    }
    const zhTitles = renderSteps(story.visits[0], 'zh')
      .map((s) => s.title)
      .join(' ');
    for (const word of [
      '解析 URL',
      '生成 HTTP 请求信息',
      '三次握手',
      '查询路由表',
      '交换机',
      '路由器',
    ]) {
      assert.ok(zhTitles.includes(word), `zh titles include ${word}`);
    }
  });

  test('capture comments name the step of each packet', () => {
    const comments = stepComments(story, r.events, 'en');
    const labels = new Set(comments.values());
    for (const want of ['ARP', 'DNS', 'TCP handshake', 'Response', 'Close']) {
      assert.ok(
        [...labels].some((l) => l.endsWith(want)),
        `a packet is labelled "${want}"`,
      );
    }
  });
});

describe('visits that fail tell why', () => {
  test('NXDOMAIN is traced to the server that said it', async () => {
    const r = await runVisit({ url: 'http://www.nosuch.com/' });
    const v = buildStory(r.events, r.client).visits[0];
    assert.equal(v.ok, false);
    const err = one(v, 'error');
    assert.equal(err.code, 'dns');
    assert.equal(err.nxdomainFrom, 'a.gtld-servers.net.');
    assert.equal(stepsOf(v, 'handshake').length, 0);
  });

  test('a closed port is a refused connection (RST)', async () => {
    const r = await runVisit({ url: 'http://www.server.com:8080/' });
    const v = buildStory(r.events, r.client).visits[0];
    assert.equal(v.ok, false);
    assert.ok(one(v, 'handshake').refused);
    assert.match(one(v, 'error').message, /refused/);
  });

  test('an IP address in the URL needs no DNS', async () => {
    const r = await runVisit({ url: 'http://198.51.100.80/', close: false });
    const v = buildStory(r.events, r.client).visits[0];
    assert.ok(v.ok);
    assert.equal(one(v, 'dns').source, 'none');
  });
});

describe('faults', () => {
  test('a lossy access line: frames lost, retransmitted, the page still loads', async () => {
    const r = await runVisit({ url: 'http://www.server.com/', faults: { loss: 0.15 }, seed: 3 });
    const v = buildStory(r.events, r.client).visits[0];
    const fault = one(v, 'fault');
    assert.equal(fault.target, r.faultLink);
    assert.ok(fault.drops > 0, 'the link dropped frames');
    const dns = stepsOf(v, 'dns')[0];
    const recovered =
      fault.retransmissions.length + (dns?.hops.filter((h) => h.timeout).length ?? 0);
    assert.ok(recovered > 0, 'something was retransmitted (TCP) or retried (DNS)');
    assert.ok(v.ok, 'the page loaded despite the loss');
  });

  test('a small MTU on the path: ICMP fragmentation needed, the connection adapts', async () => {
    const r = await runVisit({
      url: 'http://www.server.com/',
      faults: { mtu: 1000, link: 'r-core.eth1' },
      close: false,
    });
    const v = buildStory(r.events, r.client).visits[0];
    assert.ok(v.ok, 'the page loaded');
    const fault = one(v, 'fault');
    assert.ok(
      fault.icmp.some((i) => /fragmentation needed/.test(i.message)),
      JSON.stringify(fault.icmp),
    );
  });
});

describe('determinism', () => {
  test('same seed, same capture bytes', async () => {
    const a = await runVisit({
      url: 'http://www.server.com/',
      seed: 7,
      capture: true,
      close: false,
    });
    const b = await runVisit({
      url: 'http://www.server.com/',
      seed: 7,
      capture: true,
      close: false,
    });
    assert.ok(a.pcapng && b.pcapng && a.pcapng.length > 1000);
    assert.deepEqual(a.pcapng, b.pcapng);
    const c = await runVisit({
      url: 'http://www.server.com/',
      seed: 8,
      capture: true,
      close: false,
    });
    assert.notDeepEqual(a.pcapng, c.pcapng, 'another seed gives other ISNs and ports');
    assert.equal(formatIpv4(0xc0a8030a), '192.168.3.10');
  });
});

describe('a redirect: http://www.server.com/steps → /steps/', () => {
  let r: VisitResult;
  let v: VisitStory;
  before(async () => {
    r = await runVisit({ url: 'http://www.server.com/steps' });
    v = buildStory(r.events, r.client).visits[0];
  });

  /** The TCP payloads the client's wire carried, as text, with the frame's event index. */
  function payloads(): { i: number; text: string; sport: number; dport: number; syn: boolean }[] {
    const out: { i: number; text: string; sport: number; dport: number; syn: boolean }[] = [];
    r.events.forEach((e, i) => {
      const ev = e as unknown as { kind: string; from?: string; frame?: Uint8Array };
      if (
        ev.kind !== 'link.tx' ||
        (!ev.from?.startsWith('pc.') && !ev.from?.startsWith('sw-home.port1'))
      )
        return;
      const f = frameFacts(ev.frame!);
      if (!f?.tcp || !f.ip) return;
      const start = 14 + f.ip.headerLength + f.tcp.headerLength;
      const body = ev.frame!.subarray(start, start + f.tcp.dataLength);
      out.push({
        i,
        text: new TextDecoder('latin1').decode(body),
        sport: f.sport!,
        dport: f.dport!,
        syn: (f.tcp.flags & TCP_SYN) !== 0,
      });
    });
    return out;
  }

  test('the story tells the 301, its Location and the request that followed, as the packets show', () => {
    const kinds = v.steps.map((s) => s.kind);
    const at = kinds.indexOf('redirect');
    assert.ok(at > kinds.indexOf('response') && at < kinds.indexOf('page'), kinds.join(', '));
    const red = one(v, 'redirect');
    const sock = one(v, 'socket');
    const p = payloads();
    // The 301 and its Location, in the bytes the server sent to the client.
    const resp = p.find(
      (x) => x.sport === 80 && x.dport === sock.localPort && x.text.startsWith('HTTP/1.1 301'),
    );
    assert.ok(resp, 'the 301 is on the wire');
    assert.equal(red.status, 301);
    assert.equal(red.reason, 'Moved Permanently');
    assert.equal(/\r\nLocation: ([^\r]*)/.exec(resp.text)?.[1], red.location);
    assert.equal(red.location, '/steps/');
    assert.equal(red.to, 'http://www.server.com/steps/');
    // The second request went on the same, kept-alive connection: same port, no second SYN.
    const req = p.find((x) => x.dport === 80 && x.text.startsWith('GET /steps/ '));
    assert.ok(req, 'GET /steps/ is on the wire');
    assert.equal(req.sport, sock.localPort);
    assert.equal(red.request, req.text.split('\r\n')[0]);
    assert.equal(red.requestBytes, req.text.length);
    assert.equal(
      p.filter((x) => x.syn && x.dport === 80).length,
      1,
      'one SYN: the connection was reused',
    );
    assert.equal(red.reused, true);
    assert.equal(red.connectionId, sock.connectionId);
    assert.equal(red.response?.status, 200);
    // Told in both languages, and in the waterfall.
    for (const lang of ['en', 'zh'] as const) {
      const s = renderSteps(v, lang).find((x) => x.kind === 'redirect')!;
      const text = s.lines.join('\n');
      assert.match(text, /301 Moved Permanently/);
      assert.match(text, /Location: \/steps\//);
      assert.match(text, /GET \/steps\/ HTTP\/1\.1/);
      assert.ok(
        text.includes(
          lang === 'en'
            ? `connection #${sock.connectionId}, kept alive`
            : `keep-alive 连接 #${sock.connectionId}`,
        ),
        text,
      );
    }
    assert.equal(
      v.waterfall.find((w) => w.url === 'http://www.server.com/steps')?.redirectTo,
      'http://www.server.com/steps/',
    );
    // The capture comment of the frame that carried the second request names the step.
    const comments = stepComments({ client: 'pc', visits: [v] }, r.events, 'en');
    const n = renderSteps(v, 'en').find((x) => x.kind === 'redirect')!.n;
    assert.equal(comments.get(req.i), `step ${n} · Redirect`);
  });
});
