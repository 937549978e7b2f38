/**
 * The default DNS hierarchy of wiretrail's internet, from the zone files shipped in
 * src/world/zones/: which server serves which zone at which address, derived from the zones
 * themselves (each zone's apex NS records, and the address records of those names found in any
 * zone, RFC 1034 § 4.2.1), so that editing a zone file is enough to move a server.
 *
 * Also a sandbox: the whole hierarchy, a recursive resolver and a client on the in-memory
 * FakeNet (fakenet.ts), for tests, benchmarks and `wiretrail dig` without a topology.
 */
import type { Clock } from '../../sim/clock.js';
import { Rng } from '../../sim/rng.js';
import type { TraceBus } from '../../sim/trace.js';
import type { DgramApi, NetApi } from '../../stack/api.js';
import { parseIpv4, type Ipv4Addr } from '../../wire/addr.js';
import { DnsType, canonicalName } from '../../wire/dns.js';
import { ZONE_FILES, type ZoneFile } from '../../world/zones/index.js';
import { AuthoritativeServer } from './authoritative.js';
import { FakeNet, type FakeHost } from './fakenet.js';
import { RecursiveResolver, defaultRootHints, type ResolverOptions } from './resolver.js';
import { StubResolver, type StubOptions } from './stub.js';
import { formatZoneError, parseZone, type Zone, type ZoneError } from './zone.js';

/** The ISP's recursive resolver ("local DNS server") of the default internet. */
export const DEFAULT_RESOLVER_ADDRESS: Ipv4Addr = parseIpv4('203.0.113.53')!;
export const DEFAULT_RESOLVER_NAME = 'dns-local';
/** The client pc of the default internet (UX.md). */
export const DEFAULT_CLIENT_ADDRESS: Ipv4Addr = parseIpv4('192.168.3.10')!;

export interface DnsServerSpec {
  /** A node name for the topology: the first label(s) of the server's name, e.g. "ns1-server-com". */
  node: string;
  /** The server's domain name, e.g. "a.root-servers.net." */
  name: string;
  address: Ipv4Addr;
  /** Origins of the zones it serves, e.g. ["."] or ["server.com.", "100.51.198.in-addr.arpa."]. */
  zones: string[];
}

/** Parses zone files; all errors of all files are returned (file:line). */
export function loadZones(files: readonly ZoneFile[]): {
  zones: Zone[];
  errors: ZoneError[];
  warnings: ZoneError[];
} {
  const zones: Zone[] = [];
  const errors: ZoneError[] = [];
  const warnings: ZoneError[] = [];
  for (const f of files) {
    const r = parseZone(f.text, { origin: f.origin, file: f.file });
    warnings.push(...r.warnings);
    if (r.ok) zones.push(r.zone);
    else errors.push(...r.errors);
  }
  return { zones, errors, warnings };
}

let cached: Zone[] | undefined;

/** The shipped zones (parsed once). Throws if a shipped file is broken (a test guards it). */
export function defaultZones(): Zone[] {
  if (cached) return cached;
  const r = loadZones(ZONE_FILES);
  if (r.errors.length > 0) throw new Error(r.errors.map(formatZoneError).join('\n'));
  cached = r.zones;
  return cached;
}

/**
 * Which server serves which zone: every apex NS name of every zone, with its address looked
 * up in the zones' data (glue or authoritative). Servers sharing an address are merged.
 */
export function serversForZones(zones: readonly Zone[]): DnsServerSpec[] {
  const addressOf = (name: string): Ipv4Addr | undefined => {
    for (const z of zones) {
      const a = z.rrset(name, DnsType.A);
      if (a && a.rdata[0].kind === 'A') return a.rdata[0].address;
    }
    return undefined;
  };
  const byAddr = new Map<Ipv4Addr, DnsServerSpec>();
  for (const z of zones) {
    const ns = z.rrset(z.origin, DnsType.NS);
    for (const d of ns?.rdata ?? []) {
      if (d.kind !== 'NS') continue;
      const name = canonicalName(d.target);
      const address = addressOf(name);
      if (address === undefined) continue;
      let s = byAddr.get(address);
      if (!s) byAddr.set(address, (s = { node: nodeName(name), name, address, zones: [] }));
      if (!s.zones.includes(z.origin)) s.zones.push(z.origin);
    }
  }
  return [...byAddr.values()];
}

