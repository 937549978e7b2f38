/**
 * A router: a node with forwarding on, as Linux does it (net.ipv4.ip_forward = 1). Each
 * interface has a MAC and an IP address (the seeds: "路由器的各个端口都具有 MAC 地址和 IP 地址");
 * the NIC accepts frames for its own MAC and broadcasts and drops the rest; the stack looks up
 * the routing table, decrements the TTL (incremental checksum), resolves the next hop with ARP
 * and sends a new frame with new Ethernet addresses — IP addresses stay as they are.
 *
 * Read first: RFC 1812 (requirements for IP version 4 routers): § 5.2 forwarding,
 * § 5.3.1 TTL, § 4.3 ICMP, § 5.2.7.1 unreachables. The forwarding code is in
 * src/stack/netstack.ts (`forward`), shared with hosts exactly as Linux shares ip_forward.
 */
import type { Simulation } from '../sim/simulation.js';
import { Host } from './host.js';
import type { HostOptions } from './host.js';

export class Router extends Host {
  override readonly kind: string = 'router';

  constructor(sim: Simulation, name: string, options: HostOptions = {}) {
    super(sim, name, { ...options, forwarding: options.forwarding ?? true });
  }
}
