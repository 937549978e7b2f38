/**
 * bench/dns: how fast wiretrail answers DNS.
 *
 *   auth_answers_per_s             the authoritative engine in-process (bytes in → bytes out:
 *                                  parse, look up, encode with compression) over a mix of
 *                                  answer, CNAME chain, NXDOMAIN and referral
 *   resolver_warm_answers_per_s    the recursive resolver answering client queries from a warm
 *                                  cache, in-process (parse, cache, encode)
 *   sim_resolver_warm_answers_per_s  the same through the simulator (FakeNet datagrams, random
 *                                  IDs and ports, RFC 5452 matching): simulated queries per
 *                                  wall-clock second
 *   serve_answers_per_s            `wiretrail dns serve` on 127.0.0.1 (a child process) under a
 *                                  small UDP load generator of ours (64 queries in flight)
 *   unbound_answers_per_s          unbound 1.17 serving the same zone (auth-zone) on loopback,
 *                                  same generator, same run: the reference
 *   nsd_answers_per_s              NSD 4.6 serving the same zone, same generator
 *
 * Last line: {"bench": "dns", "figures": {...}} (docs/ENGINEERING.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as dgram from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AuthoritativeEngine } from '../src/apps/dns/authoritative.js';
import { buildQuery, exchange } from '../src/apps/dns/client.js';
import { createDnsSandbox, defaultZones } from '../src/apps/dns/hierarchy.js';
import { Rng } from '../src/sim/rng.js';
import { Scheduler } from '../src/sim/scheduler.js';
import { SECOND } from '../src/sim/time.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { DnsType, encodeDns } from '../src/wire/dns.js';
import { ZONE_FILES } from '../src/world/zones/index.js';

const ROOT = resolve(import.meta.dirname, '..');

function q(name: string, type: number, rd = false, id = 0x1234): Uint8Array {
  const r = encodeDns(buildQuery(id, { name, type, class: 1 }, rd, 1232));
  if (!r.ok) throw new Error(r.detail);
  return r.value;
}

function rate(fn: () => void, minMs = 500): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  do {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    el = Number(process.hrtime.bigint() - t0) / 1e6;
  } while (el < minMs);
  return (n * 1000) / el;
}

async function rateAsync(fn: () => Promise<unknown>, minMs = 500): Promise<number> {
  for (let i = 0; i < 2000; i++) await fn();
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  do {
    for (let i = 0; i < 200; i++) await fn();
    n += 200;
    el = Number(process.hrtime.bigint() - t0) / 1e6;
  } while (el < minMs);
  return (n * 1000) / el;
}

// ───────────────────────────────────── in-process figures ────────────────────────────────

const engine = new AuthoritativeEngine(defaultZones());
const mix = [
  q('www.server.com.', DnsType.A),
  q('img.server.com.', DnsType.A),
  q('nosuch.server.com.', DnsType.A),
  q('www.example.org.', DnsType.A),
];
const rootOnly = new AuthoritativeEngine(defaultZones().filter((z) => z.origin === '.'));
const referral = q('www.server.com.', DnsType.A);
let k = 0;
let sink = 0;
const auth = rate(() => {
  const r = k % 5 === 4 ? rootOnly.respond(referral, 'udp') : engine.respond(mix[k % 4], 'udp');
  sink += r ? r.bytes.length : 0;
  k++;
});

const clock = new Scheduler();
const sb = createDnsSandbox({ clock });
await clock.runUntilSettled(sb.resolver.resolve('www.server.com'));
const client = parseIpv4('192.168.3.10')!;
const warmQuery = q('www.server.com.', DnsType.A, true);
const resolverWarm = await rateAsync(async () => {
  const b = await sb.resolver.handleClient(warmQuery, client, 40000, 'udp');
  sink += b ? b.length : 0;
});

// through the simulator: a client asks the resolver over the FakeNet, one query at a time
const rng = new Rng(7, 'bench');
let simQueries = 0;
const simStart = process.hrtime.bigint();
let simEl = 0;
do {
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < 200; i++) {
    batch.push(
      exchange({
        dgram: sb.clientHost,
        clock,
        rng,
        server: parseIpv4('203.0.113.53')!,
        question: { name: 'www.server.com.', type: DnsType.A, class: 1 },
        rd: true,
        timeout: SECOND,
      }),
    );
  }
  await clock.runUntilSettled(Promise.all(batch));
  simQueries += batch.length;
  simEl = Number(process.hrtime.bigint() - simStart) / 1e6;
} while (simEl < 1000);
const simWarm = (simQueries * 1000) / simEl;

// ─────────────────────────────────────── serve mode ──────────────────────────────────────

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
}

/** Keeps `window` queries in flight against 127.0.0.1:port for `ms`; returns answers/s. */
async function load(port: number, ms = 2000, window = 64): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const query = Buffer.from(q('www.server.com.', DnsType.A));
  let answers = 0;
  let id = 0;
  let running = true;
  const send = (): void => {
    id = (id + 1) & 0xffff;
    query.writeUInt16BE(id, 0);
    sock.send(query, port, '127.0.0.1');
  };
  sock.on('message', () => {
    answers++;
    if (running) send();
  });
  // lost datagrams would shrink the window: top it up every 50 ms
  const refill = setInterval(() => {
    for (let i = 0; i < 8; i++) send();
  }, 50);
  for (let i = 0; i < window; i++) send();
  await new Promise((r) => setTimeout(r, 300)); // warm up
  const a0 = answers;
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, ms));
  const el = Number(process.hrtime.bigint() - t0) / 1e9;
  running = false;
  clearInterval(refill);
  const n = answers - a0;
  sock.close();
  return n / el;
}

