// The recursive resolver on the FakeNet: the paths of the acceptance list (cold and
// warm cache, expired TTL, NXDOMAIN cached, CNAME across zones, lame delegation, timeout and
// retry, TC → TCP) and the security scenarios (RFC 5452 spoofing, bailiwick).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../sim/rng.js';
import { Scheduler } from '../../sim/scheduler.js';
import { MS, SECOND } from '../../sim/time.js';
import { TraceBus, TraceRecorder } from '../../sim/trace.js';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import {
  DnsType,
  Rcode,
  encodeDns,
  formatRData,
  parseDns,
  typeName,
  type DnsRecord,
} from '../../wire/dns.js';
import { AuthoritativeServer } from './authoritative.js';
import { formatCacheDump } from './cache.js';
import { buildQuery } from './client.js';
import { FakeNet } from './fakenet.js';
import { createDnsSandbox, defaultZones } from './hierarchy.js';
import { RecursiveResolver, type Resolution, type ResolverOptions } from './resolver.js';
import { parseZone, type Zone } from './zone.js';

const ip = (s: string): number => parseIpv4(s)!;

function setup(opts: { resolver?: Partial<ResolverOptions>; zones?: Zone[] } = {}) {
  const clock = new Scheduler();
  const bus = new TraceBus(() => clock.now());
  const rec = new TraceRecorder(bus);
  const sb = createDnsSandbox({ clock, trace: bus, zones: opts.zones, resolver: opts.resolver });
  const resolve = (name: string, type: number = DnsType.A): Promise<Resolution> =>
    clock.runUntilSettled(sb.resolver.resolve(name, type));
  return { clock, bus, rec, sb, resolve };
}

const answers = (r: Resolution): string[] =>
  r.answers.map((x) => `${x.name} ${typeName(x.type)} ${formatRData(x)}`);

function zone(text: string, origin: string): Zone {
  const r = parseZone(text, { origin, file: `${origin}zone` });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return r.zone;
}

/** A small hierarchy for lame/TC/loop scenarios: a root that delegates "test." */
function testHierarchy(testNs: string, extra = ''): Zone[] {
  const root = zone(
    `$TTL 86400
@ IN SOA a.root-servers.net. x. 1 2 3 4 86400
@ IN NS a.root-servers.net.
@ IN NS b.root-servers.net.
a.root-servers.net. IN A 198.41.0.4
b.root-servers.net. IN A 170.247.170.2
${testNs}
${extra}`,
    '.',
  );
  return [root];
}

