// dig, nslookup and host: command-line parsing, BIND's column layout (byte vectors taken from
// BIND 9.18's dig), and whole outputs on the DNS sandbox.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../sim/rng.js';
import { Scheduler } from '../../sim/scheduler.js';
import { parseIpv4 } from '../../wire/addr.js';
import { DnsType } from '../../wire/dns.js';
import { createDnsSandbox } from '../dns/hierarchy.js';
import {
  dig,
  DigExit,
  digExitCode,
  digTrace,
  digTraceExitCode,
  formatDig,
  formatDigQuestion,
  formatDigRecord,
  formatDigTrace,
  formatWhen,
  parseDigArgs,
  reverseName,
} from './dig.js';
import { host } from './host.js';
import { nslookup } from './nslookup.js';

const ip = (s: string): number => parseIpv4(s)!;

function sandbox() {
  const clock = new Scheduler();
  const sb = createDnsSandbox({ clock });
  const env = { dgram: sb.clientHost, net: sb.clientHost, clock, rng: new Rng(1, 'dig') };
  return { clock, sb, env };
}

describe('dig: layout as BIND prints it', () => {
  it('record and question columns (bytes from BIND 9.18 dig)', () => {
    const a = {
      name: 'www.server.com.',
      type: 1,
      class: 1,
      ttl: 300,
      data: { kind: 'A' as const, address: ip('198.51.100.80') },
    };
    assert.equal(formatDigRecord(a), 'www.server.com.\t\t300\tIN\tA\t198.51.100.80');
    const ptr = {
      name: '80.100.51.198.in-addr.arpa.',
      type: 12,
      class: 1,
      ttl: 3600,
      data: { kind: 'PTR' as const, target: 'www.server.com.' },
    };
    assert.equal(formatDigRecord(ptr), '80.100.51.198.in-addr.arpa. 3600 IN\tPTR\twww.server.com.');
    const ns = {
      name: '100.51.198.in-addr.arpa.',
      type: 2,
      class: 1,
      ttl: 3600,
      data: { kind: 'NS' as const, target: 'ns1.server.com.' },
    };
    assert.equal(formatDigRecord(ns), '100.51.198.in-addr.arpa. 3600\tIN\tNS\tns1.server.com.');
    assert.equal(
      formatDigQuestion({ name: 'www.server.com.', type: 1, class: 1 }),
      ';www.server.com.\t\t\tIN\tA',
    );
    assert.equal(
      formatDigQuestion({ name: 'x.wild.test.', type: 1, class: 1 }),
      ';x.wild.test.\t\t\tIN\tA',
    );
    assert.equal(
      formatDigQuestion({ name: '80.100.51.198.in-addr.arpa.', type: 12, class: 1 }),
      ';80.100.51.198.in-addr.arpa.\tIN\tPTR',
    );
    assert.equal(
      formatDigQuestion({
        name: 'a.very.long.name.for.testing.example.server.com.',
        type: 1,
        class: 1,
      }),
      ';a.very.long.name.for.testing.example.server.com. IN A',
    );
  });

  it('WHEN from simulated time', () => {
    assert.equal(formatWhen(0), 'Wed Jan 01 00:00:00 UTC 2025');
    assert.equal(
      formatWhen(90 * 1e9, Date.UTC(2026, 10, 22, 3, 18, 0)),
      'Sun Nov 22 03:19:30 UTC 2026',
    );
  });

  it('-x names', () => {
    assert.equal(reverseName('198.51.100.80'), '80.100.51.198.in-addr.arpa.');
    assert.equal(reverseName('2001:db8::1')?.slice(0, 8), '1.0.0.0.');
    assert.equal(reverseName('nope'), undefined);
  });
});

