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
import { SECOND } from '../../sim/time.js';
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
  /** -s: no progress meter and no error message (unless -S). */
  silent: boolean;
  /** -S: with -s, still print the error message. */
  showError: boolean;
  /** -f: HTTP status ≥ 400 is an error (22), and its body is not written. */
  fail: boolean;
  /** -m / --max-time: the whole operation's limit, in seconds (simulated). */
  maxTime?: number;
  /** -D / --dump-header FILE: the response heads go there ("-": standard output). */
  dumpHeader?: string;
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
  /** For -o and -D. */
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

/** Short options without a value, and what they set (tool_getparam.c's "vIiLsSf"). */
const SHORT_BOOL: Record<string, (a: CurlArgs) => void> = {
  v: (a) => void (a.verbose = true),
  I: (a) => void (a.head = true),
  i: (a) => void (a.include = true),
  L: (a) => void (a.location = true),
  s: (a) => void (a.silent = true),
  S: (a) => void (a.showError = true),
  f: (a) => void (a.fail = true),
};

/** Long options without a value. */
const LONG_BOOL: Record<string, string> = {
  verbose: 'v',
  head: 'I',
  include: 'i',
  location: 'L',
  silent: 's',
  'show-error': 'S',
  fail: 'f',
};

/** Options that take a value: short letter → long name. */
const WITH_VALUE: Record<string, string> = {
  o: 'output',
  X: 'request',
  A: 'user-agent',
  H: 'header',
  w: 'write-out',
  D: 'dump-header',
  m: 'max-time',
};

function setValue(a: CurlArgs, long: string, flag: string, v: string): void {
  switch (long) {
    case 'output':
      a.output = v;
      break;
    case 'request':
      a.method = v;
      break;
    case 'user-agent':
      a.userAgent = v;
      break;
    case 'write-out':
      a.writeOut = v;
      break;
    case 'dump-header':
      a.dumpHeader = v;
      break;
    case 'max-time': {
      // tool_getparam.c str2udouble: a non-negative number of seconds, fractions allowed
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < 0)
        throw new CurlUsageError(`option ${flag}: expected a proper numerical parameter`);
      // 0: no limit (CURLOPT_TIMEOUT_MS 0)
      a.maxTime = n === 0 ? undefined : n;
      break;
    }
    case 'max-redirs': {
      const n = Number(v);
      if (v.trim() === '' || !Number.isInteger(n) || n < -1)
        throw new CurlUsageError(`option ${flag}: expected a proper numerical parameter`);
      a.maxRedirs = n < 0 ? Infinity : n;
      break;
    }
    case 'header': {
      const c = v.indexOf(':');
      if (c <= 0) throw new CurlUsageError(`bad header ${JSON.stringify(v)} (want "Name: value")`);
      a.headers.push([v.slice(0, c).trim(), v.slice(c + 1).trim()]);
      break;
    }
  }
}

/**
 * Parses curl's arguments (the subset above) as tool_getparam.c does: short options bundle
 * ("-fsSL"), and the last one of a bundle may take its value attached or as the next word
 * ("-o/dev/null", "-sSo /dev/null", "-m5"). Throws CurlUsageError.
 */
export function parseCurlArgs(argv: readonly string[]): CurlArgs {
  const a: CurlArgs = {
    url: '',
    verbose: false,
    head: false,
    include: false,
    location: false,
    silent: false,
    showError: false,
    fail: false,
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
    if (arg.startsWith('--') && arg.length > 2) {
      const name = arg.slice(2);
      const short = LONG_BOOL[name];
      if (short !== undefined) SHORT_BOOL[short](a);
      else if (Object.values(WITH_VALUE).includes(name) || name === 'max-redirs')
        setValue(a, name, arg, need(++i, arg));
      else throw new CurlUsageError(`option ${arg}: is unknown`);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const c = arg[k];
        const b = SHORT_BOOL[c];
        if (b !== undefined) {
          b(a);
          continue;
        }
        const long = WITH_VALUE[c];
        if (long === undefined) throw new CurlUsageError(`option -${c}: is unknown`);
        const rest = arg.slice(k + 1);
        setValue(a, long, `-${c}`, rest !== '' ? rest : need(++i, `-${c}`));
        break;
      }
      continue;
    }
    if (a.url !== '') throw new CurlUsageError(`one URL only (got ${a.url} and ${arg})`);
    a.url = arg;
  }
  if (a.url === '') throw new CurlUsageError('no URL specified');
  return a;
}

