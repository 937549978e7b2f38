/**
 * A simulated topology attached to Linux in real time (Node only): what `wiretrail tap` runs and
 * what the interop battery builds on.
 *
 *   1. build the topology (the default internet unless told otherwise) with TCP on every host,
 *      start its services (web servers, DNS servers, resolvers), let start-up settle in
 *      simulated time;
 *   2. open a TAP device inside the Linux namespace and configure the Linux side (MTU,
 *      address, default route through the simulated gateway, optionally resolv.conf);
 *   3. plug a simulated port into it (a free switch port by default, or a node's interface)
 *      with a TapLink, and let the RealtimeDriver run the Scheduler in step with the wall clock.
 *
 * The Linux side's address, gateway and resolver are inferred from the simulated LAN the port
 * is on (the routers' and hosts' interfaces reachable through switches and hubs) unless given.
 */
import { writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import type { Host } from '../devices/host.js';
import { Capture } from '../sim/capture.js';
import type { LinkPort } from '../sim/link.js';
import type { SimNode } from '../sim/simulation.js';
import { TcpLayer } from '../stack/tcp/index.js';
import { formatIpv4, parseCidr, parseIpv4, prefixToMask } from '../wire/addr.js';
import type { Ipv4Addr } from '../wire/addr.js';
import { topologyFile } from '../world/examples/index.js';
import type { Network } from '../world/network.js';
import { readApps, startApps } from '../world/services.js';
import type { RunningApps } from '../world/services.js';
import { buildNetwork, parseTopology } from '../world/topology.js';
import type { Topology } from '../world/topology.js';
import { TapLink } from './attach.js';
import { openTap } from './device.js';
import type { TapBackendKind } from './build.js';
import type { TapDevice } from './device.js';
import { addRoute, configureLink, createNetns, deleteNetns, netnsExists, sh } from './netns.js';
import { RealtimeDriver } from './realtime.js';

export interface TapSessionOptions {
  /** Linux network namespace; created when missing (and then deleted on close). */
  netns: string;
  /** Simulated node to plug into, e.g. "sw-home" (default: sw-home of the default internet). */
  node?: string;
  /** The node's port or interface (default: its first port with nothing connected). */
  iface?: string;
  /** Name of the TAP device inside the namespace (default "wt0"). */
  dev?: string;
  /** Linux side address with prefix, e.g. "192.168.3.100/24" (default: inferred). */
  address?: string;
  /** Linux default route via this address; null = none (default: the LAN's router). */
  gateway?: string | null;
  /** Topology YAML and its file name (default: the embedded default internet). */
  topology?: { text: string; file: string };
  seed?: number;
  backend?: TapBackendKind;
  /** Record a pcapng of the TAP side (read it with session.capture.bytes()). */
  capture?: boolean;
  /**
   * Write /etc/netns/<netns>/resolv.conf naming the topology's recursive resolver, so that
   * `ip netns exec` programs resolve names through the simulation (default true; an existing
   * file is left alone).
   */
  resolvConf?: boolean;
  /** Unplug whatever is connected to the chosen port first (default false: refuse). */
  replaceLink?: boolean;
  /** Turn IPv6 off on the Linux device so that only IPv4 crosses (default true). */
  disableIpv6?: boolean;
}

export interface LinuxSide {
  netns: string;
  dev: string;
  address: string;
  gateway: string | undefined;
  nameserver: string | undefined;
  mac: string;
}

export interface TapSession {
  readonly topology: Topology;
  readonly net: Network;
  readonly apps: RunningApps;
  readonly tap: TapDevice;
  readonly link: TapLink;
  readonly driver: RealtimeDriver;
  readonly linux: LinuxSide;
  /** The simulated port plugged into Linux ("sw-home.port4"). */
  readonly port: string;
  readonly capture: Capture | undefined;
  /** Notes for the user (a replaced link, inferred settings). */
  readonly notes: string[];
  /** Stops the driver, closes the device, undoes what was set up on the Linux side. */
  close(): Promise<void>;
}

/** A problem with what was asked (unknown node, no free port, ...): shown as one line. */
export class TapSessionError extends Error {
  override name = 'TapSessionError';
}

/** Builds the topology, attaches it to Linux and starts the real-time driver. */
export async function startTapSession(o: TapSessionOptions): Promise<TapSession> {
  const file = o.topology ?? { text: topologyFile('internet')!.text, file: 'internet.yaml' };
  const topology = parseTopology(file.text, file.file);
  const appsSpec = readApps(topology);
  const net = buildNetwork(topology, { seed: o.seed, tcp: (h) => new TcpLayer(h) });
  const apps = startApps(net, appsSpec);
  const notes: string[] = [];

  const nodeName = o.node ?? (topology.name === 'internet' ? 'sw-home' : undefined);
  if (nodeName === undefined) throw new TapSessionError('--node is required with this topology');
  const node = net.nodes.get(nodeName);
  if (node === undefined) {
    throw new TapSessionError(
      `no node "${nodeName}" in ${file.file} (nodes: ${[...net.nodes.keys()].join(', ')})`,
    );
  }
  const port = choosePort(node, o.iface, o.replaceLink ?? false, notes);
  const lan = inferLan(net, port);
  const linuxAddr = o.address ?? defaultAddress(lan);
  if (linuxAddr === undefined) {
    throw new TapSessionError(
      `cannot infer an address for the Linux side on ${port.id}: give --address A.B.C.D/N`,
    );
  }
  const cidr = parseCidr(linuxAddr);
  if (cidr === undefined)
    throw new TapSessionError(
      `--address "${linuxAddr}" is not an IPv4 address with a prefix (like 192.168.3.100/24)`,
    );
  const clash = lan.find((e) => e.addr === cidr.addr);
  if (clash)
    throw new TapSessionError(
      `${linuxAddr} is already used by ${clash.owner} on the simulated LAN`,
    );
  let gateway: string | undefined;
  if (o.gateway === null) gateway = undefined;
  else if (o.gateway !== undefined) {
    if (parseIpv4(o.gateway) === undefined)
      throw new TapSessionError(`--gateway "${o.gateway}" is not an IPv4 address`);
    gateway = o.gateway;
  } else {
    const mask = prefixToMask(cidr.prefix);
    const r = lan.find((e) => e.router && ((e.addr ^ cidr.addr) & mask) === 0);
    gateway = r ? formatIpv4(r.addr) : undefined;
  }
  const resolverNode = appsSpec.find((a) => a.dnsResolver !== undefined)?.node;
  const resolverAddr = resolverNode
    ? net
        .hostNamed(resolverNode)
        .localAddresses()
        .find((a) => a >>> 24 !== 127)
    : undefined;
  const nameserver = resolverAddr !== undefined ? formatIpv4(resolverAddr) : undefined;

  // Start-up (interfaces announce themselves) in simulated time, before real time begins.
  await net.run({ until: net.clock.now() + 2_000_000_000, maxEvents: 1_000_000 });

  const dev = o.dev ?? 'wt0';
  const createdNs = !(await netnsExists(o.netns));
  if (createdNs) await createNetns(o.netns);
  const undo: (() => Promise<unknown> | unknown)[] = [];
  if (createdNs) undo.push(() => deleteNetns(o.netns));
  let tap: TapDevice | undefined;
  const driver = new RealtimeDriver(net.clock);
  try {
    tap = await openTap({ name: dev, netns: o.netns, backend: o.backend });
    const t = tap;
    undo.push(() => t.close());
    if (o.disableIpv6 ?? true) {
      await sh([
        'ip',
        'netns',
        'exec',
        o.netns,
        'sysctl',
        '-qw',
        `net.ipv6.conf.${dev}.disable_ipv6=1`,
      ]).catch(() => undefined);
    }
    const mtu = (port as { mtu?: number }).mtu ?? 1500;
    await configureLink(o.netns, dev, { address: linuxAddr, mtu });
    if (gateway !== undefined) await addRoute(o.netns, 'default', gateway, dev);
    if (nameserver !== undefined && (o.resolvConf ?? true)) {
      const dir = `/etc/netns/${o.netns}`;
      const conf = `${dir}/resolv.conf`;
      if (!existsSync(conf)) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(
          conf,
          `# written by wiretrail tap: the simulated resolver ${resolverNode}\nnameserver ${nameserver}\n`,
        );
        undo.push(() => rmSync(dir, { recursive: true, force: true }));
      }
    }
    const { stdout } = await sh(['ip', '-n', o.netns, '-j', 'link', 'show', dev]);
    const mac = (JSON.parse(stdout) as { address: string }[])[0].address;
    const linkName = `tap:${o.netns}:${dev}`;
    const capture = o.capture
      ? new Capture(net.trace, {
          points: [linkName],
          comment: `wiretrail tap ${port.id} <-> ${o.netns}/${dev}`,
        })
      : undefined;
    const link = new TapLink(net, linkName, port, t, driver, { mtu });
    driver.start();
    let closed = false;
    return {
      topology,
      net,
      apps,
      tap: t,
      link,
      driver,
      port: port.id,
      capture,
      notes,
      linux: { netns: o.netns, dev, address: linuxAddr, gateway, nameserver, mac },
      async close() {
        if (closed) return;
        closed = true;
        await driver.stop();
        link.detach();
        capture?.stop();
        for (const u of undo.reverse()) {
          try {
            await u();
          } catch {
            /* best effort */
          }
        }
      },
    };
  } catch (e) {
    await driver.stop();
    for (const u of undo.reverse()) {
      try {
        await u();
      } catch {
        /* best effort */
      }
    }
    throw e;
  }
}

