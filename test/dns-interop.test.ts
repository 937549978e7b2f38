// Interoperability of the authoritative server with the real world (issue 5, "External"):
// `wiretrail dns serve` on loopback, queried with Debian's dig, compared query by query with
// NSD serving the same zone files: rcode, flags, EDE code and the record sets of the answer,
// authority and additional sections (names compared case-insensitively: NSD's compression
// echoes the question's case into other names).
//
// Two server pairs, as the hierarchy splits zones between servers: "tld" (root, com, net, org,
// cn: referrals) and "leaf" (server.com, example.org, the reverse zone and a test zone:
// answers, CNAME, wildcard, negative answers, TC). Needs /usr/bin/dig and /usr/sbin/nsd (CI
// installs dnsutils and nsd); runs nsd as root in a temporary directory with its own files.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ZONE_FILES } from '../src/world/zones/index.js';
import { nodeClock, nodeDgram, nodeNetApi } from '../src/cli/dns.js';
import { dig, formatDig, parseDigArgs } from '../src/apps/tools/dig.js';
import { Rng } from '../src/sim/rng.js';
import { removeDir, stopChildren } from './proc-helpers.js';

const DIG = '/usr/bin/dig';
const NSD = '/usr/sbin/nsd';
const ROOT = resolve(import.meta.dirname, '..');

const TEST_ZONE = `$ORIGIN test.
$TTL 600
@        IN SOA ns.test. admin.test. 1 7200 3600 1209600 60
@        IN NS  ns
ns       IN A   192.0.2.1
a.b      IN A   192.0.2.2
*.wild   IN A   192.0.2.3
child    IN NS  ns.child
ns.child IN A   192.0.2.4
dangling IN CNAME nothere
out      IN CNAME www.google.com.
tochild  IN CNAME www.child
mx       IN MX  10 mail.out.example.
multi    IN A   192.0.2.5
multi    IN A   192.0.2.6
multi    IN AAAA 2001:db8::6
multi    IN TXT "hello"
big      IN TXT "${'x'.repeat(200)}" "1"
big      IN TXT "${'y'.repeat(200)}" "2"
big      IN TXT "${'z'.repeat(200)}" "3"
`;

interface Group {
  name: string;
  files: { file: string; origin: string; text: string }[];
  ours?: { port: number; proc: ChildProcess };
  nsd?: { port: number; proc: ChildProcess };
}

const tldOrigins = ['.', 'com.', 'net.', 'org.', 'cn.'];
const groups: Record<'tld' | 'leaf', Group> = {
  tld: { name: 'tld', files: ZONE_FILES.filter((z) => tldOrigins.includes(z.origin)) },
  leaf: {
    name: 'leaf',
    files: [
      ...ZONE_FILES.filter((z) => !tldOrigins.includes(z.origin)),
      { file: 'test.zone', origin: 'test.', text: TEST_ZONE },
    ],
  },
};

