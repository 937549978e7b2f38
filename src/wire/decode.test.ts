import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { arpRequest } from './arp.js';
import {
  arpPacket,
  ethernetFrame,
  icmpMessage,
  ipv4Frame,
  ipv4Header,
  tcpSegment,
  udpDatagram,
} from './build.js';
import { decodeFrame, formatDecoded, httpLayer } from './decode.js';
import { emptyHeader, encodeDns } from './dns.js';
import { EtherType } from './ethernet.js';
import { TcpFlags } from './tcp.js';

const A = 0x0a0a0164; // 10.10.1.100
const B = 0x0a0a02c8; // 10.10.2.200
const ETH = { dst: 0x0200000000fe, src: 0x020000000001 };
const te = new TextEncoder();

test('ARP request: eth + arp layers, padding, FCS, Info column', () => {
  const f = ethernetFrame(
    { dst: 0xffffffffffff, src: ETH.src },
    EtherType.ARP,
    arpPacket(arpRequest(ETH.src, A, 0x0a0a0101)),
  );
  const d = decodeFrame(f);
  assert.deepEqual(
    d.layers.map((l) => l.short),
    ['eth', 'arp'],
  );
  assert.equal(d.info, 'Who has 10.10.1.1? Tell 10.10.1.100');
  assert.deepEqual(d.problems, []);
  const eth = d.layers[0];
  assert.ok(eth.fields.some((x) => x.name === 'eth.padding' && x.start === 42 && x.end === 60));
  assert.ok(eth.fields.some((x) => x.name === 'eth.fcs' && x.value.endsWith('[correct]')));
});

