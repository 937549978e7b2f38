/**
 * The story tells only what the packets show, on the paths a first-time user tries after the
 * happy one: an address nobody answers (ICMP host unreachable from the last router, or silence),
 * localhost (the loopback: no ARP, no wire), an on-link destination (why 0.0.0.0/0 lost), a
 * small MTU on the path (MSS and data per segment), errors in Chinese, and the close's title.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildStory, renderSteps, renderStory, tell } from '../src/story/index.js';
import type { Lang, Step, VisitStory } from '../src/story/index.js';
import type { CloseStep } from '../src/story/steps.js';
import { runVisit } from '../src/world/visit.js';
import type { VisitOptions } from '../src/world/visit.js';

function stepsOf<K extends Step['kind']>(v: VisitStory, kind: K): Extract<Step, { kind: K }>[] {
  return v.steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind);
}
function one<K extends Step['kind']>(v: VisitStory, kind: K): Extract<Step, { kind: K }> {
  const s = stepsOf(v, kind);
  assert.ok(s.length > 0, `the story has a "${kind}" step`);
  return s[0];
}

async function visit(o: VisitOptions): Promise<{ v: VisitStory; text: Record<Lang, string> }> {
  const r = await runVisit({ close: false, ...o });
  const story = buildStory(r.events, r.client);
  const text = (lang: Lang) =>
    renderStory(story, o.url, {
      lang,
      detail: 'summary',
      networkName: 'test',
      seed: 1,
      clientAddress: '',
      capture: 'off',
      page: false,
    });
  return { v: story.visits[0], text: { en: text('en'), zh: text('zh') } };
}

/** The lines of the step of a kind, in a language. */
function lines(v: VisitStory, kind: Step['kind'], lang: Lang): string[] {
  return renderSteps(v, lang)
    .filter((s) => s.kind === kind)
    .flatMap((s) => [s.title, ...s.lines]);
}

const count = (text: string, what: string): number => text.split(what).length - 1;

/** The shipped simple network's topology (no DNS resolver on its pc). */
const SIMPLE = {
  text: readFileSync(new URL('../src/world/examples/simple.yaml', import.meta.url), 'utf8'),
  file: 'simple.yaml',
};

