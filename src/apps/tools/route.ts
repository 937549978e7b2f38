/**
 * `route -n` as net-tools prints /proc/net/route (lib/inet_gr.c: "%-15s %-15s %-15s %-5s %-6d
 * %-2d %7d %s"), with the routes in the kernel's FIB order (by destination, default first).
 * Flags: U (route is up), G (via a gateway), H (host route, /32).
 *
 * Read first: RFC 1812 § 5.2.4.3 (what the table means: longest match wins), and the seeds'
 * walkthrough of this very table (Destination, Gateway, Genmask, Iface).
 */
import { formatIpv4 } from '../../wire/addr.js';
import type { NetStack } from '../../stack/netstack.js';
import type { Route } from '../../stack/route.js';

export function formatRouteN(routes: readonly Route[]): string[] {
  const out = [
    'Kernel IP routing table',
    'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface',
  ];
  for (const r of routes) {
    let flags = 'U';
    if (r.gateway !== 0) flags += 'G';
    if (r.prefix === 32) flags += 'H';
    out.push(
      `${formatIpv4(r.dst).padEnd(15)} ${formatIpv4(r.gateway).padEnd(15)} ${formatIpv4(r.mask).padEnd(15)} ${flags.padEnd(5)} ${String(r.metric).padEnd(6)} ${'0'.padEnd(2)} ${'0'.padStart(7)} ${r.iface}`,
    );
  }
  return out;
}

export function routeN(host: NetStack): string[] {
  return formatRouteN(host.routes.listForDisplay());
}
