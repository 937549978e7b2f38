// DNS end to end on the real simulated hosts of the default internet (src/world/examples/
// internet.yaml): the pc's stub resolver → the ISP's resolver → root → .com → ns1.server.com,
// over the real UDP/IPv4/ARP/Ethernet stack and routers; frames on the links decode as DNS;
// TC → TCP over the real TcpLayer; dig +trace from the pc.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthoritativeServer } from '../src/apps/dns/authoritative.js';
import { defaultZones } from '../src/apps/dns/hierarchy.js';
import { parseZone } from '../src/apps/dns/zone.js';
import { dig, digTrace } from '../src/apps/tools/dig.js';
import { MS, SECOND } from '../src/sim/time.js';
import { TraceRecorder } from '../src/sim/trace.js';
import { TcpLayer } from '../src/stack/tcp/index.js';
import { formatIpv4, parseIpv4 } from '../src/wire/addr.js';
import { decodeFrame } from '../src/wire/decode.js';
import { DnsType, formatRData } from '../src/wire/dns.js';
import { topologyFile } from '../src/world/examples/index.js';
import { readApps, startApps } from '../src/world/services.js';
import { buildNetwork, parseTopology } from '../src/world/topology.js';

async function internet(opts: { qmin?: boolean } = {}) {
  const topo = parseTopology(topologyFile('internet')!.text, 'internet.yaml');
  const apps = readApps(topo);
  if (opts.qmin) for (const a of apps) if (a.dnsResolver) a.dnsResolver.qnameMinimisation = true;
  const net = buildNetwork(topo, { seed: 1, tcp: (h) => new TcpLayer(h) });
  const rec = new TraceRecorder(net.trace);
  const running = startApps(net, apps, defaultZones());
  await net.run({ until: net.clock.now() + 10 * MS });
  return { net, rec, running, pc: net.hostNamed('pc'), stub: running.stubs.get('pc')! };
}

