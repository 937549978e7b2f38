/**
 * The services database (/etc/services) that netstat and ss read to print a port as a name
 * ("http" for 80/tcp, "domain" for 53/udp): getservbyport() over the entries below.
 *
 * Source: Debian netbase 6.4's /etc/services (itself "updated from
 * https://www.iana.org/assignments/service-names-port-numbers/"), the part a user of this
 * simulator meets: the well-known services (the internet's web and DNS servers listen on
 * http and domain), mail, directory and remote-login ports, a few common ones above 1024
 * (http-alt 8080, mysql, postgresql, ...), and netbase's three entries inside Linux's
 * ephemeral port range (dircproxy 57000, tfido 60177, fido 60179) — a client port there is
 * named by net-tools' netstat, and not by iproute2's ss, which never names a port of
 * ip_local_port_range. Names, ports, protocols and aliases are netbase's, unchanged.
 *
 * Read first: RFC 6335 (the IANA service name and port number registry).
 */

/** The protocols netstat and ss look services up for. */
export type ServiceProto = 'tcp' | 'udp';

/** One line of /etc/services: the official name, the port and protocol, the aliases. */
export interface ServiceEntry {
  name: string;
  port: number;
  proto: ServiceProto;
  aliases: readonly string[];
}

// name  port/proto  aliases — as in netbase's file (comments left out)
const TABLE = `
tcpmux 1/tcp
echo 7/tcp
echo 7/udp
discard 9/tcp sink null
discard 9/udp sink null
daytime 13/tcp
daytime 13/udp
ftp-data 20/tcp
ftp 21/tcp
ssh 22/tcp
telnet 23/tcp
smtp 25/tcp mail
time 37/tcp timserver
time 37/udp timserver
whois 43/tcp nicname
domain 53/tcp
domain 53/udp
bootps 67/udp
bootpc 68/udp
tftp 69/udp
gopher 70/tcp
finger 79/tcp
http 80/tcp www
kerberos 88/tcp kerberos5 krb5 kerberos-sec
kerberos 88/udp kerberos5 krb5 kerberos-sec
pop3 110/tcp pop-3
sunrpc 111/tcp portmapper
sunrpc 111/udp portmapper
auth 113/tcp authentication tap ident
nntp 119/tcp readnews untp
ntp 123/udp
netbios-ns 137/udp
netbios-dgm 138/udp
netbios-ssn 139/tcp
imap2 143/tcp imap
snmp 161/tcp
snmp 161/udp
snmp-trap 162/tcp snmptrap
snmp-trap 162/udp snmptrap
bgp 179/tcp
ldap 389/tcp
ldap 389/udp
https 443/tcp
https 443/udp
microsoft-ds 445/tcp
kpasswd 464/tcp
kpasswd 464/udp
submissions 465/tcp ssmtp smtps urd
isakmp 500/udp
exec 512/tcp
biff 512/udp comsat
login 513/tcp
who 513/udp whod
shell 514/tcp cmd syslog
syslog 514/udp
printer 515/tcp spooler
talk 517/udp
ntalk 518/udp
route 520/udp router routed
uucp 540/tcp uucpd
dhcpv6-client 546/udp
dhcpv6-server 547/udp
rtsp 554/tcp
rtsp 554/udp
nntps 563/tcp snntp
submission 587/tcp
ipp 631/tcp
ldaps 636/tcp
ldaps 636/udp
domain-s 853/tcp
domain-s 853/udp
rsync 873/tcp
ftps-data 989/tcp
ftps 990/tcp
telnets 992/tcp
imaps 993/tcp
pop3s 995/tcp
socks 1080/tcp
openvpn 1194/tcp
openvpn 1194/udp
radius 1812/tcp
radius 1812/udp
mysql 3306/tcp
ms-wbt-server 3389/tcp
sip 5060/tcp
sip 5060/udp
mdns 5353/udp
postgresql 5432/tcp postgres
x11 6000/tcp x11-0
redis 6379/tcp
http-alt 8080/tcp webcache
dircproxy 57000/tcp
tfido 60177/tcp
fido 60179/tcp
`;

/** The entries, in the file's order. */
export const SERVICES: readonly ServiceEntry[] = TABLE.trim()
  .split('\n')
  .map((line) => {
    const [name, where, ...aliases] = line.split(' ');
    const [port, proto] = where.split('/');
    return { name, port: Number(port), proto: proto as ServiceProto, aliases };
  });

const byPort = new Map<string, string>();
for (const s of SERVICES) {
  const key = `${s.port}/${s.proto}`;
  if (!byPort.has(key)) byPort.set(key, s.name);
}

/**
 * getservbyport(): the official name of the service on `port` for `proto` ("http" for 80/tcp),
 * or undefined when the file has none (the tools then print the number).
 */
export function serviceName(port: number, proto: ServiceProto): string | undefined {
  return byPort.get(`${port}/${proto}`);
}
