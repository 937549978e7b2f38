/**
 * What a topology is, in words and tables: `describeWorld` reads a built world (topology,
 * network, running services) into plain data (JSON-able), and `formatTopology` draws it — a
 * tree of nodes and links from the client outwards (kind, description, interfaces with
 * addresses and MACs, link properties), then the links, every host's and router's routing
 * table in `route -n` form, the switches, the DNS servers and their zones, and the web servers
 * and their sites. Pure and browser-safe: `wiretrail topology` (src/cli/topology.ts) prints it,
 * and the web page may show it.
 *
 * The routing tables are the ones the built stacks hold (connected routes included, as the
 * kernel adds them), not only the routes the file lists.
 */
import { Host } from '../devices/host.js';
import { Hub } from '../devices/hub.js';
import { Switch } from '../devices/switch.js';
import type { Medium } from '../sim/link.js';
import { MS, SECOND, US } from '../sim/time.js';
import { formatIpv4, formatMac } from '../wire/addr.js';
import type { Ipv4Addr } from '../wire/addr.js';
import { DnsType } from '../wire/dns.js';
import { formatRouteN } from '../apps/tools/route.js';
import type { Network } from './network.js';
import type { RunningApps } from './services.js';
import type { Topology } from './topology.js';

export interface IfaceInfo {
  name: string;
  /** "192.168.3.10/24" */
  addresses: string[];
  mac: string;
  mtu: number;
}

export interface PortInfo {
  name: string;
  /** "node.port" at the other end of the link, when connected. */
  peer?: string;
}

export interface RouteRow {
  destination: string;
  gateway: string;
  genmask: string;
  flags: string;
  metric: number;
  iface: string;
}

export interface NodeInfo {
  name: string;
  kind: string;
  description?: string;
  /** Hosts and routers. */
  interfaces: IfaceInfo[];
  /** Switches and hubs. */
  ports: PortInfo[];
  forwarding: boolean;
  /** The routing table as `route -n` shows it (hosts and routers). */
  routes: RouteRow[];
  /** Services the node runs: "http", "dns-authoritative", "dns-resolver". */
  services: string[];
  /** resolv.conf nameservers of its stub resolver. */
  nameservers: string[];
  /** /etc/hosts entries besides localhost: "nas.home 192.168.10.200". */
  hosts: { name: string; address: string }[];
  /** Switch settings. */
  ageingSeconds?: number;
  tableSize?: number;
}

export interface LinkInfo {
  name: string;
  kind: 'link' | 'segment';
  /** "node.port" of each end. */
  ends: string[];
  /** Bits per second (null: unlimited). */
  bandwidth: number | null;
  /** One-way delay, ns. */
  delay: number;
  mtu: number;
  loss: number;
  jitter: number;
  duplicate: number;
  corrupt: number;
  reorder: number;
}

export interface DnsServerInfo {
  node: string;
  address: string;
  role: 'authoritative' | 'recursive';
  /** Authoritative: the zones served. */
  zones: { origin: string; records: number; file: string }[];
  /** The server's names in NS records ("a.root-servers.net"). */
  names: string[];
  /** Recursive: the hosts whose resolv.conf names it. */
  clients: string[];
  qnameMinimisation?: boolean;
}

export interface WebServerInfo {
  node: string;
  address: string;
  site: string;
  /** DNS names whose A records point at the server. */
  names: string[];
  files: { path: string; bytes: number; type: string }[];
}

export interface TopologyDescription {
  name?: string;
  file: string;
  description?: string;
  seed: number;
  nodes: NodeInfo[];
  links: LinkInfo[];
  dns: DnsServerInfo[];
  web: WebServerInfo[];
}

export interface DescribeInput {
  topology: Topology;
  net: Network;
  apps: RunningApps;
}

const firstAddress = (h: Host): Ipv4Addr | undefined =>
  h.localAddresses().find((a) => a >>> 24 !== 127);

function routeRows(h: Host): RouteRow[] {
  const lines = formatRouteN(h.routes.listForDisplay()).slice(2);
  return lines.map((l) => {
    const [destination, gateway, genmask, flags, metric, , , iface] = l.split(/\s+/);
    return { destination, gateway, genmask, flags, metric: Number(metric), iface };
  });
}