describe('dig: command line', () => {
  it('parses BIND’s order-free syntax', () => {
    const c = parseDigArgs([
      '@127.0.0.1',
      '-p',
      '5300',
      'www.server.com',
      'MX',
      '+norec',
      '+tcp',
      '+bufsize=4096',
      '+short',
    ]);
    assert.ok(!('error' in c));
    assert.equal(c.server, '127.0.0.1');
    assert.equal(c.options.port, 5300);
    assert.equal(c.options.name, 'www.server.com');
    assert.equal(c.options.type, 'MX');
    assert.equal(c.options.recurse, false);
    assert.equal(c.options.tcp, true);
    assert.equal(c.options.edns, 4096);
    assert.equal(c.options.shortOutput, true);
    const x = parseDigArgs(['-x', '198.51.100.80', '+trace']);
    assert.ok(!('error' in x));
    assert.equal(x.options.name, '80.100.51.198.in-addr.arpa.');
    assert.equal(x.options.type, 'PTR');
    assert.equal(x.trace, true);
    const root = parseDigArgs([]);
    assert.ok(!('error' in root));
    assert.deepEqual([root.options.name, root.options.type], ['.', 'NS']);
  });

  it('says what is wrong', () => {
    assert.deepEqual(parseDigArgs(['+bogus']), { error: 'Invalid option: +bogus' });
    assert.deepEqual(parseDigArgs(['-t', 'NOPE', 'x']), { error: 'invalid type: NOPE' });
    assert.deepEqual(parseDigArgs(['-p']), { error: 'option -p needs a value' });
    // 'a' is a type (dig.c: a word that is a type is the type), 'b' the name, 'c' a second one
    assert.deepEqual(parseDigArgs(['a', 'b', 'c']), {
      error: 'unexpected argument "c": one name per dig here (already "b")',
    });
  });

  it('takes type, class and name in any order, as dig.c parse_args', () => {
    const pick = (argv: string[]): [string, unknown, string[]] => {
      const c = parseDigArgs(argv);
      assert.ok(!('error' in c), JSON.stringify(c));
      return [c.options.name, c.options.type, c.warnings];
    };
    assert.deepEqual(pick(['AAAA', 'www.server.com']), ['www.server.com', 'AAAA', []]);
    assert.deepEqual(pick(['IN', 'mx', 'server.com']), ['server.com', 'MX', []]);
    assert.deepEqual(pick(['www.server.com', 'MX', 'A']), [
      'www.server.com',
      'A',
      [';; Warning, extra type option'],
    ]);
    // after -t (or -c) a type word is a name
    assert.deepEqual(pick(['-t', 'MX', 'A']), ['A', 'MX', []]);
    // no name: the root's NS, whatever type was given
    assert.deepEqual(pick(['MX']), ['.', 'NS', []]);
    assert.deepEqual(pick(['-q', 'ns', 'ns']), ['ns', 'NS', []]);
    const h = parseDigArgs(['www.server.com', '-h']);
    assert.ok(!('error' in h) && h.help === true);
  });

  it('+[no]all and the section toggles set what formatDig prints', () => {
    const c = parseDigArgs(['+noall', '+answer', 'x']);
    assert.ok(!('error' in c));
    assert.deepEqual(c.options.display, {
      cmd: false,
      comments: false,
      question: false,
      answer: true,
      authority: false,
      additional: false,
      stats: false,
    });
    const d = parseDigArgs(['+nocmd', '+nostats', 'x', '+noquestion']);
    assert.ok(!('error' in d));
    assert.deepEqual(d.options.display, { cmd: false, stats: false, question: false });
  });
});