describe('an address nobody answers: http://192.0.2.99/', () => {
  test('the SYN was sent (and resent), no SYN-ACK came, r-core said why', async () => {
    const { v, text } = await visit({ url: 'http://192.0.2.99/' });
    assert.equal(v.ok, false);
    const hs = one(v, 'handshake');
    assert.equal(hs.answered, false);
    assert.ok(hs.synSends.length >= 2, `the SYN was retransmitted (${hs.synSends.length} sends)`);
    assert.equal(hs.retries, hs.synSends.length - 1);
    // The router that reported it, and why: its ARP for the destination got no answer.
    const stop = hs.stoppedAt!;
    assert.ok(stop, 'the story says where the SYN stopped');
    assert.equal(stop.node, 'r-core');
    assert.equal(stop.reason, 'arp-failed');
    assert.deepEqual(
      {
        target: stop.arp?.target,
        requests: stop.arp?.requestsPerRound,
        interval: stop.arp?.interval,
      },
      { target: '192.0.2.99', requests: 3, interval: 1e9 },
    );
    assert.equal(stop.icmp?.name, 'host unreachable');
    assert.ok((stop.icmp?.received ?? 0) >= 1, 'the ICMP error reached the client');
    // Either outcome of the connect: aborted by the ICMP error (Linux), or the browser's timeout.
    const err = one(v, 'error');
    if (err.code === 'unreachable') {
      assert.equal(hs.end?.cause, 'icmp');
      assert.ok(hs.end!.t < 4e9, `aborted after ~3 s (${hs.end!.t})`);
      assert.match(text.en, /TCP gave up on the ICMP error .*EHOSTUNREACH, "No route to host"/);
      assert.match(text.zh, /TCP 收到这个 ICMP 差错就放弃了连接/);
    } else {
      assert.equal(err.code, 'timeout');
      assert.equal(hs.end?.cause, 'browser-timeout');
      assert.match(
        text.en,
        /the ICMP errors did not end the connect: TCP kept retransmitting the SYN until the browser gave up/,
      );
    }
    const en = lines(v, 'handshake', 'en').join('\n');
    assert.doesNotMatch(en, /SYN-ACK seq=|RTT/, 'no handshake that never happened');
    assert.match(en, /no SYN-ACK came back/);
    assert.match(en, new RegExp(`the SYN was sent ${hs.synSends.length} times: \\+0 s, \\+1 s`));
    assert.match(
      en,
      /r-core reported ICMP host unreachable \(type 3 code 1\): it could not deliver the SYN — its ARP for 192\.0\.2\.99 got no answer/,
    );
    // The ARP retries of r-core: told once, with the count and the timing.
    assert.equal(count(text.en, 'asked who has 192.0.2.99'), 0);
    assert.equal(count(text.en, 'who has 192.0.2.99? asked 3 times, 1 s apart, no answer'), 1);
    const router = stepsOf(v, 'router').find((r) => r.node === 'r-core');
    assert.ok(router?.stop, 'a step for r-core, which received the SYN and could not send it on');
    assert.equal(router!.route, '192.0.2.0/24 dev eth7');
    assert.match(
      lines(v, 'router', 'en').join('\n'),
      /SYNs? (is|are) dropped, and .*ICMP host unreachable/,
    );
    // The hop table: the path once, with the number of sends; where it ended.
    assert.equal(v.hops.length, 4);
    assert.equal(v.hopResends.length, hs.synSends.length - 1);
    assert.ok(v.hopResends.every((r) => r.same));
    assert.equal(
      count(text.en, '\n    pc.eth0 '),
      1,
      'the table is not repeated per retransmission',
    );
    assert.match(
      text.en,
      new RegExp(
        `hop table \\(the SYN, sent ${hs.synSends.length} times; every retransmission crossed exactly the same wires\\)`,
      ),
    );
    assert.match(
      text.en,
      /the SYN got no further than r-core: its ARP for 192\.0\.2\.99 got no answer; it sent back ICMP host unreachable/,
    );
    // Chinese tells the same.
    const zh = lines(v, 'handshake', 'zh').join('\n');
    assert.match(zh, /没有收到 SYN\+ACK/);
    assert.match(zh, /r-core 发回 ICMP“主机不可达”/);
    assert.doesNotMatch(zh, /往返时间/);
  });

  test('a host that silently drops the SYN: no ICMP, the browser times out', async () => {
    // The simple network, with 10.0.0.0/8 routed to the web server, which is a host: it drops
    // datagrams for other addresses without a word (RFC 1122 § 3.3.4.2).
    const text = SIMPLE.text.replace(
      '      - { to: 192.168.3.0/24, via: 203.0.113.1 }',
      '$&\n      - { to: 10.0.0.0/8, via: 198.51.100.80 }',
    );
    assert.notEqual(text, SIMPLE.text);
    const r = await visit({ url: 'http://10.1.2.3/', topology: { text, file: 'blackhole.yaml' } });
    const hs = one(r.v, 'handshake');
    assert.equal(hs.answered, false);
    assert.equal(hs.stoppedAt?.node, 'server');
    assert.equal(hs.stoppedAt?.reason, 'not-for-me');
    assert.equal(hs.stoppedAt?.icmp, undefined);
    assert.ok(
      hs.end?.cause === 'browser-timeout' || hs.end?.cause === 'tcp-timeout',
      JSON.stringify(hs.end),
    );
    const en = lines(r.v, 'handshake', 'en').join('\n');
    assert.match(en, /the SYN reached server, which dropped it: server is a host, not a router/);
    assert.match(en, /no SYN-ACK, no RST and no ICMP error came back/);
    assert.doesNotMatch(en, /RTT|SYN-ACK seq=/);
    assert.match(r.text.en, /the SYN got no further than server/);
  });

  test('an on-link address that does not answer ARP: the SYN never leaves the client', async () => {
    const { v, text } = await visit({ url: 'http://192.168.3.99/' });
    const arp = one(v, 'arp');
    assert.ok(arp.failed);
    assert.equal(arp.requests, 3);
    assert.equal(arp.interval, 1e9);
    assert.match(
      text.en,
      /who has 192\.168\.3\.99\? \(broadcast on eth0\) asked 3 times, 1 s apart, no answer/,
    );
    const hs = one(v, 'handshake');
    assert.equal(hs.stoppedAt?.local, true);
    assert.match(
      lines(v, 'handshake', 'en').join('\n'),
      /the SYN never left the host: nobody answered its ARP for 192\.168\.3\.99/,
    );
    assert.equal(v.hops.length, 0, 'no frame carried the SYN');
  });
});

