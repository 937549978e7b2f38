// The stub resolver (getaddrinfo-like): hosts file, OS cache, resolv.conf rules, failures; and
// the parsers of /etc/hosts and /etc/resolv.conf.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../sim/rng.js';
import { Scheduler } from '../../sim/scheduler.js';
import { MS, SECOND } from '../../sim/time.js';
import { TraceBus, TraceRecorder } from '../../sim/trace.js';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import { DnsClass, DnsType, ednsOf, emptyHeader, parseDns } from '../../wire/dns.js';
import type { DgramApi } from '../../stack/api.js';
import { DnsCache, Trust } from './cache.js';
import { createDnsSandbox } from './hierarchy.js';
import { parseHosts, parseResolvConf } from './hostsfile.js';
import { DnsLookupError, ptrNamesIn, StubResolver, type StubOptions } from './stub.js';

const ip = (s: string): number => parseIpv4(s)!;

function setup(stub: Partial<StubOptions> = {}) {
  const clock = new Scheduler();
  const bus = new TraceBus(() => clock.now());
  const rec = new TraceRecorder(bus);
  const sb = createDnsSandbox({ clock, trace: bus, stub });
  const lookup = (name: string, family?: 4 | 6) =>
    clock.runUntilSettled(sb.stub.lookup(name, { family }));
  const fails = async (name: string): Promise<DnsLookupError> => {
    try {
      await lookup(name);
    } catch (e) {
      assert.ok(e instanceof DnsLookupError, String(e));
      return e;
    }
    assert.fail(`${name} resolved`);
  };
  return { clock, rec, sb, lookup, fails };
}

describe('stub: lookup order (hosts → OS cache → DNS)', () => {
  it('the hosts file answers first, without a query', async () => {
    const { lookup, rec, sb } = setup({
      hosts: '127.0.0.1 localhost\n192.168.10.200 nas nas.home # the NAS\n',
    });
    const r = await lookup('NAS.home');
    assert.equal(r.source, 'hosts');
    assert.deepEqual(r.addresses.map(formatIpv4), ['192.168.10.200']);
    assert.equal(r.canonicalName, 'nas');
    assert.equal(sb.stub.stats.queries, 0);
    assert.equal(rec.ofKind('dns.stub')[0].op, 'hosts-hit');
  });

  it('a miss everywhere asks the local DNS server, then the OS cache answers', async () => {
    const { lookup, rec, clock } = setup();
    const r1 = await lookup('www.server.com');
    assert.equal(r1.source, 'dns');
    assert.deepEqual(r1.addresses.map(formatIpv4), ['198.51.100.80']);
    assert.equal(r1.server, ip('203.0.113.53'));
    assert.equal(r1.ttl, 300);
    assert.deepEqual(
      rec.ofKind('dns.stub').map((e) => e.op),
      ['hosts-miss', 'cache-miss', 'query', 'answer', 'cache-store'],
    );
    await clock.run({ until: clock.now() + 10 * SECOND });
    const r2 = await lookup('www.server.com');
    assert.equal(r2.source, 'os-cache');
    assert.ok(r2.ttl <= 290 && r2.ttl >= 289);
    assert.equal(r2.elapsed, 0);
  });

  it('follows CNAMEs and reports the aliases', async () => {
    const { lookup } = setup();
    const r = await lookup('img.server.com');
    assert.equal(r.canonicalName, 'www.server.com');
    assert.deepEqual(r.aliases, ['img.server.com', 'static.server.com']);
    assert.deepEqual(r.addresses.map(formatIpv4), ['198.51.100.80']);
  });

  it('address literals need no lookup', async () => {
    const { lookup, sb } = setup();
    const r = await lookup('198.51.100.80');
    assert.equal(r.source, 'literal');
    assert.equal(sb.stub.stats.queries, 0);
  });

  it('NXDOMAIN is ENOTFOUND, and is cached (RFC 2308)', async () => {
    const { fails, sb } = setup();
    const e = await fails('nosuch.server.com');
    assert.equal(e.code, 'ENOTFOUND');
    assert.equal(e.rcode, 'NXDOMAIN');
    const e2 = await fails('nosuch.server.com');
    assert.equal(e2.code, 'ENOTFOUND');
    assert.equal(sb.stub.stats.queries, 1);
  });

  it('NODATA is ENODATA; a bad name is EBADNAME', async () => {
    const { fails, lookup } = setup();
    const e = await (async () => {
      try {
        await lookup('www.server.com', 6);
      } catch (x) {
        return x as DnsLookupError;
      }
      return undefined;
    })();
    assert.equal(e?.code, 'ENODATA');
    assert.equal((await fails('a..b')).code, 'EBADNAME');
  });
});

