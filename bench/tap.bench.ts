/**
 * bench/tap: TCP throughput between Linux and wiretrail through a TAP device, beside Linux ↔
 * Linux through a veth pair measured in the same run, and the two TAP backends compared.
 *
 *   1. backends: frames/s each way through the bare device (no stack), for the three backends;
 *   2. TAP: Linux curl downloads SIZE from wiretrail's HttpServer on a simulated host plugged
 *      straight into the TAP device (the figure), and wiretrail's HttpClient downloads SIZE from
 *      nginx in the namespace; over each backend, alternating, medians reported;
 *   3. veth: Linux curl downloads SIZE from nginx in another namespace across a veth pair;
 *   4. where the time goes: CPU of the Node process (user = JavaScript: the stack, the HTTP
 *      server, the driver; system = TAP reads/writes and the rest of the kernel work done on
 *      its behalf) per frame and as a share of the transfer's wall time.
 *
 * Needs root and /dev/net/tun; curl and nginx. Size: WIRETRAIL_BENCH_MIB (default 100).
 * Last line: {"bench":"tap","figures":{tap_mbit_per_s, veth_mbit_per_s, tap_to_veth_ratio, ...}}
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient } from '../src/apps/http/client.js';
import { HttpServer } from '../src/apps/http/server.js';
import { createSite } from '../src/apps/http/site.js';
import { SECOND } from '../src/sim/time.js';
import type { TapBackendKind } from '../src/tap/build.js';
import { openTap, tapUnavailableReason } from '../src/tap/device.js';
import {
  configureLink,
  createNetns,
  deleteNetns,
  nsExec,
  nsSpawn,
  sh,
  startNginx,
  uniqueName,
} from '../src/tap/netns.js';
import { startTapSession } from '../src/tap/session.js';
import type { TapSession } from '../src/tap/session.js';
import { parseIpv4 } from '../src/wire/addr.js';

const MIB = Number(process.env.WIRETRAIL_BENCH_MIB ?? 100);
const SIZE = Math.round(MIB * 1024 * 1024);
const LAB = {
  file: 'lab.yaml',
  text: `name: lab
nodes:
  srv:
    kind: host
    interfaces:
      eth0: { address: 10.80.0.2/24, mac: 02:00:00:00:80:02 }
links: []
`,
};

const why = tapUnavailableReason();
if (why !== undefined) {
  console.log(`bench/tap needs root and /dev/net/tun: ${why}`);
  console.log(JSON.stringify({ bench: 'tap', skipped: why, figures: {} }));
  process.exit(0);
}

const mbit = (bytes: number, seconds: number) => (bytes * 8) / seconds / 1e6;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ───────────────────────────── 1. backends ─────────────────────────────

interface BackendFigures {
  rxFps: number;
  /** Frames/s Linux queued to the device (received + dropped because the reader lagged). */
  offeredFps: number;
  rxDropped: number;
  txFps: number;
  txMbit: number;
}

async function devStat(ns: string, name: string): Promise<number> {
  return Number((await nsExec(ns, ['cat', `/sys/class/net/wt0/statistics/${name}`])).stdout);
}

/** A UDP flood from Linux towards a neighbour behind the TAP device, from a Node child. */
const FLOOD = `
const s = require('dgram').createSocket('udp4');
const b = Buffer.alloc(Number(process.argv[1]));
let inflight = 0;
const end = Date.now() + Number(process.argv[2]);
function go() {
  while (inflight < 256) { inflight++; s.send(b, 9, '10.99.0.2', () => { inflight--; }); }
  if (Date.now() < end) setImmediate(go); else setTimeout(() => process.exit(0), 100);
}
go();`;