/** Reads a built world into plain data. */
export function describeWorld(w: DescribeInput): TopologyDescription {
  const { topology, net, apps } = w;
  const peers = new Map<string, string[]>();
  for (const m of net.media) {
    for (const p of m.ports)
      peers.set(
        p.id,
        m.ports.filter((q) => q !== p).map((q) => q.id),
      );
  }
  const nodes: NodeInfo[] = topology.nodes.map((t) => {
    const n = net.nodes.get(t.name)!;
    const info: NodeInfo = {
      name: t.name,
      kind: t.kind,
      description: t.description,
      interfaces: [],
      ports: [],
      forwarding: false,
      routes: [],
      services: [],
      nameservers: [],
      hosts: [],
    };
    if (n instanceof Host) {
      info.forwarding = n.forwarding;
      for (const i of n.interfaces.values()) {
        if (i.kind !== 'ether') continue;
        info.interfaces.push({
          name: i.name,
          addresses: i.addrs.map((a) => `${formatIpv4(a.addr)}/${a.prefix}`),
          mac: formatMac(i.mac),
          mtu: i.mtu,
        });
      }
      info.routes = routeRows(n);
      if (apps.http.has(t.name)) info.services.push('http');
      if (apps.authoritative.has(t.name)) info.services.push('dns-authoritative');
      if (apps.resolvers.has(t.name)) info.services.push('dns-resolver');
      const stub = apps.stubs.get(t.name);
      if (stub !== undefined) {
        info.nameservers = stub.config.nameservers.map(formatIpv4);
        for (const e of stub.hosts.entries) {
          if (typeof e.address !== 'number' || e.address >>> 24 === 127) continue;
          for (const name of e.names) info.hosts.push({ name, address: formatIpv4(e.address) });
        }
      }
    } else if (n instanceof Switch) {
      info.ports = n.ports.map((p) => ({ name: p.name, peer: peers.get(p.id)?.[0] }));
      info.ageingSeconds = n.ageing / SECOND;
      info.tableSize = n.tableSize;
    } else if (n instanceof Hub) {
      info.ports = n.ports.map((p) => ({ name: p.name, peer: peers.get(p.id)?.[0] }));
    }
    return info;
  });
  const links: LinkInfo[] = net.media.map((m: Medium) => ({
    name: m.name,
    kind: m.ports.length === 2 ? 'link' : 'segment',
    ends: m.ports.map((p) => p.id),
    bandwidth: Number.isFinite(m.props.bandwidth) ? m.props.bandwidth : null,
    delay: m.props.delay,
    mtu: m.props.mtu,
    loss: m.props.loss,
    jitter: m.props.jitter,
    duplicate: m.props.duplicate,
    corrupt: m.props.corrupt,
    reorder: m.props.reorder,
  }));

  // DNS: who serves what, and which names point where
  const allZones = [...apps.authoritative.values()].flatMap((s) => s.options.zones ?? []);
  const namesOf = (addr: Ipv4Addr): string[] => {
    const out = new Set<string>();
    for (const z of allZones)
      for (const s of z.rrsets())
        if (s.type === DnsType.A && s.rdata.some((d) => d.kind === 'A' && d.address === addr))
          out.add(s.name.replace(/\.$/, ''));
    return [...out];
  };
  const nsNames = (addr: Ipv4Addr): string[] => {
    const nsTargets = new Set<string>();
    for (const z of allZones)
      for (const s of z.rrsets())
        if (s.type === DnsType.NS)
          for (const d of s.rdata) if (d.kind === 'NS') nsTargets.add(d.target);
    return namesOf(addr).filter((n) => nsTargets.has(`${n}.`));
  };
  const dns: DnsServerInfo[] = [];
  for (const t of topology.nodes) {
    const auth = apps.authoritative.get(t.name);
    const rec = apps.resolvers.get(t.name);
    if (auth === undefined && rec === undefined) continue;
    const h = net.hostNamed(t.name);
    const addr = firstAddress(h) ?? 0;
    if (auth !== undefined) {
      dns.push({
        node: t.name,
        address: formatIpv4(addr),
        role: 'authoritative',
        zones: (auth.options.zones ?? []).map((z) => ({
          origin: z.origin,
          records: z.rrsets().reduce((n, s) => n + s.rdata.length, 0),
          file: z.file,
        })),
        names: nsNames(addr),
        clients: [],
      });
    }
    if (rec !== undefined) {
      const own = h.localAddresses();
      dns.push({
        node: t.name,
        address: formatIpv4(addr),
        role: 'recursive',
        zones: [],
        names: namesOf(addr),
        clients: [...apps.stubs.entries()]
          .filter(([, s]) => s.config.nameservers.some((a) => own.includes(a)))
          .map(([n]) => n),
        qnameMinimisation: rec.qnameMinimisation,
      });
    }
  }
  const web: WebServerInfo[] = [];
  for (const t of topology.nodes) {
    const srv = apps.http.get(t.name);
    if (srv === undefined) continue;
    const addr = firstAddress(net.hostNamed(t.name)) ?? 0;
    const site = srv.options.site;
    web.push({
      node: t.name,
      address: formatIpv4(addr),
      site: site?.name ?? '',
      names: namesOf(addr),
      files: site
        ? [...site.files.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([path, f]) => ({ path, bytes: f.body.length, type: f.type }))
        : [],
    });
  }
  return {
    name: topology.name,
    file: topology.file,
    description: topology.description,
    seed: net.seed,
    nodes,
    links,
    dns,
    web,
  };
}

