/**
 * curl over the simulated stack: `curl [-v] [-I] [-i] [-L] [-o FILE] [-H "Name: value"]
 * [-X METHOD] URL`, with curl 8's verbose lines ("*   Trying 198.51.100.80:80...",
 * "* Connected to www.server.com (198.51.100.80) port 80", "> GET / HTTP/1.1", "< HTTP/1.1 200 OK")
 * and curl's exit codes (1 unsupported protocol, 3 malformed URL, 6 could not resolve host,
 * 7 failed to connect, 28 timeout, 47 too many redirects, 52 empty reply, 56 receive failure).
 *
 * Read first: RFC 9110 § 15.4 (redirects; curl -L keeps the method except after 303, and
 * turns POST into GET after 301/302 as curl does), RFC 9112 (messages). Name resolution is the
 * injected resolver's; the HTTP exchange is src/apps/http/client.ts. Browser-safe: output goes
 * to callbacks, and -o hands the body to `writeFile`.
 */
import type { Clock } from '../../sim/clock.js';
import type { TraceBus } from '../../sim/trace.js';
import type { NetApi } from '../../stack/api.js';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import type { Ipv4Addr } from '../../wire/addr.js';
import { HttpClient, HttpClientError } from '../http/client.js';
import type { ClientResponse } from '../http/client.js';
import { HttpHeaders } from '../http/headers.js';

export interface CurlArgs {
  url: string;
  verbose: boolean;
  /** -I: HEAD, print the response head. */
  head: boolean;
  /** -i: print the response head before the body. */
  include: boolean;
  /** -L: follow redirects. */
  location: boolean;
  /** -o FILE */
  output?: string;
  /** -X METHOD */
  method?: string;
  /** -H "Name: value" */
  headers: [string, string][];
  /** --max-redirs N (curl's default 50). */
  maxRedirs: number;
  /** -A */
  userAgent: string;
  /** -w / --write-out FORMAT: printed on stdout when the transfer ends (see writeOut). */
  writeOut?: string;
}

export interface CurlEnv {
  net: NetApi;
  resolve: (name: string) => Promise<{ addresses: readonly Ipv4Addr[] }>;
  clock: Clock;
  trace: TraceBus;
  node: string;
  /** Body and -I/-i heads (curl's stdout). */
  out(text: string | Uint8Array): void;
  /** Verbose lines and errors (curl's stderr). */
  err(text: string): void;
  /** For -o. */
  writeFile?(name: string, data: Uint8Array): void;
}

export interface CurlResult {
  exitCode: number;
  status?: number;
  responses: ClientResponse[];
  /** curl's error text when it failed (for %{errormsg}). */
  error?: string;
}

export class CurlUsageError extends Error {}

/** Parses curl's arguments (the subset above). Throws CurlUsageError. */
export function parseCurlArgs(argv: readonly string[]): CurlArgs {
  const a: CurlArgs = {
    url: '',
    verbose: false,
    head: false,
    include: false,
    location: false,
    headers: [],
    maxRedirs: 50,
    userAgent: 'curl/8.5.0',
  };
  const need = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined) throw new CurlUsageError(`option ${flag}: requires parameter`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (/^-[vIiLs]+$/.test(arg)) {
      for (const f of arg.slice(1)) {
        if (f === 'v') a.verbose = true;
        else if (f === 'I') a.head = true;
        else if (f === 'i') a.include = true;
        else if (f === 'L') a.location = true;
      }
      continue;
    }
    switch (arg) {
      case '--verbose':
        a.verbose = true;
        break;
      case '--head':
        a.head = true;
        break;
      case '--include':
        a.include = true;
        break;
      case '--location':
        a.location = true;
        break;
      case '-o':
      case '--output':
        a.output = need(++i, arg);
        break;
      case '-X':
      case '--request':
        a.method = need(++i, arg);
        break;
      case '-A':
      case '--user-agent':
        a.userAgent = need(++i, arg);
        break;
      case '-w':
      case '--write-out':
        a.writeOut = need(++i, arg);
        break;
      case '--max-redirs':
        a.maxRedirs = Number(need(++i, arg));
        break;
      case '-H':
      case '--header': {
        const h = need(++i, arg);
        const c = h.indexOf(':');
        if (c <= 0)
          throw new CurlUsageError(`bad header ${JSON.stringify(h)} (want "Name: value")`);
        a.headers.push([h.slice(0, c).trim(), h.slice(c + 1).trim()]);
        break;
      }
      default:
        if (arg.startsWith('-')) throw new CurlUsageError(`option ${arg}: is unknown`);
        if (a.url !== '') throw new CurlUsageError(`one URL only (got ${a.url} and ${arg})`);
        a.url = arg;
    }
  }
  if (a.url === '') throw new CurlUsageError('no URL specified');
  return a;
}