async function backend(kind: TapBackendKind): Promise<BackendFigures> {
  const ns = uniqueName('wtbb');
  await createNetns(ns);
  const tap = await openTap({ name: 'wt0', netns: ns, backend: kind });
  try {
    await configureLink(ns, 'wt0', { address: '10.99.0.1/24' });
    await sh([
      'ip',
      '-n',
      ns,
      'neigh',
      'replace',
      '10.99.0.2',
      'lladdr',
      '02:00:00:00:00:02',
      'dev',
      'wt0',
    ]);
    await sh(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.wt0.disable_ipv6=1']);
    // RX: Linux → wiretrail, 64-byte payloads (the frame-rate case).
    let rx = 0;
    tap.onFrames((f) => (rx += f.length));
    const floods = [0, 1].map(() => nsSpawn(ns, [process.execPath, '-e', FLOOD, '64', '2500']));
    await sleep(500);
    const r0 = rx;
    const q0 = (await devStat(ns, 'tx_packets')) + (await devStat(ns, 'tx_dropped'));
    const dr0 = await devStat(ns, 'tx_dropped');
    const t0 = performance.now();
    await sleep(1500);
    const q1 = (await devStat(ns, 'tx_packets')) + (await devStat(ns, 'tx_dropped'));
    const dr1 = await devStat(ns, 'tx_dropped');
    const rxSeconds = (performance.now() - t0) / 1000;
    const rxFps = (rx - r0) / rxSeconds;
    const offeredFps = (q1 - q0) / rxSeconds;
    await Promise.all(floods.map((f) => new Promise((r) => f.once('exit', r))));
    // TX: wiretrail → Linux, 1442-byte frames for another host's MAC: Linux counts and discards
    // them at the device (rx_packets, PACKET_OTHERHOST), so the figure is the path, not Linux's
    // UDP receive code.
    const { stdout } = await sh(['ip', '-n', ns, '-j', 'link', 'show', 'wt0']);
    const dmac = (JSON.parse(stdout)[0].address as string).split(':').map((h) => parseInt(h, 16));
    const payload = 1400;
    const frame = new Uint8Array(14 + 20 + 8 + payload);
    frame.set(
      dmac.map((b, i) => (i === 5 ? b ^ 1 : b)),
      0,
    );
    frame.set([2, 0, 0, 0, 0, 2], 6);
    frame.set([8, 0], 12);
    const ip = frame.subarray(14);
    const total = 28 + payload;
    ip.set([
      0x45,
      0,
      total >> 8,
      total & 255,
      0,
      0,
      0x40,
      0,
      64,
      17,
      0,
      0,
      10,
      99,
      0,
      2,
      10,
      99,
      0,
      1,
    ]);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (~sum >> 8) & 255;
    ip[11] = ~sum & 255;
    ip.set([0x30, 0x39, 0, 9, (8 + payload) >> 8, (8 + payload) & 255, 0, 0], 20);
    const stat = () => devStat(ns, 'rx_packets');
    const before = await stat();
    const t1 = performance.now();
    const until = t1 + 1500;
    // Bursts per event-loop turn; the helper's pipe sets the pace through its queue limit.
    await new Promise<void>((resolve) => {
      const burst = () => {
        for (let i = 0; i < 64; i++) tap.send(frame);
        if (performance.now() < until) setImmediate(burst);
        else resolve();
      };
      burst();
    });
    let last = -1;
    let cur = await stat();
    while (cur !== last) {
      last = cur;
      await sleep(100);
      cur = await stat();
    }
    const txSeconds = (performance.now() - t1 - 100) / 1000;
    const txFps = (cur - before) / txSeconds;
    return {
      rxFps,
      offeredFps,
      rxDropped: dr1 - dr0,
      txFps,
      txMbit: mbit((cur - before) * frame.length, txSeconds),
    };
  } finally {
    await tap.close();
    await deleteNetns(ns);
  }
}

// ───────────────────────────── 2. TCP through TAP ─────────────────────────────

/** CPU time (ms) a process has used, from /proc/<pid>/stat (utime + stime, USER_HZ = 100). */
function procCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

interface Sample {
  down: number[];
  up: number[];
  /** Per download: Node user, Node system and helper CPU ms, frames, wall ms, wakeups, events. */
  cpu: {
    user: number;
    sys: number;
    helper: number;
    frames: number;
    wall: number;
    wakeups: number;
    events: number;
  }[];
}

async function tapRound(
  kind: TapBackendKind,
  data: Buffer,
  www: string,
  reps: number,
  into: Sample,
): Promise<void> {
  const want = sha(data);
  const ns = uniqueName('wtbt');
  let s: TapSession | undefined;
  try {
    s = await startTapSession({
      netns: ns,
      topology: LAB,
      node: 'srv',
      iface: 'eth0',
      address: '10.80.0.1/24',
      gateway: null,
      backend: kind,
    });
    const sess = s;
    const srv = s.net.hostNamed('srv');
    const site = createSite('lab', {
      '/big.bin': new Uint8Array(data.buffer, data.byteOffset, data.length),
    });
    new HttpServer({
      net: srv.net!,
      clock: s.net.clock,
      trace: s.net.trace,
      node: 'srv',
      site,
    }).listen();
    const nginx = await startNginx(ns, www, '10.80.0.1:8080');
    const client = new HttpClient({
      net: srv.net!,
      clock: s.net.clock,
      trace: s.net.trace,
      node: 'srv',
    });
    const fetch = () =>
      new Promise<{ body: Uint8Array }>((resolve, reject) =>
        sess.driver.inject(() => {
          client
            .request({
              url: 'http://10.80.0.1:8080/big.bin',
              address: parseIpv4('10.80.0.1')!,
              timeout: 600 * SECOND,
            })
            .then(resolve, reject);
        }),
      );
    try {
      // Warm-up (JIT, ARP, slow start), not measured.
      await nsExec(
        ns,
        ['curl', '-sS', '-o', '/dev/null', '-r', '0-8388607', 'http://10.80.0.2/big.bin'],
        {
          timeoutMs: 120_000,
        },
      );
      for (let i = 0; i < reps; i++) {
        const st0 = { ...s.link.stats };
        const d0 = { ...s.driver.stats };
        const cpu0 = process.cpuUsage();
        const h0 = procCpuMs(s.tap.helperPid);
        const t0 = performance.now();
        const r = await nsExec(
          ns,
          ['sh', '-c', 'curl -sS --fail http://10.80.0.2/big.bin | sha256sum'],
          {
            timeoutMs: 600_000,
          },
        );
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(cpu0);
        if (!r.stdout.startsWith(want)) throw new Error('TAP download: bytes differ');
        into.down.push(mbit(SIZE, wall / 1000));
        into.cpu.push({
          user: cpu.user / 1000,
          sys: cpu.system / 1000,
          helper: procCpuMs(s.tap.helperPid) - h0,
          frames: s.link.stats.toLinux + s.link.stats.fromLinux - st0.toLinux - st0.fromLinux,
          wall,
          wakeups: s.driver.stats.wakeups - d0.wakeups,
          events: s.driver.stats.events - d0.events,
        });
        const t1 = performance.now();
        const res = await fetch();
        into.up.push(mbit(res.body.length, (performance.now() - t1) / 1000));
        if (sha(res.body) !== want) throw new Error('TAP upload: bytes differ');
      }
    } finally {
      await nginx.stop();
    }
  } finally {
    await s?.close();
    await deleteNetns(ns);
  }
}

// ───────────────────────────── 3. veth ─────────────────────────────

async function veth(data: Buffer, www: string, reps: number): Promise<number[]> {
  const a = uniqueName('wtva');
  const b = uniqueName('wtvb');
  await createNetns(a);
  await createNetns(b);
  try {
    await sh([
      'ip',
      'link',
      'add',
      'va',
      'netns',
      a,
      'type',
      'veth',
      'peer',
      'name',
      'vb',
      'netns',
      b,
    ]);
    await configureLink(a, 'va', { address: '10.81.0.1/24' });
    await configureLink(b, 'vb', { address: '10.81.0.2/24' });
    const nginx = await startNginx(a, www, '10.81.0.1:8080');
    const out: number[] = [];
    try {
      await nsExec(b, [
        'curl',
        '-sS',
        '-o',
        '/dev/null',
        '-r',
        '0-8388607',
        'http://10.81.0.1:8080/big.bin',
      ]);
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        const r = await nsExec(
          b,
          ['sh', '-c', 'curl -sS --fail http://10.81.0.1:8080/big.bin | sha256sum'],
          {
            timeoutMs: 600_000,
          },
        );
        const seconds = (performance.now() - t0) / 1000;
        if (!r.stdout.startsWith(sha(data))) throw new Error('veth: bytes differ');
        out.push(mbit(SIZE, seconds));
      }
      return out;
    } finally {
      await nginx.stop();
    }
  } finally {
    await deleteNetns(a);
    await deleteNetns(b);
  }
}

