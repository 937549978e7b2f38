/**
 * `wiretrail web`: serves the web visualiser (web/dist, built by `npm run build:web`) on
 * 127.0.0.1 with a free port and prints the address. The page runs the whole simulation in the
 * browser; this server only hands out static files. When web/dist is missing it is built first
 * (with a message saying so).
 *
 *   wiretrail web                 → wiretrail web: http://127.0.0.1:40123/  (Ctrl-C stops)
 *   wiretrail web --port 8080
 *   wiretrail web --build         rebuild web/dist first
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';

/** The package root: src/cli/web.ts and dist/cli/web.js are both two levels below it. */
export const PACKAGE_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const WEB_DIST = join(PACKAGE_ROOT, 'web', 'dist');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.yaml': 'text/yaml; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export interface StaticServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Serves the files of `dir` (GET and HEAD; "/" is index.html) on host:port (0 = a free port). */
export function serveStatic(
  dir: string,
  options: { host?: string; port?: number } = {},
): Promise<StaticServer> {
  const root = resolve(dir);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request\n');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden\n');
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
        .end(`not found: ${path}\n`);
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      resolvePromise({
        url: `http://${host}:${port}/`,
        port,
        server,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

/** Builds web/dist with Vite (a devDependency: present in a checkout after `npm install`). */
export function buildWeb(io: Pick<CliIo, 'err'>): boolean {
  const vite = join(PACKAGE_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) {
    io.err(
      `wiretrail web: cannot build the page: Vite is not installed (run "npm install" in ${PACKAGE_ROOT})\n`,
    );
    return false;
  }
  const r = spawnSync(
    process.execPath,
    [vite, 'build', '--config', join(PACKAGE_ROOT, 'web', 'vite.config.ts')],
    {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  return r.status === 0 && existsSync(join(WEB_DIST, 'index.html'));
}

registerCommand((program: Command, io: CliIo) => {
  program
    .command('web')
    .description('serve the web visualiser (the simulation runs in your browser) on 127.0.0.1')
    // No default value: commander would print it after ours ("(default: "0")").
    .option('--port <n>', 'TCP port (default: a free one)')
    .option('--build', 'rebuild the page (web/dist) before serving it')
    .action(async (opts: { port?: string; build?: boolean }) => {
      const port = opts.port === undefined ? 0 : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port: "${opts.port}" is not a port number (0-65535)`);
      const index = join(WEB_DIST, 'index.html');
      if (opts.build === true || !existsSync(index)) {
        io.err(
          opts.build === true
            ? 'wiretrail web: building the page (npm run build:web)…\n'
            : `wiretrail web: ${WEB_DIST} is missing: building it first (npm run build:web)…\n`,
        );
        if (!buildWeb(io)) {
          io.err('wiretrail web: the build failed (see above)\n');
          io.exitCode = 1;
          return;
        }
      }
      let srv: StaticServer;
      try {
        srv = await serveStatic(WEB_DIST, { port });
      } catch (e) {
        io.err(
          `wiretrail web: cannot listen on 127.0.0.1:${port}: ${e instanceof Error ? e.message : String(e)}\n`,
        );
        io.exitCode = 1;
        return;
      }
      io.out(`wiretrail web: ${srv.url}  (open it in a browser; Ctrl-C stops)\n`);
      await new Promise<void>((done) => {
        const stop = (): void => {
          void srv.close().then(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
});