describe('dig, nslookup, host on the sandbox', () => {
  it('dig through the local DNS server: RA set, BIND’s layout', async () => {
    const { clock, env } = sandbox();
    const r = await clock.runUntilSettled(
      dig(env, { name: 'www.server.com', server: ip('203.0.113.53'), argv: 'www.server.com' }),
    );
    const out = formatDig(r);
    assert.match(out, /^;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: \d+$/m);
    assert.match(out, /^;; flags: qr rd ra; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1$/m);
    assert.match(out, /^www\.server\.com\.\t\t300\tIN\tA\t198\.51\.100\.80$/m);
    assert.match(out, /^;; SERVER: 203\.0\.113\.53#53\(203\.0\.113\.53\) \(UDP\)$/m);
    assert.match(out, /^;; MSG SIZE {2}rcvd: 59$/m);
    assert.match(out, /^;; WHEN: Wed Jan 01 00:00:00 UTC 2025$/m);
  });

  it('dig +norecurse at a root server: the referral, and the recursion warning', async () => {
    const { clock, env } = sandbox();
    const r = await clock.runUntilSettled(
      dig(env, { name: 'www.server.com', server: ip('198.41.0.4'), recurse: true }),
    );
    const out = formatDig(r);
    assert.match(out, /;; WARNING: recursion requested but not available/);
    assert.match(out, /;; AUTHORITY SECTION:\ncom\.\t\t\t172800\tIN\tNS\ta\.gtld-servers\.net\.\n/);
    assert.match(
      out,
      /;; ADDITIONAL SECTION:\na\.gtld-servers\.net\.\t172800\tIN\tA\t192\.5\.6\.30\n/,
    );
  });

  it('dig +short and an unreachable server', async () => {
    const { clock, env } = sandbox();
    const r = await clock.runUntilSettled(
      dig(env, { name: 'img.server.com', server: ip('203.0.113.53'), shortOutput: true }),
    );
    assert.equal(formatDig(r), 'static.server.com.\nwww.server.com.\n198.51.100.80\n');
    const dead = await clock.runUntilSettled(
      dig(env, { name: 'x', server: ip('203.0.113.99'), tries: 2, timeout: 1 }),
    );
    assert.equal(dead.ok, false);
    assert.match(
      formatDig(dead),
      /^;; communications error to 203\.0\.113\.99#53: timed out\n;; communications error/,
    );
    assert.match(formatDig(dead), /;; no servers could be reached/);
    assert.equal(digExitCode(r), DigExit.Ok);
    assert.equal(digExitCode(dead), 9, "BIND's 'no reply from server'");
  });

  it('exit statuses of +trace: 9 when a server never replies, 0 for NXDOMAIN', async () => {
    const { clock, env } = sandbox();
    const dead = await clock.runUntilSettled(
      digTrace(env, { name: 'www.server.com', server: ip('203.0.113.99'), tries: 1, timeout: 1 }),
    );
    assert.equal(dead.outcome, 'error');
    assert.equal(digTraceExitCode(dead), 9);
    const nx = await clock.runUntilSettled(
      digTrace(env, { name: 'www.nosuch.com', server: ip('203.0.113.53') }),
    );
    assert.equal(nx.outcome, 'nxdomain');
    assert.equal(digTraceExitCode(nx), 0);
  });

  it('dig +trace: root NS from the resolver, then root → .com → server.com', async () => {
    const { clock, env } = sandbox();
    const r = await clock.runUntilSettled(
      digTrace(env, {
        name: 'www.server.com',
        server: ip('203.0.113.53'),
        serverLabel: '203.0.113.53',
      }),
    );
    assert.equal(r.outcome, 'answer');
    const out = formatDigTrace(r);
    const received = out.split('\n').filter((l) => l.startsWith(';; Received'));
    assert.equal(received.length, 4);
    assert.match(received[0], /from 203\.0\.113\.53#53\(203\.0\.113\.53\)/);
    assert.match(
      received[1],
      /from (198\.41\.0\.4|170\.247\.170\.2)#53\([ab]\.root-servers\.net\)/,
    );
    assert.match(received[2], /from 192\.5\.6\.30#53\(a\.gtld-servers\.net\)/);
    assert.match(received[3], /from 198\.51\.100\.2#53\(ns1\.server\.com\)/);
    assert.match(out, /^www\.server\.com\.\t\t300\tIN\tA\t198\.51\.100\.80$/m);
    assert.equal(digTraceExitCode(r), 0);
  });

  it('nslookup: non-authoritative answer, CNAMEs, NXDOMAIN', async () => {
    const { clock, env } = sandbox();
    const server = { address: ip('203.0.113.53') };
    const a = await clock.runUntilSettled(nslookup(env, { name: 'img.server.com', server }));
    assert.equal(
      a.text,
      'Server:\t\t203.0.113.53\nAddress:\t203.0.113.53#53\n\nNon-authoritative answer:\n' +
        'img.server.com\tcanonical name = static.server.com.\nstatic.server.com\tcanonical name = www.server.com.\n' +
        'Name:\twww.server.com\nAddress: 198.51.100.80\n\n',
    );
    const nx = await clock.runUntilSettled(nslookup(env, { name: 'nosuch.server.com', server }));
    assert.match(nx.text, /\*\* server can't find nosuch\.server\.com: NXDOMAIN/);
    assert.equal(nx.exitCode, 1);
  });

  it('host: addresses, aliases, mail, PTR, not found', async () => {
    const { clock, env } = sandbox();
    const server = { address: ip('203.0.113.53') };
    const h = await clock.runUntilSettled(host(env, { name: 'server.com', server }));
    assert.equal(
      h.text,
      'server.com has address 198.51.100.80\nserver.com mail is handled by 10 mail.server.com.\n',
    );
    const al = await clock.runUntilSettled(
      host(env, { name: 'img.server.com', server, type: 'A' }),
    );
    assert.equal(
      al.text,
      'img.server.com is an alias for static.server.com.\nstatic.server.com is an alias for www.server.com.\nwww.server.com has address 198.51.100.80\n',
    );
    const ptr = await clock.runUntilSettled(host(env, { name: '198.51.100.80', server }));
    assert.equal(ptr.text, '80.100.51.198.in-addr.arpa domain name pointer www.server.com.\n');
    const nx = await clock.runUntilSettled(host(env, { name: 'nosuch.server.com', server }));
    assert.equal(nx.text, 'Host nosuch.server.com not found: 3(NXDOMAIN)\n');
    assert.equal(nx.exitCode, 1);
  });
});

void DnsType;
