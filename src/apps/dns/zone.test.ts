// Zone-file parsing (RFC 1035 § 5): the format's features, the shipped zones, and the errors
// a user sees, each naming file and line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DnsType, formatRData } from '../../wire/dns.js';
import { ZONE_FILES } from '../../world/zones/index.js';
import { formatZone, formatZoneError, parseTtl, parseZone, type Zone } from './zone.js';

function zoneOk(text: string, origin = 'example.org.'): Zone {
  const r = parseZone(text, { origin, file: 'test.zone' });
  assert.ok(r.ok, r.ok ? '' : r.errors.map(formatZoneError).join('\n'));
  return r.zone;
}

function errorsOf(text: string, origin = 'example.org.'): string[] {
  const r = parseZone(text, { origin, file: 'test.zone' });
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors.map(formatZoneError);
}

const HEAD = `$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@ IN NS ns1
ns1 IN A 192.0.2.53
`;

describe('zone: master-file format', () => {
  it('parses $ORIGIN, $TTL, @, relative names, parentheses and comments', () => {
    const z = zoneOk(`; a comment line
$ORIGIN example.org.
$TTL 1h
@   IN  SOA ns1.example.org. hostmaster ( ; comment inside
        2024 ; serial
        2h 1h 2w 5m )
    IN  NS  ns1          ; blank owner = previous owner (the apex)
ns1 IN  A   192.0.2.53
www 300 IN A 192.0.2.80
mail IN 600 A 192.0.2.25   ; class before TTL
$ORIGIN sub.example.org.
host    A   192.0.2.99    ; no class, relative to the new origin
`);
    assert.equal(z.origin, 'example.org.');
    assert.deepEqual(z.soaData, {
      kind: 'SOA',
      mname: 'ns1.example.org.',
      rname: 'hostmaster.example.org.',
      serial: 2024,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
    });
    assert.equal(z.soa.ttl, 3600);
    assert.equal(z.rrset('www.example.org.', DnsType.A)?.ttl, 300);
    assert.equal(z.rrset('mail.example.org.', DnsType.A)?.ttl, 600);
    assert.equal(z.rrset('example.org.', DnsType.NS)?.rdata.length, 1);
    assert.ok(z.rrset('host.sub.example.org.', DnsType.A));
    assert.ok(z.exists('sub.example.org.'), 'empty non-terminal exists');
    assert.ok(!z.exists('nosuch.example.org.'));
  });

  it('reads quoted TXT strings with escapes, semicolons and several strings', () => {
    const z = zoneOk(`${HEAD}txt IN TXT "a;b" "quote \\" backslash \\\\ byte \\255" plain
`);
    const t = z.rrset('txt.example.org.', DnsType.TXT)!;
    assert.equal(
      formatRData({ name: '', type: 16, class: 1, ttl: 0, data: t.rdata[0] }),
      '"a;b" "quote \\" backslash \\\\ byte \\255" "plain"',
    );
  });

  it('reads every supported type and the generic form', () => {
    const z = zoneOk(`${HEAD}
v6   IN AAAA 2001:db8::53
alias IN CNAME www
www  IN A 192.0.2.80
@    IN MX 10 mail
mail IN A 192.0.2.25
80   IN PTR www
x    IN TYPE65280 \\# 3 abcdef
y    IN A \\# 4 c0000250
`);
    assert.equal(z.rrset('alias.example.org.', DnsType.CNAME)?.rdata[0].kind, 'CNAME');
    assert.deepEqual(z.rrset('example.org.', DnsType.MX)?.rdata[0], {
      kind: 'MX',
      preference: 10,
      exchange: 'mail.example.org.',
    });
    assert.equal(z.rrset('x.example.org.', 65280)?.rdata[0].kind, 'raw');
    assert.deepEqual(z.rrset('y.example.org.', DnsType.A)?.rdata[0], {
      kind: 'A',
      address: 0xc0000250,
    });
  });

  it('lowercases owner names and merges duplicates', () => {
    const r = parseZone(`${HEAD}WWW IN A 192.0.2.80\nwww IN A 192.0.2.80\n`, {
      origin: 'Example.ORG',
      file: 't',
    });
    assert.ok(r.ok);
    assert.equal(r.zone.rrset('www.example.org.', DnsType.A)?.rdata.length, 1);
    assert.equal(r.warnings.length, 1);
  });

  it('knows delegation points and glue', () => {
    const z = zoneOk(`${HEAD}child IN NS ns.child\nns.child IN A 192.0.2.1\n`);
    assert.ok(z.cuts.has('child.example.org.'));
    assert.ok(!z.cuts.has('example.org.'));
  });

  it('TTL units', () => {
    assert.equal(parseTtl('3600'), 3600);
    assert.equal(parseTtl('1h30m'), 5400);
    assert.equal(parseTtl('1W'), 604800);
    assert.equal(parseTtl('1x'), undefined);
  });

  it('formats back to text that parses to the same zone', () => {
    const z = zoneOk(HEAD + 'www IN A 192.0.2.80\n');
    const again = zoneOk(formatZone(z));
    assert.deepEqual(again.records(), z.records());
  });
});

