/**
 * `ip route get`, `ip route show`, `ip addr`, `ip link`, `ip -s [-s] link`, `ip -4 addr` and
 * `ip -br addr|link`, formatted as iproute2 prints them (trailing blanks trimmed). `ip route get` shows the chosen route and the
 * source address the stack would use (RFC 1122 § 3.3.4.3); `explainRouteGet` adds the
 * seeds-style walk through every route (for the narration and `--explain`).
 *
 * Read first: RFC 1812 § 5.2.4.3 (longest match), RFC 1122 § 3.3.4.3 (source selection).
 */
import { formatIpv4, formatMac, parseIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import type { Interface } from '../../stack/iface.js';
import type { NetStack } from '../../stack/netstack.js';
import type { Route } from '../../stack/route.js';

export interface RouteGetResult {
  lines: string[];
  exitCode: number;
}

/** `ip route get <addr>`. */
export function ipRouteGet(host: NetStack, dst: Ipv4Addr | string): RouteGetResult {
  const d = typeof dst === 'string' ? parseIpv4(dst) : dst >>> 0;
  if (d === undefined)
    return {
      lines: [`Error: any valid prefix is expected rather than "${String(dst)}".`],
      exitCode: 1,
    };
  const r = host.resolveRoute(d);
  if (r === undefined) return { lines: ['RTNETLINK answers: Network is unreachable'], exitCode: 2 };
  const a = formatIpv4(d);
  if (r.local) {
    return {
      lines: [`local ${a} dev lo src ${formatIpv4(r.src)} uid 0`, '    cache <local>'],
      exitCode: 0,
    };
  }
  const route = r.route!;
  const via = route.gateway !== 0 ? ` via ${formatIpv4(route.gateway)}` : '';
  if (d === 0xffffffff || r.iface.isBroadcast(d)) {
    return {
      lines: [
        `broadcast ${a} dev ${r.iface.name} src ${formatIpv4(r.src)} uid 0`,
        '    cache <local,brd>',
      ],
      exitCode: 0,
    };
  }
  return {
    lines: [`${a}${via} dev ${r.iface.name} src ${formatIpv4(r.src)} uid 0`, '    cache'],
    exitCode: 0,
  };
}

/**
 * The decision spelled out like the seeds do it: dst AND each Genmask compared with each
 * Destination, then the winner and the source address.
 */
export function explainRouteGet(host: NetStack, dst: Ipv4Addr): string[] {
  const ex = host.explainRoute(dst);
  const out: string[] = [];
  const a = formatIpv4(dst);
  if (ex.lookup?.local === true)
    return [`${a} is an address of ${host.name}: delivered locally (loopback)`];
  for (const c of ex.candidates) {
    const r = c.route;
    const mask = formatIpv4(prefixMask(r.prefix));
    const what = `${a} AND ${mask} = ${c.masked}`;
    const verdict =
      c.verdict === 'chosen'
        ? `= ${r.dst}: match, chosen`
        : c.verdict === 'no-match'
          ? `≠ ${r.dst}: no match`
          : c.verdict === 'less-specific'
            ? `= ${r.dst}: matches, but /${r.prefix} is less specific`
            : `= ${r.dst}: matches, but metric ${r.metric} is higher`;
    const via = r.gateway === '0.0.0.0' ? '' : ` via ${r.gateway}`;
    out.push(`${r.dst}/${r.prefix}${via} dev ${r.iface}: ${what} ${verdict}`);
  }
  if (ex.lookup === undefined) out.push('no route matched: Network is unreachable');
  else out.push(`source address ${formatIpv4(ex.lookup.src)} (${ex.srcWhy})`);
  return out;
}

function prefixMask(p: number): number {
  return p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
}

/** `ip route show`. */
export function formatIpRoute(routes: readonly Route[]): string[] {
  return routes.map((r) => {
    const dst = r.prefix === 0 ? 'default' : `${formatIpv4(r.dst)}/${r.prefix}`;
    let s = dst;
    if (r.gateway !== 0) s += ` via ${formatIpv4(r.gateway)}`;
    s += ` dev ${r.iface}`;
    if (r.proto === 'kernel') s += ' proto kernel scope link';
    if (r.src !== 0) s += ` src ${formatIpv4(r.src)}`;
    if (r.metric !== 0) s += ` metric ${r.metric}`;
    return s;
  });
}

function flags(i: Interface): string {
  const f: string[] = [];
  if (i.kind === 'loopback') {
    f.push('LOOPBACK');
    if (i.up) f.push('UP', 'LOWER_UP');
    return `<${f.join(',')}>`;
  }
  const nic = i.nic!;
  if (nic.up && !nic.carrierUp) f.push('NO-CARRIER');
  f.push('BROADCAST', 'MULTICAST');
  if (nic.promiscuous) f.push('PROMISC');
  if (nic.up) f.push('UP');
  if (nic.running) f.push('LOWER_UP');
  return `<${f.join(',')}>`;
}

/** The interfaces a listing shows: `only` one by name; with `inet4`, those with an address. */
function shown(host: NetStack, opts: { only?: string; inet4?: boolean } = {}): Interface[] {
  return [...host.interfaces.values()].filter(
    (i) => (opts.only === undefined || i.name === opts.only) && (!opts.inet4 || i.addrs.length > 0),
  );
}

function operstate(i: Interface): string {
  return i.kind === 'loopback' ? 'UNKNOWN' : i.nic!.running ? 'UP' : 'DOWN';
}

function headLine(i: Interface, withGroupMode: boolean): string {
  const lo = i.kind === 'loopback';
  const state = operstate(i);
  const qdisc = lo ? 'noqueue' : 'pfifo_fast';
  const qlen = lo ? 1000 : i.nic!.txQueueLen;
  return `${i.index}: ${i.name}: ${flags(i)} mtu ${i.mtu} qdisc ${qdisc} state ${state}${withGroupMode ? ' mode DEFAULT' : ''} group default qlen ${qlen}`;
}

function linkLine(i: Interface): string {
  if (i.kind === 'loopback') return '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  return `    link/ether ${formatMac(i.mac)} brd ff:ff:ff:ff:ff:ff`;
}

function row(widths: number[], values: (number | string)[], indent = 4): string {
  let s = ' '.repeat(indent);
  values.forEach((v, k) => {
    const w = widths[k];
    s += k === 0 ? String(v).padStart(w) : ' ' + String(v).padStart(w - 1);
  });
  return s;
}

/** `ip link` (level 0), `ip -s link` (1), `ip -s -s link` (2). */
export function formatIpLink(host: NetStack, stats = 0, only?: string): string[] {
  const out: string[] = [];
  for (const i of shown(host, { only })) {
    out.push(headLine(i, true), linkLine(i));
    if (stats === 0) continue;
    const c = i.counters;
    out.push('    RX:  bytes packets errors dropped  missed   mcast');
    out.push(
      row(
        [10, 8, 7, 8, 8, 8],
        [c.rxBytes, c.rxPackets, c.rxErrors, c.rxDropped, c.rxMissed, c.rxMcast],
      ),
    );
    if (stats > 1) {
      out.push('    RX errors:  length    crc   frame    fifo overrun');
      out.push(
        row(
          [10, 8, 7, 8, 8, 8],
          ['', c.rxLengthErrors, c.rxCrcErrors, c.rxFrameErrors, c.rxFifoErrors, c.rxOverErrors],
        ),
      );
    }
    out.push('    TX:  bytes packets errors dropped carrier collsns');
    out.push(
      row(
        [10, 8, 7, 8, 8, 8],
        [c.txBytes, c.txPackets, c.txErrors, c.txDropped, c.txCarrierErrors, c.collisions],
      ),
    );
    if (stats > 1) {
      out.push('    TX errors: aborted   fifo  window heartbt transns');
      out.push(
        row(
          [10, 8, 7, 8, 8, 8],
          [
            '',
            c.txAbortedErrors,
            c.txFifoErrors,
            c.txWindowErrors,
            c.txHeartbeatErrors,
            c.txTransns,
          ],
        ),
      );
    }
  }
  return out.map((l) => l.trimEnd());
}

/**
 * `ip addr` (`ip addr show [dev] NAME`: that interface only). With `inet4` (`ip -4 addr`) the
 * link lines are left out and so are interfaces without an IPv4 address, as iproute2's family
 * filter does. The loopback's address has no `brd`: iproute2 prints IFA_BROADCAST, which lo's
 * 127.0.0.1/8 does not carry (the stack still treats 127.255.255.255 as lo's broadcast, as
 * Linux's local routing table does).
 */
export function formatIpAddr(
  host: NetStack,
  opts: { only?: string; inet4?: boolean } = {},
): string[] {
  const out: string[] = [];
  for (const i of shown(host, opts)) {
    out.push(headLine(i, false));
    if (!opts.inet4) out.push(linkLine(i));
    for (const a of i.addrs) {
      const lo = i.kind === 'loopback';
      const brd = a.broadcast !== 0 && !lo ? ` brd ${formatIpv4(a.broadcast)}` : '';
      const scope = lo ? 'host' : 'global';
      out.push(`    inet ${formatIpv4(a.addr)}/${a.prefix}${brd} scope ${scope} ${i.name}`);
      out.push('       valid_lft forever preferred_lft forever');
    }
  }
  return out;
}

/**
 * `ip -br addr` (ipaddress.c print_linkinfo, brief): the name in 16 columns, the operational
 * state in 14, then each address as "addr/prefix" (trailing blank trimmed).
 */
export function formatIpAddrBrief(
  host: NetStack,
  opts: { only?: string; inet4?: boolean } = {},
): string[] {
  const out: string[] = [];
  for (const i of shown(host, opts)) {
    const addrs = i.addrs.map((a) => `${formatIpv4(a.addr)}/${a.prefix} `).join('');
    out.push(`${i.name.padEnd(16)} ${operstate(i).padEnd(14)} ${addrs}`.trimEnd());
  }
  return out;
}

/** `ip -br link`: name, operational state, MAC address and flags. */
export function formatIpLinkBrief(host: NetStack, only?: string): string[] {
  const out: string[] = [];
  for (const i of shown(host, { only })) {
    const mac = i.kind === 'loopback' ? '00:00:00:00:00:00' : formatMac(i.mac);
    out.push(`${i.name.padEnd(16)} ${operstate(i).padEnd(14)} ${mac} ${flags(i)}`);
  }
  return out;
}