describe('resolver: the paths of a resolution', () => {
  it('cold cache: root → .com → server.com, three queries, each with its reason', async () => {
    const { resolve, rec } = setup();
    const r = await resolve('www.server.com');
    assert.equal(r.rcode, Rcode.NOERROR);
    assert.deepEqual(answers(r), ['www.server.com. A 198.51.100.80']);
    assert.equal(r.queries, 3);
    assert.equal(r.fromCache, false);
    const outs = rec.ofKind('dns.query-out');
    assert.deepEqual(
      outs.map((e) => [e.zone, e.serverName, e.why]),
      [
        ['.', outs[0].serverName, 'start at the root (root hints)'],
        ['com.', 'a.gtld-servers.net.', 'referral from the root'],
        ['server.com.', 'ns1.server.com.', 'referral from com.'],
      ],
    );
    assert.match(outs[0].serverName, /^[ab]\.root-servers\.net\.$/);
    const ins = rec.ofKind('dns.response-in');
    assert.deepEqual(
      ins.map((e) => e.outcome),
      ['referral', 'referral', 'answer'],
    );
    assert.equal(ins[0].summary, 'ask com.: a.gtld-servers.net. 192.5.6.30');
    assert.equal(ins[2].aa, true);
    // RFC 5452: every query from its own random port, with its own random ID
    assert.equal(new Set(outs.map((e) => e.srcPort)).size, 3);
    assert.equal(new Set(outs.map((e) => e.id)).size, 3);
  });

  it('warm cache: the same question is answered with no query, TTL counted down', async () => {
    const { resolve, rec, clock } = setup();
    await resolve('www.server.com');
    await clock.run({ until: clock.now() + 100 * SECOND });
    const r = await resolve('www.server.com');
    assert.equal(r.fromCache, true);
    assert.equal(r.queries, 0);
    assert.ok(r.answers[0].ttl <= 200 && r.answers[0].ttl >= 199, `ttl ${r.answers[0].ttl}`);
    const hits = rec
      .ofKind('dns.cache')
      .filter((e) => e.op === 'hit' && e.name === 'www.server.com.');
    assert.equal(hits.length, 1);
  });

  it('warm delegations: a new name in server.com goes straight to ns1.server.com', async () => {
    const { resolve, rec } = setup();
    await resolve('www.server.com');
    const n = rec.events.length;
    const r = await resolve('mail.server.com');
    assert.equal(r.queries, 1);
    const outs = rec.events.slice(n).filter((e) => e.kind === 'dns.query-out');
    assert.equal(outs.length, 1);
    assert.match(
      (outs[0] as { why: string }).why,
      /closest delegation in the cache: server\.com\./,
    );
  });

  it('expired TTL: the record is dropped and fetched again from the zone’s server', async () => {
    const { resolve, rec, clock } = setup();
    await resolve('www.server.com');
    await clock.run({ until: clock.now() + 301 * SECOND });
    const r = await resolve('www.server.com');
    assert.equal(r.fromCache, false);
    assert.equal(r.queries, 1); // server.com NS (TTL 172800) is still cached
    assert.ok(
      rec.ofKind('dns.cache').some((e) => e.op === 'expire' && e.name === 'www.server.com.'),
    );
  });

  it('NXDOMAIN is cached for every type, for the SOA minimum (RFC 2308 § 5)', async () => {
    const { resolve, clock } = setup();
    const r1 = await resolve('nosuch.server.com');
    assert.equal(r1.rcode, Rcode.NXDOMAIN);
    assert.equal(r1.authorities[0].type, DnsType.SOA);
    assert.equal(r1.authorities[0].ttl, 300);
    const r2 = await resolve('nosuch.server.com', DnsType.MX);
    assert.equal(r2.rcode, Rcode.NXDOMAIN);
    assert.equal(r2.fromCache, true);
    await clock.run({ until: clock.now() + 301 * SECOND });
    const r3 = await resolve('nosuch.server.com');
    assert.equal(r3.fromCache, false);
  });

  it('NODATA is cached for its type only', async () => {
    const { resolve } = setup();
    const r1 = await resolve('www.server.com', DnsType.MX);
    assert.equal(r1.rcode, Rcode.NOERROR);
    assert.deepEqual(r1.answers, []);
    assert.equal(r1.authorities[0].type, DnsType.SOA);
    const r2 = await resolve('www.server.com', DnsType.MX);
    assert.equal(r2.fromCache, true);
    const r3 = await resolve('www.server.com', DnsType.A);
    assert.equal(r3.fromCache, false);
    assert.equal(r3.answers.length, 1);
  });

  it('CNAME across zones: server.com → example.org, restarted from the root', async () => {
    const { resolve, rec } = setup();
    const r = await resolve('blog.server.com');
    assert.deepEqual(answers(r), [
      'blog.server.com. CNAME www.example.org.',
      'www.example.org. A 192.0.2.80',
    ]);
    const zones = rec.ofKind('dns.query-out').map((e) => e.zone);
    assert.deepEqual(zones, ['.', 'com.', 'server.com.', '.', 'org.', 'example.org.']);
    // and the chain is cached: no query the second time
    const again = await resolve('blog.server.com');
    assert.equal(again.fromCache, true);
    assert.deepEqual(answers(again), answers(r));
  });

  it('CNAME chain inside one zone, answered in one response', async () => {
    const { resolve } = setup();
    const r = await resolve('img.server.com');
    assert.deepEqual(answers(r), [
      'img.server.com. CNAME static.server.com.',
      'static.server.com. CNAME www.server.com.',
      'www.server.com. A 198.51.100.80',
    ]);
    assert.equal(r.queries, 3);
  });

  it('glueless delegation: the name server’s address is resolved first (PTR via ns1.server.com)', async () => {
    const { resolve, rec } = setup();
    const r = await resolve('80.100.51.198.in-addr.arpa', DnsType.PTR);
    assert.deepEqual(answers(r), ['80.100.51.198.in-addr.arpa. PTR www.server.com.']);
    const asked = rec.ofKind('dns.query-out').map((e) => `${e.zone} ${e.qname}`);
    assert.deepEqual(asked, [
      '. 80.100.51.198.in-addr.arpa.',
      '. ns1.server.com.',
      'com. ns1.server.com.',
      'server.com. ns1.server.com.',
      '100.51.198.in-addr.arpa. 80.100.51.198.in-addr.arpa.',
    ]);
  });

  it('QNAME minimisation (RFC 9156): each server sees one more label, QTYPE A', async () => {
    const { resolve, rec } = setup({ resolver: { qnameMinimisation: true } });
    const r = await resolve('www.server.com', DnsType.MX);
    assert.equal(r.rcode, Rcode.NOERROR);
    const asked = rec.ofKind('dns.query-out').map((e) => `${e.zone} ${e.qname} ${e.qtype}`);
    assert.deepEqual(asked, ['. com. A', 'com. server.com. A', 'server.com. www.server.com. MX']);
    const nx = await resolve('a.b.nosuch.com');
    assert.equal(nx.rcode, Rcode.NXDOMAIN);
    const last = rec.ofKind('dns.query-out').at(-1)!;
    assert.equal(last.qname, 'nosuch.com.'); // NXDOMAIN for nosuch.com. stops there (RFC 8020)
  });

  it('QNAME minimisation across an empty non-terminal adds labels at the same server', async () => {
    const { resolve, rec } = setup({ resolver: { qnameMinimisation: true } });
    const r = await resolve('80.100.51.198.in-addr.arpa', DnsType.PTR);
    assert.deepEqual(answers(r), ['80.100.51.198.in-addr.arpa. PTR www.server.com.']);
    const atRoot = rec
      .ofKind('dns.query-out')
      .filter((e) => e.zone === '.' && e.qname.endsWith('arpa.'))
      .map((e) => e.qname);
    assert.deepEqual(atRoot, [
      'arpa.',
      'in-addr.arpa.',
      '198.in-addr.arpa.',
      '51.198.in-addr.arpa.',
      '100.51.198.in-addr.arpa.',
    ]);
  });
});

