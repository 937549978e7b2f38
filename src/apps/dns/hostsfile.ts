/**
 * A host's name-service configuration files, parsed from text (browser-safe):
 *
 * - /etc/hosts (hosts(5)): "address canonical-name [aliases...]", "#" comments. Read before
 *   DNS, as glibc does with "hosts: files dns" in nsswitch.conf.
 * - /etc/resolv.conf (resolv.conf(5)): nameserver (at most 3, MAXNS), search / domain,
 *   options timeout:N attempts:N ndots:N rotate edns0. Defaults are glibc's: timeout 5 s, 2
 *   attempts, ndots 1, no EDNS0.
 *
 * RFC 952 / RFC 1123 § 2.1 for host names; RFC 1535 for why the search list is tried after
 * the name itself once it has ndots dots.
 */
import { formatIpv4, parseIpv4, type Ipv4Addr } from '../../wire/addr.js';
import { canonicalName, formatIpv6, nameToLabels, parseIpv6 } from '../../wire/dns.js';

export interface ConfigError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface HostsEntry {
  line: number;
  /** IPv4 as a number, or IPv6 text (normalised). */
  address: Ipv4Addr | string;
  names: string[];
}

/** A parsed hosts file: lookups by canonical name. */
export class HostsFile {
  private readonly v4 = new Map<string, Ipv4Addr[]>();
  private readonly v6 = new Map<string, string[]>();
  /** The canonical (first) name of each name's first entry. */
  private readonly canonical = new Map<string, string>();

  constructor(readonly entries: readonly HostsEntry[] = []) {
    for (const e of entries) {
      for (const n of e.names) {
        const k = canonicalName(n);
        if (!this.canonical.has(k)) this.canonical.set(k, e.names[0]);
        if (typeof e.address === 'number') {
          const l = this.v4.get(k) ?? [];
          if (!l.includes(e.address)) l.push(e.address);
          this.v4.set(k, l);
        } else {
          const l = this.v6.get(k) ?? [];
          if (!l.includes(e.address)) l.push(e.address);
          this.v6.set(k, l);
        }
      }
    }
  }

  lookup(name: string): { canonicalName: string; v4: Ipv4Addr[]; v6: string[] } | undefined {
    const k = canonicalName(name);
    const c = this.canonical.get(k);
    if (c === undefined) return undefined;
    return { canonicalName: c, v4: this.v4.get(k) ?? [], v6: this.v6.get(k) ?? [] };
  }

  /** Names for an address (reverse lookup in the file). */
  namesOf(address: Ipv4Addr): string[] {
    return this.entries.filter((e) => e.address === address).flatMap((e) => e.names);
  }

  format(): string {
    return this.entries
      .map(
        (e) =>
          `${typeof e.address === 'number' ? formatIpv4(e.address) : e.address}\t${e.names.join(' ')}`,
      )
      .join('\n');
  }
}

/** What a fresh Linux install has. */
export const DEFAULT_HOSTS = `127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
`;

export function parseHosts(
  text: string,
  file = '/etc/hosts',
): { hosts: HostsFile; errors: ConfigError[] } {
  const entries: HostsEntry[] = [];
  const errors: ConfigError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/#.*$/, '').trim();
    if (raw === '') continue;
    const [addr, ...names] = raw.split(/\s+/);
    const line = i + 1;
    if (names.length === 0) {
      errors.push({ file, line, message: `"${addr}" has no host name after it` });
      continue;
    }
    let address: Ipv4Addr | string | undefined = parseIpv4(addr);
    if (address === undefined) {
      const v6 = addr.includes(':') ? parseIpv6(addr) : undefined;
      if (v6) address = formatIpv6(v6);
    }
    if (address === undefined) {
      errors.push({ file, line, message: `"${addr}" is not an IPv4 or IPv6 address` });
      continue;
    }
    const bad = names.find((n) => !nameToLabels(n).ok || n.includes('\\'));
    if (bad) {
      errors.push({ file, line, message: `"${bad}" is not a valid host name` });
      continue;
    }
    entries.push({ line, address, names });
  }
  return { hosts: new HostsFile(entries), errors };
}

export interface ResolvConf {
  nameservers: Ipv4Addr[];
  /** Search list, absolute names ("example.org."). */
  search: string[];
  /** Seconds per try (glibc: 5). */
  timeout: number;
  /** Rounds over the name servers (glibc: 2). */
  attempts: number;
  /** A name with at least this many dots is tried as is before the search list (glibc: 1). */
  ndots: number;
  /** Spread queries over the name servers instead of always starting with the first. */
  rotate: boolean;
  /**
   * `options edns0` (glibc's RES_USE_EDNS0): queries carry an OPT record (RFC 6891). Off by
   * default, as in glibc: a plain stub query is a bare 512-byte-limit DNS message.
   */
  edns0: boolean;
  /** Server port (not in resolv.conf; for tests and `dns serve` on 5300). */
  port: number;
}

export function defaultResolvConf(): ResolvConf {
  return {
    nameservers: [],
    search: [],
    timeout: 5,
    attempts: 2,
    ndots: 1,
    rotate: false,
    edns0: false,
    port: 53,
  };
}

export function parseResolvConf(
  text: string,
  file = '/etc/resolv.conf',
): { config: ResolvConf; errors: ConfigError[] } {
  const c = defaultResolvConf();
  const errors: ConfigError[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/[#;].*$/, '').trim();
    if (raw === '') continue;
    const [key, ...args] = raw.split(/\s+/);
    const line = i + 1;
    switch (key) {
      case 'nameserver': {
        const a = args.length === 1 ? parseIpv4(args[0]) : undefined;
        if (a === undefined)
          errors.push({
            file,
            line,
            message: `nameserver needs one IPv4 address, got "${args.join(' ')}"`,
          });
        else if (c.nameservers.length >= 3)
          errors.push({
            file,
            line,
            message: 'more than 3 nameservers (MAXNS): this one is ignored',
          });
        else c.nameservers.push(a);
        break;
      }
      case 'search':
      case 'domain': {
        const list = key === 'domain' ? args.slice(0, 1) : args;
        const bad = list.find((n) => !nameToLabels(n).ok);
        if (list.length === 0 || bad !== undefined)
          errors.push({
            file,
            line,
            message: `${key} needs domain names${bad ? `, "${bad}" is not one` : ''}`,
          });
        else c.search = list.map(canonicalName); // the last search/domain line wins (glibc)
        break;
      }
      case 'options':
        for (const o of args) {
          const m = /^(timeout|attempts|ndots):([0-9]+)$/.exec(o);
          if (m) {
            const v = Number(m[2]);
            if (m[1] === 'timeout') c.timeout = Math.min(Math.max(v, 1), 30);
            else if (m[1] === 'attempts') c.attempts = Math.min(Math.max(v, 1), 5);
            else c.ndots = Math.min(v, 15);
          } else if (o === 'rotate') c.rotate = true;
          else if (o === 'edns0') c.edns0 = true;
          else errors.push({ file, line, message: `unknown option "${o}"` });
        }
        break;
      default:
        errors.push({ file, line, message: `unknown keyword "${key}"` });
    }
  }
  return { config: c, errors };
}
