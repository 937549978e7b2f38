// The authoritative server, case by case (RFC 1034 § 4.3.2, RFC 2308, RFC 6891, RFC 2181 § 9),
// on the shipped zones and small test zones; then over sockets (UDP and TCP on the FakeNet).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../sim/rng.js';
import { Scheduler } from '../../sim/scheduler.js';
import { TraceBus, TraceRecorder } from '../../sim/trace.js';
import { parseIpv4 } from '../../wire/addr.js';
import {
  DnsType,
  Rcode,
  ednsOf,
  encodeDns,
  formatRData,
  optRecord,
  parseDns,
  typeName,
  type DnsMessage,
  type DnsRecord,
} from '../../wire/dns.js';
import { AuthoritativeEngine, AuthoritativeServer } from './authoritative.js';
import { buildQuery, exchange } from './client.js';
import { FakeNet } from './fakenet.js';
import { defaultZones } from './hierarchy.js';
import { parseZone, type Zone } from './zone.js';

function zone(text: string, origin: string): Zone {
  const r = parseZone(text, { origin, file: 'test.zone' });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  return r.zone;
}

const TEST_ZONE = zone(
  `$TTL 600
@       IN SOA ns.test. admin.test. 1 2 3 4 60
@       IN NS  ns
ns      IN A   192.0.2.1
a.b     IN A   192.0.2.2          ; b.test. is an empty non-terminal
*.wild  IN A   192.0.2.3
*.wild  IN TXT "wildcard"
child   IN NS  ns.child
ns.child IN A  192.0.2.4
loop1   IN CNAME loop2
loop2   IN CNAME loop1
dangling IN CNAME nothere
tochild IN CNAME www.child
big     IN TXT "${'x'.repeat(200)}" "${'y'.repeat(200)}"
big     IN TXT "${'z'.repeat(200)}" "${'w'.repeat(200)}"
`,
  'test.',
);

const engine = new AuthoritativeEngine([...defaultZones(), TEST_ZONE]);

function ask(
  name: string,
  type: number | string,
  opts: { edns?: number | false; transport?: 'udp' | 'tcp'; engine?: AuthoritativeEngine } = {},
): DnsMessage {
  const t = typeof type === 'number' ? type : (DnsType as Record<string, number>)[type];
  const q = buildQuery(0x1234, { name, type: t, class: 1 }, false, opts.edns ?? 1232);
  const b = encodeDns(q);
  assert.ok(b.ok);
  const r = (opts.engine ?? engine).respond(b.value, opts.transport ?? 'udp');
  assert.ok(r);
  const p = parseDns(r.bytes);
  assert.ok(p.ok);
  return p.value;
}

const rrs = (rs: DnsRecord[]): string[] =>
  rs
    .filter((r) => r.type !== DnsType.OPT)
    .map((r) => `${r.name} ${r.ttl} ${typeName(r.type)} ${formatRData(r)}`);