describe('resolver: failures and recovery', () => {
  it('timeout and retry: a dead root server is skipped after its timeout', async () => {
    const { resolve, rec, sb } = setup({ resolver: { timeout: 500 * MS } });
    const dead = ip('198.41.0.4');
    sb.net.setDown(dead);
    // each unknown server gets tried once; after its timeout the dead one is avoided
    for (const name of ['www.server.com', 'www.example.org', 'mail.server.com', 'server.com']) {
      sb.resolver.cache.flush();
      const r = await resolve(name);
      assert.equal(r.rcode, Rcode.NOERROR, name);
    }
    const t = rec.ofKind('dns.timeout');
    assert.equal(t.length, 1);
    assert.equal(t[0].server, dead);
    assert.equal(t[0].waited, 500 * MS);
    const outs = rec.ofKind('dns.query-out');
    const i = outs.findIndex((e) => e.server === dead);
    assert.equal(outs[i + 1].zone, '.');
    assert.equal(outs[i + 1].serverName, 'b.root-servers.net.');
    assert.match(outs[i + 1].why, /^retry: no answer from 198\.41\.0\.4 in 500 ms/);
  });

  it('every server silent: SERVFAIL after attempts × servers tries, with a reason', async () => {
    const { resolve, rec, sb } = setup({ resolver: { timeout: 200 * MS, attempts: 2 } });
    sb.net.setDown(ip('198.41.0.4'));
    sb.net.setDown(ip('170.247.170.2'));
    const r = await resolve('www.server.com');
    assert.equal(r.rcode, Rcode.SERVFAIL);
    assert.equal(rec.ofKind('dns.timeout').length, 4);
    assert.match(r.detail ?? '', /no server of \. answered/);
  });

  it('lame delegation: a REFUSED and an upward referral are skipped for the good server', async () => {
    const zones = testHierarchy(
      `test. IN NS lame.test.\ntest. IN NS up.test.\ntest. IN NS good.test.
lame.test. IN A 192.0.2.10\nup.test. IN A 192.0.2.11\ngood.test. IN A 192.0.2.12`,
    );
    const testZone = zone(
      `$TTL 60\n@ IN SOA good admin 1 2 3 4 60\n@ IN NS good\ngood IN A 192.0.2.12\nwww IN A 192.0.2.80\n`,
      'test.',
    );
    const { resolve, rec, sb, clock } = setup({ zones });
    // lame.test. serves nothing (REFUSED); up.test. serves the root zone (an upward referral)
    new AuthoritativeServer({ zones: [], dgram: sb.net.host(ip('192.0.2.10')), clock }).start();
    new AuthoritativeServer({ zones, dgram: sb.net.host(ip('192.0.2.11')), clock }).start();
    new AuthoritativeServer({
      zones: [testZone],
      dgram: sb.net.host(ip('192.0.2.12')),
      clock,
    }).start();
    // make the resolver try the lame ones first
    for (let i = 0; i < 6; i++) {
      sb.resolver.cache.flush();
      rec.events.length = 0;
      const r = await resolve('www.test');
      assert.deepEqual(answers(r), ['www.test. A 192.0.2.80']);
      const outcomes = rec
        .ofKind('dns.response-in')
        .filter((e) => e.zone === 'test.')
        .map((e) => `${e.serverName} ${e.outcome}`);
      assert.equal(outcomes.at(-1), 'good.test. answer');
      for (const o of outcomes.slice(0, -1))
        assert.match(o, /^(lame\.test\. refused|up\.test\. lame)$/);
      if (outcomes.length === 3) return;
    }
  });

  it('TC → TCP: a truncated answer is fetched again over TCP (RFC 7766)', async () => {
    const big = `"${'x'.repeat(250)}" "${'y'.repeat(250)}"`;
    const zones = testHierarchy(`test. IN NS ns.test.\nns.test. IN A 192.0.2.12`);
    const testZone = zone(
      `$TTL 60\n@ IN SOA ns admin 1 2 3 4 60\n@ IN NS ns\nns IN A 192.0.2.12\nbig IN TXT ${big} "1"\nbig IN TXT ${big} "2"\nbig IN TXT ${big} "3"\n`,
      'test.',
    );
    const { resolve, rec, sb, clock } = setup({ zones });
    const h = sb.net.host(ip('192.0.2.12'));
    new AuthoritativeServer({ zones: [testZone], dgram: h, net: h, clock }).start();
    const r = await resolve('big.test', DnsType.TXT);
    assert.equal(r.rcode, Rcode.NOERROR);
    assert.equal(r.answers.length, 3);
    const outs = rec.ofKind('dns.query-out').filter((e) => e.zone === 'test.');
    assert.deepEqual(
      outs.map((e) => e.transport),
      ['udp', 'tcp'],
    );
    assert.match(outs[1].why, /truncated \(TC\): retry over TCP/);
    assert.equal(sb.resolver.stats.tcpFallbacks, 1);
  });

  it('a delegation loop ends in SERVFAIL within the query budget', async () => {
    const zones = testHierarchy(`test. IN NS ns.other.\nother. IN NS ns.test.`);
    const { resolve, sb } = setup({ zones, resolver: { timeout: 100 * MS } });
    const r = await resolve('www.test');
    assert.equal(r.rcode, Rcode.SERVFAIL);
    assert.ok(sb.resolver.stats.queriesSent <= 40);
  });
});