describe('localhost: the loopback path', () => {
  test("the local table's 127.0.0.0/8 on lo; no ARP, no frame, no switch or router", async () => {
    const { v, text } = await visit({ url: 'http://localhost/' });
    const route = one(v, 'route');
    assert.ok(route.local);
    assert.equal(route.localKind, 'loopback');
    assert.equal(route.matched, '127.0.0.0/8');
    assert.equal(route.iface, 'lo');
    assert.deepEqual(route.rejected, [], 'the main table is not consulted for a local destination');
    const arp = one(v, 'arp');
    assert.ok(arp.loopback);
    assert.ok(arp.loopback!.path.includes('ip_rcv'), arp.loopback!.path.join(' → '));
    for (const kind of ['frame', 'switch', 'router'] as const)
      assert.equal(stepsOf(v, kind).length, 0, `no "${kind}" step`);
    assert.equal(v.hops.length, 0);
    assert.doesNotMatch(
      text.en,
      /matches none|ARP cache: \?|0\.0\.0\.0\/0 did not match|hop table/,
    );
    assert.match(
      text.en,
      /127\.0\.0\.1 is a loopback address: the local table's route "local 127\.0\.0\.0\/8 dev lo" takes it/,
    );
    assert.match(text.en, /not even 0\.0\.0\.0\/0, which matches every address/);
    assert.match(
      text.en,
      /no ARP and no Ethernet frame: lo \(loopback\) has no MAC address and no wire/,
    );
    assert.match(
      text.zh,
      /127\.0\.0\.1 是环回地址：本地路由表（local 表）里的 local 127\.0\.0\.0\/8 dev lo 命中/,
    );
    assert.match(text.zh, /不需要 ARP，也没有以太网帧/);
    assert.doesNotMatch(text.zh, /不匹配/);
  });

  test('an on-link destination: 0.0.0.0/0 matched too, the longer prefix won', async () => {
    const { v, text } = await visit({ url: 'http://192.168.10.200/' });
    const route = one(v, 'route');
    assert.equal(route.matched, '192.168.10.0/24');
    assert.deepEqual(route.rejected, ['192.168.3.0/24']);
    assert.deepEqual(route.lessSpecific, ['0.0.0.0/0']);
    assert.match(
      text.en,
      /192\.168\.10\.200 matches 192\.168\.10\.0\/24 \(on-link\) on eth1 \(192\.168\.3\.0\/24 did not match; 0\.0\.0\.0\/0 matches every address, but 192\.168\.10\.0\/24 is more specific: the longest prefix wins\)/,
    );
    assert.doesNotMatch(text.en, /0\.0\.0\.0\/0 did not match/);
    assert.match(text.zh, /0\.0\.0\.0\/0 能匹配任何地址，但 192\.168\.10\.0\/24 更具体/);
  });
});

describe('errors in Chinese', () => {
  /** English words in a row, outside the line that quotes the browser's original message. */
  function english(ls: string[]): string[] {
    return ls.filter(
      (l) => !l.startsWith('（浏览器报告的原文') && /[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}/.test(l),
    );
  }

  test('NXDOMAIN: the error and the SOA are told in Chinese, with the resolver code once', async () => {
    const { v } = await visit({ url: 'http://www.nosuch.com/' });
    const err = one(v, 'error');
    assert.equal(err.dnsCode, 'ENOTFOUND');
    const zh = lines(v, 'error', 'zh');
    assert.deepEqual(zh.slice(1), [
      '找不到 www.nosuch.com：这个域名不存在（ENOTFOUND）',
      'a.gtld-servers.net. 回答 NXDOMAIN：www.nosuch.com. 不存在（附上 com. 区的 SOA 记录：这个否定回答可以缓存 900 秒）',
    ]);
    assert.deepEqual(english(zh), []);
    assert.deepEqual(english(lines(v, 'dns', 'zh')), []);
    assert.deepEqual(lines(v, 'error', 'en').slice(1), [
      'cannot find www.nosuch.com: the name does not exist (ENOTFOUND)',
      'a.gtld-servers.net. answered NXDOMAIN: www.nosuch.com. does not exist (the SOA record of zone com. came with it: this negative answer may be cached for 900 s)',
    ]);
  });

  test('refused and unreachable', async () => {
    const refused = (await visit({ url: 'http://www.server.com:8080/' })).v;
    const zh = lines(refused, 'error', 'zh');
    assert.equal(
      zh[1],
      '无法连接 www.server.com（198.51.100.80）的 8080 端口：连接被拒绝（ECONNREFUSED），那个端口上没有程序在监听',
    );
    assert.deepEqual(english(zh), []);
    const unreachable = (await visit({ url: 'http://192.0.2.99/' })).v;
    const zh2 = lines(unreachable, 'error', 'zh');
    assert.match(
      zh2[1],
      /^(无法到达 192\.0\.2\.99 的 80 端口：主机不可达（EHOSTUNREACH）|连接 192\.0\.2\.99 的 80 端口超时（ETIMEDOUT）)$/,
    );
    assert.deepEqual(english(zh2), []);
    assert.deepEqual(english(lines(unreachable, 'handshake', 'zh')), []);
    assert.deepEqual(english(lines(unreachable, 'router', 'zh')), []);
  });
});

