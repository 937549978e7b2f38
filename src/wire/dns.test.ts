// Tests for the DNS codec (RFC 1035 § 4, RFC 6891 § 6): byte vectors, round trips, emit at an
// offset, every malformed case with its reason, and fast-check properties.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DnsPacket,
  DnsRepr,
  DnsType,
  canonicalName,
  dnsLayer,
  dnsSummary,
  ednsOf,
  emptyHeader,
  encodeDns,
  formatIpv6,
  formatRData,
  isSubdomain,
  nameToLabels,
  optRecord,
  parentName,
  parseDns,
  parseIpv6,
  splitName,
  type DnsMessage,
  type DnsRecord,
} from './dns.js';
import { bytes, emitTwice, toHex } from './testkit.js';

// A query for www.server.com A, ID 0x1a2b, RD, with an EDNS0 OPT record (udp 1232).
const QUERY = bytes(`
  1a2b 0100 0001 0000 0000 0001            # id, flags RD, QD=1 AN=0 NS=0 AR=1
  03 777777 06 736572766572 03 636f6d 00    # www.server.com.
  0001 0001                                 # type A, class IN
  00 0029 04d0 00000000 0000                # OPT: root, type 41, udp 1232, ttl 0, rdlen 0
`);

// The answer: QR AA RD, one A record whose owner is a pointer to offset 12.
const RESPONSE = bytes(`
  1a2b 8500 0001 0001 0000 0000             # id, flags QR AA RD, QD=1 AN=1
  03 777777 06 736572766572 03 636f6d 00    # www.server.com.
  0001 0001
  c00c 0001 0001 0000012c 0004 c6336450     # ptr→12, A IN, ttl 300, rdlen 4, 198.51.100.80
`);

function msg(
  parts: Omit<Partial<DnsMessage>, 'header'> & { header?: Partial<DnsMessage['header']> },
): DnsMessage {
  return {
    header: { ...emptyHeader(), ...parts.header },
    questions: parts.questions ?? [],
    answers: parts.answers ?? [],
    authorities: parts.authorities ?? [],
    additionals: parts.additionals ?? [],
  };
}

function encode(m: DnsMessage): Uint8Array {
  const r = encodeDns(m);
  assert.ok(r.ok, r.ok ? '' : r.detail);
  return r.value;
}

function parseOk(b: Uint8Array): DnsMessage {
  const r = parseDns(b);
  assert.ok(r.ok, r.ok ? '' : `${r.error}: ${r.detail}`);
  return r.value;
}

const soa: DnsRecord = {
  name: 'server.com.',
  type: DnsType.SOA,
  class: 1,
  ttl: 3600,
  data: {
    kind: 'SOA',
    mname: 'ns1.server.com.',
    rname: 'hostmaster.server.com.',
    serial: 2024010101,
    refresh: 7200,
    retry: 3600,
    expire: 1209600,
    minimum: 300,
  },
};

const everyType: DnsMessage = msg({
  header: { id: 0xbeef, qr: true, aa: true, rd: true, ra: true, rcode: 0 },
  questions: [{ name: 'server.com.', type: DnsType.ANY, class: 1 }],
  answers: [
    {
      name: 'server.com.',
      type: DnsType.A,
      class: 1,
      ttl: 300,
      data: { kind: 'A', address: 0xc6336450 },
    },
    {
      name: 'server.com.',
      type: DnsType.AAAA,
      class: 1,
      ttl: 300,
      data: { kind: 'AAAA', address: parseIpv6('2001:db8::80')! },
    },
    {
      name: 'server.com.',
      type: DnsType.NS,
      class: 1,
      ttl: 86400,
      data: { kind: 'NS', target: 'ns1.server.com.' },
    },
    {
      name: 'www.server.com.',
      type: DnsType.CNAME,
      class: 1,
      ttl: 60,
      data: { kind: 'CNAME', target: 'server.com.' },
    },
    soa,
    {
      name: 'server.com.',
      type: DnsType.MX,
      class: 1,
      ttl: 300,
      data: { kind: 'MX', preference: 10, exchange: 'mail.server.com.' },
    },
    {
      name: 'server.com.',
      type: DnsType.TXT,
      class: 1,
      ttl: 300,
      data: {
        kind: 'TXT',
        strings: [new TextEncoder().encode('v=spf1 -all'), new Uint8Array([0, 34, 92, 255])],
      },
    },
    {
      name: '80.100.51.198.in-addr.arpa.',
      type: DnsType.PTR,
      class: 1,
      ttl: 300,
      data: { kind: 'PTR', target: 'www.server.com.' },
    },
    {
      name: 'server.com.',
      type: 99,
      class: 1,
      ttl: 1,
      data: { kind: 'raw', bytes: new Uint8Array([1, 2, 3]) },
    },
  ],
  authorities: [
    {
      name: 'server.com.',
      type: DnsType.NS,
      class: 1,
      ttl: 86400,
      data: { kind: 'NS', target: 'ns1.server.com.' },
    },
  ],
  additionals: [
    {
      name: 'ns1.server.com.',
      type: DnsType.A,
      class: 1,
      ttl: 86400,
      data: { kind: 'A', address: 0xc6336402 },
    },
    optRecord({
      udpSize: 1232,
      dnssecOk: true,
      options: [{ code: 10, data: new Uint8Array(8).fill(7) }],
    }),
  ],
});

