/**
 * Applications of a topology's hosts: the `services`, `resolver` and `hosts` settings of a node
 * (kept as plain data by src/world/topology.ts), validated here with errors that name the file,
 * line and field, and started on the built network:
 *
 *   services:
 *     http: { site: www.server.com }      # static site from src/world/sites (index.html default)
 *     dns-authoritative: {}               # zones whose NS records name this host's address
 *     dns-authoritative: { zones: [server.com] }
 *     dns-resolver: { qname_minimisation: false }   # the ISP's recursive "local DNS server"
 *   resolver: 203.0.113.53                # resolv.conf nameserver(s) of the host's stub resolver
 *   hosts: { nas.home: 192.168.10.200 }   # /etc/hosts entries
 */
import type { Host } from '../devices/host.js';
import { AuthoritativeServer } from '../apps/dns/authoritative.js';
import { defaultZones, serversForZones } from '../apps/dns/hierarchy.js';
import { RecursiveResolver } from '../apps/dns/resolver.js';
import { StubResolver } from '../apps/dns/stub.js';
import type { Zone } from '../apps/dns/zone.js';
import { HttpServer } from '../apps/http/server.js';
import { formatIpv4, parseIpv4 } from '../wire/addr.js';
import type { Ipv4Addr } from '../wire/addr.js';
import type { Network } from './network.js';
import type { TopoNode, Topology, TopologyIssue } from './topology.js';
import { TopologyError } from './topology.js';
import { embeddedSite, EMBEDDED_SITE_HOSTS } from './sites/index.js';

export interface HostApps {
  node: string;
  http?: { site: string };
  dnsAuthoritative?: { zones?: string[] };
  dnsResolver?: { qnameMinimisation: boolean };
  nameservers: Ipv4Addr[];
  hosts: { name: string; address: Ipv4Addr }[];
}

/** Validates every node's application settings; throws TopologyError listing all problems. */
export function readApps(topo: Topology): HostApps[] {
  const issues: TopologyIssue[] = [];
  const out: HostApps[] = [];
  for (const node of topo.nodes) {
    if (node.apps === undefined) continue;
    out.push(readNodeApps(topo, node, issues));
  }
  if (issues.length > 0) throw new TopologyError(issues);
  return out;
}

function readNodeApps(topo: Topology, node: TopoNode, issues: TopologyIssue[]): HostApps {
  const apps = node.apps!;
  const at = (field: string, message: string): void => {
    issues.push({ file: topo.file, line: apps.pos.line, col: apps.pos.col, path: `nodes.${node.name}.${field}`, message });
  };
  const result: HostApps = { node: node.name, nameservers: [], hosts: [] };
  if (apps.resolver !== undefined) {
    const list = Array.isArray(apps.resolver) ? apps.resolver : [apps.resolver];
    for (const v of list) {
      const a = typeof v === 'string' ? parseIpv4(v) : undefined;
      if (a === undefined) at('resolver', `${JSON.stringify(v)} is not an IPv4 address (like 203.0.113.53)`);
      else result.nameservers.push(a);
    }
  }
  if (apps.hosts !== undefined) {
    if (apps.hosts === null || typeof apps.hosts !== 'object' || Array.isArray(apps.hosts)) {
      at('hosts', 'expected a map of name → IPv4 address (like nas.home: 192.168.10.200)');
    } else {
      for (const [name, v] of Object.entries(apps.hosts as Record<string, unknown>)) {
        const a = typeof v === 'string' ? parseIpv4(v) : undefined;
        if (a === undefined) at(`hosts.${name}`, `${JSON.stringify(v)} is not an IPv4 address`);
        else if (!/^[A-Za-z0-9.-]+$/.test(name)) at(`hosts.${name}`, 'not a host name');
        else result.hosts.push({ name, address: a });
      }
    }
  }
  if (apps.services !== undefined && apps.services !== null) {
    if (typeof apps.services !== 'object' || Array.isArray(apps.services)) {
      at('services', 'expected a map of service → settings (http, dns-authoritative, dns-resolver)');
      return result;
    }
    for (const [name, raw] of Object.entries(apps.services as Record<string, unknown>)) {
      const settings = (raw ?? {}) as Record<string, unknown>;
      if (typeof settings !== 'object' || Array.isArray(settings)) {
        at(`services.${name}`, 'expected a map of settings (or {})');
        continue;
      }
      const unknown = (allowed: string[]): void => {
        for (const k of Object.keys(settings)) {
          if (!allowed.includes(k)) at(`services.${name}.${k}`, `unknown setting (expected one of: ${allowed.join(', ') || 'none'})`);
        }
      };
      switch (name) {
        case 'http': {
          unknown(['site']);
          const site = settings.site;
          if (typeof site !== 'string') at('services.http.site', 'missing the site to serve (like www.server.com)');
          else if (!EMBEDDED_SITE_HOSTS.includes(site)) {
            at('services.http.site', `no site "${site}" in src/world/sites (have: ${EMBEDDED_SITE_HOSTS.join(', ')})`);
          } else result.http = { site };
          break;
        }
        case 'dns-authoritative': {
          unknown(['zones']);
          const zones = settings.zones;
          if (zones === undefined) result.dnsAuthoritative = {};
          else if (!Array.isArray(zones) || zones.some((z) => typeof z !== 'string')) {
            at('services.dns-authoritative.zones', 'expected a list of zone names (like [server.com])');
          } else result.dnsAuthoritative = { zones: zones.map((z: string) => (z.endsWith('.') ? z : `${z}.`)) };
          break;
        }
        case 'dns-resolver': {
          unknown(['qname_minimisation']);
          const q = settings.qname_minimisation;
          if (q !== undefined && typeof q !== 'boolean') at('services.dns-resolver.qname_minimisation', 'expected true or false');
          result.dnsResolver = { qnameMinimisation: q === true };
          break;
        }
        default:
          at(`services.${name}`, 'unknown service (expected http, dns-authoritative or dns-resolver)');
      }
    }
  }
  return result;
}

