/**
 * The main job, timed: wall time of one `runVisit` of http://www.server.com/ on the default
 * internet with a capture (build the world, start the services, DNS from the root down, TCP,
 * HTTP with the page's subresources, FIN/TIME-WAIT, the trace recorded, the pcapng written),
 * and visits per wall second when 100 client hosts on the home LAN load the page 1,000 times
 * in one world.
 *
 * References measured in the same run: the same visit with the trace off (no recorder, no
 * capture), and the same page loads through Node's own http client and server over the
 * kernel's loopback TCP (a fresh agent per visit: GET / then its three subresources on up to 6
 * connections, like the simulated browser).
 *
 * Last line: {"bench": "visit", "figures": {...}} (ENGINEERING.md).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Browser } from '../src/apps/browser/browser.js';
import type { StubResolver } from '../src/apps/dns/stub.js';
import { SECOND } from '../src/sim/time.js';
import { topologyFile } from '../src/world/examples/index.js';
import { embeddedSite } from '../src/world/sites/index.js';
import { buildWorld, runVisit } from '../src/world/visit.js';

const URL_ = 'http://www.server.com/';
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function resolver(stub: StubResolver) {
  return async (name: string) => {
    const r = await stub.lookup(name);
    return { addresses: r.addresses, ttl: r.ttl };
  };
}

// ───────────────────────────── one visit, traced and untraced ─────────────────────────────

async function tracedVisit(): Promise<{ ms: number; events: number; pcap: number }> {
  const t0 = now();
  const r = await runVisit({ url: URL_, capture: true });
  const ms = now() - t0;
  if (r.visits[0].error) throw new Error(`visit failed: ${r.visits[0].error.message}`);
  return { ms, events: r.events.length, pcap: r.pcapng!.length };
}

/** runVisit without the recorder and the capture: the simulation alone. */
async function untracedVisit(): Promise<number> {
  const t0 = now();
  const { net, apps } = buildWorld(undefined, { seed: 1 });
  const pc = net.hostNamed('pc');
  const browser = new Browser({
    net: pc.net!,
    resolve: resolver(apps.stubs.get('pc')!),
    clock: net.clock,
    trace: net.trace,
    node: 'pc',
  });
  await net.run({ until: net.clock.now() + 10_000_000 });
  const page = await net.runUntilSettled(browser.visit(URL_));
  if (page.status !== 200) throw new Error(`status ${page.status}`);
  browser.closeConnections();
  await net.run({ until: net.clock.now() + 130 * SECOND });
  return now() - t0;
}

// ─────────────────────────────── 1,000 visits from 100 hosts ──────────────────────────────

const CLIENTS = 100;
const VISITS_EACH = 10;
const PER_SWITCH = 25;

/**
 * The default internet plus 100 client hosts on the home LAN (192.168.3.100–199): a switch
 * `sw-lan` on sw-home's free port4 feeds four access switches of 25 clients each.
 */
function manyClientsTopology(): { text: string; file: string } {
  const base = topologyFile('internet')!.text;
  const nodes: string[] = [];
  const links: string[] = [];
  const access = Math.ceil(CLIENTS / PER_SWITCH);
  nodes.push(
    `  sw-lan:\n    kind: switch\n    description: the home LAN's distribution switch\n    ports: ${access + 1}\n`,
  );
  links.push('  - [sw-home.port4, sw-lan.port1]');
  for (let s = 0; s < access; s++) {
    nodes.push(`  sw-lan${s + 1}:\n    kind: switch\n    ports: ${PER_SWITCH + 1}\n`);
    links.push(`  - [sw-lan.port${s + 2}, sw-lan${s + 1}.port1]`);
  }
  for (let i = 0; i < CLIENTS; i++) {
    const name = `c${String(i).padStart(3, '0')}`;
    nodes.push(
      `  ${name}:\n    kind: host\n    interfaces:\n      eth0: { address: 192.168.3.${100 + i}/24, mac: 02:00:00:01:00:${(100 + i).toString(16).padStart(2, '0')} }\n    routes:\n      - { to: default, via: 192.168.3.1 }\n    resolver: 203.0.113.53\n`,
    );
    const sw = Math.floor(i / PER_SWITCH) + 1;
    links.push(`  - [${name}.eth0, sw-lan${sw}.port${(i % PER_SWITCH) + 2}]`);
  }
  const at = base.indexOf('\nlinks:\n');
  const text = `${base.slice(0, at)}\n${nodes.join('\n')}${base.slice(at)}\n${links.join('\n')}\n`;
  return { text, file: 'internet-100-clients.yaml' };
}

async function manyVisits(): Promise<{
  build: number;
  run: number;
  ok: number;
  failed: number;
  simSeconds: number;
}> {
  const t0 = now();
  const { net, apps } = buildWorld(manyClientsTopology(), { seed: 1 });
  const build = now() - t0;
  await net.run({ until: net.clock.now() + 10_000_000 });
  const simStart = net.clock.now();
  let ok = 0;
  let failed = 0;
  const client = async (name: string): Promise<void> => {
    const h = net.hostNamed(name);
    const resolve = resolver(apps.stubs.get(name)!);
    for (let v = 0; v < VISITS_EACH; v++) {
      // each visit: a fresh browser (empty HTTP and browser DNS caches, new connections); the
      // OS cache of the host and the ISP resolver's cache stay warm, as they would
      const b = new Browser({
        net: h.net!,
        resolve,
        clock: net.clock,
        trace: net.trace,
        node: name,
      });
      try {
        const page = await b.visit(URL_);
        if (page.status === 200) ok++;
        else failed++;
      } catch {
        failed++;
      }
      b.closeConnections();
    }
  };
  const t1 = now();
  await net.runUntilSettled(
    Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => client(`c${String(i).padStart(3, '0')}`)),
    ),
  );
  const run = now() - t1;
  return { build, run, ok, failed, simSeconds: (net.clock.now() - simStart) / SECOND };
}