describe('dns: byte vectors', () => {
  it('parses a query with EDNS0', () => {
    const m = parseOk(QUERY);
    assert.equal(m.header.id, 0x1a2b);
    assert.equal(m.header.rd, true);
    assert.equal(m.header.qr, false);
    assert.deepEqual(m.questions, [{ name: 'www.server.com.', type: 1, class: 1 }]);
    const e = ednsOf(m);
    assert.equal(e?.udpSize, 1232);
    assert.equal(e?.version, 0);
    assert.equal(e?.dnssecOk, false);
  });

  it('emits the query byte for byte', () => {
    const m = msg({
      header: { id: 0x1a2b, rd: true },
      questions: [{ name: 'www.server.com.', type: 1, class: 1 }],
      additionals: [optRecord({ udpSize: 1232 })],
    });
    assert.equal(toHex(encode(m)), toHex(QUERY));
  });

  it('parses a compressed answer and re-emits it identically', () => {
    const m = parseOk(RESPONSE);
    assert.equal(m.header.aa, true);
    assert.equal(m.answers.length, 1);
    assert.equal(m.answers[0].name, 'www.server.com.');
    assert.equal(formatRData(m.answers[0]), '198.51.100.80');
    assert.equal(toHex(encode(m)), toHex(RESPONSE));
  });

  it('compresses names in RDATA (NS, SOA, MX) against earlier names', () => {
    const b = encode(everyType);
    // "server.com." is spelled out once; every later occurrence is a pointer
    const text = new TextDecoder('latin1').decode(b);
    assert.equal(text.split('\x06server\x03com\x00').length - 1, 1);
    const back = parseOk(b);
    assert.deepEqual(back, everyType);
  });

  it('the view reads the header fields', () => {
    const v = DnsPacket.newChecked(RESPONSE);
    assert.ok(v.ok);
    assert.equal(v.value.id, 0x1a2b);
    assert.equal(v.value.qr, true);
    assert.equal(v.value.aa, true);
    assert.equal(v.value.rd, true);
    assert.equal(v.value.ancount, 1);
    assert.equal(v.value.rcode, 0);
    const p = DnsRepr.parse(v.value);
    assert.ok(p.ok);
  });
});

describe('dns: round trips', () => {
  it('every type survives emit → parse → emit', () => {
    const b = encode(everyType);
    assert.deepEqual(parseOk(b), everyType);
    assert.equal(toHex(encode(parseOk(b))), toHex(b));
  });

  it('emits at an offset inside a larger buffer (pointers stay relative to the message)', () => {
    const len = DnsRepr.bufferLen(everyType);
    assert.ok(len.ok);
    const { exact, shifted, guardOk } = emitTwice(len.value, (buf, off) =>
      DnsRepr.emit(everyType, buf, off),
    );
    assert.ok(guardOk);
    assert.equal(toHex(shifted), toHex(exact));
    // and parses in place at an offset
    const big = new Uint8Array(len.value + 20);
    DnsRepr.emit(everyType, big, 9);
    const r = parseDns(big, 9, 9 + len.value);
    assert.ok(r.ok);
    assert.deepEqual(r.value, everyType);
  });

  it('keeps case and escapes of odd labels', () => {
    const m = msg({
      questions: [{ name: 'WwW.Server.COM.', type: 1, class: 1 }],
      answers: [
        {
          name: 'a\\.b.x\\032y.\\000.server.com.',
          type: 1,
          class: 1,
          ttl: 1,
          data: { kind: 'A', address: 1 },
        },
        { name: 'www.server.com.', type: 1, class: 1, ttl: 1, data: { kind: 'A', address: 2 } },
      ],
    });
    const back = parseOk(encode(m));
    assert.deepEqual(back, m);
    // case-sensitive compression: the lowercase name is not folded into the uppercase one
    assert.equal(back.answers[1].name, 'www.server.com.');
  });

  it('the root name and empty sections', () => {
    const m = msg({ questions: [{ name: '.', type: DnsType.NS, class: 1 }] });
    assert.equal(toHex(encode(m)), '000000000001000000000000' + '00' + '0002' + '0001');
    assert.deepEqual(parseOk(encode(m)), m);
  });
});