describe('the error step tells the error in words, its code once', () => {
  const cases: [string, string, string][] = [
    [
      'http://www.server.com:8080/',
      'ECONNREFUSED',
      'cannot connect to www.server.com (198.51.100.80) port 8080: connection refused (ECONNREFUSED), nothing listens on that port',
    ],
    [
      'http://10.9.9.9/',
      'ENETUNREACH',
      'cannot reach 10.9.9.9 port 80: network unreachable (ENETUNREACH)',
    ],
    [
      'http://www.nosuch.com/',
      'ENOTFOUND',
      'cannot find www.nosuch.com: the name does not exist (ENOTFOUND)',
    ],
  ];
  for (const [url, errno, first] of cases)
    test(url, async () => {
      const { v, text } = await visit({ url });
      const err = one(v, 'error');
      assert.equal(err.errno, errno);
      assert.equal(lines(v, 'error', 'en')[1], first);
      for (const lang of ['en', 'zh'] as const) {
        const ls = lines(v, 'error', lang);
        // No internal kind ("dns:", "unreachable:", "connection-refused:") before the words.
        assert.deepEqual(
          ls.filter((l) => /(^|\s)(dns|unreachable|connection-refused|timeout): /.test(l)),
          [],
          `${lang}: ${ls.join(' | ')}`,
        );
        assert.equal(count(ls.join('\n'), errno), 1, `${lang}: ${errno} once in ${ls.join(' | ')}`);
        assert.doesNotMatch(text[lang], /\b(dns|unreachable|connection-refused): /);
      }
    });
});

describe('a small MTU on the path', () => {
  test('MSS = MTU − 40, data per segment = MSS − 12 bytes of TCP options, before and after', async () => {
    const { v, text } = await visit({
      url: 'http://www.server.com/',
      faults: { mtu: 1000, link: 'r-core.eth1' },
    });
    const hs = one(v, 'handshake');
    const seg = one(v, 'segmentation');
    assert.equal(hs.mss, 1460);
    assert.equal(seg.maxPayload, 1448);
    assert.equal(seg.pmtu, 1000);
    assert.equal(seg.pmtuMss, 960, 'MTU 1000 − 20 (IP) − 20 (TCP)');
    assert.equal(seg.pmtuPayload, 948, 'MSS 960 − 12 bytes of timestamps');
    assert.equal(
      seg.mss - seg.maxPayload,
      seg.pmtuMss! - seg.pmtuPayload!,
      'the same options before and after',
    );
    const pmtu = one(v, 'fault').timeline.find((x) => x.what === 'pmtu');
    assert.deepEqual(
      pmtu && pmtu.what === 'pmtu' ? [pmtu.mtu, pmtu.mss, pmtu.payload] : [],
      [1000, 960, 948],
    );
    assert.doesNotMatch(text.en, /MSS 948/);
    assert.match(
      text.en,
      /path MTU 1000 → MSS 960 \(MTU − 40 bytes of IP and TCP headers\) → 948 bytes of data per segment \(MSS − 12 bytes of TCP options\)/,
    );
    assert.match(
      text.en,
      /path MTU discovery lowered the MSS to 960 during the response \(ICMP fragmentation needed: path MTU 1000 − 20 bytes of IP header − 20 of TCP header\)/,
    );
    assert.match(
      text.en,
      /a full segment carries 1448 bytes: the MSS minus 12 bytes of TCP options \(timestamps, RFC 7323\); after the MTU drop, 948 bytes \(960 − 12\)/,
    );
    assert.doesNotMatch(text.zh, /MSS 改为 948|MSS 降到了 948/);
    assert.match(
      text.zh,
      /MSS 960（MTU − 40 字节 IP 和 TCP 头部） → 每个段装 948 字节数据（MSS − 12 字节 TCP 选项）/,
    );
  });
});