async function waitAnswering(port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((res) => {
      const s = dgram.createSocket('udp4');
      const t = setTimeout(() => {
        s.close();
        res(false);
      }, 100);
      s.on('message', () => {
        clearTimeout(t);
        s.close();
        res(true);
      });
      s.on('error', () => undefined);
      s.send(q('www.server.com.', DnsType.A), port, '127.0.0.1');
    });
    if (ok) return true;
  }
  return false;
}

const dir = mkdtempSync(join(tmpdir(), 'wiretrail-dns-bench-'));
const zone = ZONE_FILES.find((z) => z.origin === 'server.com.')!;
const zonePath = join(dir, 'server.com.zone');
writeFileSync(zonePath, zone.text);
const children: ChildProcess[] = [];

async function measure(
  label: string,
  start: (port: number) => ChildProcess | undefined,
): Promise<number | undefined> {
  const port = await freePort();
  const p = start(port);
  if (!p) return undefined;
  children.push(p);
  if (!(await waitAnswering(port))) {
    console.error(`${label}: nothing answered on 127.0.0.1#${port}`);
    p.kill();
    return undefined;
  }
  const r = await load(port);
  p.kill('SIGTERM');
  return r;
}

const serve = await measure('wiretrail dns serve', (port) => {
  const code = `const m = await import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}); process.exitCode = await m.main(process.argv.slice(1));`;
  return spawn(
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
      '--zone',
      `${zonePath}=server.com.`,
    ],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
});

const unbound = await measure('unbound', (port) => {
  if (!existsSync('/usr/sbin/unbound')) return undefined;
  const conf = join(dir, 'unbound.conf');
  writeFileSync(
    conf,
    [
      'server:',
      `  interface: 127.0.0.1@${port}`,
      `  port: ${port}`,
      '  do-daemonize: no',
      '  username: ""',
      '  chroot: ""',
      `  directory: "${dir}"`,
      `  pidfile: "${dir}/unbound.pid"`,
      '  use-syslog: no',
      '  num-threads: 1',
      '  access-control: 127.0.0.0/8 allow',
      '  module-config: "iterator"',
      '  verbosity: 0',
      '  do-ip6: no',
      'remote-control:',
      '  control-enable: no',
      'auth-zone:',
      '  name: "server.com."',
      `  zonefile: "${zonePath}"`,
      '  for-downstream: yes',
      '  for-upstream: no',
      '  fallback-enabled: no',
      '',
    ].join('\n'),
  );
  return spawn('/usr/sbin/unbound', ['-d', '-c', conf], { stdio: 'ignore' });
});

const nsd = await measure('nsd', (port) => {
  if (!existsSync('/usr/sbin/nsd')) return undefined;
  const conf = join(dir, 'nsd.conf');
  writeFileSync(
    conf,
    [
      'server:',
      `  ip-address: 127.0.0.1@${port}`,
      '  username: ""',
      `  zonesdir: "${dir}"`,
      `  pidfile: "${dir}/nsd.pid"`,
      `  xfrdfile: "${dir}/xfrd.state"`,
      `  zonelistfile: "${dir}/zone.list"`,
      '  database: ""',
      '  server-count: 1',
      '  rrl-ratelimit: 0', // NSD rate-limits responses per source by default (RRL, 200/s)
      'remote-control:',
      '  control-enable: no',
      'zone:',
      '  name: "server.com."',
      '  zonefile: "server.com.zone"',
      '',
    ].join('\n'),
  );
  return spawn('/usr/sbin/nsd', ['-d', '-c', conf], { stdio: 'ignore' });
});

for (const c of children) c.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

const fmt = (n: number | undefined): string =>
  n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US');
console.log('bench/dns (answers per second, one core each)');
console.log(`  authoritative engine, in-process            ${fmt(auth).padStart(12)}`);
console.log(`  resolver, warm cache, in-process            ${fmt(resolverWarm).padStart(12)}`);
console.log(`  resolver, warm cache, through the simulator ${fmt(simWarm).padStart(12)}`);
console.log(`  wiretrail dns serve, UDP on loopback        ${fmt(serve).padStart(12)}`);
console.log(
  `  unbound 1.17 auth-zone, same generator      ${fmt(unbound).padStart(12)}   (reference)`,
);
console.log(`  nsd 4.6, same generator                     ${fmt(nsd).padStart(12)}   (reference)`);
if (serve !== undefined && unbound !== undefined)
  console.log(`  serve / unbound: ${(serve / unbound).toFixed(2)}`);
void sink;

const fig = (value: number | undefined, target: number) => ({
  value: value === undefined ? null : Math.round(value),
  unit: 'answers/s',
  target,
  better: 'higher',
});
console.log(
  JSON.stringify({
    bench: 'dns',
    figures: {
      auth_answers_per_s: fig(auth, 100_000),
      resolver_warm_answers_per_s: fig(resolverWarm, 50_000),
      sim_resolver_warm_answers_per_s: fig(simWarm, 5_000),
      serve_answers_per_s: fig(serve, 20_000),
      unbound_answers_per_s: fig(unbound, 20_000),
      nsd_answers_per_s: fig(nsd, 20_000),
      serve_vs_unbound: {
        value:
          serve !== undefined && unbound !== undefined
            ? Number((serve / unbound).toFixed(2))
            : null,
        unit: 'ratio',
        target: 0.25,
        better: 'higher',
      },
    },
  }),
);
process.exit(0);