describe('dns: malformed input is rejected with a reason', () => {
  const hdr = (qd: number, an = 0, ns = 0, ar = 0): string =>
    `1234 8000 ${[qd, an, ns, ar].map((n) => n.toString(16).padStart(4, '0')).join(' ')}`;
  const cases: [string, string, string, RegExp][] = [
    ['short header', '1234 0100 0001', 'truncated', /header needs 12/],
    ['pointer loop (points to itself)', `${hdr(1)} c00c 0001 0001`, 'bad-pointer', /itself/],
    [
      'two pointers pointing at each other',
      `${hdr(1)} 01 61 c010 00 c00c 0001 0001`,
      'bad-pointer',
      /forward/,
    ],
    ['forward pointer', `${hdr(1)} c00e 00 0001 0001 00`, 'bad-pointer', /forward to 14/],
    [
      'pointer out of the message',
      `${hdr(1)} 01 61 c0ff 0001 0001 ${'00'.repeat(300)}`,
      'bad-pointer',
      /forward|out of/,
    ],
    [
      'label type 01 (over 63)',
      `${hdr(1)} 40 ${'61'.repeat(64)} 00 0001 0001`,
      'bad-label',
      /reserved/,
    ],
    ['label type 10 (extended)', `${hdr(1)} 80 00 0001 0001`, 'bad-label', /reserved/],
    [
      'name over 255 octets',
      `${hdr(1)} ${('3f' + '61'.repeat(63)).repeat(4)} 00 0001 0001`,
      'bad-name',
      /over 255/,
    ],
    ['counts larger than the message', `${hdr(1, 0xffff)} 00 0001 0001`, 'bad-length', /counts/],
    ['question cut off', `${hdr(1)} 01 61 00 0001 00`, 'truncated', /cut off|past the end/],
    ['label past the end', `${hdr(1)} 05 6162 0000`, 'truncated', /past the end/],
    [
      'RDLENGTH beyond the end',
      `${hdr(0, 1)} 00 0001 0001 00000000 0010 01020304`,
      'bad-length',
      /RDLENGTH 16/,
    ],
    [
      'A with RDLENGTH 5',
      `${hdr(0, 1)} 00 0001 0001 00000000 0005 0102030405`,
      'bad-length',
      /must be 4/,
    ],
    [
      'AAAA with RDLENGTH 4',
      `${hdr(0, 1)} 00 001c 0001 00000000 0004 01020304`,
      'bad-length',
      /must be 16/,
    ],
    [
      'CNAME name longer than RDLENGTH',
      `${hdr(0, 1)} 00 0005 0001 00000000 0002 0161 00`,
      'bad-length',
      /RDLENGTH/,
    ],
    [
      'CNAME with octets after the name',
      `${hdr(0, 1)} 00 0005 0001 00000000 0003 00 0102`,
      'bad-length',
      /after its last field/,
    ],
    [
      'SOA with short tail',
      `${hdr(0, 1)} 00 0006 0001 00000000 0006 00 00 01020304`,
      'bad-length',
      /20 octets/,
    ],
    ['MX too short', `${hdr(0, 1)} 00 000f 0001 00000000 0002 000a`, 'bad-length', /too short/],
    [
      'TXT string past RDLENGTH',
      `${hdr(0, 1)} 00 0010 0001 00000000 0002 05 61`,
      'bad-length',
      /TXT/,
    ],
    [
      'EDNS option past RDLENGTH',
      `${hdr(0, 0, 0, 1)} 00 0029 04d0 00000000 0006 000a 0008 0102`,
      'bad-option',
      /EDNS/,
    ],
    ['record header cut off', `${hdr(0, 1)} 01 61 00 0001 0001 00000000`, 'truncated', /cut off/],
  ];
  for (const [what, hexText, reason, detail] of cases) {
    it(what, () => {
      const r = parseDns(bytes(hexText));
      assert.equal(r.ok, false, `${what} was accepted`);
      if (!r.ok) {
        assert.equal(r.error, reason, r.detail);
        assert.match(r.detail ?? '', detail);
      }
      assert.equal(dnsLayer(bytes(hexText), 0, bytes(hexText).length), undefined);
    });
  }

  it('counts are checked before reading: 65535 answers in a 20-octet message fail fast', () => {
    const b = bytes('0000 8000 0000 ffff ffff ffff 00 0001 0001 00');
    const r = parseDns(b);
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.error, 'bad-length');
  });

  it('emit refuses invalid names and mismatched RDATA', () => {
    const long = 'a'.repeat(64) + '.com.';
    const bad1 = DnsRepr.bufferLen(msg({ questions: [{ name: long, type: 1, class: 1 }] }));
    assert.equal(bad1.ok ? '' : bad1.error, 'bad-label');
    const huge = Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.') + '.';
    const bad2 = DnsRepr.bufferLen(msg({ questions: [{ name: huge, type: 1, class: 1 }] }));
    assert.equal(bad2.ok ? '' : bad2.error, 'bad-name');
    const bad3 = DnsRepr.bufferLen(
      msg({
        answers: [
          { name: 'x.', type: DnsType.NS, class: 1, ttl: 0, data: { kind: 'A', address: 1 } },
        ],
      }),
    );
    assert.equal(bad3.ok ? '' : bad3.error, 'bad-field');
    const bad4 = DnsRepr.bufferLen(
      msg({
        answers: [
          {
            name: 'x.',
            type: DnsType.TXT,
            class: 1,
            ttl: 0,
            data: { kind: 'TXT', strings: [new Uint8Array(256)] },
          },
        ],
      }),
    );
    assert.equal(bad4.ok ? '' : bad4.error, 'bad-field');
  });
});

