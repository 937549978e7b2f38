/**
 * The trace events of wiretrail's DNS (DESIGN.md principle 4): what the stub resolver, the
 * recursive resolver ("the local DNS server" of the seeds) and the authoritative servers did,
 * and why. They feed the narration ("local DNS → a.root-servers.net: ask .com (referral)"), the
 * web UI's DNS tables, and statistics.
 *
 * Read with: RFC 1034 § 5.3.3 (the resolver's algorithm), RFC 2308 (negative caching), RFC
 * 5452 (forgery resilience: the reasons of dns.drop), RFC 9156 (QNAME minimisation: `why`).
 *
 * Payload fields never use the names `kind`, `t` or `node`: the trace bus puts those on every
 * event. Addresses are numbers (src/wire/addr.ts); names are absolute with the trailing dot; types
 * and rcodes are their mnemonics ("A", "NXDOMAIN"). Times are simulated nanoseconds.
 */
import type { Ipv4Addr } from '../../wire/addr.js';

/** What a response did for the resolver. */
export type DnsResponseKind =
  | 'answer' // the records asked for
  | 'cname' // an alias to follow
  | 'referral' // "ask these servers" (a delegation one level down)
  | 'nxdomain' // the name does not exist (RFC 2308 § 2.1)
  | 'nodata' // the name exists, without records of that type (RFC 2308 § 2.2)
  | 'truncated' // TC set: retry over TCP (RFC 7766 § 5)
  | 'lame' // the server is not authoritative for the zone it was asked about
  | 'refused'
  | 'servfail'
  | 'formerr'
  | 'error'; // any other rcode

export type DnsDropReason =
  | 'spoofed-id' // RFC 5452 § 9.1: the ID does not match an outstanding query
  | 'spoofed-port' // arrived on a port with no query to that server
  | 'spoofed-source' // from an address or port the query was not sent to
  | 'spoofed-question' // the question section differs from the query's
  | 'malformed' // did not parse (the reason is in `detail`)
  | 'not-a-response' // QR clear where a response was expected
  | 'not-a-query' // QR set where a query was expected (servers)
  | 'out-of-bailiwick'; // a record the server has no authority for (RFC 2181 § 5.4.1)

export type DnsCacheOp = 'hit' | 'miss' | 'store' | 'expire';

declare module '../../sim/trace.js' {
  interface TraceEventMap {
    /** A resolver sends a query to a server (the recursive resolver, dig +trace). */
    'dns.query-out': {
      server: Ipv4Addr;
      /** The server's name when known ("a.root-servers.net."), else its address. */
      serverName: string;
      /** The zone whose servers are asked ("." for the root). */
      zone: string;
      qname: string;
      qtype: string;
      id: number;
      srcPort: number;
      transport: 'udp' | 'tcp';
      /** 1 for the first try, 2… for retries. */
      attempt: number;
      /** Why this server and this question: "start at the root (root hints)", "referral from com.". */
      why: string;
    };
    /** A response accepted by a resolver (it matched server, port, ID and question). */
    'dns.response-in': {
      server: Ipv4Addr;
      serverName: string;
      zone: string;
      qname: string;
      qtype: string;
      id: number;
      rcode: string;
      aa: boolean;
      tc: boolean;
      /** What the response meant (not `kind`: that is the event's own kind). */
      outcome: DnsResponseKind;
      /** "www.server.com. A 198.51.100.80 (TTL 300)", "ask server.com.: ns1.server.com. 198.51.100.2". */
      summary: string;
      /** Round-trip time in ns. */
      rtt: number;
      size: number;
      transport: 'udp' | 'tcp';
      /** For referrals: the child zone and its servers (address 0 when no glue came). */
      referral?: { zone: string; servers: { name: string; address: Ipv4Addr }[] };
    };
    /** No answer came in time; the resolver will try again or another server. */
    'dns.timeout': {
      server: Ipv4Addr;
      serverName: string;
      qname: string;
      qtype: string;
      attempt: number;
      /** How long it waited, ns. */
      waited: number;
    };
    /** The resolver's (or dig's) cache: lookups and changes. */
    'dns.cache': {
      op: DnsCacheOp;
      name: string;
      qtype: string;
      /** What the entry holds. */
      what: 'answer' | 'cname' | 'nxdomain' | 'nodata' | 'referral' | 'glue';
      /** Remaining (hit, expire) or stored (store) TTL in seconds. */
      ttl: number;
      /** The records, one per line, as dig prints RDATA ("198.51.100.80"). */
      data?: string[];
    };
    /** A message or record ignored by a resolver, and why. */
    'dns.drop': {
      reason: DnsDropReason;
      from: Ipv4Addr;
      port: number;
      detail: string;
    };
    /** A whole resolution: start and end (with the total time for the waterfall). */
    'dns.resolve': {
      phase: 'start' | 'done';
      qname: string;
      qtype: string;
      /** Who asked (the client of the local DNS server), 0 when local. */
      client: Ipv4Addr;
      rcode?: string;
      /** Answer RDATA as text, e.g. ["198.51.100.80"]. */
      answer?: string[];
      /** ns since the start (done only). */
      elapsed?: number;
      /** Queries sent to other servers (done only). */
      queries?: number;
      /** Answered from the cache without any query. */
      fromCache?: boolean;
    };
    /** A DNS server (authoritative or recursive) answered a query. */
    'dns.serve': {
      role: 'authoritative' | 'recursive';
      client: Ipv4Addr;
      port: number;
      transport: 'udp' | 'tcp';
      qname: string;
      qtype: string;
      id: number;
      rcode: string;
      aa: boolean;
      tc: boolean;
      outcome: DnsResponseKind;
      /** The zone that answered (authoritative). */
      zone?: string;
      size: number;
    };
    /** The stub resolver of a host: hosts file, OS cache, queries to the configured servers. */
    'dns.stub': {
      op:
        | 'hosts-hit'
        | 'hosts-miss'
        | 'cache-hit'
        | 'cache-miss'
        | 'cache-store'
        | 'query'
        | 'answer'
        | 'timeout'
        | 'fail';
      name: string;
      qtype?: string;
      addresses?: Ipv4Addr[];
      /** Reverse lookups (PTR): the names found (hosts file or PTR records, no trailing dot). */
      names?: string[];
      server?: Ipv4Addr;
      attempt?: number;
      /** rcode or error code ("NXDOMAIN", "ETIMEOUT"). */
      detail?: string;
      ttl?: number;
    };
  }
}

