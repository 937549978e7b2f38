/**
 * Reverse lookups (address → name) for the host tools, as glibc's getnameinfo() and
 * gethostbyaddr() do them with "hosts: files dns": the hosts file first, then a PTR query for
 * the address's name under in-addr.arpa, asked through the host's own stub resolver (its OS
 * cache and the name servers of its resolv.conf, StubResolver.reverse). Linux's traceroute,
 * ping and arp print what comes back; a failure (NXDOMAIN, no PTR record, a timeout) means
 * "no name", and the tool prints the address.
 *
 * Read first: RFC 1035 § 3.5 (the IN-ADDR.ARPA domain: the octets of the address in reverse
 * order, then "in-addr.arpa."), RFC 1034 § 5.2.1 (PTR lookups), RFC 2317 (a PTR found through
 * a CNAME, as classless delegation makes it).
 */
import { parseIpv4, type Ipv4Addr } from '../../wire/addr.js';
import { canonicalName } from '../../wire/dns.js';

/** RFC 1035 § 3.5: 198.51.100.80 → "80.100.51.198.in-addr.arpa." */
export function reverseName(address: Ipv4Addr): string {
  const a = address >>> 0;
  return `${a & 0xff}.${(a >>> 8) & 0xff}.${(a >>> 16) & 0xff}.${a >>> 24}.in-addr.arpa.`;
}

/**
 * The address a full in-addr.arpa name stands for ("80.100.51.198.in-addr.arpa." →
 * 198.51.100.80), or undefined for anything else (fewer than four labels, a label that is not
 * a decimal octet).
 */
export function addressOfReverseName(name: string): Ipv4Addr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\.$/.exec(
    canonicalName(name),
  );
  if (m === null) return undefined;
  return parseIpv4(`${m[4]}.${m[3]}.${m[2]}.${m[1]}`);
}

/** How a tool asks for one address's name: resolves to the name, or undefined for none. */
export type ReverseLookup = (address: Ipv4Addr) => Promise<string | undefined>;

/**
 * The names one run of a tool has looked up, each address asked once (traceroute asks for
 * every hop, arp for every entry; an address seen twice is not asked twice, and a failure is
 * remembered as "no name" for the rest of the run). The answers themselves may come from the
 * stub resolver's OS cache, which outlives the run.
 */
export class ReverseNames {
  private readonly done = new Map<Ipv4Addr, string | undefined>();
  private readonly pending = new Map<Ipv4Addr, Promise<string | undefined>>();

  constructor(private readonly lookup: ReverseLookup) {}

  /** Whether the address has been looked up (its answer, name or none, is known). */
  has(address: Ipv4Addr): boolean {
    return this.done.has(address >>> 0);
  }

  /** The name found for the address (undefined: none, or not looked up yet). */
  get(address: Ipv4Addr): string | undefined {
    return this.done.get(address >>> 0);
  }

  /** Looks the address up once; later calls share the first answer. Never rejects. */
  resolve(address: Ipv4Addr): Promise<string | undefined> {
    const a = address >>> 0;
    if (this.done.has(a)) return Promise.resolve(this.done.get(a));
    let p = this.pending.get(a);
    if (p === undefined) {
      p = this.lookup(a).then(
        (name) => this.settle(a, name),
        () => this.settle(a, undefined),
      );
      this.pending.set(a, p);
    }
    return p;
  }

  private settle(a: Ipv4Addr, name: string | undefined): string | undefined {
    this.pending.delete(a);
    this.done.set(a, name);
    return name;
  }
}