function headLines(text: string, prefix: string): string {
  return (
    text
      .split('\r\n')
      .slice(0, -1)
      .map((l) => `${prefix} ${l}`.trimEnd() + (l === '' ? ' ' : ''))
      .join('\n') + '\n'
  );
}

function responseHeadText(r: ClientResponse): string {
  let s = `HTTP/${r.version} ${r.status} ${r.reason}`.trimEnd() + '\r\n';
  for (const [n, v] of r.headers) s += `${n}: ${v}\r\n`;
  return s + '\r\n';
}

/** Runs one curl command line. Never throws for network trouble: it reports like curl. */
export async function curl(args: CurlArgs, env: CurlEnv): Promise<CurlResult> {
  const started = env.clock.now();
  let nameLookedUp = started;
  const r = await transfer();
  if (args.writeOut !== undefined) {
    env.out(writeOut(args.writeOut, r, { started, nameLookedUp, ended: env.clock.now() }));
  }
  return r;

  async function transfer(): Promise<CurlResult> {
    const v = (line: string): void => {
      if (args.verbose) env.err(line + '\n');
    };
    const fail = (code: number, msg: string): CurlResult => {
      env.err(`curl: (${code}) ${msg}\n`);
      return { exitCode: code, responses, error: msg };
    };
    const responses: ClientResponse[] = [];
    let text = args.url;
    // curl guesses http:// for a URL without a scheme.
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text)) text = `http://${text}`;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fail(3, `URL rejected: Malformed input to a URL function`);
    }
    const client = new HttpClient({
      net: env.net,
      clock: env.clock,
      trace: env.trace,
      node: env.node,
    });
    let method = args.method ?? (args.head ? 'HEAD' : 'GET');
    const hostIds = new Map<number, number>();
    /** curl's DNS cache for the run: a redirect to the same host does not resolve again. */
    const resolved = new Map<string, Ipv4Addr>();
    try {
      for (let redirects = 0; ; redirects++) {
        if (url.protocol !== 'http:') {
          const scheme = url.protocol.slice(0, -1);
          return fail(
            1,
            `Protocol "${scheme}" not supported${scheme === 'https' ? ' (no TLS in wiretrail)' : ''}`,
          );
        }
        const port = url.port === '' ? 80 : Number(url.port);
        let address = parseIpv4(url.hostname) ?? resolved.get(url.hostname);
        if (address === undefined) {
          let r: { addresses: readonly Ipv4Addr[] };
          try {
            r = await env.resolve(url.hostname);
          } catch {
            v(`* Could not resolve host: ${url.hostname}`);
            return fail(6, `Could not resolve host: ${url.hostname}`);
          }
          if (r.addresses.length === 0) {
            v(`* Could not resolve host: ${url.hostname}`);
            return fail(6, `Could not resolve host: ${url.hostname}`);
          }
          nameLookedUp = env.clock.now();
          v(`* Host ${url.hostname}:${port} was resolved.`);
          v('* IPv6: (none)');
          v(`* IPv4: ${r.addresses.map(formatIpv4).join(', ')}`);
          address = r.addresses[0];
          resolved.set(url.hostname, address);
        }
        const headers = new HttpHeaders([
          ['User-Agent', args.userAgent],
          ['Accept', '*/*'],
        ]);
        for (const [n, val] of args.headers) {
          if (n.toLowerCase() === 'host') continue;
          headers.set(n, val);
        }
        const pre = client
          .connections()
          .find((c) => c.origin === `${url.hostname}:${port}` && c.idle > 0);
        if (pre === undefined) v(`*   Trying ${formatIpv4(address)}:${port}...`);
        const start = env.clock.now();
        let res: ClientResponse;
        try {
          res = await client.request({ method, url, address, headers });
        } catch (e) {
          const ms = Math.round((env.clock.now() - start) / 1e6);
          if (e instanceof HttpClientError) {
            switch (e.code) {
              case 'ECONNREFUSED':
              case 'EHOSTUNREACH':
              case 'ENETUNREACH':
                v(
                  `* connect to ${formatIpv4(address)} port ${port} from 0.0.0.0 port 0 failed: ${e.code === 'ECONNREFUSED' ? 'Connection refused' : 'No route to host'}`,
                );
                v(
                  `* Failed to connect to ${url.hostname} port ${port} after ${ms} ms: Couldn't connect to server`,
                );
                return fail(
                  7,
                  `Failed to connect to ${url.hostname} port ${port} after ${ms} ms: Couldn't connect to server`,
                );
              case 'connect-timeout':
              case 'ETIMEDOUT':
                return fail(
                  28,
                  `Failed to connect to ${url.hostname} port ${port} after ${ms} ms: Timeout was reached`,
                );
              case 'timeout':
                return fail(
                  28,
                  `Operation timed out after ${ms} milliseconds with 0 bytes received`,
                );
              case 'closed':
                return fail(52, 'Empty reply from server');
              default:
                return fail(56, `Recv failure: ${e.message}`);
            }
          }
          throw e;
        }
        responses.push(res);
        if (!hostIds.has(res.connectionId)) hostIds.set(res.connectionId, hostIds.size);
        const connNo = hostIds.get(res.connectionId)!;
        if (res.reused) v(`* Re-using existing connection with host ${url.hostname}`);
        else v(`* Connected to ${url.hostname} (${formatIpv4(address)}) port ${port}`);
        if (args.verbose) {
          env.err(headLines(res.requestHeadText, '>'));
          env.err(headLines(responseHeadText(res), '<'));
        }
        const location = res.headers.get('location');
        const follow =
          args.location && [301, 302, 303, 307, 308].includes(res.status) && location !== undefined;
        if (args.head || args.include) env.out(responseHeadText(res).replace(/\r\n/g, '\r\n'));
        if (!args.head && !follow) {
          if (args.output !== undefined) {
            if (env.writeFile === undefined)
              return fail(23, `Failed writing body: no file system here`);
            env.writeFile(args.output, res.body);
          } else if (res.body.length > 0) env.out(res.body);
        }
        if (res.head.keepAlive) v(`* Connection #${connNo} to host ${url.hostname} left intact`);
        else v(`* Closing connection`);
        if (!follow) {
          client.closeIdle('curl exits');
          return { exitCode: 0, status: res.status, responses };
        }
        if (redirects >= args.maxRedirs) {
          client.closeIdle('curl exits');
          return fail(47, `Maximum (${args.maxRedirs}) redirects followed`);
        }
        const next = new URL(location!, url);
        v(`* Issue another request to this URL: '${next.href}'`);
        if (
          res.status === 303 ||
          ((res.status === 301 || res.status === 302) && method === 'POST')
        ) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
        }
        url = next;
      }
    } finally {
      client.closeIdle('curl exits');
    }
  }
}

