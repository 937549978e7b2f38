/**
 * host, as BIND 9.18's host prints it (bin/dig/host.c: printrdata / say_message): one line per
 * record in words. Without -t it asks A, AAAA and MX; an address argument becomes a PTR query.
 *
 *   www.server.com has address 198.51.100.80
 *   img.server.com is an alias for static.server.com.
 *   server.com mail is handled by 10 mail.server.com.
 *   Host nosuch.server.com not found: 3(NXDOMAIN)
 */
import { Rcode, formatRData, rcodeName, typeName, type DnsRecord } from '../../wire/dns.js';
import { formatIpv4 } from '../../wire/addr.js';
import { dig, reverseName, type DigEnv } from './dig.js';

export interface HostOptions {
  name: string;
  server: { address: number; label?: string; port?: number };
  /** -t TYPE */
  type?: string;
  timeout?: number;
  /** Print the "Using domain server:" block (when a server was given on the command line). */
  showServer?: boolean;
}

const bare = (n: string): string => (n.endsWith('.') && n !== '.' ? n.slice(0, -1) : n);

export function hostLine(r: DnsRecord): string {
  const n = bare(r.name);
  switch (r.data.kind) {
    case 'A':
      return `${n} has address ${formatRData(r)}`;
    case 'AAAA':
      return `${n} has IPv6 address ${formatRData(r)}`;
    case 'CNAME':
      return `${n} is an alias for ${r.data.target}`;
    case 'MX':
      return `${n} mail is handled by ${r.data.preference} ${r.data.exchange}`;
    case 'NS':
      return `${n} name server ${r.data.target}`;
    case 'PTR':
      return `${n} domain name pointer ${r.data.target}`;
    case 'TXT':
      return `${n} descriptive text ${formatRData(r)}`;
    case 'SOA':
      return `${n} has SOA record ${formatRData(r)}`;
    default:
      return `${n} has ${typeName(r.type)} record ${formatRData(r)}`;
  }
}

export async function host(
  env: DigEnv,
  o: HostOptions,
): Promise<{ text: string; exitCode: number }> {
  const L: string[] = [];
  if (o.showServer) {
    L.push(
      'Using domain server:',
      `Name: ${o.server.label ?? formatIpv4(o.server.address)}`,
      `Address: ${formatIpv4(o.server.address)}#${o.server.port ?? 53}`,
      'Aliases: ',
      '',
    );
  }
  const rev = reverseName(o.name);
  const name = rev ?? o.name;
  const types = o.type ? [o.type.toUpperCase()] : rev ? ['PTR'] : ['A', 'AAAA', 'MX'];
  const seen = new Set<string>();
  let exitCode = 0;
  for (const t of types) {
    const r = await dig(env, {
      name,
      type: t,
      server: o.server.address,
      port: o.server.port,
      timeout: o.timeout ?? 5,
      tries: 2,
    });
    if (!r.ok) {
      L.push(';; connection timed out; no servers could be reached');
      return { text: L.join('\n') + '\n', exitCode: 1 };
    }
    const m = r.response!;
    if (m.header.rcode !== Rcode.NOERROR) {
      L.push(`Host ${bare(name)} not found: ${m.header.rcode}(${rcodeName(m.header.rcode)})`);
      exitCode = 1;
      break;
    }
    for (const a of m.answers) {
      const line = hostLine(a);
      if (seen.has(line)) continue; // CNAMEs repeat across the A/AAAA/MX queries
      seen.add(line);
      L.push(line);
    }
  }
  return { text: L.join('\n') + '\n', exitCode };
}