describe('dns: a pointer chain longer than MAX_POINTERS', () => {
  it('is rejected as bad-pointer', () => {
    // Layout: header (12) | "00" root at 12 | pointers P0..P129 at 13,15,... where P0 → 12 and
    // Pk → P(k-1) | answer record whose owner is a pointer to P129.
    const parts: string[] = ['0000 8000 0000 0001 0000 0000', '00'];
    let prev = 12;
    for (let k = 0; k < 130; k++) {
      parts.push((0xc000 | prev).toString(16));
      prev = 13 + 2 * k;
    }
    // The chain travels as the opaque RDATA of a TYPE99 record; a second record's owner is a
    // pointer to the chain's last pointer.
    const chainHex = parts.slice(1).join(' ');
    const chainLen = bytes(chainHex).length; // 1 + 260
    const b = bytes(
      `0000 8000 0000 0002 0000 0000
       00 0063 0001 00000000 ${chainLen.toString(16).padStart(4, '0')} ${chainHex}
       ${(0xc000 | (12 + 11 + 1 + 2 * 129)).toString(16)} 0001 0001 00000000 0004 01020304`,
    );
    // fix up: the chain inside RDATA starts at 12 + 11 = 23 with the root octet; rebuild
    // pointers relative to that position
    const base = 23;
    let p = base; // root at 23
    for (let k = 0; k < 130; k++) {
      const at = base + 1 + 2 * k;
      b[at] = 0xc0 | (p >> 8);
      b[at + 1] = p & 0xff;
      p = at;
    }
    const ownerAt = base + chainLen;
    b[ownerAt] = 0xc0 | (p >> 8);
    b[ownerAt + 1] = p & 0xff;
    const r = parseDns(b);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error, 'bad-pointer');
      assert.match(r.detail ?? '', /more than 127/);
    }
  });
});

