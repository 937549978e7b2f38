/**
 * A host: a node with a network stack (src/stack/netstack.ts) and forwarding off. Interfaces
 * are added with a MAC (derived from the node's index when not given), addresses with
 * `ip addr add`-like calls, routes with `ip route add`-like calls.
 *
 * Read first: RFC 1122 (requirements for Internet hosts), whose sections the stack cites.
 *
 *   const pc = new Host(sim, 'pc');
 *   pc.addInterface('eth0', { mac: 0x02000000000a });
 *   pc.addAddress('eth0', parseIpv4('192.168.3.10')!, 24);
 *   pc.addRoute({ dst: 0, prefix: 0, gateway: parseIpv4('192.168.3.1')!, iface: 'eth0' });
 *   pc.attachTcp((h) => new TcpLayer(h));       // sets pc.net
 */
import type { LinkPort } from '../sim/link.js';
import type { SimNode, Simulation } from '../sim/simulation.js';
import type { MacAddr } from '../wire/addr.js';
import type { Interface } from '../stack/iface.js';
import { NetStack } from '../stack/netstack.js';
import type { InterfaceOptions, StackOptions } from '../stack/netstack.js';
import type { NicOptions } from '../stack/nic.js';

export type HostOptions = StackOptions;

export class Host extends NetStack implements SimNode {
  readonly kind: string = 'host';
  /** Index used to derive MAC addresses (02:00:00:NN:NN:II). */
  readonly nodeIndex: number;

  constructor(
    readonly sim: Simulation,
    name: string,
    options: HostOptions = {},
  ) {
    super(
      name,
      {
        clock: sim.clock,
        trace: sim.trace,
        rng: (node, purpose) => sim.rngs.stream(node, purpose),
      },
      options,
    );
    this.nodeIndex = sim.nodes.size + 1;
    sim.addNode(this);
  }

  /** Adds an Ethernet interface; the MAC defaults to 02:00:00:<node index>:<interface index>. */
  override addInterface(
    name: string,
    options: Partial<InterfaceOptions> & NicOptions = {},
  ): Interface {
    const mac = options.mac ?? defaultMac(this.nodeIndex, this.interfaces.size);
    return super.addInterface(name, { ...options, mac });
  }

  port(name: string): LinkPort | undefined {
    return this.interfaces.get(name)?.nic;
  }

  portNames(): string[] {
    return [...this.interfaces.values()].filter((i) => i.nic !== undefined).map((i) => i.name);
  }
}

/** A locally administered unicast MAC: 02:00:00:<node hi>:<node lo>:<iface>. */
export function defaultMac(nodeIndex: number, ifaceIndex: number): MacAddr {
  return 0x02_00_00_00_00_00 + ((nodeIndex & 0xffff) << 8) + (ifaceIndex & 0xff);
}
