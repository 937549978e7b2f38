/**
 * A network built from code: the Simulation (clock, trace, seed, media) plus factories for the
 * devices, and "ip"-style helpers that take text addresses.
 *
 *   const net = new Network({ seed: 1 });
 *   const pc = net.host('pc', { eth0: '192.168.3.10/24' }, { default: '192.168.3.1' });
 *   const sw = net.switch('sw1', 4);
 *   const r1 = net.router('r1', { eth0: '192.168.3.1/24', eth1: '10.0.0.1/30' });
 *   net.link('pc.eth0', 'sw1.port1', { bandwidth: 100e6, delay: 50 * US });
 *   net.link('r1.eth0', 'sw1.port2');
 *   const result = await net.runUntilSettled(ping(pc, { target: '10.0.0.2', count: 3 }));
 *
 * Topology files (src/world/topology.ts) build a Network the same way.
 */
import type { LinkProps } from '../sim/link.js';
import { Simulation } from '../sim/simulation.js';
import type { SimulationOptions } from '../sim/simulation.js';
import { parseCidr, parseIpv4, parseMac } from '../wire/addr.js';
import { Host } from '../devices/host.js';
import type { HostOptions } from '../devices/host.js';
import { Hub } from '../devices/hub.js';
import type { HubOptions } from '../devices/hub.js';
import { Router } from '../devices/router.js';
import { Switch } from '../devices/switch.js';
import type { SwitchOptions } from '../devices/switch.js';
import type { NetApi, TransportHost, TransportProtocol } from '../stack/api.js';
import type { NicOptions } from '../stack/nic.js';

/** Interface spec in the short form: an address "10.0.0.1/24", or an object. */
export type IfaceSpec =
  | string
  | ({
      address?: string | string[];
      mac?: string;
      mtu?: number;
    } & NicOptions);

/** Route spec in the short form: { "10.0.0.0/8": "192.168.3.1", default: "192.168.3.1" }. */
export type RoutesSpec = Record<string, string>;

export type TcpFactory = (host: TransportHost) => TransportProtocol & { readonly net: NetApi };

export interface NetworkOptions extends SimulationOptions {
  /** Attached to every host and router as it is created (e.g. (h) => new TcpLayer(h)). */
  tcp?: TcpFactory;
}

export class Network extends Simulation {
  private readonly tcp: TcpFactory | undefined;

  constructor(options: NetworkOptions = {}) {
    super(options);
    this.tcp = options.tcp;
  }

  /** Adds a host with interfaces (name → address) and routes (prefix → gateway). */
  host(
    name: string,
    ifaces: Record<string, IfaceSpec> = {},
    routes: RoutesSpec = {},
    options: HostOptions = {},
  ): Host {
    const h = new Host(this, name, options);
    this.configure(h, ifaces, routes);
    return h;
  }

  router(
    name: string,
    ifaces: Record<string, IfaceSpec> = {},
    routes: RoutesSpec = {},
    options: HostOptions = {},
  ): Router {
    const r = new Router(this, name, options);
    this.configure(r, ifaces, routes);
    return r;
  }

  switch(
    name: string,
    ports: number | string[] = 8,
    options: Omit<SwitchOptions, 'ports'> = {},
  ): Switch {
    return new Switch(this, name, { ...options, ports });
  }

  hub(name: string, ports: number | string[] = 4, options: Omit<HubOptions, 'ports'> = {}): Hub {
    return new Hub(this, name, { ...options, ports });
  }

  /** Connects "node.port" to "node.port". */
  link(a: string, b: string, props: Partial<LinkProps> = {}, name?: string) {
    return this.connect(a, b, props, name);
  }

  hostNamed(name: string): Host {
    const n = this.nodes.get(name);
    if (!(n instanceof Host)) throw new Error(`no host or router named "${name}"`);
    return n;
  }

  switchNamed(name: string): Switch {
    const n = this.nodes.get(name);
    if (!(n instanceof Switch)) throw new Error(`no switch named "${name}"`);
    return n;
  }

  private configure(h: Host, ifaces: Record<string, IfaceSpec>, routes: RoutesSpec): void {
    for (const [ifname, spec] of Object.entries(ifaces)) {
      const s = typeof spec === 'string' ? { address: spec } : spec;
      const mac = s.mac === undefined ? undefined : parseMac(s.mac);
      if (s.mac !== undefined && mac === undefined)
        throw new Error(`${h.name}.${ifname}: bad MAC "${s.mac}"`);
      h.addInterface(ifname, { ...s, mac });
      const addrs =
        s.address === undefined ? [] : Array.isArray(s.address) ? s.address : [s.address];
      for (const a of addrs) {
        const c = parseCidr(a);
        if (c === undefined)
          throw new Error(`${h.name}.${ifname}: bad address "${a}" (expected like 10.0.0.1/24)`);
        h.addAddress(ifname, c.addr, c.prefix);
      }
    }
    for (const [to, via] of Object.entries(routes)) {
      const c = to === 'default' ? { addr: 0, prefix: 0 } : parseCidr(to);
      const gw = parseIpv4(via);
      if (c === undefined || gw === undefined)
        throw new Error(`${h.name}: bad route ${to} via ${via}`);
      const iface = h.ifaceForGateway(gw);
      if (iface === undefined)
        throw new Error(`${h.name}: gateway ${via} is not on any connected subnet`);
      const err = h.addRoute({ dst: c.addr, prefix: c.prefix, gateway: gw, iface: iface.name });
      if (err !== undefined) throw new Error(`${h.name}: ${err}`);
    }
    if (this.tcp !== undefined) h.attachTcp(this.tcp);
  }
}