describe('dns: names', () => {
  it('nameToLabels validates and unescapes', () => {
    const r = nameToLabels('a\\.b.\\065.');
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.map((l) => [...l]),
      [[97, 46, 98], [65]],
    );
    assert.equal(nameToLabels('a..b.').ok, false);
    assert.equal(nameToLabels('\\256.').ok, false);
    assert.equal(nameToLabels('é.com.').ok, false);
  });
  it('canonical forms and relations', () => {
    assert.equal(canonicalName('WWW.Server.Com'), 'www.server.com.');
    assert.equal(canonicalName('.'), '.');
    assert.ok(isSubdomain('www.server.com.', 'server.com.'));
    assert.ok(isSubdomain('server.com.', 'server.com.'));
    assert.ok(isSubdomain('com.', '.'));
    assert.ok(!isSubdomain('xserver.com.', 'server.com.'));
    assert.ok(!isSubdomain('a\\.server.com.', 'server.com.')); // labels "a.server", "com"
    assert.equal(parentName('www.server.com.'), 'server.com.');
    assert.equal(parentName('com.'), '.');
    assert.equal(parentName('.'), undefined);
    assert.deepEqual(splitName('a\\.b.c.'), ['a\\.b', 'c']);
  });
  it('IPv6 text', () => {
    assert.equal(formatIpv6(parseIpv6('2001:db8::80')!), '2001:db8::80');
    assert.equal(formatIpv6(parseIpv6('::')!), '::');
    assert.equal(formatIpv6(parseIpv6('::ffff:192.0.2.1')!), '::ffff:c000:201');
    assert.equal(formatIpv6(parseIpv6('1:0:0:2:0:0:0:3')!), '1:0:0:2::3');
    assert.equal(parseIpv6('1::2::3'), undefined);
    assert.equal(parseIpv6('12345::'), undefined);
    assert.equal(parseIpv6('1:2:3:4:5:6:7'), undefined);
  });
});

describe('dns: summary and decoder layer', () => {
  it('summaries read like tshark', () => {
    assert.equal(dnsSummary(parseOk(QUERY)), 'Standard query 0x1a2b A www.server.com OPT');
    assert.equal(
      dnsSummary(parseOk(RESPONSE)),
      'Standard query response 0x1a2b A www.server.com A 198.51.100.80',
    );
    const nx = msg({
      header: { id: 0x1a2b, qr: true, rcode: 3 },
      questions: [{ name: 'nosuch.server.com.', type: 1, class: 1 }],
      authorities: [soa],
    });
    assert.equal(
      dnsSummary(nx),
      'Standard query response 0x1a2b No such name A nosuch.server.com SOA ns1.server.com',
    );
  });

  it('fields carry byte ranges relative to the frame', () => {
    const frame = new Uint8Array(42 + RESPONSE.length);
    frame.set(RESPONSE, 42);
    const layer = dnsLayer(frame, 42, frame.length);
    assert.ok(layer);
    assert.equal(layer.short, 'dns');
    assert.equal(layer.protocol, 'Domain Name System');
    const id = layer.fields.find((x) => x.name === 'dns.id')!;
    assert.deepEqual([id.start, id.end, id.value], [42, 44, '0x1a2b']);
    const answers = layer.fields.find((x) => x.name === 'dns.answers')!;
    const rr = answers.children![0];
    const a = rr.children!.find((x) => x.name === 'dns.a')!;
    assert.equal(a.value, '198.51.100.80');
    assert.deepEqual([a.start, a.end], [frame.length - 4, frame.length]);
    const name = rr.children!.find((x) => x.name === 'dns.resp.name')!;
    assert.deepEqual([name.start, name.end], [42 + 32, 42 + 34]); // the 2-octet pointer
  });

  it('SOA and OPT fields', () => {
    const b = encode(everyType);
    const layer = dnsLayer(b, 0, b.length)!;
    const flat = (fs: readonly { name: string; children?: readonly unknown[] }[]): string[] =>
      fs.flatMap((x) => [x.name, ...flat((x.children ?? []) as typeof fs)]);
    const names = flat(layer.fields);
    for (const n of [
      'dns.soa.mname',
      'dns.soa.minimum_ttl',
      'dns.rr.udp_payload_size',
      'dns.resp.z.do',
      'dns.mx.mail_exchange',
      'dns.txt',
      'dns.aaaa',
      'dns.ptr.domain_name',
      'dns.data',
    ])
      assert.ok(names.includes(n), n);
  });
});

// ───────────────────────────── properties (fast-check) ─────────────────────────────

const label = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => b);
const arbName = fc
  .array(
    fc.oneof(
      label,
      fc.constantFrom(new TextEncoder().encode('www'), new TextEncoder().encode('com')),
    ),
    { maxLength: 5 },
  )
  .map((ls) => (ls.length === 0 ? '.' : ls.map((l) => formatLabelForTest(l)).join('.') + '.'));

