/**
 * `route` as net-tools prints /proc/net/route (lib/inet_gr.c rprint_fib), with the routes in
 * the kernel's FIB order (by destination, default first). Flags: U (route is up), G (via a
 * gateway), H (host route, /32).
 *
 * Three layouts, as `route` chooses them: the default ("%-15s %-15s %-15s %-5s %-6d %-2d %7d
 * %s": Metric, Ref, Use), `-e` (netstat -r's: "%-15s %-15s %-15s %-5s %5d %-5d %6d %s": MSS,
 * Window, irtt) and `-ee` (both). Without `-n` the addresses are named as lib/inet.c
 * INET_rresolve does it: 0.0.0.0/0 is "default" and a 0.0.0.0 gateway stays "0.0.0.0"; a
 * network destination is looked up with getnetbyaddr() (/etc/networks, which a node here does
 * not have: it stays numeric); a gateway, or the destination of a host route, with
 * gethostbyaddr() (the hosts file, then DNS: the caller's `names`). Each column is cut to 15
 * characters, as rprint_fib cuts it.
 *
 * Read first: RFC 1812 § 5.2.4.3 (what the table means: longest match wins), and the seeds'
 * walkthrough of this very table (Destination, Gateway, Genmask, Iface).
 */
import { formatIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { NetStack } from '../../stack/netstack.js';
import type { Route } from '../../stack/route.js';

/** 1: the default layout; 2: `-e` (netstat -r's); 3: `-ee`. */
export type RouteLayout = 1 | 2 | 3;

const HEADERS: Record<RouteLayout, string> = {
  1: 'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface',
  2: 'Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface',
  3: 'Destination     Gateway         Genmask         Flags Metric Ref    Use Iface    MSS   Window irtt',
};

/**
 * The addresses `route` (without -n) looks up with gethostbyaddr(), in the order it prints
 * them: each gateway, and the destination of each host route.
 */
export function routeLookups(routes: readonly Route[]): Ipv4Addr[] {
  const out: Ipv4Addr[] = [];
  for (const r of routes) {
    if (isHost(r)) out.push(r.dst);
    if (r.gateway !== 0) out.push(r.gateway);
  }
  return out;
}

function isHost(r: Route): boolean {
  return r.prefix === 32 || (r.dst & ~r.mask) !== 0;
}

/**
 * The table. `nameOf` (absent: -n) gives the name gethostbyaddr() found for an address, or
 * undefined for none.
 */
export function formatRoute(
  routes: readonly Route[],
  opts: { layout?: RouteLayout; nameOf?: (a: Ipv4Addr) => string | undefined } = {},
): string[] {
  const layout = opts.layout ?? 1;
  const nameOf = opts.nameOf;
  const named = (a: Ipv4Addr): string => (nameOf?.(a) ?? formatIpv4(a)).slice(0, 15);
  const out = ['Kernel IP routing table', HEADERS[layout]];
  for (const r of routes) {
    let flags = 'U';
    if (r.gateway !== 0) flags += 'G';
    if (r.prefix === 32) flags += 'H';
    let dst: string;
    let gw: string;
    if (nameOf === undefined) {
      dst = formatIpv4(r.dst);
      gw = formatIpv4(r.gateway);
    } else {
      dst =
        r.dst === 0
          ? r.mask === 0
            ? 'default'
            : '0.0.0.0'
          : isHost(r)
            ? named(r.dst)
            : formatIpv4(r.dst);
      gw = r.gateway === 0 ? '0.0.0.0' : named(r.gateway);
    }
    const head = `${dst.padEnd(15)} ${gw.padEnd(15)} ${formatIpv4(r.mask).padEnd(15)} ${flags.padEnd(5)}`;
    // /proc/net/route: Ref and Use are 0; MTU (MSS), Window and IRTT are 0 (not set)
    if (layout === 1)
      out.push(
        `${head} ${String(r.metric).padEnd(6)} ${'0'.padEnd(2)} ${'0'.padStart(7)} ${r.iface}`,
      );
    else if (layout === 2)
      out.push(`${head} ${'0'.padStart(5)} ${'0'.padEnd(5)} ${'0'.padStart(6)} ${r.iface}`);
    else
      out.push(
        `${head} ${String(r.metric).padEnd(6)} ${'0'.padEnd(3)} ${'0'.padStart(6)} ${r.iface.slice(0, 6).padEnd(6)}   ${'0'.padEnd(5)} ${'0'.padEnd(6)} 0`,
      );
  }
  return out;
}

/** `route -n`. */
export function formatRouteN(routes: readonly Route[]): string[] {
  return formatRoute(routes);
}

export function routeN(host: NetStack): string[] {
  return formatRouteN(host.routes.listForDisplay());
}