// ─────────────────────────────────────────── text ─────────────────────────────────────────

/** "1 Gbit/s", "100 Mbit/s", "unlimited" */
export function formatBandwidth(bps: number | null): string {
  if (bps === null) return 'unlimited';
  const units: [number, string][] = [
    [1e12, 'Tbit/s'],
    [1e9, 'Gbit/s'],
    [1e6, 'Mbit/s'],
    [1e3, 'kbit/s'],
  ];
  for (const [u, name] of units) if (bps >= u) return `${trim(bps / u)} ${name}`;
  return `${bps} bit/s`;
}

/** "5 µs", "3 ms", "1.5 s" */
export function formatDelay(ns: number): string {
  if (ns >= SECOND) return `${trim(ns / SECOND)} s`;
  if (ns >= MS) return `${trim(ns / MS)} ms`;
  if (ns >= US) return `${trim(ns / US)} µs`;
  return `${ns} ns`;
}

function trim(x: number): string {
  return String(Number(x.toFixed(3)));
}

/** Faults and limits beyond bandwidth and delay: "mtu 1400, loss 1%". */
function linkExtras(l: LinkInfo): string[] {
  const p: string[] = [];
  if (l.mtu !== 1500) p.push(`mtu ${l.mtu}`);
  if (l.loss > 0) p.push(`loss ${trim(l.loss * 100)}%`);
  if (l.jitter > 0) p.push(`jitter ${formatDelay(l.jitter)}`);
  if (l.duplicate > 0) p.push(`duplicate ${trim(l.duplicate * 100)}%`);
  if (l.corrupt > 0) p.push(`corrupt ${trim(l.corrupt * 100)}%`);
  if (l.reorder > 0) p.push(`reorder ${trim(l.reorder * 100)}%`);
  return p;
}

function linkProps(l: LinkInfo): string {
  return [formatBandwidth(l.bandwidth), formatDelay(l.delay), ...linkExtras(l)].join(', ');
}

/** A table with left-aligned columns separated by two spaces (no trailing spaces). */
export function formatTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

interface Edge {
  local: string;
  peerNode: string;
  peerPort: string;
  link: LinkInfo;
}

/** The node a tree starts from: the first host with a resolver (the client), else the first node. */
function rootOf(d: TopologyDescription): NodeInfo | undefined {
  return d.nodes.find((n) => n.kind === 'host' && n.nameservers.length > 0) ?? d.nodes[0];
}

function nodeTitle(n: NodeInfo): string {
  let s = `${n.name}  ${n.kind}`;
  if (n.kind === 'switch' || n.kind === 'hub') s += ` (${n.ports.length} ports)`;
  if (n.description) s += ` — ${n.description}`;
  return s;
}