function choosePort(
  node: SimNode,
  iface: string | undefined,
  replace: boolean,
  notes: string[],
): LinkPort {
  if (iface !== undefined) {
    const p = node.port(iface);
    if (p === undefined) {
      throw new TapSessionError(
        `${node.name} has no port "${iface}" (ports: ${node.portNames().join(', ')})`,
      );
    }
    if (p.wire !== undefined) {
      if (!replace) {
        throw new TapSessionError(
          `${p.id} is connected to ${p.wire.medium.name}; choose a free port or pass --replace to unplug it`,
        );
      }
      notes.push(`unplugged ${p.wire.medium.name} from ${p.id}`);
      p.wire.medium.detach();
    }
    return p;
  }
  for (const name of node.portNames()) {
    const p = node.port(name);
    if (p !== undefined && p.wire === undefined) return p;
  }
  throw new TapSessionError(
    `${node.name} has no free port (ports: ${node.portNames().join(', ')}); name one with --iface and --replace`,
  );
}

interface LanAddr {
  addr: Ipv4Addr;
  prefix: number;
  owner: string;
  router: boolean;
}

/** Addresses of the host and router interfaces on the same layer-2 segment as `port`. */
function inferLan(net: Network, port: LinkPort): LanAddr[] {
  const out: LanAddr[] = [];
  const seenNodes = new Set<string>();
  const seenPorts = new Set<LinkPort>();
  const visitPort = (p: LinkPort): void => {
    if (seenPorts.has(p)) return;
    seenPorts.add(p);
    const node = net.nodes.get(p.node);
    if (node === undefined) return;
    if (node.kind === 'switch' || node.kind === 'hub') {
      if (seenNodes.has(node.name)) return;
      seenNodes.add(node.name);
      for (const n of node.portNames()) {
        const q = node.port(n);
        if (q === undefined) continue;
        seenPorts.add(q);
        for (const r of q.wire?.medium.ports ?? []) if (r !== q) visitPort(r);
      }
      return;
    }
    const host = node as unknown as Host;
    const ifname = p.id.slice(p.node.length + 1);
    for (const a of host.iface?.(ifname)?.addrs ?? []) {
      out.push({ addr: a.addr, prefix: a.prefix, owner: p.id, router: node.kind === 'router' });
    }
  };
  visitPort(port);
  return out;
}

/** .100 (or the next free address) in the subnet of the LAN's router, else of any host. */
function defaultAddress(lan: LanAddr[]): string | undefined {
  const ref = lan.find((e) => e.router) ?? lan[0];
  if (ref === undefined) return undefined;
  const mask = prefixToMask(ref.prefix);
  const network = (ref.addr & mask) >>> 0;
  const size = 2 ** (32 - ref.prefix);
  if (size < 4) return undefined;
  const used = new Set(lan.map((e) => e.addr));
  const start = size > 200 ? 100 : Math.floor(size / 2);
  for (let i = 0; i < size - 2; i++) {
    const host = ((start - 1 + i) % (size - 2)) + 1;
    const a = (network + host) >>> 0;
    if (!used.has(a)) return `${formatIpv4(a)}/${ref.prefix}`;
  }
  return undefined;
}