/** The corpus: [group, dig arguments, what it shows]. */
const CORPUS: ['tld' | 'leaf', string, string][] = [
  ['leaf', 'www.server.com A', 'A answer, NS in authority, glue in additional'],
  ['leaf', 'WWW.Server.COM A', 'case of the question echoed'],
  ['leaf', 'server.com NS', 'NS answer with addresses'],
  ['leaf', 'server.com SOA', 'SOA answer'],
  ['leaf', 'server.com MX', 'MX with the exchange address'],
  ['leaf', 'server.com TXT', 'TXT'],
  ['leaf', 'img.server.com A', 'CNAME chain inside the zone'],
  ['leaf', 'blog.server.com A', 'CNAME into another zone served here'],
  ['leaf', 'static.server.com CNAME', 'CNAME query'],
  ['leaf', 'nosuch.server.com A', 'NXDOMAIN with SOA'],
  ['leaf', 'www.server.com MX', 'NODATA'],
  ['leaf', 'www.server.com AAAA', 'NODATA (AAAA)'],
  ['leaf', '-x 198.51.100.80', 'PTR'],
  ['leaf', 'www.example.org A', 'another zone'],
  ['leaf', 'example.org TXT', 'TXT with spaces'],
  ['leaf', 'www.google.com A', 'REFUSED outside the zones (EDE 20)'],
  ['leaf', 'x.wild.test A', 'wildcard'],
  ['leaf', 'x.wild.test MX', 'wildcard NODATA'],
  ['leaf', 'b.test A', 'empty non-terminal'],
  ['leaf', 'tochild.test A', 'CNAME into a delegation'],
  ['leaf', 'www.child.test A', 'referral with glue'],
  ['leaf', 'child.test NS', 'NS at a delegation point (referral)'],
  ['leaf', 'dangling.test A', 'dangling CNAME: NXDOMAIN'],
  ['leaf', 'out.test A', 'CNAME out of every zone'],
  ['leaf', 'mx.test MX', 'MX to an outside name'],
  ['leaf', 'multi.test ANY', 'ANY: one RRset (RFC 8482)'],
  ['leaf', 'big.test TXT +noedns', 'TC over UDP, dig retries over TCP'],
  ['leaf', 'big.test TXT +noedns +ignore', 'the truncated answer itself'],
  ['leaf', 'big.test TXT +bufsize=512 +ignore', 'TC with EDNS 512'],
  ['leaf', 'big.test TXT +tcp', 'over TCP'],
  ['leaf', 'big.test TXT', 'fits in EDNS 1232'],
  ['leaf', 'www.server.com A +noedns', 'no OPT in, none out'],
  ['leaf', 'www.server.com A +edns=1 +noednsnegotiation', 'BADVERS'],
  ['leaf', 'www.server.com A +dnssec', 'DO bit echoed'],
  ['leaf', 'www.server.com A -c CH', 'class CH: REFUSED (EDE 21)'],
  ['leaf', 'www.server.com A +opcode=STATUS', 'NOTIMP'],
  ['leaf', 'server.com DS', 'DS at the apex: NODATA'],
  ['leaf', 'www.server.com A +rec', 'RD set: no RA'],
  ['tld', 'www.server.com A', 'referral from .com with glue'],
  ['tld', 'WWW.SERVER.COM A', 'referral, question in capitals'],
  ['tld', 'www.example.org A', 'referral from .org'],
  ['tld', '-x 198.51.100.80', 'referral from the root without glue'],
  ['tld', '. NS', 'root NS with glue'],
  ['tld', '. SOA', 'root SOA'],
  ['tld', 'com NS', 'TLD NS'],
  ['tld', 'server.com NS', 'NS query at the cut: referral'],
  ['tld', 'server.com DS', 'DS at the cut: answered by the parent'],
  ['tld', 'nosuch.com A', 'NXDOMAIN from .com'],
  ['tld', 'www.example.cn A', 'NXDOMAIN from .cn'],
  ['tld', 'www.nosuch.xyz A', 'NXDOMAIN from the root'],
  ['tld', 'a.root-servers.net A', 'answer from net. (most specific zone)'],
  ['tld', 'a.gtld-servers.net A', 'answer already in additional'],
  ['tld', '. ANY', 'ANY at the root apex'],
];

interface DigView {
  status: string;
  flags: string;
  ede: string;
  retriedTcp: boolean;
  answer: string[];
  authority: string[];
  additional: string[];
  raw: string;
}

/** Reads dig's output: status, flags, EDE and the records of each section (normalised). */
function parseDig(out: string): DigView {
  const status = /status: ([A-Z]+)/.exec(out)?.[1] ?? 'NO-ANSWER';
  const flags = /;; flags: ([^;]*);/.exec(out)?.[1].trim() ?? '';
  const ede = /; EDE: (\d+)/.exec(out)?.[1] ?? '';
  const sec = (title: string): string[] => {
    const i = out.indexOf(`;; ${title} SECTION:\n`);
    if (i < 0) return [];
    const body = out.slice(i).split('\n').slice(1);
    const recs: string[] = [];
    for (const l of body) {
      if (l.trim() === '') break;
      recs.push(l.trim().split(/\s+/).join(' ').toLowerCase());
    }
    return recs.sort();
  };
  return {
    status,
    flags,
    ede,
    retriedTcp: out.includes('Truncated, retrying in TCP mode'),
    answer: sec('ANSWER'),
    authority: sec('AUTHORITY'),
    additional: sec('ADDITIONAL'),
    raw: out,
  };
}