/** The applications running on a built network, by node name. */
export interface RunningApps {
  stubs: Map<string, StubResolver>;
  http: Map<string, HttpServer>;
  authoritative: Map<string, AuthoritativeServer>;
  resolvers: Map<string, RecursiveResolver>;
  /** Access-log lines of the web servers, in order. */
  accessLog: { node: string; line: string }[];
}

/** Starts the services and stub resolvers of every host (hosts must have TCP attached). */
export function startApps(net: Network, apps: readonly HostApps[], zones: readonly Zone[] = defaultZones()): RunningApps {
  const running: RunningApps = { stubs: new Map(), http: new Map(), authoritative: new Map(), resolvers: new Map(), accessLog: [] };
  const servers = serversForZones(zones);
  for (const a of apps) {
    const host = net.hostNamed(a.node);
    const common = { clock: net.clock, trace: net.trace, node: host.name };
    if (a.dnsAuthoritative) {
      const own = host.localAddresses();
      const wanted = a.dnsAuthoritative.zones ?? servers.filter((s) => own.includes(s.address)).flatMap((s) => s.zones);
      const served = zones.filter((z) => wanted.includes(z.origin));
      if (served.length === 0) {
        throw new Error(
          `${a.node}: dns-authoritative serves no zone — no zone's NS records point at ${own.map(formatIpv4).join(', ')}; list them with "zones: [...]"`,
        );
      }
      const srv = new AuthoritativeServer({ ...common, zones: served, dgram: host.dgram, net: requireNet(host) }).start();
      running.authoritative.set(a.node, srv);
    }
    if (a.dnsResolver) {
      const r = new RecursiveResolver({
        ...common,
        dgram: host.dgram,
        net: requireNet(host),
        rng: host.rng('dns-resolver'),
        qnameMinimisation: a.dnsResolver.qnameMinimisation,
      }).serve();
      running.resolvers.set(a.node, r);
    }
    if (a.http) {
      const site = embeddedSite(a.http.site)!;
      const srv = new HttpServer({
        ...common,
        net: requireNet(host),
        site,
        accessLog: (line) => running.accessLog.push({ node: a.node, line }),
      }).listen();
      running.http.set(a.node, srv);
    }
    if (a.nameservers.length > 0 || a.hosts.length > 0) {
      const hosts = ['127.0.0.1\tlocalhost', ...a.hosts.map((h) => `${formatIpv4(h.address)}\t${h.name}`)].join('\n') + '\n';
      const stub = new StubResolver({
        ...common,
        dgram: host.dgram,
        net: requireNet(host),
        rng: host.rng('dns-stub'),
        hosts,
        config: { nameservers: a.nameservers },
      });
      running.stubs.set(a.node, stub);
    }
  }
  return running;
}

function requireNet(host: Host) {
  if (host.net === undefined) throw new Error(`${host.name}: no TCP layer attached`);
  return host.net;
}