// ───────────────────────────── run ─────────────────────────────

const median = (xs: number[]) => {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 === 1 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);

const data = randomBytes(SIZE);
const www = mkdtempSync(join(tmpdir(), 'wt-bench-'));
writeFileSync(join(www, 'big.bin'), data);
const KINDS: { kind: TapBackendKind; label: string }[] = [
  { kind: 'addon', label: 'addon (threads)   ' },
  { kind: 'addon-inline', label: 'addon-inline      ' },
  { kind: 'helper', label: 'helper (process)  ' },
];
const ROUNDS = Number(process.env.WIRETRAIL_BENCH_ROUNDS ?? 2);
try {
  const bare = new Map<TapBackendKind, BackendFigures>();
  for (const { kind } of KINDS) bare.set(kind, await backend(kind));
  // Rounds alternate the backends (the machine's load drifts); two transfers each way per round.
  const samples = new Map<TapBackendKind, Sample>(
    KINDS.map(({ kind }) => [kind, { down: [], up: [], cpu: [] }]),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const { kind } of KINDS) await tapRound(kind, data, www, 2, samples.get(kind)!);
  }
  const vethRuns = await veth(data, www, 3);
  const vethMbit = median(vethRuns);
  const A = samples.get('addon')!;
  const tapMbit = median(A.down);
  const ratio = tapMbit / vethMbit;
  const k = (x: number) => `${(x / 1000).toFixed(0)}k`.padStart(6);
  const f = (x: number) => x.toFixed(1).padStart(7);
  const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const cpuPerFrame = (S: Sample) =>
    (sum(S.cpu, (c) => c.user + c.sys + c.helper) * 1000) / sum(S.cpu, (c) => c.frames);
  const n = 2 * ROUNDS;

  console.log(
    `bench/tap: ${MIB} MiB per transfer; TAP figures are medians of ${n} transfers, veth of 3\n`,
  );
  console.log('Bare device (no stack)  RX frames/s (offered; dropped)   TX frames/s   TX Mbit/s');
  for (const { kind, label } of KINDS) {
    const b = bare.get(kind)!;
    console.log(
      `  ${label}    ${k(b.rxFps)} (${k(b.offeredFps).trim()}; ${String(b.rxDropped).padStart(6)})      ${k(b.txFps)}     ${f(b.txMbit)}`,
    );
  }
  console.log(
    '  RX: 64-byte UDP payloads flooded by two Node processes in the namespace (they compete with',
  );
  console.log(
    '  the reader for the CPUs). TX: 1442-byte frames, which Linux discards at the device.\n',
  );
  console.log(
    'TCP through TAP       Linux curl ← wiretrail      wiretrail ← nginx         CPU µs/frame',
  );
  for (const { kind, label } of KINDS) {
    const S = samples.get(kind)!;
    console.log(
      `  ${label} ${f(median(S.down))} Mbit/s (${list(S.down)})`.padEnd(50) +
        `${f(median(S.up))} Mbit/s (${list(S.up)})`.padEnd(34) +
        `${cpuPerFrame(S).toFixed(2)}`,
    );
  }
  console.log(
    '  (CPU per frame: the Node process, plus the helper process for the helper backend)\n',
  );
  console.log('TCP, Linux ↔ Linux');
  console.log(`  Linux curl ← nginx, veth pair          ${f(vethMbit)} Mbit/s (${list(vethRuns)})`);
  console.log(
    `  TAP (addon) / veth                     ${(ratio * 100).toFixed(1).padStart(6)}%\n`,
  );
  const wall = sum(A.cpu, (c) => c.wall);
  const frames = sum(A.cpu, (c) => c.frames);
  const user = sum(A.cpu, (c) => c.user);
  const sys = sum(A.cpu, (c) => c.sys);
  console.log(`Where the time goes (Linux curl ← wiretrail, addon, ${n} transfers):`);
  console.log(
    `  wall ${wall.toFixed(0)} ms, ${frames} frames across the TAP device (data and ACKs)`,
  );
  console.log(
    `  Node CPU, user   ${user.toFixed(0).padStart(6)} ms (${((user / wall) * 100).toFixed(0)}% of wall, ` +
      `${((user * 1000) / frames).toFixed(2)} µs/frame): TypeScript TCP/IP, HTTP server, driver, GC`,
  );
  console.log(
    `  Node CPU, system ${sys.toFixed(0).padStart(6)} ms (${((sys / wall) * 100).toFixed(0)}% of wall, ` +
      `${((sys * 1000) / frames).toFixed(2)} µs/frame): read()/write() on the TAP fd in the addon's threads`,
  );
  console.log(
    "                   — a write() carries the frame through Linux's receive path (netif_rx, IP, TCP)",
  );
  console.log(
    `  real-time driver: ${sum(A.cpu, (c) => c.wakeups)} wake-ups, ${sum(A.cpu, (c) => c.events)} events ` +
      `(${(sum(A.cpu, (c) => c.events) / frames).toFixed(2)} per frame)`,
  );
  console.log(
    '  the rest: waiting for Linux (curl, its TCP, sha256sum). The veth path never leaves the',
  );
  console.log('  kernel; every TAP frame crosses to user space and through a JavaScript stack.\n');
  const fig = (value: number, unit: string, better: 'higher' | 'lower', target?: number) =>
    target === undefined ? { value, unit, better } : { value, unit, target, better };
  const figures: Record<string, unknown> = {
    tap_mbit_per_s: fig(+tapMbit.toFixed(1), 'Mbit/s', 'higher', 200),
    veth_mbit_per_s: fig(+vethMbit.toFixed(1), 'Mbit/s', 'higher'),
    tap_to_veth_ratio: fig(+ratio.toFixed(4), 'ratio', 'higher', 0.1),
    tap_upload_mbit_per_s: fig(+median(A.up).toFixed(1), 'Mbit/s', 'higher'),
  };
  for (const { kind } of KINDS) {
    const key = kind.replace('-', '_');
    const S = samples.get(kind)!;
    const b = bare.get(kind)!;
    if (kind !== 'addon') {
      figures[`tap_${key}_mbit_per_s`] = fig(+median(S.down).toFixed(1), 'Mbit/s', 'higher');
      figures[`tap_${key}_upload_mbit_per_s`] = fig(+median(S.up).toFixed(1), 'Mbit/s', 'higher');
    }
    figures[`${key}_cpu_us_per_frame`] = fig(+cpuPerFrame(S).toFixed(2), 'µs/frame', 'lower');
    figures[`${key}_tx_frames_per_s`] = fig(Math.round(b.txFps), 'frames/s', 'higher');
    figures[`${key}_rx_frames_per_s`] = fig(Math.round(b.rxFps), 'frames/s', 'higher');
  }
  console.log(JSON.stringify({ bench: 'tap', figures }));
} finally {
  rmSync(www, { recursive: true, force: true });
}
