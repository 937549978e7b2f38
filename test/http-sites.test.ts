/**
 * The embedded sites (src/world/sites/index.ts) match the folders they come from, and the
 * default site has what the story needs: a default file, a stylesheet, a real PNG, a 404 page.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EMBEDDED_SITE_HOSTS, embeddedSite } from '../src/world/sites/index.js';
// @ts-expect-error: a plain .mjs script without types
import { generate } from '../scripts/gen-sites.mjs';

test('src/world/sites/index.ts is in sync with the site folders (node scripts/gen-sites.mjs)', () => {
  const path = fileURLToPath(new URL('../src/world/sites/index.ts', import.meta.url));
  assert.equal(readFileSync(path, 'utf8'), (generate as () => string)());
});

test('www.server.com has index.html, style.css, logo.png (a real PNG) and a 404 page', () => {
  assert.ok(EMBEDDED_SITE_HOSTS.includes('www.server.com'));
  const site = embeddedSite('www.server.com')!;
  for (const p of [
    '/index.html',
    '/style.css',
    '/logo.png',
    '/app.js',
    '/404.html',
    '/steps/index.html',
  ]) {
    assert.ok(site.files.has(p), p);
  }
  const png = site.files.get('/logo.png')!;
  assert.deepEqual([...png.body.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.type, 'image/png');
  assert.equal(site.notFoundPage, '/404.html');
  const html = new TextDecoder().decode(site.files.get('/index.html')!.body);
  assert.match(html, /<link rel="stylesheet" href="\/style.css">/);
  assert.match(html, /<img src="\/logo.png"/);
});