function nodeDetails(n: NodeInfo, d: TopologyDescription): string[] {
  const out: string[] = [];
  const rows = n.interfaces.map((i) => [
    i.name,
    i.addresses.join(', ') || '(no address)',
    i.mac,
    i.mtu !== 1500 ? `mtu ${i.mtu}` : '',
  ]);
  if (rows.length > 0) {
    const w = [0, 1].map((c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows)
      out.push(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2]}${r[3] ? `  ${r[3]}` : ''}`);
  }
  const svc: string[] = [];
  for (const s of n.services) {
    if (s === 'http') {
      const w = d.web.find((x) => x.node === n.name);
      svc.push(`web server (${w?.site ?? 'site'})`);
    } else if (s === 'dns-authoritative') {
      const z = d.dns.find((x) => x.node === n.name && x.role === 'authoritative');
      svc.push(`authoritative DNS (${(z?.zones ?? []).map((x) => x.origin).join(' ')})`);
    } else if (s === 'dns-resolver') svc.push('recursive DNS resolver');
  }
  if (svc.length > 0) out.push(`runs ${svc.join(', ')}`);
  if (n.nameservers.length > 0 || n.hosts.length > 0) {
    const parts: string[] = [];
    if (n.nameservers.length > 0) parts.push(`resolver ${n.nameservers.join(', ')}`);
    if (n.hosts.length > 0)
      parts.push(`/etc/hosts ${n.hosts.map((h) => `${h.name}=${h.address}`).join(', ')}`);
    out.push(parts.join(' · '));
  }
  return out;
}

/**
 * The diagram: a tree from the client outwards, each link drawn with its ports and properties
 * ("──" LAN, "══" a link of 1 ms or more), each node with its kind, description, interfaces
 * (address, MAC) and services. A link that closes a loop is listed where it is met.
 */
export function formatDiagram(d: TopologyDescription): string[] {
  const byName = new Map(d.nodes.map((n) => [n.name, n]));
  const edges = new Map<string, Edge[]>();
  for (const n of d.nodes) edges.set(n.name, []);
  for (const l of d.links) {
    for (const a of l.ends) {
      for (const b of l.ends) {
        if (a === b) continue;
        const [an, ap] = splitEnd(a);
        const [bn, bp] = splitEnd(b);
        edges.get(an)?.push({ local: ap, peerNode: bn, peerPort: bp, link: l });
      }
    }
  }
  // edges in port order: interfaces as declared, switch ports by number
  for (const [name, list] of edges) {
    const n = byName.get(name)!;
    const order = [...n.interfaces.map((i) => i.name), ...n.ports.map((p) => p.name)];
    list.sort((x, y) => order.indexOf(x.local) - order.indexOf(y.local));
  }
  const out: string[] = [];
  const seen = new Set<string>();
  const usedLinks = new Set<LinkInfo>();
  const visit = (n: NodeInfo, prefix: string, first: boolean): void => {
    seen.add(n.name);
    if (first) out.push(nodeTitle(n));
    const children = edges.get(n.name)!.filter((e) => !usedLinks.has(e.link));
    for (const e of children) usedLinks.add(e.link);
    const bar = children.length > 0 ? '│  ' : '   ';
    for (const l of nodeDetails(n, d)) out.push(`${prefix}${bar}${l}`);
    children.forEach((e, i) => {
      const last = i === children.length - 1;
      const wire = e.link.kind === 'segment' ? '┄┄' : e.link.delay >= MS ? '══' : '──';
      const props = `${e.link.kind === 'segment' ? 'shared segment, ' : ''}${linkProps(e.link)}`;
      const peer = byName.get(e.peerNode);
      const again = seen.has(e.peerNode);
      out.push(
        `${prefix}${last ? '└─ ' : '├─ '}${e.local} ${wire}[${props}]${wire} ${e.peerNode}.${e.peerPort}${again ? '  (loop: already shown above)' : ''}`,
      );
      if (again || peer === undefined) return;
      const next = prefix + (last ? '   ' : '│  ');
      out.push(`${next}${nodeTitle(peer)}`);
      visit(peer, next, false);
    });
  };
  const root = rootOf(d);
  if (root !== undefined) visit(root, '', true);
  for (const n of d.nodes) {
    if (seen.has(n.name)) continue;
    out.push('');
    visit(n, '', true);
  }
  return out;
}

function splitEnd(id: string): [string, string] {
  const i = id.lastIndexOf('.');
  return [id.slice(0, i), id.slice(i + 1)];
}

/** Every host's and router's routing table, as `route -n` prints it. */
export function formatRoutes(d: TopologyDescription): string[] {
  const out: string[] = [];
  for (const n of d.nodes) {
    if (n.kind !== 'host' && n.kind !== 'router') continue;
    if (out.length > 0) out.push('');
    out.push(`${n.name} (${n.kind}${n.forwarding ? ', forwards' : ''}) $ route -n`);
    out.push('Kernel IP routing table');
    out.push('Destination     Gateway         Genmask         Flags Metric Ref    Use Iface');
    for (const r of n.routes)
      out.push(
        `${r.destination.padEnd(15)} ${r.gateway.padEnd(15)} ${r.genmask.padEnd(15)} ${r.flags.padEnd(5)} ${String(r.metric).padEnd(6)} ${'0'.padEnd(2)} ${'0'.padStart(7)} ${r.iface}`,
      );
  }
  return out;
}

export interface FormatOptions {
  /** Only the routing tables. */
  routesOnly?: boolean;
}

/** The whole description: title, diagram, then the tables. */
export function formatTopology(d: TopologyDescription, o: FormatOptions = {}): string[] {
  if (o.routesOnly) return formatRoutes(d);
  const count = (k: string): number => d.nodes.filter((n) => n.kind === k).length;
  const kinds = (['host', 'router', 'switch', 'hub'] as const)
    .map((k) => [count(k), k] as const)
    .filter(([c]) => c > 0)
    .map(([c, k]) => `${c} ${k}${c === 1 ? '' : k === 'switch' ? 'es' : 's'}`);
  // links the file named (the others are called "a.port-b.port")
  const named = d.links.some((l) => l.name !== l.ends.join('-'));
  const out: string[] = [
    `${d.name ?? d.file} (${d.file}, seed ${d.seed})${d.description ? ` — ${d.description}` : ''}`,
    `${d.nodes.length} nodes (${kinds.join(', ')}) · ${d.links.length} links · ── LAN link, ══ link of 1 ms or more${d.links.some((l) => l.kind === 'segment') ? ', ┄┄ shared segment' : ''}, [bandwidth, one-way delay]`,
    '',
    ...formatDiagram(d),
    '',
    'Links',
    ...formatTable(
      [...(named ? ['link'] : []), 'ends', 'bandwidth', 'delay', 'mtu', 'faults'],
      d.links.map((l) => [
        ...(named ? [l.name] : []),
        l.ends.join(' ↔ '),
        formatBandwidth(l.bandwidth),
        formatDelay(l.delay),
        String(l.mtu),
        linkExtras({ ...l, mtu: 1500 }).join(', ') || '-',
      ]),
    ).map(indent),
    '',
    'Routing tables',
    ...formatRoutes(d).map(indent),
  ];
  const switches = d.nodes.filter((n) => n.kind === 'switch' || n.kind === 'hub');
  if (switches.length > 0) {
    out.push(
      '',
      `${switches.some((n) => n.kind === 'hub') ? 'Switches and hubs' : 'Switches'} (ports have no MAC address; the MAC table is learned from traffic)`,
    );
    for (const s of switches) {
      const extra =
        s.kind === 'switch'
          ? ` · MAC table ageing ${trim(s.ageingSeconds ?? 0)} s, ${s.tableSize} entries max`
          : '';
      out.push(indent(`${s.name} (${s.kind}, ${s.ports.length} ports${extra})`));
      out.push(
        ...formatTable(
          ['port', 'connected to'],
          s.ports.map((p) => [p.name, p.peer ?? '(free)']),
        ).map((l) => indent(indent(l))),
      );
    }
  }
  if (d.dns.length > 0) {
    out.push('', 'DNS servers');
    out.push(
      ...formatTable(
        ['node', 'address', 'role', 'names', 'serves'],
        d.dns.map((s) => [
          s.node,
          s.address,
          s.role,
          s.names.join(', ') || '-',
          s.role === 'authoritative'
            ? s.zones.map((z) => `${z.origin} (${z.records} records)`).join(', ')
            : `recursion for ${s.clients.join(', ') || 'nobody configured'}${s.qnameMinimisation ? ' · QNAME minimisation' : ''}`,
        ]),
      ).map(indent),
    );
  }
  if (d.web.length > 0) {
    out.push('', 'Web servers');
    out.push(
      ...formatTable(
        ['node', 'address', 'site', 'names pointing here', 'files'],
        d.web.map((w) => [
          w.node,
          `${w.address}:80`,
          w.site,
          w.names.join(', ') || '-',
          w.files.map((f) => `${f.path} ${f.bytes} B`).join(', '),
        ]),
      ).map(indent),
    );
  }
  return out;
}

function indent(l: string): string {
  return l === '' ? l : `  ${l}`;
}