/**
 * curl's --write-out: `%{variable}` replaced, `\n`, `\r`, `\t` and `%%` as curl reads them.
 * Variables: http_code (response_code), exitcode, errormsg, num_redirects, num_connects,
 * size_download, size_header, content_type, url_effective, remote_ip, remote_port, local_port,
 * time_namelookup, time_connect, time_pretransfer, time_starttransfer, time_total (seconds,
 * 6 decimals, from the start of curl, as curl prints them). Unknown ones print nothing, as curl
 * does after its warning.
 */
function writeOut(
  format: string,
  r: CurlResult,
  t: { started: number; nameLookedUp: number; ended: number },
): string {
  const last = r.responses[r.responses.length - 1];
  const secs = (at: number | undefined): string =>
    at === undefined ? '0.000000' : ((at - t.started) / 1e9).toFixed(6);
  const first = r.responses[0];
  const vars: Record<string, () => string> = {
    http_code: () => String(last?.status ?? 0).padStart(3, '0'),
    response_code: () => String(last?.status ?? 0).padStart(3, '0'),
    exitcode: () => String(r.exitCode),
    errormsg: () => r.error ?? '',
    num_redirects: () => String(Math.max(0, r.responses.length - 1)),
    num_connects: () => String(r.responses.filter((x) => !x.reused).length),
    size_download: () => String(last?.body.length ?? 0),
    size_header: () => String(last === undefined ? 0 : last.wireBytes - last.body.length),
    content_type: () => last?.headers.get('content-type') ?? '',
    url_effective: () => last?.url ?? '',
    remote_ip: () => (last ? formatIpv4(last.remoteAddress) : ''),
    remote_port: () => (last ? String(last.remotePort) : ''),
    local_port: () => (last ? String(last.localPort) : ''),
    time_namelookup: () => secs(t.nameLookedUp),
    time_connect: () => secs(first?.timing.connectEnd ?? first?.timing.connection),
    time_pretransfer: () => secs(last?.timing.requestSent),
    time_starttransfer: () => secs(last?.timing.responseStart),
    time_total: () => secs(t.ended),
  };
  return format
    .replace(/\\([nrt\\])/g, (_, c: string) =>
      c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : '\\',
    )
    .replace(/%%|%\{([a-z_]+)\}/g, (m, name: string | undefined) =>
      name === undefined ? '%' : (vars[name]?.() ?? ''),
    );
}