describe('authoritative: answers', () => {
  it('an authoritative answer (AA) for www.server.com A', () => {
    const m = ask('www.server.com.', 'A');
    assert.equal(m.header.qr, true);
    assert.equal(m.header.aa, true);
    assert.equal(m.header.rcode, Rcode.NOERROR);
    assert.equal(m.header.id, 0x1234);
    assert.deepEqual(rrs(m.answers), ['www.server.com. 300 A 198.51.100.80']);
    // as NSD: the zone's NS in authority, their addresses in additional
    assert.deepEqual(rrs(m.authorities), ['server.com. 3600 NS ns1.server.com.']);
    assert.deepEqual(rrs(m.additionals), ['ns1.server.com. 3600 A 198.51.100.2']);
  });

  it('echoes the case of the question in the owner', () => {
    const m = ask('WWW.Server.COM.', 'A');
    assert.equal(m.questions[0].name, 'WWW.Server.COM.');
    assert.equal(m.answers[0].name, 'WWW.Server.COM.');
  });

  it('the root refers to .com with glue (AA clear)', () => {
    const eng = new AuthoritativeEngine(defaultZones().filter((z) => z.origin === '.'));
    const m = ask('www.server.com.', 'A', { engine: eng });
    assert.equal(m.header.aa, false);
    assert.equal(m.header.rcode, Rcode.NOERROR);
    assert.deepEqual(m.answers, []);
    assert.deepEqual(rrs(m.authorities), ['com. 172800 NS a.gtld-servers.net.']);
    assert.deepEqual(rrs(m.additionals), ['a.gtld-servers.net. 172800 A 192.5.6.30']);
  });

  it('.com refers to server.com with glue', () => {
    const eng = new AuthoritativeEngine(defaultZones().filter((z) => z.origin === 'com.'));
    const m = ask('www.server.com.', 'A', { engine: eng });
    assert.equal(m.header.aa, false);
    assert.deepEqual(rrs(m.authorities), ['server.com. 172800 NS ns1.server.com.']);
    assert.deepEqual(rrs(m.additionals), ['ns1.server.com. 172800 A 198.51.100.2']);
  });

  it('a referral without glue for an out-of-zone name server', () => {
    const eng = new AuthoritativeEngine(defaultZones().filter((z) => z.origin === '.'));
    const m = ask('80.100.51.198.in-addr.arpa.', 'PTR', { engine: eng });
    assert.deepEqual(rrs(m.authorities), ['100.51.198.in-addr.arpa. 86400 NS ns1.server.com.']);
    assert.deepEqual(rrs(m.additionals), []);
  });

  it('NXDOMAIN with the SOA in authority, TTL = min(SOA TTL, MINIMUM) (RFC 2308 § 3)', () => {
    const m = ask('nosuch.server.com.', 'A');
    assert.equal(m.header.rcode, Rcode.NXDOMAIN);
    assert.equal(m.header.aa, true);
    assert.deepEqual(m.answers, []);
    assert.deepEqual(rrs(m.authorities), [
      'server.com. 300 SOA ns1.server.com. hostmaster.server.com. 2025010101 7200 3600 1209600 300',
    ]);
  });

  it('NODATA: the name exists, not the type', () => {
    const m = ask('www.server.com.', 'MX');
    assert.equal(m.header.rcode, Rcode.NOERROR);
    assert.equal(m.header.aa, true);
    assert.deepEqual(m.answers, []);
    assert.equal(m.authorities[0].type, DnsType.SOA);
  });

  it('NODATA for an empty non-terminal (RFC 8020)', () => {
    const m = ask('b.test.', 'A');
    assert.equal(m.header.rcode, Rcode.NOERROR);
    assert.equal(m.authorities[0].type, DnsType.SOA);
    assert.equal(m.authorities[0].ttl, 60);
  });

  it('follows a CNAME chain inside the zone', () => {
    const m = ask('img.server.com.', 'A');
    assert.equal(m.header.aa, true);
    assert.deepEqual(rrs(m.answers), [
      'img.server.com. 3600 CNAME static.server.com.',
      'static.server.com. 3600 CNAME www.server.com.',
      'www.server.com. 300 A 198.51.100.80',
    ]);
  });

  it('follows a CNAME into another zone served here (as NSD), else stops', () => {
    const m = ask('blog.server.com.', 'A');
    assert.equal(m.header.aa, true);
    assert.deepEqual(rrs(m.answers), [
      'blog.server.com. 3600 CNAME www.example.org.',
      'www.example.org. 300 A 192.0.2.80',
    ]);
    assert.deepEqual(rrs(m.authorities), ['example.org. 3600 NS ns1.example.org.']);
    const eng = new AuthoritativeEngine(defaultZones().filter((z) => z.origin === 'server.com.'));
    const only = ask('blog.server.com.', 'A', { engine: eng });
    assert.equal(only.header.rcode, Rcode.NOERROR);
    assert.deepEqual(rrs(only.answers), ['blog.server.com. 3600 CNAME www.example.org.']);
    assert.deepEqual(only.authorities, []);
  });

  it('a CNAME query returns the CNAME itself', () => {
    const m = ask('img.server.com.', 'CNAME');
    assert.deepEqual(rrs(m.answers), ['img.server.com. 3600 CNAME static.server.com.']);
  });

  it('a dangling CNAME is NXDOMAIN (RFC 6604: rcode of the last name)', () => {
    const m = ask('dangling.test.', 'A');
    assert.equal(m.header.rcode, Rcode.NXDOMAIN);
    assert.deepEqual(rrs(m.answers), ['dangling.test. 600 CNAME nothere.test.']);
    assert.equal(m.authorities[0].type, DnsType.SOA);
  });

  it('a CNAME loop ends', () => {
    const m = ask('loop1.test.', 'A');
    assert.equal(m.header.rcode, Rcode.NOERROR);
    assert.equal(m.answers.length, 2);
  });

  it('a CNAME into a delegated child adds the referral in authority', () => {
    const m = ask('tochild.test.', 'A');
    assert.equal(m.header.aa, true);
    assert.deepEqual(rrs(m.answers), ['tochild.test. 600 CNAME www.child.test.']);
    assert.deepEqual(rrs(m.authorities), ['child.test. 600 NS ns.child.test.']);
  });

  it('REFUSED (AA clear) for a name outside every zone', () => {
    const eng = new AuthoritativeEngine(defaultZones().filter((z) => z.origin === 'server.com.'));
    const m = ask('www.example.org.', 'A', { engine: eng });
    assert.equal(m.header.rcode, Rcode.REFUSED);
    assert.equal(m.header.aa, false);
    assert.deepEqual(m.answers, []);
  });

  it('MX and NS answers carry the targets’ addresses in additional', () => {
    const mx = ask('server.com.', 'MX');
    assert.deepEqual(rrs(mx.answers), ['server.com. 3600 MX 10 mail.server.com.']);
    assert.deepEqual(rrs(mx.additionals), [
      'mail.server.com. 3600 A 198.51.100.25',
      'ns1.server.com. 3600 A 198.51.100.2',
    ]);
    const ns = ask('server.com.', 'NS');
    assert.deepEqual(rrs(ns.additionals), ['ns1.server.com. 3600 A 198.51.100.2']);
    assert.deepEqual(ns.authorities, []);
    assert.equal(ns.header.aa, true);
  });

  it('TXT, PTR, SOA and ANY', () => {
    assert.deepEqual(rrs(ask('server.com.', 'TXT').answers), [
      'server.com. 3600 TXT "v=spf1 mx -all"',
    ]);
    assert.deepEqual(rrs(ask('80.100.51.198.in-addr.arpa.', 'PTR').answers), [
      '80.100.51.198.in-addr.arpa. 3600 PTR www.server.com.',
    ]);
    assert.equal(ask('server.com.', 'SOA').answers[0].type, DnsType.SOA);
    // RFC 8482 § 4.2: one RRset (NSD gives the SOA at an apex)
    assert.deepEqual(
      rrs(ask('server.com.', 'ANY').answers).map((x) => x.split(' ')[2]),
      ['SOA'],
    );
    assert.deepEqual(rrs(ask('www.server.com.', 'ANY').answers), [
      'www.server.com. 300 A 198.51.100.80',
    ]);
  });

  it('wildcards synthesise records for names that do not exist (RFC 4592)', () => {
    const m = ask('anything.wild.test.', 'A');
    assert.deepEqual(rrs(m.answers), ['anything.wild.test. 600 A 192.0.2.3']);
    const nd = ask('anything.wild.test.', 'MX');
    assert.equal(nd.header.rcode, Rcode.NOERROR);
    assert.equal(nd.authorities[0].type, DnsType.SOA);
  });

  it('DS at a delegation point is answered by the parent (RFC 4035 § 3.1.4.1)', () => {
    const m = ask('child.test.', 'DS');
    assert.equal(m.header.aa, true);
    assert.equal(m.authorities[0].type, DnsType.SOA);
  });
});