function latin1(text: string): Uint8Array {
  const b = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0xff;
  return b;
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
  /** Set when --max-time ran out: what transfer() still does is not printed. */
  let over = false;
  let resolving = false;
  const responses: ClientResponse[] = [];
  const client = new HttpClient({
    net: env.net,
    clock: env.clock,
    trace: env.trace,
    node: env.node,
  });
  const err = (t: string): void => {
    if (!over) env.err(t);
  };
  const out = (t: string | Uint8Array): void => {
    if (!over) env.out(t);
  };
  // curl -s: no error message, unless -S
  const report = (code: number, msg: string): CurlResult => {
    if (!args.silent || args.showError) err(`curl: (${code}) ${msg}\n`);
    return { exitCode: code, responses, error: msg };
  };
  const r = args.maxTime === undefined ? await transfer() : await withMaxTime(args.maxTime);
  if (args.writeOut !== undefined) {
    env.out(writeOut(args.writeOut, r, { started, nameLookedUp, ended: env.clock.now() }));
  }
  return r;

  /**
   * --max-time: the transfer, or at the limit curl's timeout (multi.c multi_handle_timeout:
   * "Resolving timed out", "Connection timed out", "Operation timed out … bytes received"),
   * exit 28, every connection aborted.
   */
  function withMaxTime(seconds: number): Promise<CurlResult> {
    return new Promise<CurlResult>((resolve) => {
      const timer = env.clock.schedule(Math.round(seconds * SECOND), () => {
        if (over) return;
        const ms = Math.round((env.clock.now() - started) / 1e6);
        const { connected } = client.abort(
          new HttpClientError('timeout', `--max-time ${seconds} ran out`),
        );
        const msg = resolving
          ? `Resolving timed out after ${ms} milliseconds`
          : connected
            ? `Operation timed out after ${ms} milliseconds with 0 bytes received`
            : `Connection timed out after ${ms} milliseconds`;
        const res = report(28, msg);
        over = true;
        env.clock.noteWake();
        resolve(res);
      });
      void transfer().then((res) => {
        if (over) return;
        over = true;
        timer.cancel();
        resolve(res);
      });
    });
  }

  async function transfer(): Promise<CurlResult> {
    const v = (line: string): void => {
      if (args.verbose) err(line + '\n');
    };
    const fail = report;
    let text = args.url;
    // curl guesses http:// for a URL without a scheme.
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text)) text = `http://${text}`;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fail(3, `URL rejected: Malformed input to a URL function`);
    }
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
            resolving = true;
            r = await env.resolve(url.hostname);
          } catch {
            resolving = false;
            v(`* Could not resolve host: ${url.hostname}`);
            return fail(6, `Could not resolve host: ${url.hostname}`);
          }
          if (r.addresses.length === 0) {
            v(`* Could not resolve host: ${url.hostname}`);
            return fail(6, `Could not resolve host: ${url.hostname}`);
          }
          resolving = false;
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
                // cf-socket.c cf_tcp_connect: the socket's own address and port (getsockname)
                v(
                  `* connect to ${formatIpv4(address)} port ${port} from ${formatIpv4(e.local?.address ?? 0)} port ${e.local?.port ?? 0} failed: ${e.code === 'ECONNREFUSED' ? 'Connection refused' : 'No route to host'}`,
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
          err(headLines(res.requestHeadText, '>'));
          err(headLines(responseHeadText(res), '<'));
        }
        const location = res.headers.get('location');
        const follow =
          args.location && [301, 302, 303, 307, 308].includes(res.status) && location !== undefined;
        // -D: the heads as they came, to the file or (-) standard output
        if (args.dumpHeader === '-') out(responseHeadText(res));
        else if (args.dumpHeader !== undefined && args.dumpHeader !== '/dev/null') {
          if (env.writeFile === undefined)
            return fail(23, `Failed writing header: no file system here`);
          env.writeFile(args.dumpHeader, latin1(responseHeadText(res)));
        }
        if (args.head || args.include) out(responseHeadText(res));
        // -f (lib/http.c): a status of 400 or more ends the transfer before the body, closes
        // the connection, and is error 22
        if (args.fail && res.status >= 400) {
          v(`* The requested URL returned error: ${res.status}`);
          v(`* Closing connection`);
          return fail(22, `The requested URL returned error: ${res.status}`);
        }
        if (!args.head && !follow) {
          if (args.output === '/dev/null') {
            // discarded
          } else if (args.output !== undefined) {
            if (env.writeFile === undefined)
              return fail(23, `Failed writing body: no file system here`);
            env.writeFile(args.output, res.body);
          } else if (res.body.length > 0) out(res.body);
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