describe('dns end to end on the default internet', () => {
  it('the seeds’ walk: pc → local DNS → root → .com → ns1.server.com, then caches', async () => {
    const { net, rec, stub } = await internet();
    const r = await net.runUntilSettled(stub.lookup('www.server.com'));
    assert.deepEqual(r.addresses.map(formatIpv4), ['198.51.100.80']);
    assert.equal(r.source, 'dns');
    const asked = rec.ofKind('dns.query-out').map((e) => `${e.node}→${e.serverName}`);
    assert.equal(asked.length, 3);
    assert.match(asked[0], /^dns-local→[ab]\.root-servers\.net\.$/);
    assert.deepEqual(asked.slice(1), [
      'dns-local→a.gtld-servers.net.',
      'dns-local→ns1.server.com.',
    ]);
    const served = rec.ofKind('dns.serve').map((e) => `${e.node}:${e.outcome}`);
    assert.equal(served.length, 4);
    assert.deepEqual(served.slice(1), ['gtld:referral', 'ns1:answer', 'dns-local:answer']);

    // every DNS frame on the wire decodes as DNS, with tshark's Info line
    const dnsInfo = (node?: string) =>
      rec
        .ofKind('link.tx')
        .filter((e) => node === undefined || e.node === node)
        .map((e) => decodeFrame(e.frame))
        .flatMap((d) => d.layers.filter((l) => l.short === 'dns').map((l) => l.summary));
    const infos = dnsInfo();
    // pc's stub queries as glibc does without "options edns0": no OPT record; the resolver
    // (dns-local) asks the authoritative servers with EDNS0.
    assert.deepEqual(
      dnsInfo('pc')
        .filter((s) => !s.includes('response'))
        .map((s) => s.replace(/0x[0-9a-f]{4}/, 'ID')),
      ['Standard query ID A www.server.com'],
    );
    assert.ok(
      dnsInfo('dns-local').some((s) =>
        /^Standard query 0x[0-9a-f]{4} A www\.server\.com OPT$/.test(s),
      ),
      infos.join('\n'),
    );
    assert.ok(
      infos.some((s) =>
        /^Standard query response 0x[0-9a-f]{4} A www\.server\.com A 198\.51\.100\.80/.test(s),
      ),
    );

    // second lookup: the OS cache; after its TTL, the resolver's cache
    const r2 = await net.runUntilSettled(stub.lookup('www.server.com'));
    assert.equal(r2.source, 'os-cache');
    await net.run({ until: net.clock.now() + 301 * SECOND });
    const n = rec.ofKind('dns.query-out').length;
    const r3 = await net.runUntilSettled(stub.lookup('mail.server.com'));
    assert.deepEqual(r3.addresses.map(formatIpv4), ['198.51.100.25']);
    assert.equal(
      rec.ofKind('dns.query-out').length,
      n + 1,
      'only ns1.server.com is asked: .com and server.com NS are cached',
    );
  });

  it('NXDOMAIN comes back as ENOTFOUND with the SOA’s negative TTL', async () => {
    const { net, stub } = await internet();
    await assert.rejects(
      net.runUntilSettled(stub.lookup('www.nosuch.com')),
      (e: { code: string; rcode: string }) => {
        assert.equal(e.code, 'ENOTFOUND');
        assert.equal(e.rcode, 'NXDOMAIN');
        return true;
      },
    );
  });

  it('dig +trace from the pc walks root → .com → server.com', async () => {
    const { net, pc } = await internet();
    const env = { dgram: pc.dgram, net: pc.net, clock: net.clock, rng: pc.rng('dig') };
    const r = await net.runUntilSettled(
      digTrace(env, { name: 'www.server.com', server: parseIpv4('203.0.113.53')! }),
    );
    assert.equal(r.outcome, 'answer');
    assert.deepEqual(
      r.steps.map((s) => s.serverName.replace(/^[ab]\.root/, 'x.root')),
      ['203.0.113.53', 'x.root-servers.net', 'a.gtld-servers.net', 'ns1.server.com'],
    );
    const last = r.steps.at(-1)!.response!;
    assert.equal(formatRData(last.answers[0]), '198.51.100.80');
    assert.equal(last.header.aa, true);
  });

  it('a truncated answer is retried over the real TCP stack', async () => {
    const { net, pc } = await internet();
    // a second authoritative server on ns1's host is not possible (port 53 is taken); use the
    // web server host for a zone with a big TXT record, and ask it directly from the pc
    const big = parseZone(
      `$TTL 60\n@ IN SOA ns admin 1 2 3 4 5\n@ IN NS ns\nns IN A 198.51.100.80\n` +
        [1, 2, 3].map((i) => `big IN TXT "${String(i).repeat(250)}" "${i}"\n`).join(''),
      { origin: 'big.test.', file: 'big.test.zone' },
    );
    assert.ok(big.ok);
    const web = [...net.nodes.values()].find(
      (n) =>
        'localAddresses' in n &&
        (n as { localAddresses(): number[] })
          .localAddresses()
          .includes(parseIpv4('198.51.100.80')!),
    ) as unknown as { dgram: typeof pc.dgram; net: typeof pc.net; name: string };
    new AuthoritativeServer({
      zones: [big.zone],
      dgram: web.dgram,
      net: web.net,
      clock: net.clock,
      trace: net.trace,
      node: web.name,
    }).start();
    const env = { dgram: pc.dgram, net: pc.net, clock: net.clock, rng: pc.rng('dig') };
    const r = await net.runUntilSettled(
      dig(env, {
        name: 'big.big.test',
        type: 'TXT',
        server: parseIpv4('198.51.100.80')!,
        recurse: false,
        edns: false,
      }),
    );
    assert.ok(r.ok);
    assert.equal(r.retriedTcp, true);
    assert.equal(r.transport, 'tcp');
    assert.equal(r.response!.answers.filter((a) => a.type === DnsType.TXT).length, 3);
  });

  it('QNAME minimisation on the real network', async () => {
    const { net, rec, stub } = await internet({ qmin: true });
    const r = await net.runUntilSettled(stub.lookup('www.server.com'));
    assert.deepEqual(r.addresses.map(formatIpv4), ['198.51.100.80']);
    assert.deepEqual(
      rec.ofKind('dns.query-out').map((e) => e.qname),
      ['com.', 'server.com.', 'www.server.com.'],
    );
  });
});
