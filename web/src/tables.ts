/**
 * A device's tables as they were at a moment of the run, rebuilt from the trace alone: the ARP
 * cache from `arp.state`, a switch's MAC table from `switch.learn`/`switch.age`, sockets from
 * `tcp.state` and `udp.bind`, DNS caches from `dns.cache`, `dns.stub` and `browser.dns-cache`,
 * the routing decision from `ip.route` and `router.forward`. "At event i" means after event i
 * happened. Pure: no DOM.
 */
import type { TraceEvent } from '../../src/sim/trace.js';
import { formatIpv4 } from '../../src/wire/addr.js';

const perNode = new WeakMap<readonly TraceEvent[], Map<string, number[]>>();

/** Indexes of the events of one node, in order (computed once per trace). */
export function nodeEvents(events: readonly TraceEvent[], node: string): number[] {
  let m = perNode.get(events);
  if (m === undefined) {
    m = new Map();
    for (let i = 0; i < events.length; i++) {
      const n = events[i].node;
      let l = m.get(n);
      if (l === undefined) m.set(n, (l = []));
      l.push(i);
    }
    perNode.set(events, m);
  }
  return m.get(node) ?? [];
}

function* upTo(events: readonly TraceEvent[], node: string, at: number): Generator<TraceEvent> {
  for (const i of nodeEvents(events, node)) {
    if (i > at) return;
    yield events[i];
  }
}

export interface ArpRow {
  iface: string;
  ip: string;
  mac: string;
  state: string;
  why: string;
  /** When the entry took this state (ns). */
  since: number;
}

export function arpTable(events: readonly TraceEvent[], node: string, at: number): ArpRow[] {
  const m = new Map<string, ArpRow>();
  for (const e of upTo(events, node, at)) {
    if (e.kind !== 'arp.state') continue;
    const key = `${e.iface}|${e.ip}`;
    if (e.to === 'NONE') {
      m.delete(key);
      continue;
    }
    const prev = m.get(key);
    m.set(key, {
      iface: e.iface,
      ip: e.ip,
      mac: e.mac ?? prev?.mac ?? '',
      state: e.to,
      why: e.why,
      since: e.at,
    });
  }
  return [...m.values()].sort((a, b) => ipKey(a.ip) - ipKey(b.ip));
}

export interface MacRow {
  mac: string;
  port: string;
  since: number;
  moved?: string;
}

export function macTable(events: readonly TraceEvent[], node: string, at: number): MacRow[] {
  const m = new Map<string, MacRow>();
  for (const e of upTo(events, node, at)) {
    if (e.kind === 'switch.learn')
      m.set(e.mac, { mac: e.mac, port: e.port, since: e.t, moved: e.moved });
    else if (e.kind === 'switch.age') m.delete(e.mac);
  }
  return [...m.values()].sort(
    (a, b) => a.port.localeCompare(b.port, 'en', { numeric: true }) || a.mac.localeCompare(b.mac),
  );
}

export interface SocketRow {
  proto: 'tcp' | 'udp';
  local: string;
  remote: string;
  state: string;
  why: string;
  since: number;
}

export function sockets(events: readonly TraceEvent[], node: string, at: number): SocketRow[] {
  const m = new Map<string, SocketRow>();
  for (const e of upTo(events, node, at)) {
    if (e.kind === 'tcp.state') {
      const local = `${addr(e.laddr)}:${e.lport}`;
      const remote = e.rport === 0 ? '*:*' : `${addr(e.raddr)}:${e.rport}`;
      const key = `tcp ${local} ${remote}`;
      if (e.to === 'CLOSED') m.delete(key);
      else m.set(key, { proto: 'tcp', local, remote, state: e.to, why: e.why, since: e.t });
    } else if (e.kind === 'udp.bind') {
      const local = `${e.address}:${e.port}`;
      m.set(`udp ${local}`, {
        proto: 'udp',
        local,
        remote: '*:*',
        state: '',
        why: e.ephemeral ? 'ephemeral port' : 'bound',
        since: e.t,
      });
    }
  }
  return [...m.values()];
}

function addr(a: number | string): string {
  return typeof a === 'number' ? (a === 0 ? '0.0.0.0' : formatIpv4(a)) : a;
}

export interface DnsRow {
  /** "resolver" (a DNS server's cache), "os" (stub resolver), "browser". */
  cache: string;
  name: string;
  qtype: string;
  what: string;
  data: string;
  /** Seconds left at the moment shown. */
  ttl: number;
}

export function dnsCache(
  events: readonly TraceEvent[],
  node: string,
  at: number,
  now: number,
): DnsRow[] {
  const m = new Map<string, { row: DnsRow; stored: number; ttl: number }>();
  for (const e of upTo(events, node, at)) {
    if (e.kind === 'dns.cache') {
      const key = `resolver|${e.name}|${e.qtype}|${e.what}`;
      if (e.op === 'store') {
        m.set(key, {
          row: {
            cache: 'resolver',
            name: e.name,
            qtype: e.qtype,
            what: e.what,
            data: (e.data ?? []).join(', '),
            ttl: e.ttl,
          },
          stored: e.t,
          ttl: e.ttl,
        });
      } else if (e.op === 'expire') m.delete(key);
    } else if (e.kind === 'dns.stub' && e.op === 'cache-store') {
      const data = (e.addresses ?? []).map(addr).join(', ');
      m.set(`os|${e.name}|${e.qtype ?? 'A'}`, {
        row: {
          cache: 'os',
          name: e.name,
          qtype: e.qtype ?? 'A',
          what: 'answer',
          data,
          ttl: e.ttl ?? 0,
        },
        stored: e.t,
        ttl: e.ttl ?? 0,
      });
    } else if (e.kind === 'browser.dns-resolved') {
      m.set(`browser|${e.host}`, {
        row: {
          cache: 'browser',
          name: e.host,
          qtype: 'A',
          what: 'answer',
          data: e.addresses.map(addr).join(', '),
          ttl: e.ttl ?? 60,
        },
        stored: e.t,
        ttl: e.ttl ?? 60,
      });
    }
  }
  const out: DnsRow[] = [];
  for (const { row, stored, ttl } of m.values()) {
    const left = Math.floor(ttl - (now - stored) / 1e9);
    if (left < 0) continue;
    out.push({ ...row, ttl: left });
  }
  return out;
}

export interface RouteChoice {
  /** Event index of the decision. */
  ev: number;
  dst: string;
  purpose: 'output' | 'forward';
  /** "dst/prefix" of the chosen route, with its gateway and interface. */
  dstNet?: string;
  prefix?: number;
  gateway?: string;
  iface?: string;
  local: boolean;
}

/**
 * The routing decision that applies at event `at` for `node`: the last `ip.route` at the node
 * at or before `at` (within `since`..`at` when given, e.g. the handling of the selected frame).
 */
export function routeChoice(
  events: readonly TraceEvent[],
  node: string,
  at: number,
  since = -1,
): RouteChoice | undefined {
  let found: RouteChoice | undefined;
  for (const i of nodeEvents(events, node)) {
    if (i > at) break;
    if (i < since) continue;
    const e = events[i];
    if (e.kind !== 'ip.route') continue;
    found = {
      ev: i,
      dst: e.dst,
      purpose: e.purpose,
      dstNet: e.route?.dst,
      prefix: e.route?.prefix,
      gateway: e.route?.gateway,
      iface: e.route?.iface,
      local: e.local === true,
    };
  }
  return found;
}

function ipKey(ip: string): number {
  const p = ip.split('.').map(Number);
  return p.length === 4 ? ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0 : 0;
}