describe('stub: reverse lookups (getnameinfo: hosts file → OS cache → PTR)', () => {
  const rev = (sb: ReturnType<typeof setup>, a: string) =>
    sb.clock.runUntilSettled(sb.sb.stub.reverse(ip(a)));
  const revFails = async (sb: ReturnType<typeof setup>, a: string): Promise<DnsLookupError> => {
    try {
      await rev(sb, a);
    } catch (e) {
      assert.ok(e instanceof DnsLookupError, String(e));
      return e;
    }
    assert.fail(`${a} has a name`);
  };

  it('the hosts file answers first (its canonical name), without a query', async () => {
    const t = setup({ hosts: '192.168.3.1 router.home gw\n198.51.100.80 web.local\n' });
    const r = await rev(t, '192.168.3.1');
    assert.equal(r.name, 'router.home');
    assert.deepEqual(r.names, ['router.home', 'gw']);
    assert.equal(r.source, 'hosts');
    assert.equal((await rev(t, '198.51.100.80')).name, 'web.local', 'hosts before DNS');
    assert.equal(t.sb.stub.stats.queries, 0);
    assert.equal(t.rec.ofKind('dns.stub')[0].name, '1.3.168.192.in-addr.arpa.');
  });

  it('a PTR query for the in-addr.arpa name, then the OS cache answers', async () => {
    const t = setup();
    const r = await rev(t, '198.51.100.80');
    assert.equal(r.name, 'www.server.com');
    assert.equal(r.source, 'dns');
    assert.equal(r.server, ip('203.0.113.53'));
    assert.equal(r.ttl, 3600);
    const q = t.rec.ofKind('dns.stub').find((e) => e.op === 'query')!;
    assert.equal(q.name, '80.100.51.198.in-addr.arpa.');
    assert.equal(q.qtype, 'PTR');
    const again = await rev(t, '198.51.100.80');
    assert.equal(again.source, 'os-cache');
    assert.equal(again.name, 'www.server.com');
    assert.equal(t.sb.stub.stats.queries, 1);
    assert.ok(
      t.sb.stub.cacheEntries().some((e) => e.type === 'PTR' && e.addresses[0] === 'www.server.com'),
    );
  });

  it('the reverse zones of the default internet name the routers on the way', async () => {
    const t = setup();
    for (const [a, name] of [
      ['100.64.0.1', 'eth0.r-isp.isp.net'],
      ['100.64.0.2', 'cpe-100-64-0-2.isp.net'],
      ['100.64.1.2', 'eth0.r-core.isp.net'],
      ['100.64.2.2', 'eth0.r-dc.server.com'],
      ['198.51.100.1', 'eth1.r-dc.server.com'],
      ['203.0.113.53', 'resolver.isp.net'],
      ['192.0.2.80', 'www.example.org'],
      ['198.41.0.4', 'a.root-servers.net'],
      ['192.5.6.30', 'a.gtld-servers.net'],
      ['203.119.25.254', 'eth5.r-core.isp.net'],
    ])
      assert.equal((await rev(t, a)).name, name, a);
    // and the names resolve back to the same addresses (RFC 1912 § 2.1)
    for (const [name, a] of [
      ['eth0.r-isp.isp.net', '100.64.0.1'],
      ['cpe-100-64-0-2.isp.net', '100.64.0.2'],
      ['eth0.r-dc.server.com', '100.64.2.2'],
      ['resolver.isp.net', '203.0.113.53'],
      ['eth5.r-core.isp.net', '203.119.25.254'],
    ])
      assert.deepEqual((await t.lookup(name)).addresses.map(formatIpv4), [a], name);
  });

  it('NXDOMAIN is ENOTFOUND (cached), a name without PTR is ENODATA, no server is ETIMEOUT', async () => {
    const t = setup();
    const e = await revFails(t, '192.168.3.20');
    assert.equal(e.code, 'ENOTFOUND');
    assert.equal(e.rcode, 'NXDOMAIN');
    assert.equal((await revFails(t, '192.168.3.20')).code, 'ENOTFOUND');
    assert.equal(t.sb.stub.stats.queries, 1, 'the negative answer is cached');
    // 100.64.3.1 is in the reverse zone but has no record: NXDOMAIN from ns1 too
    assert.equal((await revFails(t, '100.64.3.1')).code, 'ENOTFOUND');
    const dead = setup({ config: { nameservers: [ip('203.0.113.99')], timeout: 1, attempts: 2 } });
    const t0 = dead.clock.now();
    assert.equal((await revFails(dead, '198.51.100.80')).code, 'ETIMEOUT');
    assert.equal(dead.clock.now() - t0, 2 * SECOND);
  });

  it('PTR records behind a CNAME (RFC 2317 classless delegation) are followed', () => {
    const m = {
      header: { ...emptyHeader(1), qr: true },
      questions: [{ name: '5.2.0.192.in-addr.arpa.', type: DnsType.PTR, class: DnsClass.IN }],
      answers: [
        {
          name: '5.2.0.192.in-addr.arpa.',
          type: DnsType.CNAME,
          class: DnsClass.IN,
          ttl: 600,
          data: { kind: 'CNAME' as const, target: '5.0-25.2.0.192.in-addr.arpa.' },
        },
        {
          name: '5.0-25.2.0.192.in-addr.arpa.',
          type: DnsType.PTR,
          class: DnsClass.IN,
          ttl: 300,
          data: { kind: 'PTR' as const, target: 'host5.example.' },
        },
        {
          name: '6.0-25.2.0.192.in-addr.arpa.',
          type: DnsType.PTR,
          class: DnsClass.IN,
          ttl: 300,
          data: { kind: 'PTR' as const, target: 'not-this-one.example.' },
        },
      ],
      authorities: [],
      additionals: [],
    };
    const r = ptrNamesIn(m, '5.2.0.192.in-addr.arpa.');
    assert.deepEqual(r.names, ['host5.example']);
    assert.deepEqual(r.aliases, ['5.2.0.192.in-addr.arpa']);
    assert.equal(r.ttl, 300);
  });
});

