/**
 * The main job, as a library call: build a network (the default internet unless a topology is
 * given), start every service, type a URL into the browser of the client host, run the
 * simulation until the page is loaded (and the connections are closed), and return the
 * recorded trace — the only input of the story, the capture and the web visualiser.
 *
 *   const r = await runVisit({ url: 'http://www.server.com/' });
 *   r.events        // every trace event, in order
 *   r.visits[0]     // the PageLoad (or the error) of the first visit
 *   r.pcapng        // the capture, when asked for
 *
 * Browser-safe: used by the CLI (`wiretrail visit`) and by the web page's worker.
 */
import { Browser } from '../apps/browser/browser.js';
import type { PageLoad } from '../apps/browser/browser.js';
import { defaultZones } from '../apps/dns/hierarchy.js';
import type { StubResolver } from '../apps/dns/stub.js';
import type { Link, LinkProps } from '../sim/link.js';
import { SECOND } from '../sim/time.js';
import { captureFromTrace } from '../sim/trace-capture.js';
import type { Duration, Instant } from '../sim/time.js';
import type { TraceEvent } from '../sim/trace.js';
import { TraceRecorder } from '../sim/trace.js';
import { TcpLayer } from '../stack/tcp/index.js';
import type { Network } from './network.js';
import { topologyFile } from './examples/index.js';
import { readApps, startApps } from './services.js';
import type { RunningApps } from './services.js';
import { buildNetwork, parseTopology } from './topology.js';
import type { Topology } from './topology.js';

declare module '../sim/trace.js' {
  interface TraceEventMap {
    /** A visit begins: the user typed `input` into the browser of `node`. */
    'visit.start': { input: string; index: number };
    /** A visit ended with a page or an error. */
    'visit.end': { index: number; ok: boolean; status?: number; error?: string; code?: string };
    /** A fault the user asked for was applied to a link or interface. */
    'visit.fault': { target: string; what: string };
  }
}

export interface VisitFaults {
  /** Probability of losing each frame on the faulty link (0..1). */
  loss?: number;
  /** Extra one-way delay on the faulty link. */
  delay?: Duration;
  /** MTU of the faulty link's interfaces (both ends). */
  mtu?: number;
  /** The link ("node.port") to apply them to; default: the client's access line. */
  link?: string;
}

export interface VisitOptions {
  /** What the user types in the address bar. */
  url: string;
  /** Topology text and file name; default: the embedded default internet. */
  topology?: { text: string; file: string };
  /** The host whose browser is used; default "pc". */
  client?: string;
  seed?: number;
  faults?: VisitFaults;
  /** Number of visits of the same URL in the same run (the second shows the caches); default 1. */
  repeat?: number;
  /** Time between visits; default 1 s. */
  pause?: Duration;
  /**
   * Also return a pcapng of the client's interfaces (for the web page's download button; the
   * CLI writes its own with per-step comments). Default false.
   */
  capture?: boolean;
  /** Wait for the connections to close (FIN, TIME-WAIT) after the last visit; default true. */
  close?: boolean;
}

export interface VisitError {
  message: string;
  code?: string;
}

export interface VisitRecord {
  input: string;
  startedAt: Instant;
  finishedAt: Instant;
  page?: PageLoad;
  error?: VisitError;
}

export interface VisitResult {
  topology: Topology;
  net: Network;
  apps: RunningApps;
  client: string;
  events: TraceEvent[];
  visits: VisitRecord[];
  pcapng?: Uint8Array;
  /** The link the faults were applied to, if any. */
  faultLink?: string;
}

export interface World {
  topology: Topology;
  net: Network;
  apps: RunningApps;
  /** Recording every trace event from before the services start, when asked for. */
  recorder?: TraceRecorder;
}

/**
 * Builds a topology (the default internet when none is given) with TCP on every host and the
 * services of its hosts started: the network a visit, `wiretrail run` or the web page uses.
 */
export function buildWorld(file: { text: string; file: string } | undefined, o: { seed?: number; record?: boolean } = {}): World {
  const f = file ?? { text: topologyFile('internet')!.text, file: 'internet.yaml' };
  const topology = parseTopology(f.text, f.file);
  const appSpecs = readApps(topology);
  let recorder: TraceRecorder | undefined;
  // Record from the very start: links coming up send gratuitous ARPs while the network is built.
  const net = buildNetwork(topology, {
    seed: o.seed,
    tcp: (h) => new TcpLayer(h),
    onCreate: (n) => {
      if (o.record) recorder = new TraceRecorder(n.trace);
    },
  });
  const apps = startApps(net, appSpecs, defaultZones());
  return { topology, net, apps, recorder };
}

