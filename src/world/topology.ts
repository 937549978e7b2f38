/**
 * Topology files: YAML text → validated Topology → running Network. The format is documented
 * in docs/topology.md; src/world/examples/simple.yaml is the seeds' "simple network model".
 *
 * The loader takes text, not paths (it runs in the browser too); src/cli reads files. Every
 * error names the file, line, column and field ("simple.yaml:12:18: nodes.pc.interfaces.eth0:
 * "192.168.3.300/24" is not an IPv4 address with a prefix length (like 192.168.3.10/24)"), and
 * all errors found are reported together, not only the first.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YNode, Pair, YAMLMap } from 'yaml';
import type { LinkProps } from '../sim/link.js';
import {
  formatIpv4,
  formatMac,
  isMulticastMac,
  parseCidr,
  parseIpv4,
  parseMac,
  prefixToMask,
} from '../wire/addr.js';
import type { Ipv4Addr, MacAddr } from '../wire/addr.js';
import { Host } from '../devices/host.js';
import { Hub } from '../devices/hub.js';
import { Router } from '../devices/router.js';
import { Switch } from '../devices/switch.js';
import { Network } from './network.js';
import type { TcpFactory } from './network.js';
import { parseBandwidth, parseCount, parseDuration, parseProbability } from './units.js';
import type { UnitResult } from './units.js';

export interface Pos {
  line: number;
  col: number;
}

export interface TopologyIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Field path, e.g. "nodes.pc.interfaces.eth0.address". */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(i: TopologyIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`;
}

/**
 * One or more problems in a topology file; `message` lists them one per line, in file order
 * (the checks run in passes — shape, names, addresses, links — but the reader goes top down).
 */
export class TopologyError extends Error {
  readonly issues: readonly TopologyIssue[];
  constructor(issues: readonly TopologyIssue[]) {
    const inOrder = [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
    super(inOrder.map(formatIssue).join('\n'));
    this.issues = inOrder;
    this.name = 'TopologyError';
  }
}

export type NodeKind = 'host' | 'router' | 'switch' | 'hub';

export interface TopoAddress {
  addr: Ipv4Addr;
  prefix: number;
  pos: Pos;
}

export interface TopoIface {
  name: string;
  addresses: TopoAddress[];
  mac?: MacAddr;
  mtu?: number;
  promiscuous?: boolean;
  txQueueLen?: number;
  rxRing?: number;
  rxCost?: number;
  pos: Pos;
}

export interface TopoRoute {
  dst: Ipv4Addr;
  prefix: number;
  via?: Ipv4Addr;
  dev?: string;
  metric?: number;
  src?: Ipv4Addr;
  pos: Pos;
  path: string;
}

export interface TopoNode {
  name: string;
  kind: NodeKind;
  interfaces: TopoIface[];
  routes: TopoRoute[];
  /** Switch and hub ports. */
  ports: string[];
  forwarding?: boolean;
  ageing?: number;
  latency?: number;
  queue?: number;
  tableSize?: number;
  description?: string;
  /**
   * Application settings of a host, validated by src/world/services.ts (not here, so this
   * loader stays below src/apps): `services` (http, dns-authoritative, dns-resolver),
   * `resolver` (resolv.conf nameservers) and `hosts` (/etc/hosts entries), as plain data.
   */
  apps?: { services?: unknown; resolver?: unknown; hosts?: unknown; pos: Pos };
  pos: Pos;
}

export interface TopoEnd {
  node: string;
  port: string;
  pos: Pos;
}

export interface TopoLink {
  kind: 'link' | 'segment';
  name?: string;
  ends: TopoEnd[];
  props: Partial<LinkProps>;
  pos: Pos;
  path: string;
}

export interface Topology {
  file: string;
  name?: string;
  description?: string;
  seed?: number;
  nodes: TopoNode[];
  links: TopoLink[];
  /**
   * Things that build but probably do not do what was meant (a gateway nobody has, a link
   * between two different subnets): printed by the CLI as "warning:" lines, never fatal.
   */
  warnings: TopologyIssue[];
}

const NAME = /^[A-Za-z0-9_-]+$/;
const IFNAME = /^[A-Za-z0-9_]+$/;

class Reader {
  readonly issues: TopologyIssue[] = [];
  constructor(
    readonly file: string,
    private readonly lc: LineCounter,
  ) {}

  pos(n: YNode | null | undefined, fallback?: Pos): Pos {
    if (n?.range == null) return fallback ?? { line: 1, col: 1 };
    return this.lc.linePos(n.range[0]);
  }

  error(n: YNode | null | undefined | Pos, path: string, message: string): void {
    const p =
      n !== null && n !== undefined && 'line' in n ? n : this.pos(n as YNode | null | undefined);
    this.issues.push({ file: this.file, line: p.line, col: p.col, path, message });
  }

  /** Plain JS value of a scalar (or undefined for collections). */
  scalar(n: YNode | null | undefined): unknown {
    return isScalar(n) ? n.value : undefined;
  }

  /** Checks a map's keys against `allowed`; returns the pairs as [key, node]. */
  entries(m: YAMLMap, path: string, allowed?: readonly string[]): [string, YNode | null, Pair][] {
    const out: [string, YNode | null, Pair][] = [];
    for (const pair of m.items) {
      const k = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof k !== 'string' && typeof k !== 'number') {
        this.error(pair.key as YNode, path, 'keys must be plain names');
        continue;
      }
      const key = String(k);
      if (allowed !== undefined && !allowed.includes(key)) {
        this.error(
          pair.key as YNode,
          path,
          `unknown field "${key}" (expected one of: ${allowed.join(', ')})`,
        );
        continue;
      }
      out.push([key, pair.value as YNode | null, pair]);
    }
    return out;
  }

  unit(n: YNode | null, path: string, r: UnitResult): number | undefined {
    if (r.ok) return r.value;
    this.error(n, path, r.message);
    return undefined;
  }
}

const LINK_FIELDS = [
  'bandwidth',
  'delay',
  'mtu',
  'queue',
  'loss',
  'duplicate',
  'corrupt',
  'reorder',
  'reorder_delay',
  'jitter',
  'ecn_threshold',
] as const;

function readLinkProps(
  r: Reader,
  m: YAMLMap,
  path: string,
  skip: readonly string[],
): Partial<LinkProps> {
  const props: Partial<LinkProps> = {};
  for (const [key, v] of r.entries(m, path, [...LINK_FIELDS, ...skip])) {
    if (skip.includes(key)) continue;
    const p = `${path}.${key}`;
    const val = r.scalar(v);
    switch (key) {
      case 'bandwidth':
        props.bandwidth = r.unit(v, p, parseBandwidth(val));
        break;
      case 'delay':
        props.delay = r.unit(v, p, parseDuration(val));
        break;
      case 'jitter':
        props.jitter = r.unit(v, p, parseDuration(val));
        break;
      case 'reorder_delay':
        props.reorderDelay = r.unit(v, p, parseDuration(val));
        break;
      case 'mtu':
        props.mtu = r.unit(v, p, parseCount(val, 68, 65535));
        break;
      case 'queue':
        props.queue = r.unit(v, p, parseCount(val, 1, 1_000_000));
        break;
      case 'ecn_threshold':
        props.ecnThreshold = r.unit(v, p, parseCount(val, 0, 1_000_000));
        break;
      case 'loss':
        props.loss = r.unit(v, p, parseProbability(val));
        break;
      case 'duplicate':
        props.duplicate = r.unit(v, p, parseProbability(val));
        break;
      case 'corrupt':
        props.corrupt = r.unit(v, p, parseProbability(val));
        break;
      case 'reorder':
        props.reorder = r.unit(v, p, parseProbability(val));
        break;
    }
  }
  return props;
}

function readAddress(r: Reader, n: YNode | null, path: string): TopoAddress | undefined {
  const v = r.scalar(n);
  const c = typeof v === 'string' ? parseCidr(v) : undefined;
  if (c === undefined || typeof v !== 'string' || !v.includes('/')) {
    r.error(
      n,
      path,
      `${JSON.stringify(v)} is not an IPv4 address with a prefix length (like 192.168.3.10/24)`,
    );
    return undefined;
  }
  if (c.prefix < 31) {
    const mask = prefixToMask(c.prefix);
    const host = (c.addr & ~mask) >>> 0;
    if (host === 0) {
      r.error(
        n,
        path,
        `${v} is the network address of ${formatIpv4((c.addr & mask) >>> 0)}/${c.prefix}; use a host address`,
      );
      return undefined;
    }
    if (host === ~mask >>> 0) {
      r.error(n, path, `${v} is the broadcast address of its subnet; use a host address`);
      return undefined;
    }
  }
  return { addr: c.addr, prefix: c.prefix, pos: r.pos(n) };
}

function readIface(r: Reader, name: string, n: YNode | null, path: string, pos: Pos): TopoIface {
  const iface: TopoIface = { name, addresses: [], pos };
  if (!IFNAME.test(name))
    r.error(pos, path, `interface name "${name}" may only use letters, digits and "_"`);
  if (n === null || (isScalar(n) && n.value === null)) return iface;
  if (isScalar(n)) {
    const a = readAddress(r, n, path);
    if (a) iface.addresses.push(a);
    return iface;
  }
  if (isSeq(n)) {
    n.items.forEach((it, i) => {
      const a = readAddress(r, it as YNode, `${path}[${i}]`);
      if (a) iface.addresses.push(a);
    });
    return iface;
  }
  if (!isMap(n)) {
    r.error(n, path, 'expected an address, a list of addresses, or a map with address, mac, mtu');
    return iface;
  }
  for (const [key, v] of r.entries(n, path, [
    'address',
    'addresses',
    'mac',
    'mtu',
    'promiscuous',
    'tx_queue_len',
    'rx_ring',
    'rx_cost',
  ])) {
    const p = `${path}.${key}`;
    const val = r.scalar(v);
    switch (key) {
      case 'address':
      case 'addresses':
        if (isSeq(v)) {
          v.items.forEach((it, i) => {
            const a = readAddress(r, it as YNode, `${p}[${i}]`);
            if (a) iface.addresses.push(a);
          });
        } else {
          const a = readAddress(r, v, p);
          if (a) iface.addresses.push(a);
        }
        break;
      case 'mac': {
        const mac = typeof val === 'string' ? parseMac(val) : undefined;
        if (mac === undefined)
          r.error(v, p, `${JSON.stringify(val)} is not a MAC address (like 02:00:00:00:00:0a)`);
        else if (isMulticastMac(mac))
          r.error(
            v,
            p,
            `${val} is a group (multicast) address; a NIC needs a unicast MAC (first octet even)`,
          );
        else iface.mac = mac;
        break;
      }
      case 'mtu':
        iface.mtu = r.unit(v, p, parseCount(val, 68, 65535));
        break;
      case 'promiscuous':
        if (typeof val !== 'boolean') r.error(v, p, 'expected true or false');
        else iface.promiscuous = val;
        break;
      case 'tx_queue_len':
        iface.txQueueLen = r.unit(v, p, parseCount(val, 1, 1_000_000));
        break;
      case 'rx_ring':
        iface.rxRing = r.unit(v, p, parseCount(val, 1, 1_000_000));
        break;
      case 'rx_cost':
        iface.rxCost = r.unit(v, p, parseDuration(val));
        break;
    }
  }
  return iface;
}

function readRoute(r: Reader, n: YNode | null, path: string): TopoRoute | undefined {
  if (!isMap(n)) {
    r.error(n, path, 'a route is a map like { to: default, via: 192.168.3.1 }');
    return undefined;
  }
  const route: TopoRoute = { dst: 0, prefix: 0, pos: r.pos(n), path };
  let hasTo = false;
  let hasVia = false;
  let hasDev = false;
  for (const [key, v] of r.entries(n, path, ['to', 'via', 'dev', 'metric', 'src'])) {
    const p = `${path}.${key}`;
    const val = r.scalar(v);
    switch (key) {
      case 'to': {
        hasTo = true;
        if (val === 'default') break;
        const c = typeof val === 'string' ? parseCidr(val) : undefined;
        if (c === undefined || typeof val !== 'string' || !val.includes('/')) {
          r.error(
            v,
            p,
            `${JSON.stringify(val)} is not a destination (like 10.0.0.0/8, 10.0.0.5/32 or default)`,
          );
          break;
        }
        if ((c.addr & prefixToMask(c.prefix)) >>> 0 !== c.addr) {
          r.error(
            v,
            p,
            `${val} has host bits set; the network is ${formatIpv4((c.addr & prefixToMask(c.prefix)) >>> 0)}/${c.prefix}`,
          );
          break;
        }
        route.dst = c.addr;
        route.prefix = c.prefix;
        break;
      }
      case 'via': {
        hasVia = true;
        const a = typeof val === 'string' ? parseIpv4(val) : undefined;
        if (a === undefined) r.error(v, p, `${JSON.stringify(val)} is not an IPv4 address`);
        else route.via = a;
        break;
      }
      case 'src': {
        const a = typeof val === 'string' ? parseIpv4(val) : undefined;
        if (a === undefined) r.error(v, p, `${JSON.stringify(val)} is not an IPv4 address`);
        else route.src = a;
        break;
      }
      case 'dev':
        hasDev = true;
        if (typeof val !== 'string') r.error(v, p, 'expected an interface name');
        else route.dev = val;
        break;
      case 'metric':
        route.metric = r.unit(v, p, parseCount(val, 0, 0xffffffff));
        break;
    }
  }
  if (!hasTo) r.error(n, path, 'missing "to" (a destination like 10.0.0.0/8 or default)');
  // A "via" or "dev" that was given but is wrong has its own problem already (one mistake,
  // one problem): this one is for a route that names neither.
  if (!hasVia && !hasDev)
    r.error(n, path, 'a route needs "via" (a gateway) or "dev" (an interface), or both');
  return route;
}

function readPorts(r: Reader, n: YNode | null, path: string): string[] {
  const v = r.scalar(n);
  if (typeof v === 'number') {
    const c = r.unit(n, path, parseCount(v, 1, 1024));
    return c === undefined ? [] : Array.from({ length: c }, (_, i) => `port${i + 1}`);
  }
  if (isSeq(n)) {
    const names: string[] = [];
    n.items.forEach((it, i) => {
      const s = r.scalar(it as YNode);
      if (typeof s !== 'string' || !IFNAME.test(s))
        r.error(it as YNode, `${path}[${i}]`, 'a port name uses letters, digits and "_"');
      else if (names.includes(s))
        r.error(it as YNode, `${path}[${i}]`, `port "${s}" is listed twice`);
      else names.push(s);
    });
    return names;
  }
  r.error(n, path, 'expected a number of ports or a list of port names');
  return [];
}

function readNode(
  r: Reader,
  name: string,
  n: YNode | null,
  path: string,
  pos: Pos,
): TopoNode | undefined {
  if (!NAME.test(name))
    r.error(pos, path, `node name "${name}" may only use letters, digits, "_" and "-"`);
  if (!isMap(n)) {
    r.error(n ?? pos, path, 'a node is a map with at least "kind" (host, router, switch or hub)');
    return undefined;
  }
  const kindNode = n.get('kind', true) as YNode | undefined;
  const kind = r.scalar(kindNode);
  if (kind !== 'host' && kind !== 'router' && kind !== 'switch' && kind !== 'hub') {
    r.error(
      kindNode ?? n,
      `${path}.kind`,
      kindNode === undefined
        ? 'missing "kind" (host, router, switch or hub)'
        : `${JSON.stringify(kind)} is not a kind (host, router, switch or hub)`,
    );
    return undefined;
  }
  const node: TopoNode = { name, kind, interfaces: [], routes: [], ports: [], pos };
  const l3 = kind === 'host' || kind === 'router';
  const allowed = l3
    ? ['kind', 'interfaces', 'routes', 'forwarding', 'description', 'services', 'resolver', 'hosts']
    : kind === 'switch'
      ? ['kind', 'ports', 'ageing', 'latency', 'queue', 'table_size', 'description']
      : ['kind', 'ports', 'description'];
  for (const [key, v, pair] of r.entries(n, path, allowed)) {
    const p = `${path}.${key}`;
    const val = r.scalar(v);
    switch (key) {
      case 'interfaces':
        if (!isMap(v)) {
          r.error(
            v ?? (pair.key as YNode),
            p,
            'expected a map of interface name → address (or settings)',
          );
          break;
        }
        for (const [ifname, iv, ipair] of r.entries(v, p)) {
          node.interfaces.push(
            readIface(r, ifname, iv, `${p}.${ifname}`, r.pos(ipair.key as YNode)),
          );
        }
        break;
      case 'routes':
        if (!isSeq(v)) {
          r.error(v ?? (pair.key as YNode), p, 'expected a list of routes');
          break;
        }
        v.items.forEach((it, i) => {
          const rt = readRoute(r, it as YNode, `${p}[${i}]`);
          if (rt) node.routes.push(rt);
        });
        break;
      case 'forwarding':
        if (typeof val !== 'boolean') r.error(v, p, 'expected true or false');
        else node.forwarding = val;
        break;
      case 'ports':
        node.ports = readPorts(r, v, p);
        break;
      case 'ageing':
        node.ageing = r.unit(v, p, parseDuration(val));
        break;
      case 'latency':
        node.latency = r.unit(v, p, parseDuration(val));
        break;
      case 'queue':
        node.queue = r.unit(v, p, parseCount(val, 1, 1_000_000));
        break;
      case 'table_size':
        node.tableSize = r.unit(v, p, parseCount(val, 1, 10_000_000));
        break;
      case 'description':
        if (typeof val === 'string') node.description = val;
        break;
      case 'services':
      case 'resolver':
      case 'hosts':
        node.apps ??= { pos: r.pos(pair.key as YNode) };
        node.apps[key] = v === null ? null : (v as { toJSON(): unknown }).toJSON();
        break;
    }
  }
  if ((kind === 'switch' || kind === 'hub') && node.ports.length === 0) {
    node.ports = Array.from({ length: kind === 'switch' ? 8 : 4 }, (_, i) => `port${i + 1}`);
  }
  return node;
}

function readEnd(r: Reader, n: YNode | null, path: string): TopoEnd | undefined {
  const v = r.scalar(n);
  if (typeof v !== 'string' || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_]+$/.test(v)) {
    r.error(n, path, `${JSON.stringify(v)} is not a port reference (like pc.eth0 or sw1.port2)`);
    return undefined;
  }
  const i = v.lastIndexOf('.');
  return { node: v.slice(0, i), port: v.slice(i + 1), pos: r.pos(n) };
}

function readLink(
  r: Reader,
  n: YNode | null,
  path: string,
  defaults: Partial<LinkProps>,
): TopoLink | undefined {
  const pos = r.pos(n);
  if (isSeq(n)) {
    const ends = n.items.map((it, i) => readEnd(r, it as YNode, `${path}[${i}]`));
    if (ends.length !== 2)
      r.error(
        n,
        path,
        `a link joins exactly 2 ports (got ${ends.length}); use { segment: [...] } for a shared bus`,
      );
    return {
      kind: 'link',
      ends: ends.filter((e): e is TopoEnd => e !== undefined),
      props: { ...defaults },
      pos,
      path,
    };
  }
  if (!isMap(n)) {
    r.error(
      n,
      path,
      'a link is [a.port, b.port] or a map with "between" (or "segment") and properties',
    );
    return undefined;
  }
  const between = n.get('between', true) as YNode | undefined;
  const segment = n.get('segment', true) as YNode | undefined;
  if ((between === undefined) === (segment === undefined)) {
    r.error(
      n,
      path,
      'a link needs exactly one of "between: [a.port, b.port]" or "segment: [ports...]"',
    );
    return undefined;
  }
  const list = (between ?? segment)!;
  const key = between !== undefined ? 'between' : 'segment';
  if (!isSeq(list)) {
    r.error(list, `${path}.${key}`, 'expected a list of port references');
    return undefined;
  }
  const ends = list.items
    .map((it, i) => readEnd(r, it as YNode, `${path}.${key}[${i}]`))
    .filter((e): e is TopoEnd => e !== undefined);
  if (key === 'between' && list.items.length !== 2)
    r.error(list, `${path}.between`, `a link joins exactly 2 ports (got ${list.items.length})`);
  if (key === 'segment' && list.items.length < 2)
    r.error(list, `${path}.segment`, 'a segment needs at least 2 ports');
  const props = { ...defaults, ...readLinkProps(r, n, path, ['between', 'segment', 'name']) };
  const nameVal = r.scalar(n.get('name', true) as YNode | undefined);
  const link: TopoLink = { kind: key === 'between' ? 'link' : 'segment', ends, props, pos, path };
  if (nameVal !== undefined) {
    if (typeof nameVal !== 'string' || nameVal === '')
      r.error(n.get('name', true) as YNode, `${path}.name`, 'expected a name');
    else link.name = nameVal;
  }
  return link;
}

/** Parses and validates topology text (syntax and field formats). Throws TopologyError. */
export function parseTopology(text: string, file = 'topology.yaml'): Topology {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const r = new Reader(file, lc);
  for (const e of doc.errors) {
    const lp = e.linePos?.[0] ?? lc.linePos(e.pos[0]);
    r.error(lp, '', `YAML syntax: ${e.message.split('\n')[0]}`);
  }
  if (r.issues.length > 0) throw new TopologyError(r.issues);
  const topo: Topology = { file, nodes: [], links: [], warnings: [] };
  const root = doc.contents;
  if (!isMap(root)) {
    r.error(root, '', 'a topology is a map with "nodes" and "links"');
    throw new TopologyError(r.issues);
  }
  let defaults: Partial<LinkProps> = {};
  const defNode = root.get('defaults', true) as YNode | undefined;
  if (defNode !== undefined) {
    if (!isMap(defNode)) r.error(defNode, 'defaults', 'expected a map (with "link")');
    else {
      for (const [key, v] of r.entries(defNode, 'defaults', ['link'])) {
        if (key === 'link') {
          if (!isMap(v)) r.error(v, 'defaults.link', 'expected a map of link properties');
          else defaults = readLinkProps(r, v, 'defaults.link', []);
        }
      }
    }
  }
  let sawNodes = false;
  /** Nodes that had errors of their own: links to them are not reported again. */
  const invalid = new Set<string>();
  /**
   * Nodes read with errors in some of their fields (a bad address, a misspelt field): their
   * interfaces may be missing, so checks that depend on them (gateways, link ends) would only
   * repeat the first error in other words.
   */
  const incomplete = new Set<string>();
  for (const [key, v, pair] of r.entries(root, '', [
    'name',
    'description',
    'seed',
    'defaults',
    'nodes',
    'links',
  ])) {
    const val = r.scalar(v);
    switch (key) {
      case 'name':
      case 'description':
        if (typeof val !== 'string') r.error(v, key, 'expected text');
        else topo[key] = val;
        break;
      case 'seed':
        topo.seed = r.unit(v, 'seed', parseCount(val, 0, 0xffffffff));
        break;
      case 'nodes':
        sawNodes = true;
        if (!isMap(v)) {
          r.error(v ?? (pair.key as YNode), 'nodes', 'expected a map of node name → node');
          break;
        }
        for (const [name, nv, npair] of r.entries(v, 'nodes')) {
          const before = r.issues.length;
          const node = readNode(r, name, nv, `nodes.${name}`, r.pos(npair.key as YNode));
          if (node) topo.nodes.push(node);
          else invalid.add(name);
          if (node && r.issues.length > before) incomplete.add(name);
        }
        break;
      case 'links':
        if (!isSeq(v)) {
          r.error(v ?? (pair.key as YNode), 'links', 'expected a list of links');
          break;
        }
        v.items.forEach((it, i) => {
          const l = readLink(r, it as YNode, `links[${i}]`, defaults);
          if (l) topo.links.push(l);
        });
        break;
    }
  }
  if (!sawNodes) r.error(root, '', 'missing "nodes"');
  checkSemantics(r, topo, invalid, incomplete);
  if (r.issues.length > 0) throw new TopologyError(r.issues);
  topo.warnings = likelyMistakes(topo);
  return topo;
}

/** Cross-references: names, ports, addresses, gateways, MTUs. */
function checkSemantics(
  r: Reader,
  topo: Topology,
  invalid: ReadonlySet<string>,
  incomplete: ReadonlySet<string>,
): void {
  const byName = new Map<string, TopoNode>();
  for (const n of topo.nodes) byName.set(n.name, n);
  const addrOwner = new Map<number, string>();
  const macOwner = new Map<number, string>();
  for (const n of topo.nodes) {
    const seenIf = new Set<string>();
    for (const i of n.interfaces) {
      if (i.name === 'lo')
        r.error(
          i.pos,
          `nodes.${n.name}.interfaces.lo`,
          '"lo" is the loopback interface every node has; pick another name',
        );
      seenIf.add(i.name);
      for (const a of i.addresses) {
        const prev = addrOwner.get(a.addr);
        if (prev !== undefined)
          r.error(
            a.pos,
            `nodes.${n.name}.interfaces.${i.name}`,
            `${formatIpv4(a.addr)} is already used by ${prev}`,
          );
        else addrOwner.set(a.addr, `${n.name}.${i.name}`);
      }
      if (i.mac !== undefined) {
        const prev = macOwner.get(i.mac);
        if (prev !== undefined)
          r.error(
            i.pos,
            `nodes.${n.name}.interfaces.${i.name}.mac`,
            `${formatMac(i.mac)} is already used by ${prev}`,
          );
        else macOwner.set(i.mac, `${n.name}.${i.name}`);
      }
    }
    const routeKeys = new Set<string>();
    for (const rt of n.routes) {
      if (incomplete.has(n.name)) break; // its interfaces were not all read (error above)
      if (rt.dev !== undefined && !seenIf.has(rt.dev)) {
        r.error(
          rt.pos,
          `${rt.path}.dev`,
          `${n.name} has no interface "${rt.dev}" (it has: ${[...seenIf].join(', ') || 'none'})`,
        );
        continue;
      }
      if (rt.via !== undefined) {
        const candidates = n.interfaces.filter((i) => rt.dev === undefined || i.name === rt.dev);
        const onLink = candidates.some((i) =>
          i.addresses.some(
            (a) =>
              (rt.via! & prefixToMask(a.prefix)) >>> 0 === (a.addr & prefixToMask(a.prefix)) >>> 0,
          ),
        );
        if (!onLink) {
          const subnets = candidates.flatMap((i) =>
            i.addresses.map(
              (a) =>
                `${formatIpv4((a.addr & prefixToMask(a.prefix)) >>> 0)}/${a.prefix} on ${i.name}`,
            ),
          );
          r.error(
            rt.pos,
            `${rt.path}.via`,
            `gateway ${formatIpv4(rt.via)} is not on a connected subnet of ${n.name} (${subnets.join(', ') || 'no addresses'})`,
          );
        }
      }
      const key = `${rt.dst}/${rt.prefix}/${rt.metric ?? 0}`;
      if (routeKeys.has(key))
        r.error(
          rt.pos,
          rt.path,
          `a route to ${formatIpv4(rt.dst)}/${rt.prefix} with the same metric is already listed`,
        );
      routeKeys.add(key);
    }
  }
  const used = new Map<string, string>();
  for (const l of topo.links) {
    if (
      l.kind === 'link' &&
      l.ends.length === 2 &&
      l.ends[0].node === l.ends[1].node &&
      l.ends[0].port === l.ends[1].port
    ) {
      r.error(l.pos, l.path, 'a link cannot connect a port to itself');
      continue;
    }
    for (const e of l.ends) {
      const node = byName.get(e.node);
      const id = `${e.node}.${e.port}`;
      if (node === undefined) {
        if (!invalid.has(e.node)) r.error(e.pos, l.path, `no node named "${e.node}"`);
        continue;
      }
      const ports =
        node.kind === 'host' || node.kind === 'router'
          ? node.interfaces.map((i) => i.name)
          : node.ports;
      if (!ports.includes(e.port)) {
        if (incomplete.has(e.node)) continue; // reported with the node's own errors
        r.error(
          e.pos,
          l.path,
          `${e.node} has no ${node.kind === 'host' || node.kind === 'router' ? 'interface' : 'port'} "${e.port}" (it has: ${ports.join(', ') || 'none'})`,
        );
        continue;
      }
      const prev = used.get(id);
      if (prev !== undefined) r.error(e.pos, l.path, `${id} is already connected by ${prev}`);
      else used.set(id, l.path);
      const mtu = l.props.mtu;
      const iface = node.interfaces.find((i) => i.name === e.port);
      if (mtu !== undefined && iface?.mtu !== undefined && iface.mtu > mtu) {
        r.error(
          e.pos,
          l.path,
          `${id} has MTU ${iface.mtu}, larger than this link's MTU ${mtu}: its big frames would be dropped`,
        );
      }
    }
  }
}