describe('zone: the shipped default hierarchy', () => {
  for (const f of ZONE_FILES) {
    it(`${f.file} parses without errors or warnings`, () => {
      const r = parseZone(f.text, { origin: f.origin, file: f.file });
      assert.ok(r.ok, r.ok ? '' : r.errors.map(formatZoneError).join('\n'));
      assert.deepEqual(r.warnings.map(formatZoneError), []);
    });
  }
});

describe('zone: errors name the file and the line', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown type', `${HEAD}www IN BOGUS 1\n`, /test\.zone:5: unknown record type "BOGUS"/],
    [
      'bad IPv4 address',
      `${HEAD}www IN A 192.0.2.300\n`,
      /test\.zone:5: A: "192\.0\.2\.300" is not an IPv4 address/,
    ],
    ['bad IPv6 address', `${HEAD}www IN AAAA 2001:db8::zz\n`, /:5: AAAA/],
    [
      'A with two addresses',
      `${HEAD}www IN A 192.0.2.1 192.0.2.2\n`,
      /:5: A needs an IPv4 address/,
    ],
    [
      'no SOA',
      `$TTL 1\n@ IN NS ns1\nns1 IN A 192.0.2.1\n`,
      /test\.zone: no SOA record at the zone apex example\.org\./,
    ],
    ['two SOAs', `${HEAD}@ IN SOA a b 2 3 4 5 6\n`, /more than one SOA/],
    [
      'SOA away from the apex',
      `${HEAD}www IN SOA a b 2 3 4 5 6\n`,
      /:5: SOA record at www\.example\.org\., which is not the zone apex/,
    ],
    ['no NS at the apex', `$TTL 1\n@ IN SOA a b 1 2 3 4 5\n`, /no NS records at the zone apex/],
    [
      'CNAME and other data',
      `${HEAD}www IN CNAME x\nwww IN A 192.0.2.1\n`,
      /:6: www\.example\.org\. has a CNAME and also A data/,
    ],
    ['two CNAMEs', `${HEAD}www IN CNAME x\nwww IN CNAME y\n`, /more than one CNAME/],
    [
      'out-of-zone data',
      `${HEAD}www.other.com. IN A 192.0.2.1\n`,
      /:5: www\.other\.com\. is outside the zone example\.org\./,
    ],
    ['unterminated quote', `${HEAD}t IN TXT "abc\n`, /:5: unterminated quoted string/],
    ['"(" never closed', `${HEAD}@ IN MX ( 10 mail\n`, /:5: "\(" is never closed/],
    ['")" without "("', `${HEAD}@ IN MX 10 mail )\n`, /:5: "\)" without a matching "\("/],
    ['$INCLUDE', `${HEAD}$INCLUDE other.zone\n`, /:5: \$INCLUDE is not supported/],
    ['no TTL', `@ IN SOA a b 1 2 3 4 5\n`, /:1: no TTL/],
    [
      'TTL too large',
      `${HEAD}www 4294967295 IN A 192.0.2.1\n`,
      /:5: TTL 4294967295 is over 2\^31 - 1/,
    ],
    [
      'TXT string over 255',
      `${HEAD}t IN TXT "${'x'.repeat(256)}"\n`,
      /:5: TXT: a string of 256 octets is over 255/,
    ],
    [
      'label over 63',
      `${HEAD}${'a'.repeat(64)} IN A 192.0.2.1\n`,
      /:5: owner name .*label of 64 octets/,
    ],
    [
      'data below a delegation',
      `${HEAD}child IN NS ns.child\nns.child IN A 192.0.2.1\nx.child IN TXT "no"\n`,
      /:7: x\.child\.example\.org\. TXT is below the delegation of child\.example\.org\./,
    ],
    ['class CH', `${HEAD}www CH A 192.0.2.1\n`, /:5: only class IN/],
    ['MX preference out of range', `${HEAD}@ IN MX 70000 mail\n`, /:5: MX: preference "70000"/],
    ['blank owner on the first record', ` IN A 192.0.2.1\n`, /:1: the first record has no owner/],
    [
      'SRV in its usual form',
      `${HEAD}_sip._udp IN SRV 0 0 5060 sip\n`,
      /type SRV is not supported in its usual form/,
    ],
  ];
  for (const [what, text, re] of cases) {
    it(what, () => {
      const errs = errorsOf(text);
      assert.ok(
        errs.some((e) => re.test(e)),
        `no error matched ${re}:\n${errs.join('\n')}`,
      );
    });
  }

  it('reports every error, sorted by line', () => {
    const errs = errorsOf(`${HEAD}a IN A 1.2.3\nb IN A 1.2.3.4\nc IN BOGUS x\n`);
    assert.equal(errs.length, 2);
    assert.match(errs[0], /:5:/);
    assert.match(errs[1], /:7:/);
  });

  it('warns about missing glue', () => {
    const r = parseZone(`${HEAD}child IN NS ns.child\n`, {
      origin: 'example.org.',
      file: 'w.zone',
    });
    assert.ok(r.ok);
    assert.match(formatZoneError(r.warnings[0]), /w\.zone:5: .*missing glue/);
  });
});