describe('resolver: forgery resilience (RFC 5452) and bailiwick', () => {
  it('drops answers with the wrong ID, source, port or question, then takes the real one', async () => {
    const { resolve, rec, sb } = setup();
    const ns1 = ip('198.51.100.2');
    const evil = ip('6.6.6.6');
    sb.net.addFilter((d) => {
      if (d.to !== ns1) return 'deliver';
      const q = parseDns(d.data);
      if (!q.ok || q.value.questions[0].name !== 'www.server.com.') return 'deliver';
      const forge = (id: number, name = 'www.server.com.'): Uint8Array => {
        const m = buildQuery(id, { name, type: DnsType.A, class: 1 }, false, false);
        m.header.qr = true;
        m.header.aa = true;
        m.answers.push({
          name,
          type: DnsType.A,
          class: 1,
          ttl: 86400,
          data: { kind: 'A', address: evil },
        });
        return (encodeDns(m) as { value: Uint8Array }).value;
      };
      const id = q.value.header.id;
      const back = (from: number, fromPort: number, data: Uint8Array) => ({
        from,
        fromPort,
        to: d.from,
        toPort: d.fromPort,
        data,
      });
      sb.net.inject(back(ns1, 53, forge((id + 1) & 0xffff)), 100_000); // wrong ID
      sb.net.inject(back(ip('198.51.100.3'), 53, forge(id)), 200_000); // wrong source address
      sb.net.inject(back(ns1, 5353, forge(id)), 300_000); // wrong source port
      sb.net.inject(back(ns1, 53, forge(id, 'xxx.server.com.')), 400_000); // wrong question
      sb.net.inject(back(ns1, 53, new Uint8Array([id >> 8, id & 0xff, 0x84, 0, 0, 1])), 500_000); // malformed
      return 'deliver';
    });
    const r = await resolve('www.server.com');
    assert.deepEqual(answers(r), ['www.server.com. A 198.51.100.80']);
    const reasons = rec.ofKind('dns.drop').map((e) => e.reason);
    assert.deepEqual(reasons, [
      'spoofed-id',
      'spoofed-source',
      'spoofed-port',
      'spoofed-question',
      'malformed',
    ]);
    assert.ok(!formatCacheDump(sb.resolver.cache).includes('6.6.6.6'));
    assert.equal(sb.resolver.stats.dropped['spoofed-id'], 1);
  });

  it('an out-of-bailiwick record in a referral does not enter the cache', async () => {
    const { resolve, rec, sb } = setup();
    const gtld = ip('192.5.6.30');
    // the .com server (or someone on its path) slips in an address for www.example.org and
    // a "glue" record for a name in .org
    sb.net.addFilter((d) => {
      if (d.from !== gtld) return 'deliver';
      const p = parseDns(d.data);
      if (!p.ok) return 'deliver';
      const m = p.value;
      const poison: DnsRecord[] = [
        {
          name: 'www.example.org.',
          type: DnsType.A,
          class: 1,
          ttl: 86400,
          data: { kind: 'A', address: ip('6.6.6.6') },
        },
        {
          name: 'ns1.example.org.',
          type: DnsType.A,
          class: 1,
          ttl: 86400,
          data: { kind: 'A', address: ip('6.6.6.7') },
        },
      ];
      m.additionals.unshift(...poison);
      return [{ ...d, data: (encodeDns(m) as { value: Uint8Array }).value }];
    });
    const r = await resolve('www.server.com');
    assert.deepEqual(answers(r), ['www.server.com. A 198.51.100.80']);
    const drops = rec.ofKind('dns.drop').filter((e) => e.reason === 'out-of-bailiwick');
    assert.equal(drops.length, 2);
    assert.match(
      drops[0].detail,
      /www\.example\.org\. A 6\.6\.6\.6 from a server of com\. \(not cached\)/,
    );
    const dump = formatCacheDump(sb.resolver.cache);
    assert.ok(!dump.includes('6.6.6'), dump);
    const r2 = await resolve('www.example.org');
    assert.deepEqual(answers(r2), ['www.example.org. A 192.0.2.80']);
  });

  it('an in-zone answer record for another zone is not believed', async () => {
    const { resolve, rec, sb } = setup();
    const ns1 = ip('198.51.100.2');
    // ns1.server.com answers the CNAME and adds a forged A for the target in example.org
    sb.net.addFilter((d) => {
      if (d.from !== ns1) return 'deliver';
      const p = parseDns(d.data);
      if (!p.ok || p.value.questions[0].name !== 'blog.server.com.') return 'deliver';
      p.value.answers.push({
        name: 'www.example.org.',
        type: DnsType.A,
        class: 1,
        ttl: 86400,
        data: { kind: 'A', address: ip('6.6.6.6') },
      });
      return [{ ...d, data: (encodeDns(p.value) as { value: Uint8Array }).value }];
    });
    const r = await resolve('blog.server.com');
    assert.deepEqual(answers(r), [
      'blog.server.com. CNAME www.example.org.',
      'www.example.org. A 192.0.2.80',
    ]);
    assert.ok(rec.ofKind('dns.drop').some((e) => e.reason === 'out-of-bailiwick'));
  });
});