describe('stub: resolv.conf behaviour', () => {
  it('search list: a single label is tried with the search domain first (ndots 1)', async () => {
    const { lookup, rec } = setup({
      config: { nameservers: [ip('203.0.113.53')], search: ['server.com.'] },
    });
    const r = await lookup('www');
    assert.deepEqual(r.addresses.map(formatIpv4), ['198.51.100.80']);
    assert.equal(r.canonicalName, 'www.server.com');
    assert.equal(rec.ofKind('dns.stub').find((e) => e.op === 'query')?.name, 'www.server.com.');
  });

  it('a name with a dot is tried as is first, then with the search list', async () => {
    const { sb } = setup({
      config: { nameservers: [ip('203.0.113.53')], search: ['server.com.'] },
    });
    assert.deepEqual(sb.stub.candidates('www.example'), [
      'www.example.',
      'www.example.server.com.',
    ]);
    assert.deepEqual(sb.stub.candidates('www'), ['www.server.com.', 'www.']);
    assert.deepEqual(sb.stub.candidates('www.example.org.'), ['www.example.org.']);
  });

  it('a dead first nameserver: timeout, then the second one answers', async () => {
    const { lookup, rec } = setup({
      config: { nameservers: [ip('203.0.113.99'), ip('203.0.113.53')], timeout: 1 },
    });
    const r = await lookup('www.server.com');
    assert.equal(r.server, ip('203.0.113.53'));
    assert.equal(r.elapsed >= SECOND, true);
    assert.deepEqual(
      rec
        .ofKind('dns.stub')
        .filter((e) => e.op === 'timeout')
        .map((e) => formatIpv4(e.server!)),
      ['203.0.113.99'],
    );
  });

  it('no answer at all: ETIMEOUT after attempts × servers × timeout', async () => {
    const { fails, clock } = setup({
      config: { nameservers: [ip('203.0.113.99')], timeout: 2, attempts: 3 },
    });
    const t0 = clock.now();
    const e = await fails('www.server.com');
    assert.equal(e.code, 'ETIMEOUT');
    assert.equal(clock.now() - t0, 6 * SECOND);
  });

  it('EDNS0 only with "options edns0", as glibc (RES_USE_EDNS0): 1200 bytes then', async () => {
    // The queries the stub sends, read off its UDP sockets.
    const sent = async (config: string) => {
      const { sb, clock } = setup();
      const queries: Uint8Array[] = [];
      const dgram: DgramApi = {
        createSocket() {
          const sock = sb.clientHost.createSocket();
          const send = sock.send.bind(sock);
          sock.send = (data, port, address) => (
            queries.push(data.slice()),
            send(data, port, address)
          );
          return sock;
        },
      };
      const stub = new StubResolver({
        dgram,
        net: sb.clientHost,
        clock,
        rng: new Rng(1, 'pc/dns'),
        config,
      });
      const r = await clock.runUntilSettled(stub.lookup('www.server.com'));
      assert.deepEqual(r.addresses.map(formatIpv4), ['198.51.100.80']);
      assert.equal(queries.length, 1);
      const q = parseDns(queries[0]);
      assert.ok(q.ok);
      return q.value;
    };
    const plain = await sent('nameserver 203.0.113.53\n');
    assert.equal(ednsOf(plain), undefined, 'no OPT record by default');
    assert.equal(plain.additionals.length, 0);
    assert.equal(plain.header.rd, true);
    const edns = await sent('nameserver 203.0.113.53\noptions edns0\n');
    assert.equal(ednsOf(edns)?.udpSize, 1200);
    assert.equal(ednsOf(edns)?.dnssecOk, false);
  });

  it('rotate spreads lookups over the servers', async () => {
    const { sb, clock } = setup({
      config: { nameservers: [ip('203.0.113.53'), ip('203.0.113.53')], rotate: true },
      cache: false,
    });
    await clock.runUntilSettled(sb.stub.lookup('www.server.com'));
    await clock.runUntilSettled(sb.stub.lookup('www.server.com'));
    assert.equal(sb.stub.stats.queries, 2);
  });
});