export {};

/**
 * One line per DNS event, for `wiretrail dig --events` and logs (the story module writes the
 * full narration, in English and Chinese, from the same events):
 *
 *   dns-local → a.root-servers.net. (198.41.0.4): www.server.com. A? — start at the root (root hints)
 *   dns-local ← a.root-servers.net.: referral — ask com.: a.gtld-servers.net. 192.5.6.30 (2.0 ms)
 */
export function describeDnsEvent(
  e: { kind: string; node: string } & Record<string, unknown>,
): string | undefined {
  const ip = (a: unknown): string => {
    const n = Number(a) >>> 0;
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  };
  const ms = (ns: unknown): string => `${(Number(ns) / 1e6).toFixed(1)} ms`;
  switch (e.kind) {
    case 'dns.stub':
      return `${e.node} stub: ${e.op} ${e.name}${e.server !== undefined ? ` (server ${ip(e.server)})` : ''}${e.detail ? ` ${e.detail}` : ''}`;
    case 'dns.resolve':
      return e.phase === 'start'
        ? `${e.node}: resolve ${e.qname} ${e.qtype} for ${Number(e.client) ? ip(e.client) : 'itself'}`
        : `${e.node}: ${e.qname} ${e.qtype} → ${e.rcode}${(e.answer as string[]).length ? ` ${(e.answer as string[]).join(', ')}` : ''} (${e.fromCache ? 'from the cache' : `${e.queries} queries`}, ${ms(e.elapsed)})`;
    case 'dns.cache':
      return `${e.node} cache ${e.op}: ${e.name} ${e.qtype} (${e.what}${e.op === 'hit' || e.op === 'store' ? `, TTL ${e.ttl}` : ''})`;
    case 'dns.query-out':
      return `${e.node} → ${e.serverName} (${ip(e.server)}): ${e.qname} ${e.qtype}?${e.transport === 'tcp' ? ' over TCP' : ''} — ${e.why}`;
    case 'dns.response-in':
      return `${e.node} ← ${e.serverName}: ${e.outcome} — ${e.summary} (${ms(e.rtt)})`;
    case 'dns.timeout':
      return `${e.node}: no answer from ${e.serverName} (${ip(e.server)}) after ${ms(e.waited)}`;
    case 'dns.drop':
      return `${e.node} dropped a DNS message from ${ip(e.from)}#${e.port}: ${e.reason} (${e.detail})`;
    case 'dns.serve':
      return `${e.node} (${e.role}) answered ${ip(e.client)}: ${e.qname} ${e.qtype} → ${e.rcode}${e.aa ? ' aa' : ''}${e.tc ? ' tc' : ''} (${e.outcome})`;
    default:
      return undefined;
  }
}