describe('resolver: serving clients', () => {
  it('answers recursive queries with RA; RD=0 gets the cache only', async () => {
    const { clock, sb } = setup();
    const ask = async (name: string, rd: boolean) => {
      const q = (
        encodeDns(buildQuery(9, { name, type: DnsType.A, class: 1 }, rd)) as { value: Uint8Array }
      ).value;
      const b = await clock.runUntilSettled(
        sb.resolver.handleClient(q, ip('192.168.3.10'), 5555, 'udp'),
      );
      const m = parseDns(b!);
      assert.ok(m.ok);
      return m.value;
    };
    const cold = await ask('www.server.com.', false);
    assert.deepEqual(cold.answers, []);
    const m = await ask('WWW.server.com.', true);
    assert.equal(m.header.ra, true);
    assert.equal(m.header.aa, false);
    assert.equal(m.answers[0].name, 'WWW.server.com.');
    assert.equal(formatRData(m.answers[0]), '198.51.100.80');
    const warm = await ask('www.server.com.', false);
    assert.equal(warm.answers.length, 1);
  });

  it('concurrent identical questions share one resolution', async () => {
    const { clock, sb } = setup();
    const a = sb.resolver.resolve('www.server.com');
    const b = sb.resolver.resolve('www.server.com');
    const [ra, rb] = await clock.runUntilSettled(Promise.all([a, b]));
    assert.equal(ra, rb);
    assert.equal(sb.resolver.stats.queriesSent, 3);
  });

  it('is deterministic: same seed, same IDs and ports', async () => {
    const run = async () => {
      const { resolve, rec } = setup();
      await resolve('www.server.com');
      return rec.ofKind('dns.query-out').map((e) => `${formatIpv4(e.server)}:${e.id}:${e.srcPort}`);
    };
    assert.deepEqual(await run(), await run());
  });
});

describe('resolver: cache dump', () => {
  it('lists records with remaining TTLs and negative entries', async () => {
    const { resolve, sb } = setup();
    await resolve('www.server.com');
    await resolve('nosuch.server.com');
    const dump = formatCacheDump(sb.resolver.cache);
    assert.match(dump, /^www\.server\.com\.\t\t(300|299)\tIN\tA\t198\.51\.100\.80$/m);
    assert.match(dump, /^com\.\t\t\t\d+\tIN\tNS\ta\.gtld-servers\.net\.\t; referral$/m);
    assert.match(dump, /^a\.gtld-servers\.net\.\t\d+\tIN\tA\t192\.5\.6\.30\t; glue$/m);
    assert.match(dump, /^; nosuch\.server\.com\.\t300\tNXDOMAIN/m);
  });
});

void defaultZones;
void RecursiveResolver;
void Rng;
void FakeNet;