describe('authoritative: EDNS0, truncation, errors', () => {
  it('echoes an OPT with its payload size when the query has one (RFC 6891 § 7)', () => {
    const m = ask('www.server.com.', 'A', { edns: 4096 });
    assert.equal(ednsOf(m)?.udpSize, 1232);
    const n = ask('www.server.com.', 'A', { edns: false });
    assert.equal(ednsOf(n), undefined);
  });

  it('BADVERS for EDNS version 1 (RFC 6891 § 6.1.3)', () => {
    const q = buildQuery(7, { name: 'www.server.com.', type: 1, class: 1 }, false, false);
    q.additionals.push(optRecord({ udpSize: 1232, version: 1 }));
    const r = engine.respond(
      encodeDns(q).ok ? (encodeDns(q) as { value: Uint8Array }).value : new Uint8Array(),
      'udp',
    );
    const m = parseDns(r!.bytes);
    assert.ok(m.ok);
    assert.equal(ednsOf(m.value)?.extendedRcode, 1);
    assert.equal(m.value.header.rcode, 0);
  });

  it('sets TC over UDP beyond 512 octets without EDNS (RFC 1035 § 4.2.1)', () => {
    const m = ask('big.test.', 'TXT', { edns: false });
    assert.equal(m.header.tc, true);
    assert.deepEqual(m.answers, []);
    assert.equal(m.questions.length, 1);
  });

  it('fits within the EDNS size, and everything comes over TCP', () => {
    const small = ask('big.test.', 'TXT', { edns: 512 });
    assert.equal(small.header.tc, true);
    const big = ask('big.test.', 'TXT', { edns: 4096 });
    assert.equal(big.header.tc, false);
    assert.equal(big.answers.length, 2);
    const tcp = ask('big.test.', 'TXT', { edns: false, transport: 'tcp' });
    assert.equal(tcp.header.tc, false);
    assert.equal(tcp.answers.length, 2);
  });

  it('drops additional data before setting TC (RFC 2181 § 9)', () => {
    const many = zone(
      `$TTL 60\n@ IN SOA ns admin 1 2 3 4 5\n@ IN NS ns\nns IN A 192.0.2.1\n` +
        Array.from(
          { length: 10 },
          (_, i) =>
            `@ IN MX ${i} mailexchange-host-${i}\nmailexchange-host-${i} IN A 192.0.2.${10 + i}\n`,
        ).join(''),
      'many.test.',
    );
    const eng = new AuthoritativeEngine([many]);
    const m = ask('many.test.', 'MX', { edns: false, engine: eng });
    assert.equal(m.header.tc, false);
    assert.equal(m.answers.length, 10);
    assert.deepEqual(m.additionals, []);
    const full = ask('many.test.', 'MX', { edns: 4096, engine: eng });
    assert.equal(full.additionals.filter((r) => r.type === DnsType.A).length, 11); // + ns
  });

  it('FORMERR for an unparseable query, echoing the ID', () => {
    const bad = new Uint8Array([
      0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1,
    ]);
    const r = engine.respond(bad, 'udp');
    const m = parseDns(r!.bytes);
    assert.ok(m.ok);
    assert.equal(m.value.header.id, 0xabcd);
    assert.equal(m.value.header.rcode, Rcode.FORMERR);
    assert.equal(m.value.header.rd, true);
  });

  it('FORMERR for two questions; NOTIMP for another opcode', () => {
    const q = buildQuery(1, { name: 'a.test.', type: 1, class: 1 }, false, false);
    q.questions.push({ name: 'b.test.', type: 1, class: 1 });
    const m = parseDns(engine.respond((encodeDns(q) as { value: Uint8Array }).value, 'udp')!.bytes);
    assert.equal(m.ok && m.value.header.rcode, Rcode.FORMERR);
    const s = buildQuery(1, { name: 'a.test.', type: 1, class: 1 }, false, false);
    s.header.opcode = 2;
    const n = parseDns(engine.respond((encodeDns(s) as { value: Uint8Array }).value, 'udp')!.bytes);
    assert.equal(n.ok && n.value.header.rcode, Rcode.NOTIMP);
  });

  it('ignores responses and runts, counting them', () => {
    const before = { ...engine.stats.dropped };
    const resp = buildQuery(1, { name: 'a.test.', type: 1, class: 1 }, false, false);
    resp.header.qr = true;
    assert.equal(
      engine.respond((encodeDns(resp) as { value: Uint8Array }).value, 'udp'),
      undefined,
    );
    assert.equal(engine.respond(new Uint8Array(5), 'udp'), undefined);
    assert.equal(engine.stats.dropped['not-a-query'], before['not-a-query'] + 1);
    assert.equal(engine.stats.dropped.short, before.short + 1);
  });

  it('REFUSED for class CH and for AXFR', () => {
    const ch = buildQuery(1, { name: 'version.bind.', type: DnsType.TXT, class: 3 }, false, false);
    const m = parseDns(
      engine.respond((encodeDns(ch) as { value: Uint8Array }).value, 'udp')!.bytes,
    );
    assert.equal(m.ok && m.value.header.rcode, Rcode.REFUSED);
    assert.equal(ask('server.com.', DnsType.AXFR).header.rcode, Rcode.REFUSED);
  });
});