function runDig(port: number, args: string): DigView {
  const argv = [
    '@127.0.0.1',
    '-p',
    String(port),
    '+norec',
    '+nocookie',
    '+time=3',
    '+tries=2',
    ...args.split(' '),
  ];
  // "+rec" in the corpus overrides the default +norec
  const r = spawnSync(DIG, argv, { encoding: 'utf8', timeout: 20_000 });
  return parseDig(r.stdout ?? '');
}

/** A port free for both UDP and TCP on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((res, rej) => {
      const s = net.createServer();
      s.once('error', rej);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => res(p));
      });
    });
    const ok = await new Promise<boolean>((res) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => res(false));
      u.bind(port, '127.0.0.1', () => u.close(() => res(true)));
    });
    if (ok) return port;
  }
}

async function waitUntilAnswering(port: number, name: string, proc: ChildProcess): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const v = runDig(port, `${name} SOA +time=1 +tries=1`);
    if (v.status !== 'NO-ANSWER') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing answers on 127.0.0.1#${port}:\n${output.get(proc) ?? ''}`);
}

let dir = '';
const children: ChildProcess[] = [];
/** What the servers said on stdout/stderr, for failure messages. */
const output = new Map<ChildProcess, string>();

function capture(p: ChildProcess, label: string): void {
  output.set(p, '');
  const add = (d: Buffer): void => void output.set(p, output.get(p) + d.toString());
  p.stdout?.on('data', add);
  p.stderr?.on('data', add);
  p.on('exit', (code) => output.set(p, `${output.get(p)}[${label} exited with ${code}]\n`));
}

function startOurs(g: Group, port: number): ChildProcess {
  const zoneArgs = g.files.flatMap((f) => ['--zone', `${join(dir, g.name, f.file)}=${f.origin}`]);
  const code = `const m = await import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}); process.exitCode = await m.main(process.argv.slice(1));`;
  const p = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      code,
      '--',
      'dns',
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      ...zoneArgs,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(p);
  capture(p, `wiretrail dns serve (${g.name})`);
  return p;
}

