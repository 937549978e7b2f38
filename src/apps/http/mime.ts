/**
 * Media types by file extension (RFC 9110 § 8.3 Content-Type; the table follows nginx's
 * mime.types for the types a static site uses). Text types carry charset=utf-8 as nginx's
 * `charset utf-8;` would add it.
 */

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  pdf: 'application/pdf',
  wasm: 'application/wasm',
};

/** nginx's `default_type application/octet-stream`. */
export const DEFAULT_TYPE = 'application/octet-stream';

export function mimeType(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash + 0 || dot === path.length - 1) return DEFAULT_TYPE;
  return TYPES[path.slice(dot + 1).toLowerCase()] ?? DEFAULT_TYPE;
}

/** The media type without parameters, lower-cased: "text/html". */
export function essence(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