describe('authoritative: over sockets', () => {
  it('answers over UDP and TCP (two queries on one connection, RFC 7766)', async () => {
    const clock = new Scheduler();
    const bus = new TraceBus(() => clock.now());
    const rec = new TraceRecorder(bus);
    const net = new FakeNet(clock);
    const ns1 = parseIpv4('198.51.100.2')!;
    const srv = new AuthoritativeServer({
      zones: defaultZones().filter((z) => z.origin === 'server.com.'),
      dgram: net.host(ns1),
      net: net.host(ns1),
      clock,
      trace: bus,
      node: 'ns1',
    }).start();
    const client = net.host(parseIpv4('192.0.2.99')!);
    const rng = new Rng(1, 'test');
    const udp = await clock.runUntilSettled(
      exchange({
        dgram: client,
        net: client,
        clock,
        rng,
        server: ns1,
        question: { name: 'www.server.com.', type: 1, class: 1 },
        rd: false,
        timeout: 1e9,
      }),
    );
    assert.ok(udp.ok);
    assert.equal(udp.transport, 'udp');
    assert.equal(formatRData(udp.response.answers[0]), '198.51.100.80');
    const tcp = await clock.runUntilSettled(
      exchange({
        dgram: client,
        net: client,
        clock,
        rng,
        server: ns1,
        question: { name: 'server.com.', type: DnsType.MX, class: 1 },
        rd: false,
        timeout: 1e9,
        tcp: true,
      }),
    );
    assert.ok(tcp.ok);
    assert.equal(tcp.transport, 'tcp');
    assert.equal(tcp.response.answers[0].data.kind, 'MX');

    // two length-prefixed queries in one write, answered in order
    const c = client.connect({ host: ns1, port: 53 });
    const frames: Uint8Array[] = [];
    for (const [id, name] of [
      [1, 'www.server.com.'],
      [2, 'mail.server.com.'],
    ] as const) {
      const b = (
        encodeDns(buildQuery(id, { name, type: 1, class: 1 }, false, false)) as {
          value: Uint8Array;
        }
      ).value;
      const f = new Uint8Array(b.length + 2);
      f[1] = b.length;
      f.set(b, 2);
      frames.push(f);
    }
    const got: number[] = [];
    let buf = new Uint8Array(0);
    c.on('connect', () => c.write(new Uint8Array([...frames[0], ...frames[1]])));
    c.on('data', (d) => {
      buf = new Uint8Array([...buf, ...d]);
      while (buf.length >= 2 && buf.length >= 2 + ((buf[0] << 8) | buf[1])) {
        const len = (buf[0] << 8) | buf[1];
        const m = parseDns(buf.slice(2, 2 + len));
        if (m.ok) got.push(m.value.header.id);
        buf = buf.slice(2 + len);
      }
    });
    await clock.run({ until: clock.now() + 50e6 });
    assert.deepEqual(got, [1, 2]);
    c.destroy();
    await clock.run({ until: clock.now() + 20e9 });

    assert.equal(srv.stats.tcpQueries, 3);
    const serves = rec.ofKind('dns.serve');
    assert.equal(serves.length, 4);
    assert.equal(serves[0].outcome, 'answer');
    assert.equal(serves[0].zone, 'server.com.');
    srv.stop();
  });
});