test('TCP SYN to port 80 and an HTTP request segment', () => {
  const syn = ipv4Frame(
    ETH,
    ipv4Header(A, B, 6),
    tcpSegment(
      {
        srcPort: 40000,
        dstPort: 80,
        seq: 1,
        ack: 0,
        flags: TcpFlags.SYN,
        window: 64240,
        urgent: 0,
        mss: 1460,
        sackPermitted: true,
        timestamp: { tsval: 5, tsecr: 0 },
        windowScale: 7,
      },
      A,
      B,
    ),
  );
  const d1 = decodeFrame(syn);
  assert.deepEqual(
    d1.layers.map((l) => l.short),
    ['eth', 'ip', 'tcp'],
  );
  assert.equal(
    d1.info,
    '40000 → 80 [SYN] Seq=1 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=5 TSecr=0 WS=128',
  );
  const req = te.encode('GET /index.html HTTP/1.1\r\nHost: www.server.com\r\n\r\n');
  const seg = ipv4Frame(
    ETH,
    ipv4Header(A, B, 6),
    tcpSegment(
      {
        srcPort: 40000,
        dstPort: 80,
        seq: 2,
        ack: 9,
        flags: TcpFlags.ACK | TcpFlags.PSH,
        window: 502,
        urgent: 0,
      },
      A,
      B,
      req,
    ),
  );
  const d2 = decodeFrame(seg);
  assert.deepEqual(
    d2.layers.map((l) => l.short),
    ['eth', 'ip', 'tcp', 'http'],
  );
  assert.equal(d2.info, 'GET /index.html HTTP/1.1');
  assert.equal(
    d2.layers[3].fields.find((x) => x.name === 'http.header.host')?.value,
    'www.server.com',
  );
  const text = formatDecoded(d2).join('\n');
  assert.match(text, /^Ethernet II, Src: 02:00:00:00:00:01, Dst: 02:00:00:00:00:fe$/m);
  assert.match(text, /^    Time to Live: 64$/m);
  assert.match(text, /^        \.1\.\. \.\.\.\. = Don't fragment: Set$/m);
  assert.match(text, /^Hypertext Transfer Protocol, GET \/index.html HTTP\/1.1$/m);
});

test('ICMP echo with ttl in the Info column', () => {
  const f = ipv4Frame(
    ETH,
    ipv4Header(A, B, 1),
    icmpMessage({ kind: 'echo-request', ident: 1, seq: 1 }, new Uint8Array(56)),
  );
  const d = decodeFrame(f);
  assert.equal(d.info, 'Echo (ping) request  id=0x0001, seq=1/256, ttl=64');
});

test('DNS over UDP goes to the dns.ts hook', () => {
  const msg = encodeDns({
    header: { ...emptyHeader(0x1234), qr: true, rd: true, ra: true },
    questions: [{ name: 'www.server.com', type: 1, class: 1 }],
    answers: [
      {
        name: 'www.server.com',
        type: 1,
        class: 1,
        ttl: 300,
        data: { kind: 'A', address: 0x0a0a02c8 },
      },
    ],
    authorities: [],
    additionals: [],
  });
  assert.ok(msg.ok);
  const f = ipv4Frame(
    ETH,
    ipv4Header(0x08080808, A, 17),
    udpDatagram({ srcPort: 53, dstPort: 40000 }, 0x08080808, A, msg.value),
  );
  const d = decodeFrame(f);
  assert.deepEqual(
    d.layers.map((l) => l.short),
    ['eth', 'ip', 'udp', 'dns'],
  );
  assert.match(d.info, /Standard query response 0x1234/);
});

test('bad checksums are flagged but decoding goes on', () => {
  const f = ipv4Frame(
    ETH,
    ipv4Header(A, B, 17),
    udpDatagram({ srcPort: 1000, dstPort: 2000 }, A, B, te.encode('hello')),
  );
  f[14 + 20 + 8] ^= 1; // corrupt the payload: UDP checksum and FCS now wrong
  const d = decodeFrame(f);
  assert.deepEqual(
    d.layers.map((l) => l.short),
    ['eth', 'ip', 'udp', 'data'],
  );
  assert.deepEqual(
    d.problems.map((p) => [p.layer, p.error, p.fatal]),
    [
      ['eth', 'bad-checksum', false],
      ['udp', 'bad-checksum', false],
    ],
  );
  assert.match(d.layers[0].fields.find((x) => x.name === 'eth.fcs')?.value ?? '', /incorrect/);
});

test('a truncated frame shows what parsed and why it stopped', () => {
  const full = ipv4Frame(
    ETH,
    ipv4Header(A, B, 6),
    tcpSegment(
      { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TcpFlags.SYN, window: 0, urgent: 0 },
      A,
      B,
    ),
    false,
  );
  const cut = full.subarray(0, 30);
  const d = decodeFrame(cut, { fcs: false });
  assert.deepEqual(
    d.layers.map((l) => l.short),
    ['eth', 'data'],
  );
  assert.equal(d.problems.length, 1);
  assert.equal(d.problems[0].layer, 'ip');
  assert.equal(d.problems[0].error, 'truncated');
  assert.match(
    formatDecoded(d).join('\n'),
    /Malformed: ip at byte 14: truncated — IPv4 header needs 20 bytes, have 16/,
  );
});

test('fragments are shown as data, unknown EtherTypes as data', () => {
  const frag = ipv4Frame(
    ETH,
    ipv4Header(A, B, 17, { dontFrag: false, moreFrags: true, ident: 0x99 }),
    new Uint8Array(64),
  );
  const d = decodeFrame(frag);
  assert.deepEqual(
    d.layers.map((l) => l.short),
    ['eth', 'ip', 'data'],
  );
  assert.equal(d.info, 'Fragmented IP protocol (proto=UDP 17, off=0, ID=0099)');
  const v6 = ethernetFrame(ETH, EtherType.IPv6, new Uint8Array(40));
  assert.deepEqual(
    decodeFrame(v6).layers.map((l) => l.short),
    ['eth', 'data'],
  );
});

test('httpLayer recognises responses and ignores other payloads', () => {
  const r = te.encode('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
  const l = httpLayer(r, 0, r.length);
  assert.equal(l?.summary, 'HTTP/1.1 200 OK');
  assert.ok(l?.fields.some((x) => x.name === 'http.file_data'));
  assert.equal(httpLayer(te.encode('\x16\x03\x01 tls'), 0, 8), undefined);
});

test('property: decodeFrame never throws on arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (b, fcs) => {
      const d = decodeFrame(b, { fcs });
      formatDecoded(d);
    }),
  );
  // Mutations of valid frames reach deeper layers than random bytes.
  const base = ipv4Frame(
    ETH,
    ipv4Header(A, B, 6),
    tcpSegment(
      {
        srcPort: 40000,
        dstPort: 80,
        seq: 1,
        ack: 0,
        flags: TcpFlags.SYN,
        window: 1,
        urgent: 0,
        mss: 1460,
        timestamp: { tsval: 1, tsecr: 2 },
      },
      A,
      B,
      te.encode('GET / HTTP/1.1\r\n'),
    ),
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 4 }),
      fc.nat(base.length),
      (muts, cut) => {
        const m = base.slice(0, Math.max(cut, 1));
        for (const [i, v] of muts) if (i < m.length) m[i] = v;
        formatDecoded(decodeFrame(m));
      },
    ),
  );
});