/**
 * What builds but will not work as meant: a route through a gateway no node has (its ARP will
 * never be answered), and a point-to-point link whose two ends are on different subnets (they
 * will not reach each other directly). Warnings, not errors: a topology may want either.
 */
function likelyMistakes(topo: Topology): TopologyIssue[] {
  const out: TopologyIssue[] = [];
  const at = (pos: Pos, path: string, message: string): void => {
    out.push({ file: topo.file, line: pos.line, col: pos.col, path, message });
  };
  const owned = new Set<number>();
  for (const n of topo.nodes)
    for (const i of n.interfaces) for (const a of i.addresses) owned.add(a.addr);
  for (const n of topo.nodes) {
    for (const rt of n.routes) {
      if (rt.via !== undefined && !owned.has(rt.via))
        at(
          rt.pos,
          `${rt.path}.via`,
          `warning: no node has ${formatIpv4(rt.via)}: nothing will answer ${n.name}'s ARP for this gateway`,
        );
    }
  }
  const byName = new Map(topo.nodes.map((n) => [n.name, n]));
  const addrsOf = (e: TopoEnd): TopoAddress[] | undefined => {
    const n = byName.get(e.node);
    if (n === undefined || (n.kind !== 'host' && n.kind !== 'router')) return undefined;
    return n.interfaces.find((i) => i.name === e.port)?.addresses;
  };
  const subnet = (a: TopoAddress): string =>
    `${formatIpv4((a.addr & prefixToMask(a.prefix)) >>> 0)}/${a.prefix}`;
  for (const l of topo.links) {
    if (l.kind !== 'link' || l.ends.length !== 2) continue;
    const [x, y] = l.ends.map(addrsOf);
    if (x === undefined || y === undefined || x.length === 0 || y.length === 0) continue;
    const shared = x.some((a) =>
      y.some((b) => {
        const m = prefixToMask(Math.min(a.prefix, b.prefix));
        return (a.addr & m) >>> 0 === (b.addr & m) >>> 0;
      }),
    );
    if (!shared)
      at(
        l.pos,
        l.path,
        `warning: ${l.ends[0].node}.${l.ends[0].port} (${x.map(subnet).join(', ')}) and ${l.ends[1].node}.${l.ends[1].port} (${y.map(subnet).join(', ')}) are on different subnets: they will not reach each other directly`,
      );
  }
  return out;
}

