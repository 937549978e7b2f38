/**
 * Vite build of the web page (web/ → web/dist). One self-contained index.html: the script, the
 * styles and the simulation worker are inlined, so the page works from file:// (browsers do
 * not load module scripts or workers from file URLs), offline, and from any static server.
 *
 *   npm run build:web      → web/dist/index.html
 *   npm run dev:web        → dev server with hot reload
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = resolve(here, 'dist');

/** Inlines the emitted script and stylesheet into index.html, then removes the assets. */
function singleFile(): Plugin {
  return {
    name: 'wiretrail-single-file',
    apply: 'build',
    enforce: 'post',
    closeBundle() {
      const htmlPath = join(outDir, 'index.html');
      let html = readFileSync(htmlPath, 'utf8');
      html = html
        .replace(
          /<script type="module" crossorigin src="\.\/(assets\/[^"]+\.js)"><\/script>/g,
          (_m, src: string) => {
            const code = readFileSync(join(outDir, src), 'utf8').replace(
              /<\/script/gi,
              '<\\/script',
            );
            return `<script type="module">${code}</script>`;
          },
        )
        .replace(
          /<link rel="stylesheet" crossorigin href="\.\/(assets\/[^"]+\.css)">/g,
          (_m, href: string) => {
            const css = readFileSync(join(outDir, href), 'utf8');
            return `<style>${css}</style>`;
          },
        );
      writeFileSync(htmlPath, html);
      const assets = join(outDir, 'assets');
      rmSync(assets, { recursive: true, force: true });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: false,
    cssCodeSplit: false,
    assetsInlineLimit: 100_000_000,
    chunkSizeWarningLimit: 4000,
    reportCompressedSize: false,
    rollupOptions: { output: { inlineDynamicImports: true } },
  },
  worker: { format: 'iife' },
  server: { fs: { allow: [resolve(here, '..')] } },
  plugins: [singleFile()],
});