describe('stub: files', () => {
  it('parses /etc/hosts with IPv4, IPv6, aliases and comments; errors name the line', () => {
    const r = parseHosts(
      '# c\n127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.0.0.300 bad\nfe80::1\n',
    );
    assert.equal(r.hosts.lookup('LOCALHOST')?.v4.length, 1);
    assert.deepEqual(r.hosts.lookup('localhost')?.v6, ['::1']);
    assert.deepEqual(
      r.errors.map((e) => `${e.file}:${e.line}: ${e.message}`),
      [
        '/etc/hosts:4: "10.0.0.300" is not an IPv4 or IPv6 address',
        '/etc/hosts:5: "fe80::1" has no host name after it',
      ],
    );
  });

  it('parses resolv.conf with glibc defaults and limits', () => {
    const r = parseResolvConf(
      'nameserver 203.0.113.53\nnameserver 192.0.2.1\nsearch server.com example.org\noptions timeout:2 attempts:3 ndots:2 rotate edns0\n',
    );
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.config.nameservers.map(formatIpv4), ['203.0.113.53', '192.0.2.1']);
    assert.deepEqual(r.config.search, ['server.com.', 'example.org.']);
    assert.equal(r.config.timeout, 2);
    assert.equal(r.config.attempts, 3);
    assert.equal(r.config.ndots, 2);
    assert.equal(r.config.rotate, true);
    assert.equal(r.config.edns0, true);
    const d = parseResolvConf('');
    assert.equal(d.config.timeout, 5);
    assert.equal(d.config.attempts, 2);
    assert.equal(d.config.edns0, false);
    const bad = parseResolvConf('nameserver x\nfoo bar\noptions bogus\n');
    assert.deepEqual(
      bad.errors.map((e) => e.line),
      [1, 2, 3],
    );
  });

  it('the stub refuses broken configuration text', () => {
    const clock = new Scheduler();
    assert.throws(
      () =>
        new StubResolver({
          dgram: { createSocket: () => assert.fail() },
          clock,
          rng: new Rng(1),
          config: 'nameserver nope',
        }),
      /resolv\.conf:1/,
    );
  });
});

