/**
 * A static web site held in memory: request path → bytes + metadata. Browser-safe, so the
 * default internet can embed its sites (src/world/sites) and the CLI can build one from a folder
 * it read with fs (`createSite(name, entries)`).
 *
 * Validators follow nginx: Last-Modified is the file's mtime, the ETag is
 * "<mtime in hex seconds>-<length in hex>" (RFC 9110 § 8.8.3: a strong validator that changes
 * whenever the representation does, as long as the mtime does).
 */
import { mimeType } from './mime.js';

export interface SiteFile {
  readonly body: Uint8Array;
  /** Content-Type; default from the extension (mime.ts). */
  readonly type: string;
  /** Modification time, wall-clock ms since 1970 (Last-Modified). */
  readonly mtimeMs: number;
  /** Cache-Control sent with it (RFC 9111 § 5.2.2). */
  readonly cacheControl: string;
  /** Strong entity tag (RFC 9110 § 8.8.3), quoted. */
  readonly etag: string;
}

export interface Site {
  /** Host name the site is for, e.g. "www.server.com" (informational; the server serves any Host). */
  readonly name: string;
  /** Paths start with "/", e.g. "/index.html", "/img/logo.png". */
  readonly files: ReadonlyMap<string, SiteFile>;
  /** File served with 404 responses, when present. */
  readonly notFoundPage?: string;
  /** Extra permanent redirects: path → Location. */
  readonly redirects: ReadonlyMap<string, string>;
}

export interface SiteFileInit {
  body: Uint8Array | string;
  type?: string;
  mtimeMs?: number;
  cacheControl?: string;
}

export interface SiteOptions {
  /** mtime for files that do not give one; default 2024-12-01T00:00:00Z. */
  mtimeMs?: number;
  /** Cache-Control for HTML; default "no-cache" (always revalidate, RFC 9111 § 5.2.2.4). */
  htmlCacheControl?: string;
  /** Cache-Control for everything else; default "max-age=3600". */
  assetCacheControl?: string;
  notFoundPage?: string;
  redirects?: Record<string, string>;
}

export const DEFAULT_SITE_MTIME_MS = 1_733_011_200_000;

export function entityTag(mtimeMs: number, length: number): string {
  return `"${Math.floor(mtimeMs / 1000).toString(16)}-${length.toString(16)}"`;
}

export function createSite(
  name: string,
  entries: Record<string, Uint8Array | string | SiteFileInit>,
  options: SiteOptions = {},
): Site {
  const enc = new TextEncoder();
  const files = new Map<string, SiteFile>();
  for (const [rawPath, init] of Object.entries(entries)) {
    const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
    const spec: SiteFileInit =
      init instanceof Uint8Array || typeof init === 'string' ? { body: init } : init;
    const body = typeof spec.body === 'string' ? enc.encode(spec.body) : spec.body;
    const type = spec.type ?? mimeType(path);
    const mtimeMs = spec.mtimeMs ?? options.mtimeMs ?? DEFAULT_SITE_MTIME_MS;
    const isHtml = type.startsWith('text/html');
    const cacheControl =
      spec.cacheControl ??
      (isHtml
        ? (options.htmlCacheControl ?? 'no-cache')
        : (options.assetCacheControl ?? 'max-age=3600'));
    files.set(path, { body, type, mtimeMs, cacheControl, etag: entityTag(mtimeMs, body.length) });
  }
  const notFound = options.notFoundPage ?? (files.has('/404.html') ? '/404.html' : undefined);
  return {
    name,
    files,
    notFoundPage: notFound,
    redirects: new Map(Object.entries(options.redirects ?? {})),
  };
}
