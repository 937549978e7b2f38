/**
 * The IPv4 routing table: longest-prefix match, then lowest metric.
 *
 * Read first:
 * - RFC 1812 § 5.2.4.3 (next hop: "Basic match", "Longest match", then "Weak TOS" and
 *   "Best metric"; a router picks the most specific route, then the best metric among equally
 *   specific ones). wiretrail does not route by TOS.
 * - RFC 1122 § 3.3.1 (a host's routing: on-link destinations go direct, others to a gateway)
 *   and § 3.3.4.3 (the source address of a multihomed host comes from the interface the route
 *   chooses — the seeds' `route -n` example: 192.168.10.200 leaves through eth1 with eth1's
 *   address; 10.100.20.100 takes the default route).
 *
 * Routes are kept sorted by prefix length (longest first), then metric, then insertion order,
 * so `lookup` is one linear scan that stops at the first match: a handful of comparisons for
 * the tables a host or an edge router holds. `explain` is the same scan keeping every
 * candidate with the reason it lost, for the narration ("matched 0.0.0.0/0 via 192.168.3.1 on
 * eth0; 192.168.3.0/24 and 192.168.10.0/24 did not match"); only tracing calls it.
 */
import { formatIpv4, prefixToMask } from '../wire/addr.js';
import type { Ipv4Addr } from '../wire/addr.js';

export type RouteProto = 'kernel' | 'static' | 'boot';

export interface Route {
  /** Network address (already masked). */
  readonly dst: Ipv4Addr;
  readonly prefix: number;
  readonly mask: number;
  /** Next hop; 0 for a directly connected (on-link) destination. */
  readonly gateway: Ipv4Addr;
  /** Egress interface name. */
  readonly iface: string;
  readonly metric: number;
  /** Preferred source address ("src" in `ip route`), 0 = choose from the interface. */
  readonly src: Ipv4Addr;
  /** kernel = connected route added with an address; static = configured. */
  readonly proto: RouteProto;
}

export interface RouteSpec {
  dst: Ipv4Addr;
  prefix: number;
  gateway?: Ipv4Addr;
  iface: string;
  metric?: number;
  src?: Ipv4Addr;
  proto?: RouteProto;
}

/** Why a route was not chosen. */
export type RouteVerdict = 'chosen' | 'no-match' | 'less-specific' | 'higher-metric';

export interface RouteCandidate {
  readonly route: Route;
  /** dst & route.mask: what the seeds' walkthrough compares with route.dst. */
  readonly masked: Ipv4Addr;
  readonly verdict: RouteVerdict;
}

export interface RouteDecision {
  readonly dst: Ipv4Addr;
  readonly route: Route | undefined;
  /** Every route in table order with its verdict. */
  readonly candidates: readonly RouteCandidate[];
}

/** A route as plain data for trace events. */
export interface RouteData {
  dst: string;
  prefix: number;
  gateway: string;
  iface: string;
  metric: number;
}

export function routeData(r: Route): RouteData {
  return {
    dst: formatIpv4(r.dst),
    prefix: r.prefix,
    gateway: formatIpv4(r.gateway),
    iface: r.iface,
    metric: r.metric,
  };
}

/** "0.0.0.0/0 via 192.168.3.1 dev eth0" / "192.168.3.0/24 dev eth0" */
export function formatRoute(r: Route): string {
  const dst = r.prefix === 0 ? 'default' : `${formatIpv4(r.dst)}/${r.prefix}`;
  const via = r.gateway !== 0 ? ` via ${formatIpv4(r.gateway)}` : '';
  return `${dst}${via} dev ${r.iface}`;
}

export class RouteTable {
  private routes: Route[] = [];
  private seq = 0;
  private order = new WeakMap<Route, number>();

  /**
   * Adds a route. Returns an error message (like `ip route add`'s "File exists") if a route for
   * the same prefix and metric already exists.
   */
  add(spec: RouteSpec): string | undefined {
    const prefix = spec.prefix;
    if (!(prefix >= 0 && prefix <= 32 && Number.isInteger(prefix)))
      return `bad prefix length ${prefix}`;
    const mask = prefixToMask(prefix);
    const dst = (spec.dst & mask) >>> 0;
    const metric = spec.metric ?? 0;
    if (this.routes.some((r) => r.dst === dst && r.prefix === prefix && r.metric === metric)) {
      return `a route to ${formatIpv4(dst)}/${prefix} with metric ${metric} already exists`;
    }
    const route: Route = {
      dst,
      prefix,
      mask,
      gateway: spec.gateway ?? 0,
      iface: spec.iface,
      metric,
      src: spec.src ?? 0,
      proto: spec.proto ?? 'static',
    };
    this.order.set(route, this.seq++);
    this.routes.push(route);
    this.routes.sort(
      (a, b) =>
        b.prefix - a.prefix || a.metric - b.metric || this.order.get(a)! - this.order.get(b)!,
    );
    return undefined;
  }

  /** Removes routes matching dst/prefix (and iface/gateway if given). Returns how many. */
  remove(
    dst: Ipv4Addr,
    prefix: number,
    match: { iface?: string; gateway?: Ipv4Addr; metric?: number } = {},
  ): number {
    const mask = prefixToMask(prefix);
    const d = (dst & mask) >>> 0;
    const before = this.routes.length;
    this.routes = this.routes.filter(
      (r) =>
        !(
          r.dst === d &&
          r.prefix === prefix &&
          (match.iface === undefined || r.iface === match.iface) &&
          (match.gateway === undefined || r.gateway === match.gateway) &&
          (match.metric === undefined || r.metric === match.metric)
        ),
    );
    return before - this.routes.length;
  }

  /** Removes every route through `iface` (when the interface goes away). */
  removeIface(iface: string): void {
    this.routes = this.routes.filter((r) => r.iface !== iface);
  }

  /** Longest-prefix match, then lowest metric (RFC 1812 § 5.2.4.3). */
  lookup(dst: Ipv4Addr): Route | undefined {
    const rs = this.routes;
    for (let i = 0; i < rs.length; i++) {
      const r = rs[i];
      if ((dst & r.mask) >>> 0 === r.dst) return r;
    }
    return undefined;
  }

  /** The same decision as `lookup`, with every candidate and why it lost. */
  explain(dst: Ipv4Addr): RouteDecision {
    const chosen = this.lookup(dst);
    const candidates: RouteCandidate[] = this.routes.map((r) => {
      const masked = (dst & r.mask) >>> 0;
      let verdict: RouteVerdict;
      if (r === chosen) verdict = 'chosen';
      else if (masked !== r.dst) verdict = 'no-match';
      else if (chosen !== undefined && r.prefix < chosen.prefix) verdict = 'less-specific';
      else verdict = 'higher-metric';
      return { route: r, masked, verdict };
    });
    return { dst, route: chosen, candidates };
  }

  /** Routes in match order (longest prefix first). */
  list(): readonly Route[] {
    return this.routes;
  }

  /**
   * Routes in the order `route -n` prints them (/proc/net/route walks the FIB trie in key
   * order: by destination address, default route first).
   */
  listForDisplay(): Route[] {
    return this.routes
      .slice()
      .sort((a, b) => a.dst - b.dst || a.prefix - b.prefix || a.metric - b.metric);
  }

  get size(): number {
    return this.routes.length;
  }
}