describe('cache: ranking and expiry (RFC 2181 § 5.4.1, RFC 2308)', () => {
  it('glue does not replace an authoritative answer; an answer replaces glue', () => {
    const clock = new Scheduler();
    const c = new DnsCache({ clock });
    const a = (addr: string) => ({
      name: 'ns1.x.',
      type: 1,
      class: 1,
      ttl: 100,
      data: { kind: 'A' as const, address: ip(addr) },
    });
    assert.ok(c.putRRset([a('192.0.2.1')], 'glue', Trust.glue));
    assert.ok(c.putRRset([a('192.0.2.2')], 'answer', Trust.authoritative));
    assert.equal(c.putRRset([a('192.0.2.3')], 'glue', Trust.glue), false);
    assert.equal(
      c.peek('ns1.x.', 1)?.records[0].data.kind === 'A' &&
        formatIpv4((c.peek('ns1.x.', 1)!.records[0].data as { address: number }).address),
      '192.0.2.2',
    );
  });

  it('caps TTLs and expires entries', () => {
    const clock = new Scheduler();
    const c = new DnsCache({ clock, maxTtl: 60 });
    c.putRRset(
      [{ name: 'a.x.', type: 1, class: 1, ttl: 3600, data: { kind: 'A', address: 1 } }],
      'answer',
      Trust.answer,
    );
    assert.equal(c.peek('a.x.', 1)?.ttl, 60);
    clock.runSync({ until: 60 * SECOND });
    assert.equal(c.peek('a.x.', 1), undefined);
    assert.equal(c.stats.expired, 1);
  });

  it('negative TTL = min(SOA TTL, MINIMUM); no SOA, no caching', () => {
    const clock = new Scheduler();
    const c = new DnsCache({ clock });
    const soa = {
      name: 'x.',
      type: 6,
      class: 1,
      ttl: 3600,
      data: {
        kind: 'SOA' as const,
        mname: 'ns.x.',
        rname: 'h.x.',
        serial: 1,
        refresh: 2,
        retry: 3,
        expire: 4,
        minimum: 120,
      },
    };
    assert.ok(c.putNegative('n.x.', 1, 'nxdomain', soa, Trust.authoritative));
    assert.equal(c.peek('n.x.', 28)?.ttl, 120);
    assert.equal(c.putNegative('m.x.', 1, 'nodata', undefined, Trust.authoritative), false);
    clock.runSync({ until: 120 * SECOND + MS });
    assert.equal(c.peek('n.x.', 1), undefined);
  });
});
