/**
 * Runs what the address bar asked for on a topology and turns the trace into RunData: either a
 * visit (web/src/visit-adapter.ts) or a tool (`ping X`, `traceroute X`; also what a URL falls
 * back to on a topology without DNS and web services, like the seeds' simple network). Pure
 * TypeScript over src/: the worker calls it, and so do the Node tests.
 */
import { defaultZones } from '../../src/apps/dns/hierarchy.js';
import { ReverseNames } from '../../src/apps/dns/reverse.js';
import { Capture } from '../../src/sim/capture.js';
import { TraceRecorder } from '../../src/sim/trace.js';
import { ping } from '../../src/apps/tools/ping.js';
import { traceroute } from '../../src/apps/tools/traceroute.js';
import { MS } from '../../src/sim/time.js';
import { TcpLayer } from '../../src/stack/tcp/index.js';
import { formatIpv4, parseIpv4 } from '../../src/wire/addr.js';
import { readApps, startApps } from '../../src/world/services.js';
import { buildNetwork, parseTopology, TopologyError } from '../../src/world/topology.js';
import type { Topology } from '../../src/world/topology.js';
import { parseDuration } from '../../src/world/units.js';
import { analyse } from './model.js';
import type { MediumInfo } from './model.js';
import { describeNetwork } from './network-info.js';
import { toolStory } from './toolstory.js';
import type { Faults, RunData, WaterfallRow } from './types.js';

export interface ParsedInput {
  tool: 'ping' | 'traceroute' | 'visit';
  target: string;
  count?: number;
}

/** "ping 198.51.100.80", "ping -c 2 x", "traceroute x", or anything else: a URL to visit. */
export function parseInput(input: string): ParsedInput {
  const words = input.trim().split(/\s+/);
  const cmd = words[0]?.toLowerCase();
  if (cmd === 'ping' || cmd === 'traceroute' || cmd === 'tracert') {
    let count: number | undefined;
    let target = '';
    for (let i = 1; i < words.length; i++) {
      if (words[i] === '-c' && i + 1 < words.length) count = Number(words[++i]);
      else if (!words[i].startsWith('-')) target = words[i];
    }
    return {
      tool: cmd === 'ping' ? 'ping' : 'traceroute',
      target,
      count: Number.isFinite(count) ? count : undefined,
    };
  }
  return { tool: 'visit', target: input.trim() };
}

export interface ToolRequest {
  input: string;
  yaml: string;
  file: string;
  seed?: number;
  faults?: Faults;
}

/** Links between two routers: the "wide-area" links the delay and MTU knobs change. */
function isWan(topo: Topology, ends: readonly string[]): boolean {
  const kinds = ends.map(
    (id) => topo.nodes.find((n) => n.name === id.slice(0, id.indexOf('.')))?.kind,
  );
  return kinds.length === 2 && kinds.every((k) => k === 'router');
}

/** Applies the fault knobs to a parsed topology (before it is built). */
export function applyFaults(topo: Topology, faults: Faults | undefined): void {
  if (faults === undefined) return;
  let extra = 0;
  if (faults.delay !== undefined && faults.delay.trim() !== '') {
    const d = parseDuration(faults.delay.trim());
    if (!d.ok) throw new Error(`delay: ${d.message}`);
    extra = d.value;
  }
  for (const l of topo.links) {
    const wan = isWan(
      topo,
      l.ends.map((e) => `${e.node}.${e.port}`),
    );
    if (faults.loss !== undefined && faults.loss > 0) l.props.loss = faults.loss;
    if (wan && extra > 0) l.props.delay = (l.props.delay ?? 0) + extra;
    if (wan && faults.mtu !== undefined && faults.mtu > 0) {
      l.props.mtu = faults.mtu;
      for (const e of l.ends) {
        const iface = topo.nodes
          .find((n) => n.name === e.node)
          ?.interfaces.find((i) => i.name === e.port);
        if (iface !== undefined) iface.mtu = faults.mtu;
      }
    }
  }
}

/** The host the page acts from: "pc", or else the first host of the topology. */
export function pickClient(topo: Topology): string {
  return (
    (topo.nodes.find((n) => n.name === 'pc') ?? topo.nodes.find((n) => n.kind === 'host'))?.name ??
    ''
  );
}

