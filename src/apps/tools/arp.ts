/**
 * `arp -n` and `arp -a`, formatted as net-tools' arp prints /proc/net/arp (arp.c: arp_disp and
 * arp_disp_2). An entry is "complete" (flag C) when its neighbour state is valid (REACHABLE,
 * STALE, DELAY, PROBE or PERMANENT — Linux's NUD_VALID); INCOMPLETE and FAILED entries show
 * "(incomplete)". PERMANENT entries carry the M flag. Names come from the node's hosts file
 * (what gethostbyaddr finds without DNS; reverse DNS is not asked): `arp -a` prints "?" for an
 * address without a name, as net-tools does when reverse lookup fails, and `-n` never names.
 *
 * Read first: RFC 826 (the cache being shown).
 */
import { formatIpv4, formatMac } from '../../wire/addr.js';
import type { NetStack } from '../../stack/netstack.js';
import type { NeighState } from '../../stack/neighbor.js';

export interface ArpRow {
  ip: number;
  mac: number;
  state: NeighState;
  iface: string;
}

/** Entries of every interface, in interface then insertion order. */
export function arpRows(host: NetStack): ArpRow[] {
  const rows: ArpRow[] = [];
  for (const i of host.interfaces.values()) {
    if (i.arp === undefined) continue;
    for (const e of i.arp.list())
      rows.push({ ip: e.ip, mac: e.mac, state: e.state, iface: i.name });
  }
  return rows;
}

function complete(s: NeighState): boolean {
  return s !== 'INCOMPLETE' && s !== 'FAILED';
}

/** A name for an address (the hosts file), or undefined. */
export type NameOf = (ip: number) => string | undefined;

/** `arp -n`, and plain `arp` with `nameOf` (names in the Address column where known). */
export function formatArpN(rows: readonly ArpRow[], nameOf?: NameOf): string[] {
  if (rows.length === 0) return [];
  const out = ['Address                  HWtype  HWaddress           Flags Mask            Iface'];
  for (const r of rows) {
    let flags = '';
    if (complete(r.state)) flags += 'C';
    if (r.state === 'PERMANENT') flags += 'M';
    const hw = complete(r.state)
      ? 'ether'.padEnd(8) + formatMac(r.mac).padEnd(20)
      : ''.padEnd(8) + '(incomplete)'.padEnd(20);
    out.push(
      (
        (nameOf?.(r.ip) ?? formatIpv4(r.ip)).padEnd(23) +
        '  ' +
        hw +
        flags.padEnd(6) +
        ''.padEnd(15) +
        ' ' +
        r.iface
      ).trimEnd(),
    );
  }
  return out;
}

/** `arp -a` (BSD style); with `nameOf`, known names instead of "?" (not with `-n`). */
export function formatArpA(rows: readonly ArpRow[], nameOf?: NameOf): string[] {
  return rows.map((r) => {
    const hw = complete(r.state) ? `${formatMac(r.mac)} [ether] ` : '<incomplete> ';
    const perm = r.state === 'PERMANENT' ? 'PERM ' : '';
    return `${nameOf?.(r.ip) ?? '?'} (${formatIpv4(r.ip)}) at ${hw}${perm}on ${r.iface}`;
  });
}

/** `ip neigh show` (iproute2), with the neighbour states by name. */
export function formatIpNeigh(rows: readonly ArpRow[]): string[] {
  return rows.map((r) => {
    const ll = complete(r.state) ? ` lladdr ${formatMac(r.mac)}` : '';
    return `${formatIpv4(r.ip)} dev ${r.iface}${ll} ${r.state}`;
  });
}