// ────────────────────────────── reference: Node http on loopback ──────────────────────────

async function nodeServer(): Promise<{ port: number; close(): void }> {
  const site = embeddedSite('www.server.com')!;
  const server = http.createServer((req, res) => {
    const path = req.url === '/' ? '/index.html' : (req.url ?? '/');
    const f = site.files.get(path);
    if (f === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': f.type, 'Content-Length': f.body.length });
    res.end(f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

function get(port: number, path: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent, headers: { Host: 'www.server.com' } }, (res) => {
        let n = 0;
        res.on('data', (d: Buffer) => (n += d.length));
        res.on('end', () => resolve(n));
      })
      .on('error', reject);
  });
}

/** One page load as the browser does it: the document, then its subresources in parallel. */
async function nodeVisit(port: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  await get(port, '/', agent);
  await Promise.all(['/style.css', '/app.js', '/logo.png'].map((p) => get(port, p, agent)));
  agent.destroy();
}

// ──────────────────────────────────────────── run ─────────────────────────────────────────

const RUNS = 15;
for (let i = 0; i < 3; i++) {
  await tracedVisit();
  await untracedVisit();
}
const traced: number[] = [];
const untraced: number[] = [];
let events = 0;
let pcap = 0;
for (let i = 0; i < RUNS; i++) {
  const t = await tracedVisit();
  traced.push(t.ms);
  events = t.events;
  pcap = t.pcap;
  untraced.push(await untracedVisit());
}

const srv = await nodeServer();
for (let i = 0; i < 20; i++) await nodeVisit(srv.port);
const nodeOne: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = now();
  await nodeVisit(srv.port);
  nodeOne.push(now() - t0);
}
const tn = now();
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    for (let v = 0; v < VISITS_EACH; v++) await nodeVisit(srv.port);
  }),
);
const nodeMany = now() - tn;
srv.close();

await manyVisits(); // warm-up
const many = await manyVisits();
if (many.failed > 0 || many.ok !== CLIENTS * VISITS_EACH)
  throw new Error(`${many.failed} of ${CLIENTS * VISITS_EACH} visits failed`);

const visitsPerS = (CLIENTS * VISITS_EACH) / (many.run / 1000);
const nodePerS = (CLIENTS * VISITS_EACH) / (nodeMany / 1000);
const f1 = (x: number): string => x.toFixed(1);
console.log(`one visit of ${URL_} on the default internet (${RUNS} runs after 3 warm-ups)`);
console.log('                                                     best    median');
console.log(
  `  runVisit, trace recorded + pcapng               ${f1(Math.min(...traced)).padStart(7)} ms ${f1(median(traced)).padStart(7)} ms   target < 150 ms`,
);
console.log(`    (${events} trace events, pcapng ${pcap} bytes)`);
console.log(
  `  same visit, trace off (reference)               ${f1(Math.min(...untraced)).padStart(7)} ms ${f1(median(untraced)).padStart(7)} ms`,
);
console.log(
  `  Node http, loopback, same 4 requests (reference)${f1(Math.min(...nodeOne)).padStart(7)} ms ${f1(median(nodeOne)).padStart(7)} ms`,
);
console.log('');
console.log(
  `${CLIENTS * VISITS_EACH} visits from ${CLIENTS} client hosts on the home LAN, one world (each visit: fresh browser, page + 3 subresources, close)`,
);
console.log(
  `  build the world (${21 + 1 + Math.ceil(CLIENTS / PER_SWITCH) + CLIENTS} nodes, services)      ${f1(many.build).padStart(8)} ms`,
);
console.log(
  `  run the visits                                 ${f1(many.run).padStart(8)} ms wall, ${many.simSeconds.toFixed(3)} s simulated`,
);
console.log(
  `  visits per wall second                         ${visitsPerS.toFixed(0).padStart(8)}        target ≥ 1000`,
);
console.log(
  `  Node http, loopback, same loads (reference)    ${nodePerS.toFixed(0).padStart(8)} visits/s`,
);
console.log(
  JSON.stringify({
    bench: 'visit',
    figures: {
      visit_wall_ms: {
        value: Number(f1(median(traced))),
        unit: 'ms',
        target: 150,
        better: 'lower',
      },
      visit_wall_best_ms: {
        value: Number(f1(Math.min(...traced))),
        unit: 'ms',
        target: 150,
        better: 'lower',
      },
      visit_untraced_ms: { value: Number(f1(median(untraced))), unit: 'ms', better: 'lower' },
      node_http_visit_ms: {
        value: Number(median(nodeOne).toFixed(2)),
        unit: 'ms',
        better: 'lower',
      },
      visits_per_s: {
        value: Math.round(visitsPerS),
        unit: 'visits/s',
        target: 1000,
        better: 'higher',
      },
      node_http_visits_per_s: { value: Math.round(nodePerS), unit: 'visits/s', better: 'higher' },
    },
  }),
);