/** The default access line: the client's router's link towards the rest of the world. */
const DEFAULT_FAULT_LINK = 'r-home.eth1';

export async function runVisit(options: VisitOptions): Promise<VisitResult> {
  const { topology, net, apps: running, recorder } = buildWorld(options.topology, { seed: options.seed, record: true });
  const clientName = options.client ?? 'pc';
  const client = net.hostNamed(clientName);
  if (client.net === undefined) throw new Error(`${clientName}: no TCP layer`);
  const stub = running.stubs.get(clientName);

  const faultLink = options.faults ? applyFaults(net, options.faults) : undefined;

  const browser = new Browser({
    net: client.net,
    // Without a resolver (a topology with no DNS), only IP addresses can be visited.
    resolve: (name) =>
      stub !== undefined
        ? lookup(stub, name)
        : Promise.reject(new Error(`${clientName} has no DNS resolver configured (type an IP address, or add "resolver: <address>" to ${clientName} in the topology)`)),
    clock: net.clock,
    trace: net.trace,
    node: clientName,
  });

  // Let gratuitous ARP and other start-up traffic settle before the user types.
  await net.run({ until: net.clock.now() + 10_000_000 });

  const visits: VisitRecord[] = [];
  const repeat = Math.max(1, options.repeat ?? 1);
  for (let i = 0; i < repeat; i++) {
    if (i > 0) await net.run({ until: net.clock.now() + (options.pause ?? SECOND) });
    net.trace.emit('visit.start', clientName, { input: options.url, index: i });
    const startedAt = net.clock.now();
    const record: VisitRecord = { input: options.url, startedAt, finishedAt: startedAt };
    try {
      record.page = await net.runUntilSettled(browser.visit(options.url));
      net.trace.emit('visit.end', clientName, { index: i, ok: true, status: record.page.status });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      record.error = { message: e instanceof Error ? e.message : String(e), code: typeof code === 'string' ? code : undefined };
      net.trace.emit('visit.end', clientName, { index: i, ok: false, error: record.error.message, code: record.error.code });
    }
    record.finishedAt = net.clock.now();
    visits.push(record);
  }
  if (options.close ?? true) {
    browser.closeConnections();
    // FIN/ACK exchanges and TIME-WAIT (2·MSL) play out; bounded so a broken peer cannot hang us.
    await net.run({ until: net.clock.now() + 130 * SECOND });
  }
  recorder!.stop();
  return {
    topology,
    net,
    apps: running,
    client: clientName,
    events: recorder!.events,
    visits,
    pcapng: options.capture
      ? captureFromTrace(recorder!.events, { points: client.portNames().map((p) => `${clientName}.${p}`) }).bytes
      : undefined,
    faultLink,
  };
}

async function lookup(stub: StubResolver, name: string) {
  const r = await stub.lookup(name);
  return { addresses: r.addresses, ttl: r.ttl, source: r.source, server: r.server };
}

function applyFaults(net: Network, faults: VisitFaults): string {
  const where = faults.link ?? DEFAULT_FAULT_LINK;
  const link = net.media.find((m) => m.ports.some((p) => p.id === where)) as Link | undefined;
  if (link === undefined) throw new Error(`fault link "${where}": no link is attached to that port`);
  const props: Partial<LinkProps> = {};
  if (faults.loss !== undefined) props.loss = faults.loss;
  if (faults.delay !== undefined) props.delay = link.props.delay + faults.delay;
  if (faults.mtu !== undefined) props.mtu = faults.mtu;
  link.update(props);
  if (faults.mtu !== undefined) {
    for (const p of link.ports) {
      const [node, ifname] = [p.id.slice(0, p.id.lastIndexOf('.')), p.id.slice(p.id.lastIndexOf('.') + 1)];
      const n = net.nodes.get(node) as { interfaces?: Map<string, { mtu: number }> } | undefined;
      const iface = n?.interfaces?.get(ifname);
      if (iface !== undefined) iface.mtu = faults.mtu;
    }
  }
  const what = [
    faults.loss !== undefined ? `loss ${(faults.loss * 100).toFixed(1)}%` : '',
    faults.delay !== undefined ? `+${faults.delay / 1e6} ms delay` : '',
    faults.mtu !== undefined ? `MTU ${faults.mtu}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  net.trace.emit('visit.fault', 'sim', { target: link.name, what });
  return link.name;
}