/** The address a name or URL stands for in a network without DNS: a web server's address. */
function guessTarget(topo: Topology, target: string): string {
  let host = target;
  try {
    host = new URL(/^[a-z]+:\/\//i.test(target) ? target : `http://${target}`).hostname;
  } catch {
    /* keep the text */
  }
  if (parseIpv4(host) !== undefined) return host;
  const servers = topo.nodes.filter((n) => n.kind === 'host' && n.name !== pickClient(topo));
  const named = servers.find((n) => /server|web|www/.test(n.name)) ?? servers[servers.length - 1];
  const a = named?.interfaces[0]?.addresses[0];
  if (a === undefined)
    throw new Error(`${host}: no address to reach (this topology has no server)`);
  return `${a.addr >>> 24}.${(a.addr >>> 16) & 255}.${(a.addr >>> 8) & 255}.${a.addr & 255}`;
}

export function mediaInfo(data: Pick<RunData, 'links'>): Map<string, MediumInfo> {
  return new Map(
    data.links.map((l) => [
      l.name,
      { receivers: Math.max(1, l.ends.length - 1), delay: l.delay ?? 0 },
    ]),
  );
}

/** Runs ping or traceroute (a URL falls back to a ping of its server) and records it all. */
export async function runTool(req: ToolRequest, now: () => number = () => 0): Promise<RunData> {
  const t0 = now();
  const parsed = parseInput(req.input);
  let topo: Topology;
  try {
    topo = parseTopology(req.yaml, req.file);
  } catch (e) {
    if (e instanceof TopologyError) throw new Error(e.message);
    throw e;
  }
  applyFaults(topo, req.faults);
  // A name ("ping www.server.com") is looked up as ping does it: the client's stub resolver
  // (hosts file, then the DNS servers of its resolv.conf), so the services must run.
  const named =
    parsed.tool !== 'visit' && parsed.target !== '' && parseIpv4(parsed.target) === undefined;
  const net = buildNetwork(topo, {
    seed: req.seed,
    tcp: named ? (hst) => new TcpLayer(hst) : undefined,
  });
  const client = pickClient(topo);
  const host = net.hostNamed(client);
  const stub = named ? startApps(net, readApps(topo), defaultZones()).stubs.get(client) : undefined;
  const rec = new TraceRecorder(net.trace);
  const cap = new Capture(net.trace, { comment: `wiretrail web: ${req.input}` });
  const output: string[] = [];
  const tool = parsed.tool === 'traceroute' ? 'traceroute' : 'ping';
  // Let the NICs' gratuitous ARPs settle first, as a booted network would have.
  await net.run({ until: 1 * MS });
  let target: string | undefined;
  let error: string | undefined;
  // What the banner calls the target: ping its canonical name (iputils prints getaddrinfo's
  // ai_canonname: "ping img.server.com" says "PING www.server.com"), traceroute the name typed.
  let banner = parsed.target;
  if (stub !== undefined) {
    try {
      const r = await net.runUntilSettled(stub.lookup(parsed.target));
      if (tool === 'ping' && r.canonicalName !== '') banner = r.canonicalName;
      if (r.addresses.length > 0) target = formatIpv4(r.addresses[0]);
      else error = `${tool}: ${parsed.target}: No address associated with hostname`;
    } catch {
      error = `${tool}: ${parsed.target}: Name or service not known`;
    }
  } else target = guessTarget(topo, parsed.target === '' ? 'server' : parsed.target);
  if (parsed.tool === 'visit') {
    output.push(`(no visit here: pinging ${target}, the server of ${parsed.target}, instead)`);
  }
  const print = (line: string): void => {
    // Like iputils and traceroute, the banner and the statistics name what was typed:
    // "PING www.server.com (198.51.100.80) 56(84) bytes of data."
    if (named && target !== undefined && /^(PING|traceroute to) /.test(line))
      line = line.replace(`${target} (${target})`, `${banner} (${target})`);
    else if (named && line === `--- ${target} ping statistics ---`)
      line = `--- ${banner} ping statistics ---`;
    output.push(line);
  };
  // Replies and hops are named as the CLI's tools name them (getnameinfo: the hosts file, then
  // PTR queries, which appear among the frames), when the target was typed as a name.
  const names =
    stub !== undefined ? new ReverseNames(async (a) => (await stub.reverse(a)).name) : undefined;
  if (target === undefined) output.push(error ?? `${tool}: ${parsed.target}: unknown host`);
  else if (tool === 'ping') {
    await net.runUntilSettled(ping(host, { target, count: parsed.count ?? 2, names }, print));
  } else {
    await net.runUntilSettled(
      traceroute(host, { target, maxTtl: 12, queries: 1, wait: 1_000 * MS, names }, print),
    );
  }
  rec.stop();
  cap.stop();
  const t1 = now();
  const { nodes, links } = describeNetwork(topo, net, client);
  const base = { links };
  const a = analyse(rec.events, mediaInfo(base));
  const shown =
    named && target !== undefined ? `${parsed.target} (${target})` : (target ?? parsed.target);
  // Which frame each event was emitted while handling (a row's actions).
  const frameOfEvent = new Map<number, number>();
  for (const row of a.rows) for (const i of row.actions) frameOfEvent.set(i, a.hops[row.hop].frame);
  const story = toolStory(rec.events, client, tool, shown, (i) => {
    const f = frameOfEvent.get(i);
    return f === undefined ? undefined : a.frames[f];
  });
  const waterfall: WaterfallRow[] = [];
  for (const e of rec.events) {
    if (e.kind === 'icmp.tx' && e.node === client && e.type === 8) {
      const reply = rec.events.find(
        (x) => x.kind === 'icmp.rx' && x.node === client && x.t >= e.t && x.seq === e.seq,
      );
      if (reply !== undefined)
        waterfall.push({
          label: `echo seq ${e.seq ?? '?'}`,
          start: e.t,
          end: reply.t,
          phases: [{ name: 'wait', start: e.t, end: reply.t }],
        });
    }
  }
  return {
    input: req.input,
    title: {
      en: `${tool} ${shown} from ${client}${error !== undefined ? `: ${error}` : ''}`,
      zh: `从 ${client} ${tool} ${shown}${error !== undefined ? `：${error}` : ''}`,
    },
    mode: tool,
    topologyName: topo.name ?? req.file,
    nodes,
    links,
    events: rec.events,
    frames: a.frames,
    frameBytes: a.frameBytes,
    hops: a.hops,
    rows: a.rows,
    story,
    waterfall,
    output,
    pcapng: cap.bytes(),
    endT: a.endT,
    error,
    timing: { simulate: t1 - t0, analyse: now() - t1 },
  };
}