function formatLabelForTest(l: Uint8Array): string {
  let s = '';
  for (const c of l) {
    if (
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d ||
      c === 0x5f ||
      c === 0x2a ||
      c === 0x2f
    )
      s += String.fromCharCode(c);
    else if (c > 0x20 && c < 0x7f) s += '\\' + String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const arbRecord: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.record({ name: arbName, ttl: u32, a: u32 }).map(({ name, ttl, a }) => ({
    name,
    type: 1,
    class: 1,
    ttl,
    data: { kind: 'A' as const, address: a },
  })),
  fc.record({ name: arbName, t: arbName }).map(({ name, t }) => ({
    name,
    type: 2,
    class: 1,
    ttl: 60,
    data: { kind: 'NS' as const, target: t },
  })),
  fc.record({ name: arbName, t: arbName }).map(({ name, t }) => ({
    name,
    type: 5,
    class: 1,
    ttl: 60,
    data: { kind: 'CNAME' as const, target: t },
  })),
  fc
    .record({ name: arbName, p: fc.integer({ min: 0, max: 0xffff }), x: arbName })
    .map(({ name, p, x }) => ({
      name,
      type: 15,
      class: 1,
      ttl: 60,
      data: { kind: 'MX' as const, preference: p, exchange: x },
    })),
  fc
    .record({ name: arbName, s: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 3 }) })
    .map(({ name, s }) => ({
      name,
      type: 16,
      class: 1,
      ttl: 60,
      data: { kind: 'TXT' as const, strings: s },
    })),
  fc
    .record({
      name: arbName,
      m: arbName,
      r: arbName,
      n: fc.array(u32, { minLength: 5, maxLength: 5 }),
    })
    .map(({ name, m, r, n }) => ({
      name,
      type: 6,
      class: 1,
      ttl: 60,
      data: {
        kind: 'SOA' as const,
        mname: m,
        rname: r,
        serial: n[0],
        refresh: n[1],
        retry: n[2],
        expire: n[3],
        minimum: n[4],
      },
    })),
  fc
    .record({
      name: arbName,
      t: fc.integer({ min: 256, max: 0xffff }),
      b: fc.uint8Array({ maxLength: 30 }),
    })
    .map(({ name, t, b }) => ({
      name,
      type: t,
      class: 1,
      ttl: 0,
      data: { kind: 'raw' as const, bytes: b },
    })),
);

const arbMessage: fc.Arbitrary<DnsMessage> = fc.record(
  {
    header: fc.record({
      id: fc.integer({ min: 0, max: 0xffff }),
      qr: fc.boolean(),
      opcode: fc.integer({ min: 0, max: 15 }),
      aa: fc.boolean(),
      tc: fc.boolean(),
      rd: fc.boolean(),
      ra: fc.boolean(),
      z: fc.boolean(),
      ad: fc.boolean(),
      cd: fc.boolean(),
      rcode: fc.integer({ min: 0, max: 15 }),
    }),
    questions: fc.array(
      fc.record({
        name: arbName,
        type: fc.integer({ min: 0, max: 0xffff }),
        class: fc.integer({ min: 0, max: 0xffff }),
      }),
      { maxLength: 2 },
    ),
    answers: fc.array(arbRecord, { maxLength: 4 }),
    authorities: fc.array(arbRecord, { maxLength: 3 }),
    additionals: fc.array(arbRecord, { maxLength: 3 }),
  },
  { noNullPrototype: true },
);

/** fast-check builds records with a null prototype; copy into ordinary objects to compare. */
function plain<T>(v: T): T {
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(plain) as T;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)])) as T;
}

describe('dns: properties', () => {
  it('parse never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        const r = parseDns(b);
        if (r.ok) dnsSummary(r.value);
        dnsLayer(b, 0, b.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('parse never throws on mutated valid messages', () => {
    fc.assert(
      fc.property(
        arbMessage,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        (m, muts) => {
          const b = encodeDns(m);
          if (!b.ok) return; // names over 255 octets can arise from 5 long labels
          const x = b.value.slice();
          for (const [i, v] of muts) x[i % x.length] = v;
          const r = parseDns(x);
          if (r.ok) encodeDns(r.value);
          const t = parseDns(x.subarray(0, muts[0][0] % (x.length + 1)));
          void t;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('parse(emit(m)) == m and emit(parse(x)) == x', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        const b = encodeDns(m);
        if (!b.ok) {
          assert.equal(b.error, 'bad-name');
          return;
        }
        const back = parseDns(b.value);
        assert.ok(back.ok, back.ok ? '' : back.detail);
        assert.deepEqual(back.value, plain(m));
        const again = encodeDns(back.value);
        assert.ok(again.ok);
        assert.equal(toHex(again.value), toHex(b.value));
      }),
      { numRuns: 1000 },
    );
  });
});