/** "a.root-servers.net." → "a-root-servers-net" (a valid topology node name). */
function nodeName(name: string): string {
  return name.replace(/\.$/, '').replace(/\./g, '-');
}

/** The default hierarchy's servers. */
export function defaultServers(): DnsServerSpec[] {
  return serversForZones(defaultZones());
}

/** Starts one authoritative server per spec, each on the sockets `hostFor` returns. */
export function startAuthoritativeServers(
  specs: readonly DnsServerSpec[],
  zones: readonly Zone[],
  hostFor: (spec: DnsServerSpec) => { dgram: DgramApi; net?: NetApi },
  env: { clock: Clock; trace?: TraceBus },
): Map<string, AuthoritativeServer> {
  const out = new Map<string, AuthoritativeServer>();
  for (const s of specs) {
    const h = hostFor(s);
    const srv = new AuthoritativeServer({
      zones: zones.filter((z) => s.zones.includes(z.origin)),
      dgram: h.dgram,
      net: h.net,
      clock: env.clock,
      trace: env.trace,
      node: s.node,
      address: s.address,
    }).start();
    out.set(s.node, srv);
  }
  return out;
}

// ─────────────────────────────────────────── sandbox ─────────────────────────────────────

export interface SandboxOptions {
  clock: Clock;
  trace?: TraceBus;
  seed?: number;
  zones?: Zone[];
  /** One-way delay per server address in ns (default: FakeNet's 1 ms). */
  delays?: Map<Ipv4Addr, number>;
  resolver?: Partial<ResolverOptions>;
  stub?: Partial<StubOptions>;
}

export interface DnsSandbox {
  net: FakeNet;
  servers: Map<string, AuthoritativeServer>;
  specs: DnsServerSpec[];
  resolverHost: FakeHost;
  resolver: RecursiveResolver;
  clientHost: FakeHost;
  stub: StubResolver;
}

/**
 * The default hierarchy on a FakeNet: every authoritative server at its address, the ISP's
 * resolver at 203.0.113.53 (serving on port 53) and a client pc at 192.168.3.10 whose stub
 * resolver points at it.
 */
export function createDnsSandbox(o: SandboxOptions): DnsSandbox {
  const net = new FakeNet(o.clock);
  for (const [a, d] of o.delays ?? []) net.setDelay(a, d);
  const zones = o.zones ?? defaultZones();
  const specs = serversForZones(zones);
  const servers = startAuthoritativeServers(specs, zones, (s) => net.host(s.address), {
    clock: o.clock,
    trace: o.trace,
  });
  const seed = o.seed ?? 1;
  const resolverHost = net.host(DEFAULT_RESOLVER_ADDRESS);
  const resolver = new RecursiveResolver({
    dgram: resolverHost,
    net: resolverHost,
    clock: o.clock,
    rng: new Rng(seed, `${DEFAULT_RESOLVER_NAME}/dns`),
    trace: o.trace,
    node: DEFAULT_RESOLVER_NAME,
    rootHints: defaultRootHints(),
    ...o.resolver,
  }).serve();
  const clientHost = net.host(DEFAULT_CLIENT_ADDRESS);
  const stub = new StubResolver({
    dgram: clientHost,
    net: clientHost,
    clock: o.clock,
    rng: new Rng(seed, 'pc/dns'),
    trace: o.trace,
    node: 'pc',
    config: { nameservers: [DEFAULT_RESOLVER_ADDRESS] },
    ...o.stub,
  });
  return { net, servers, specs, resolverHost, resolver, clientHost, stub };
}