describe('the close, titled by its segments', () => {
  test('three segments (FIN, FIN+ACK, ACK) are not titled four-way in Chinese', async () => {
    const r = await runVisit({ url: 'http://www.server.com/' });
    const v = buildStory(r.events, r.client).visits[0];
    const close = one(v, 'close');
    assert.deepEqual(close.sequence, ['FIN', 'FIN+ACK', 'ACK']);
    const zh = renderSteps(v, 'zh').find((s) => s.kind === 'close')!;
    assert.equal(zh.title, 'TCP 三次挥手');
    assert.match(zh.lines[1], /^只有 3 个段，而不是课本上“TCP 四次挥手”的 4 个/);
    assert.equal(renderSteps(v, 'en').find((s) => s.kind === 'close')!.title, 'Close');
  });

  test('four segments are the four-way close; anything else is a plain close', () => {
    const title = (sequence: string[]) => {
      const close: CloseStep = {
        kind: 'close',
        t: 0,
        events: [],
        connections: 1,
        firstFin: 'client',
        timeWaitNode: 'pc',
        timeWait: 60e9,
        fins: 2,
        sequence,
        senders: sequence.map((_, i) => (i % 2 === 0 ? 'client' : 'server')),
      };
      const v: VisitStory = {
        index: 0,
        input: '',
        ok: true,
        startedAt: 0,
        finishedAt: 0,
        steps: [close],
        hops: [],
        hopResends: [],
        waterfall: [],
      };
      return renderSteps(v, 'zh')[0].title;
    };
    assert.equal(title(['FIN', 'ACK', 'FIN', 'ACK']), 'TCP 四次挥手');
    assert.equal(title(['FIN', 'FIN+ACK', 'ACK']), 'TCP 三次挥手');
    assert.equal(title(['FIN', 'RST']), 'TCP 断开连接');
  });
});

describe("the browser's messages say each thing once", () => {
  test('an IP address in the URL is not named twice', async () => {
    const { v } = await visit({ url: 'http://198.51.100.99/' });
    const err = one(v, 'error');
    assert.match(err.message, /^cannot reach 198\.51\.100\.99 port 80: host unreachable$/);
    const named = await visit({ url: 'http://www.server.com:8080/' });
    assert.match(
      one(named.v, 'error').message,
      /^cannot connect to www\.server\.com \(198\.51\.100\.80\) port 8080: /,
    );
  });

  test('a DNS failure names the host and the resolver code once', async () => {
    const { v } = await visit({ url: 'http://www.nosuch.com/' });
    const msg = one(v, 'error').message;
    assert.equal(count(msg, 'www.nosuch.com'), 1, msg);
    assert.equal(count(msg, 'ENOTFOUND'), 1, msg);
    const none = await visit({ url: 'http://www.server.com/', topology: SIMPLE });
    const m2 = one(none.v, 'error').message;
    assert.equal(
      m2,
      'cannot find www.server.com: pc has no DNS resolver configured (type an IP address, or add "resolver: <address>" to pc in the topology)',
    );
  });
});

describe('the text has no trailing spaces', () => {
  test('no line ends in a space, with the page and with --detail packet, in both languages', async () => {
    const r = await runVisit({ url: 'http://www.server.com/' });
    const story = buildStory(r.events, r.client);
    for (const lang of ['en', 'zh'] as const)
      for (const detail of ['summary', 'hop', 'packet'] as const) {
        const text = tell(r.events, story, {
          lang,
          detail,
          url: 'http://www.server.com/',
          networkName: 'default internet',
          seed: 1,
          clientAddress: '192.168.3.10',
          capture: 'off',
          page: true,
        });
        const bad = text.split('\n').filter((l) => / $/.test(l));
        assert.deepEqual(
          bad.map((l) => JSON.stringify(l)),
          [],
          `${lang} ${detail}`,
        );
      }
  });
});