export interface BuildOptions {
  /** Overrides the file's seed. */
  seed?: number;
  /** Attached to every host and router (e.g. (h) => new TcpLayer(h)). */
  tcp?: TcpFactory;
  /** Called with the empty network before any node or link exists (to subscribe to its trace). */
  onCreate?: (net: Network) => void;
}

/** Builds a running network from a validated topology. */
export function buildNetwork(topo: Topology, options: BuildOptions = {}): Network {
  const net = new Network({ seed: options.seed ?? topo.seed ?? 1, tcp: options.tcp });
  options.onCreate?.(net);
  const issues: TopologyIssue[] = [];
  const linkMtu = new Map<string, number>();
  for (const l of topo.links)
    if (l.props.mtu !== undefined)
      for (const e of l.ends) linkMtu.set(`${e.node}.${e.port}`, l.props.mtu);
  for (const n of topo.nodes) {
    if (n.kind === 'switch') {
      new Switch(net, n.name, {
        ports: n.ports,
        ageing: n.ageing,
        latency: n.latency,
        queue: n.queue,
        tableSize: n.tableSize,
      });
      continue;
    }
    if (n.kind === 'hub') {
      new Hub(net, n.name, { ports: n.ports });
      continue;
    }
    const h: Host =
      n.kind === 'router'
        ? new Router(net, n.name)
        : new Host(net, n.name, { forwarding: n.forwarding });
    if (n.kind === 'host' && n.forwarding === true) h.forwarding = true;
    for (const i of n.interfaces) {
      const iface = h.addInterface(i.name, {
        mac: i.mac,
        mtu: i.mtu ?? linkMtu.get(`${n.name}.${i.name}`),
        txQueueLen: i.txQueueLen,
        rxRing: i.rxRing,
        rxCost: i.rxCost,
      });
      if (i.promiscuous === true) iface.nic!.promiscuous = true;
      for (const a of i.addresses) h.addAddress(i.name, a.addr, a.prefix);
    }
    for (const rt of n.routes) {
      const dev = rt.dev ?? (rt.via !== undefined ? h.ifaceForGateway(rt.via)?.name : undefined);
      if (dev === undefined) {
        issues.push({
          file: topo.file,
          line: rt.pos.line,
          col: rt.pos.col,
          path: rt.path,
          message: 'cannot tell which interface this route uses',
        });
        continue;
      }
      const err = h.addRoute({
        dst: rt.dst,
        prefix: rt.prefix,
        gateway: rt.via,
        iface: dev,
        metric: rt.metric,
        src: rt.src,
      });
      if (err !== undefined)
        issues.push({
          file: topo.file,
          line: rt.pos.line,
          col: rt.pos.col,
          path: rt.path,
          message: err,
        });
    }
    if (options.tcp !== undefined) h.attachTcp(options.tcp);
  }
  if (issues.length > 0) throw new TopologyError(issues);
  for (const l of topo.links) {
    const ids = l.ends.map((e) => `${e.node}.${e.port}`);
    if (l.kind === 'link') net.connect(ids[0], ids[1], l.props, l.name);
    else net.segment(ids, l.props, l.name);
  }
  return net;
}

/** parseTopology + buildNetwork. */
export function loadNetwork(
  text: string,
  file = 'topology.yaml',
  options: BuildOptions = {},
): Network {
  return buildNetwork(parseTopology(text, file), options);
}