function startNsd(g: Group, port: number): ChildProcess {
  const d = join(dir, g.name);
  const conf = [
    'server:',
    `  ip-address: 127.0.0.1@${port}`,
    '  username: ""',
    `  zonesdir: "${d}"`,
    `  pidfile: "${d}/nsd.pid"`,
    `  xfrdfile: "${d}/xfrd.state"`,
    `  zonelistfile: "${d}/zone.list"`,
    '  database: ""',
    `  logfile: "${d}/nsd.log"`,
    '  server-count: 1',
    '  hide-version: yes',
    '  verbosity: 1',
    'remote-control:',
    '  control-enable: no',
    ...g.files.flatMap((f) => ['zone:', `  name: "${f.origin}"`, `  zonefile: "${f.file}"`]),
    '',
  ].join('\n');
  writeFileSync(join(d, 'nsd.conf'), conf);
  const p = spawn(NSD, ['-d', '-c', join(d, 'nsd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(p);
  capture(p, `nsd (${g.name})`);
  return p;
}

describe('dns interop: wiretrail dns serve vs NSD, queried with dig', () => {
  before(async () => {
    assert.ok(
      existsSync(DIG),
      `${DIG} is missing: install Debian's dnsutils (CI: .ci/packages.txt)`,
    );
    assert.ok(existsSync(NSD), `${NSD} is missing: install Debian's nsd (CI: .ci/packages.txt)`);
    dir = mkdtempSync(join(tmpdir(), 'wiretrail-dns-interop-'));
    for (const g of Object.values(groups)) {
      const d = join(dir, g.name);
      spawnSync('mkdir', ['-p', d]);
      for (const f of g.files) writeFileSync(join(d, f.file), f.text);
      const ours = await freePort();
      g.ours = { port: ours, proc: startOurs(g, ours) };
      const theirs = await freePort();
      g.nsd = { port: theirs, proc: startNsd(g, theirs) };
    }
    for (const g of Object.values(groups)) {
      const apex = g.files[0].origin;
      await waitUntilAnswering(g.ours!.port, apex, g.ours!.proc);
      await waitUntilAnswering(g.nsd!.port, apex, g.nsd!.proc);
    }
  });

  after(async () => {
    // nsd writes xfrd.state and its log as it shuts down: wait for the exits before removing.
    await stopChildren(children);
    if (dir) removeDir(dir);
  });

  for (const [group, args, what] of CORPUS) {
    it(`${group}: dig ${args} (${what})`, () => {
      const g = groups[group];
      const ours = runDig(g.ours!.port, args);
      const nsd = runDig(g.nsd!.port, args);
      assert.notEqual(nsd.status, 'NO-ANSWER', `nsd did not answer:\n${nsd.raw}`);
      const view = (v: DigView) => ({
        status: v.status,
        flags: v.flags,
        ede: v.ede,
        retriedTcp: v.retriedTcp,
        answer: v.answer,
        authority: v.authority,
        additional: v.additional,
      });
      assert.deepEqual(view(ours), view(nsd), `ours:\n${ours.raw}\nnsd:\n${nsd.raw}`);
    });
  }

  it('answers several queries on one TCP connection (RFC 7766 § 6.2.1)', async () => {
    const port = groups.leaf.ours!.port;
    const q = (id: number, name: string): Buffer => {
      const labels = name.split('.').filter(Boolean);
      const body = Buffer.concat([
        Buffer.from([id >> 8, id & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
        ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
        Buffer.from([0, 0, 1, 0, 1]),
      ]);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(body.length);
      return Buffer.concat([len, body]);
    };
    const ids = await new Promise<number[]>((res, rej) => {
      const got: number[] = [];
      let buf = Buffer.alloc(0);
      const c = net.connect(port, '127.0.0.1', () =>
        c.write(
          Buffer.concat([
            q(1, 'www.server.com'),
            q(2, 'mail.server.com'),
            q(3, 'nosuch.server.com'),
          ]),
        ),
      );
      c.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          got.push(buf.readUInt16BE(2));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (got.length === 3) {
          c.end();
          res(got);
        }
      });
      c.on('error', rej);
      setTimeout(() => rej(new Error('timeout')), 5000).unref();
    });
    assert.deepEqual(ids, [1, 2, 3]);
  });

  it("our dig prints what BIND's dig prints (ids, times and banner aside)", async () => {
    const port = groups.leaf.nsd!.port;
    const env = {
      dgram: nodeDgram(),
      net: nodeNetApi(),
      clock: nodeClock(),
      rng: new Rng(1, 'dig'),
    };
    const strip = (t: string): string[] =>
      t.split('\n').filter((l) => !/id: |Query time|WHEN:|<<>>/.test(l));
    for (const args of [
      'www.server.com',
      'img.server.com',
      'nosuch.server.com',
      '-x 198.51.100.80',
      'big.test TXT +noedns',
      'www.google.com',
      'www.child.test',
    ]) {
      const cmd = parseDigArgs(['@127.0.0.1', '-p', String(port), '+norec', ...args.split(' ')]);
      assert.ok(!('error' in cmd));
      const r = await dig(env, {
        ...cmd.options,
        server: 0x7f000001,
        serverLabel: '127.0.0.1',
        serverGiven: true,
      });
      const theirs = spawnSync(
        DIG,
        ['@127.0.0.1', '-p', String(port), '+norec', '+nocookie', ...args.split(' ')],
        { encoding: 'utf8' },
      ).stdout;
      assert.deepEqual(strip(formatDig(r)), strip(theirs), args);
    }
  });
});
