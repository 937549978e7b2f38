/**
 * The static description of a network for the page: nodes with their role (for the icon),
 * interfaces, ports and routing tables; links with their properties. Built from the parsed
 * topology and the running Network (routes as the stacks hold them, connected routes included).
 */
import { formatIpv4, formatMac } from '../../src/wire/addr.js';
import { NetStack } from '../../src/stack/netstack.js';
import type { Simulation } from '../../src/sim/simulation.js';
import type { Topology, TopoNode } from '../../src/world/topology.js';
import type { LinkInfo, NodeInfo, NodeRole, RouteRow } from './types.js';

/** The icon a node gets: from its services when the topology lists them, else from its name. */
export function roleOf(n: TopoNode, client: string | undefined): NodeRole {
  if (n.kind === 'router' || n.kind === 'switch' || n.kind === 'hub') return n.kind;
  if (n.name === client) return 'client';
  const services = JSON.stringify(n.apps?.services ?? '').toLowerCase();
  if (services.includes('http')) return 'web';
  if (services.includes('dns')) return 'dns';
  const name = n.name.toLowerCase();
  if (/(^|[-_])(ns\d*|dns|root|tld|resolver|gtld)([-_\d]|$)/.test(name)) return 'dns';
  if (/(^|[-_])(web\d*|www|server|srv|http)([-_\d]|$)/.test(name)) return 'web';
  if (/^(pc|client|laptop|browser)/.test(name)) return 'client';
  return 'host';
}

export function describeNetwork(
  topo: Topology,
  sim: Simulation,
  client?: string,
): { nodes: NodeInfo[]; links: LinkInfo[] } {
  const nodes: NodeInfo[] = topo.nodes.map((n) => {
    const live = sim.nodes.get(n.name);
    const routes: RouteRow[] = [];
    if (live instanceof NetStack) {
      for (const r of live.routes.list()) {
        routes.push({
          dst: formatIpv4(r.dst),
          prefix: r.prefix,
          gateway: formatIpv4(r.gateway),
          iface: r.iface,
          metric: r.metric,
          proto: r.proto,
        });
      }
    }
    return {
      name: n.name,
      kind: n.kind,
      role: roleOf(n, client),
      description: n.description,
      ifaces: n.interfaces.map((i) => {
        const liveMac = live instanceof NetStack ? live.iface(i.name)?.nic?.mac : undefined;
        const mac = i.mac ?? liveMac;
        return {
          name: i.name,
          mac: mac === undefined ? undefined : formatMac(mac),
          addrs: i.addresses.map((a) => `${formatIpv4(a.addr)}/${a.prefix}`),
          mtu: live instanceof NetStack ? live.iface(i.name)?.mtu : i.mtu,
        };
      }),
      ports: n.ports,
      routes,
    };
  });
  const links: LinkInfo[] = sim.media.map((m, i) => {
    const tl = topo.links[i];
    return {
      name: m.name,
      kind: tl?.kind ?? (m.ports.length > 2 ? 'segment' : 'link'),
      ends: m.ports.map((p) => p.id),
      bandwidth: m.props.bandwidth,
      delay: m.props.delay,
      loss: m.props.loss,
      mtu: m.props.mtu,
    };
  });
  return { nodes, links };
}
