/**
 * The address bar: typed text → URL, the browser's first step in the seeds ("解析 URL").
 *
 * Read first: the WHATWG URL Standard (parsing is done by the platform's URL class, which
 * implements it: host lower-casing, IDNA, default-port elision, percent-encoding of the path,
 * "." and ".." segments); RFC 9110 § 4.2.1 (http URI, default port 80); RFC 9110 § 4.2.4 (the
 * fragment is not sent).
 *
 * What browsers add on top of the standard, and we do too: text without a scheme gets
 * "http://" (the seed's example adds "www." as well; browsers do not, and neither do we);
 * input that cannot be an address gets a message that says why. HTTPS needs TLS, which
 * wiretrail does not have yet.
 */
import { parseIpv4 } from '../../wire/addr.js';

export type BrowserErrorCode =
  | 'empty'
  | 'invalid-url'
  | 'https-not-supported'
  | 'unsupported-scheme'
  | 'ipv6-not-supported'
  | 'dns'
  | 'connection-refused'
  | 'unreachable'
  | 'timeout'
  | 'connection-failed'
  | 'bad-response'
  | 'too-many-redirects';

/** A failure the user can understand: `message` is one line, no stack trace needed. */
export class BrowserError extends Error {
  constructor(
    readonly code: BrowserErrorCode,
    message: string,
    /** Details from below (resolver error, socket error), for the story. */
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'BrowserError';
  }
}

export interface ParsedAddress {
  /** What was typed. */
  input: string;
  url: URL;
  /** "http://" was added to what was typed. */
  addedScheme: boolean;
  scheme: string;
  host: string;
  /** The host is an IPv4 literal: no DNS needed. */
  hostIsAddress: boolean;
  port: number;
  portIsDefault: boolean;
  /** Path as sent in the request line (with the query). */
  target: string;
  path: string;
  query: string;
  fragment: string;
  /** The path names no file (ends in "/"): the server picks its default file, e.g. index.html. */
  defaultFile: boolean;
}

const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

export function parseAddress(typed: string): ParsedAddress {
  const input = typed.trim();
  if (input === '')
    throw new BrowserError('empty', 'type an address, for example http://www.server.com/');
  let text = input;
  let addedScheme = false;
  const m = SCHEME_RE.exec(text);
  // "www.server.com:8080/x" looks like scheme "www.server.com"; a real scheme is followed by
  // "//" or is one of the few that are not (mailto:, data:, ...).
  const hasScheme =
    m !== null &&
    (text.slice(m[0].length).startsWith('//') ||
      /^(about|data|file|javascript|mailto|blob):/i.test(text));
  if (!hasScheme) {
    if (/\s/.test(text.split('/')[0])) {
      throw new BrowserError(
        'invalid-url',
        `"${input}" is not an address (a host name cannot contain spaces)`,
      );
    }
    text = `http://${text}`;
    addedScheme = true;
  }
  const scheme = SCHEME_RE.exec(text)![1].toLowerCase();
  if (scheme === 'https') {
    throw new BrowserError(
      'https-not-supported',
      'HTTPS is not supported yet (no TLS in wiretrail); try http:// instead',
    );
  }
  if (scheme !== 'http') {
    throw new BrowserError(
      'unsupported-scheme',
      `wiretrail's browser speaks http:// only, not ${scheme}:`,
    );
  }
  // Give precise reasons for the common mistakes before the URL parser's generic one.
  const authority = text.slice(text.indexOf('//') + 2).split(/[/?#]/)[0];
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (hostPort === '') throw new BrowserError('invalid-url', `"${input}" has no host name`);
  if (hostPort.startsWith('['))
    throw new BrowserError(
      'ipv6-not-supported',
      'IPv6 addresses are not supported (wiretrail is IPv4 only)',
    );
  const portMatch = /:([^:]*)$/.exec(hostPort);
  if (portMatch !== null) {
    const p = portMatch[1];
    if (p !== '' && !/^[0-9]+$/.test(p))
      throw new BrowserError('invalid-url', `the port "${p}" is not a number`);
    if (p !== '' && Number(p) > 65535)
      throw new BrowserError('invalid-url', `the port ${p} is out of range (0-65535)`);
  }
  if (/\s/.test(hostPort))
    throw new BrowserError('invalid-url', `the host name "${hostPort}" contains a space`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BrowserError(
      'invalid-url',
      `"${input}" is not a valid URL (host "${hostPort}" has characters a host name cannot have)`,
    );
  }
  if (url.hostname === '') throw new BrowserError('invalid-url', `"${input}" has no host name`);
  const port = url.port === '' ? 80 : Number(url.port);
  const path = url.pathname;
  return {
    input,
    url,
    addedScheme,
    scheme,
    host: url.hostname,
    hostIsAddress: parseIpv4(url.hostname) !== undefined,
    port,
    portIsDefault: url.port === '',
    target: path + url.search,
    path,
    query: url.search,
    fragment: url.hash,
    defaultFile: path.endsWith('/'),
  };
}
