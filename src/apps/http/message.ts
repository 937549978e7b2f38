/**
 * HTTP/1.1 message serializer: request and status lines, field lines, chunked coding.
 *
 * Read first: RFC 9112 § 3 (request-line), § 4 (status-line), § 5 (field lines: name ":" OWS
 * value OWS, we write exactly one SP after the colon and no trailing whitespace), § 7.1
 * (chunked: hex size CRLF data CRLF, last-chunk "0" CRLF, trailer section, CRLF); RFC 9110 § 15
 * (reason phrases; the status code is what matters, § 15.1).
 *
 * The serializer refuses to write what the parser would reject: names must be tokens, values
 * must not contain CR, LF or NUL (RFC 9110 § 5.5), so header injection through a value is a
 * programming error (thrown), not bytes on the wire.
 */
import { HttpHeaders, isFieldValue, isToken } from './headers.js';

export const STATUS_TEXT: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  206: 'Partial Content',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}

/**
 * A string whose chars are all ≤ 0xFF → bytes (Latin-1). Field values are opaque bytes. With
 * `tail` (a message's content), the bytes are followed by it in the same buffer: one allocation
 * and one copy instead of a head buffer and a concatenation.
 */
export function latin1Bytes(s: string, tail?: Uint8Array): Uint8Array {
  const b = new Uint8Array(s.length + (tail === undefined ? 0 : tail.length));
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  if (tail !== undefined) b.set(tail, s.length);
  return b;
}

function fieldLines(headers: HttpHeaders | undefined): string {
  let s = '';
  if (headers === undefined) return s;
  for (const [name, value] of headers) {
    if (!isToken(name)) throw new TypeError(`invalid field name ${JSON.stringify(name)}`);
    if (!isFieldValue(value))
      throw new TypeError(`invalid value for ${name}: ${JSON.stringify(value)}`);
    s += `${name}: ${value.trim()}\r\n`;
  }
  return s;
}

export interface RequestHeadInit {
  method: string;
  /** request-target, origin-form ("/index.html?x=1") unless talking to a proxy. */
  target: string;
  headers?: HttpHeaders;
  /** "1.1" (default) or "1.0". */
  version?: string;
}

/** "GET / HTTP/1.1\r\nHost: …\r\n\r\n" as text (Latin-1). */
export function requestHeadText(h: RequestHeadInit): string {
  if (!isToken(h.method)) throw new TypeError(`invalid method ${JSON.stringify(h.method)}`);
  if (!/^[\x21-\x7e]+$/.test(h.target))
    throw new TypeError(`invalid request-target ${JSON.stringify(h.target)}`);
  return `${h.method} ${h.target} HTTP/${h.version ?? '1.1'}\r\n${fieldLines(h.headers)}\r\n`;
}

export function serializeRequestHead(h: RequestHeadInit): Uint8Array {
  return latin1Bytes(requestHeadText(h));
}

export interface ResponseHeadInit {
  status: number;
  reason?: string;
  headers?: HttpHeaders;
  version?: string;
}

export function responseHeadText(h: ResponseHeadInit): string {
  if (!Number.isInteger(h.status) || h.status < 100 || h.status > 599) {
    throw new TypeError(`invalid status ${h.status}`);
  }
  const reason = h.reason ?? statusText(h.status);
  if (!isFieldValue(reason)) throw new TypeError(`invalid reason phrase ${JSON.stringify(reason)}`);
  return `HTTP/${h.version ?? '1.1'} ${h.status} ${reason}\r\n${fieldLines(h.headers)}\r\n`;
}

export function serializeResponseHead(h: ResponseHeadInit): Uint8Array {
  return latin1Bytes(responseHeadText(h));
}

/** One chunk of the chunked coding (RFC 9112 § 7.1); empty data is not a chunk (use lastChunk). */
export function encodeChunk(data: Uint8Array): Uint8Array {
  if (data.length === 0) return new Uint8Array(0);
  const size = latin1Bytes(`${data.length.toString(16)}\r\n`);
  const out = new Uint8Array(size.length + data.length + 2);
  out.set(size, 0);
  out.set(data, size.length);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return out;
}

/** last-chunk, trailer section and the final CRLF (RFC 9112 § 7.1.2). */
export function lastChunk(trailers?: HttpHeaders): Uint8Array {
  return latin1Bytes(`0\r\n${fieldLines(trailers)}\r\n`);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