describe('a router with no route to the destination', () => {
  test('the route lookup fails before ip_forward: TTL unchanged, ICMP net unreachable back, no placeholder', async () => {
    const r = await runVisit({
      url: 'http://10.0.0.2/',
      topology: SIMPLE,
      client: 'r-client',
      close: false,
    });
    const v = buildStory(r.events, r.client).visits[0];
    const router = stepsOf(v, 'router').find((s) => s.node === 'r-server');
    assert.ok(router, 'the story has r-server');
    assert.equal(router.stop?.reason, 'no-route');
    assert.deepEqual(router.noRoute?.tried, [
      '203.0.113.0/30',
      '198.51.100.0/24',
      '192.168.3.0/24',
    ]);
    // The TTL the SYN arrived with (from the frame on the wire) is the one the story keeps.
    const last = v.hops[v.hops.length - 1];
    assert.equal(router.ttlIn, last.ttl);
    assert.equal(router.ttlOut, router.ttlIn, 'no route: the TTL is not decremented');
    // The trace: the drop, then the ICMP error, whose source address the story names.
    const evs = r.events as unknown as { kind: string; node: string; [k: string]: unknown }[];
    assert.ok(
      evs.some((e) => e.kind === 'ip.drop' && e.node === 'r-server' && e.reason === 'no-route'),
    );
    const icmp = evs.find((e) => e.kind === 'ip.tx' && e.node === 'r-server' && e.protocol === 1);
    assert.equal(router.icmpSrc, icmp?.src);
    assert.equal(router.stop?.icmp?.type, 3);
    assert.equal(router.stop?.icmp?.code, 0);
    const en = lines(v, 'router', 'en').join('\n');
    const zh = lines(v, 'router', 'zh').join('\n');
    for (const t of [en, zh]) {
      assert.doesNotMatch(t, /\?|route none|TTL 64 → 63/, t);
      assert.match(t, /203\.0\.113\.0\/30/);
      assert.match(t, /ip_error/);
    }
    assert.match(en, /the TTL stays 64/);
    assert.match(
      en,
      /ICMP net unreachable \(type 3 code 0\) goes back to the sender 203\.0\.113\.1 \(from 203\.0\.113\.2/,
    );
    assert.match(zh, /TTL 仍是 64/);
    assert.match(
      zh,
      /ICMP“网络不可达”（类型 3 代码 0）给发送方 203\.0\.113\.1（源地址 203\.0\.113\.2/,
    );
  });
});

describe('userinfo in the URL: http://user:pass@www.server.com/', () => {
  test('the story says the browser drops it, as the packets show (no Authorization, no password)', async () => {
    const r = await runVisit({ url: 'http://user:pass@www.server.com/', close: false });
    const v = buildStory(r.events, r.client).visits[0];
    assert.ok(v.ok);
    const url = one(v, 'url');
    assert.deepEqual(url.userinfo, { user: 'user', password: true, sent: false });
    assert.equal(one(v, 'request').host, 'www.server.com');
    // Nothing the client sent carries the credentials, in the clear or as Basic (dXNlcjpwYXNz).
    const sent = (r.events as unknown as { kind: string; from?: string; frame?: Uint8Array }[])
      .filter((e) => e.kind === 'link.tx' && e.from?.startsWith('pc.'))
      .map((e) => new TextDecoder('latin1').decode(e.frame));
    assert.ok(sent.some((t) => t.includes('GET / HTTP/1.1')));
    for (const t of sent) assert.doesNotMatch(t, /Authorization|user:pass|dXNlcjpwYXNz/i);
    const en = lines(v, 'url', 'en').join('\n');
    const zh = lines(v, 'url', 'zh').join('\n');
    assert.match(en, /RFC 9110 § 4\.2\.4/);
    assert.match(
      en,
      /this browser drops them: no Authorization field in the request, nor after a 401 challenge/,
    );
    assert.match(zh, /RFC 9110 § 4\.2\.4/);
    assert.match(zh, /这个浏览器丢弃它们：请求里没有 Authorization 首部/);
    for (const t of [en, zh]) assert.doesNotMatch(t, /:pass\b/, 'the password is not repeated');
    // Without userinfo, nothing is said about it.
    const plain = await visit({ url: 'http://www.server.com/' });
    assert.equal(one(plain.v, 'url').userinfo, undefined);
    assert.doesNotMatch(plain.text.en, /userinfo|Authorization/);
  });
});
