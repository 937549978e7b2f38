/**
 * Builds the TAP bridge's native parts on first use (Node only). Two implementations ship as C
 * source in native/ (no prebuilt binaries):
 *
 *   addon  native/tap_addon.c  → an N-API module; needs cc and Node's headers (node_api.h, uv.h)
 *   helper native/tap_helper.c → a relay process over stdin/stdout; needs only cc and libc
 *
 * `npm install` never compiles anything, so it cannot fail for lack of a compiler; the first
 * `wiretrail tap` (or interop test) compiles into build/tap/ (or a per-user directory under the
 * system temp dir when the package directory is read-only), keyed by a hash of the sources so an
 * update rebuilds. A missing compiler or header is reported when TAP is actually used.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  accessSync,
  constants,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The package root (this file is src/tap/build.ts or dist/tap/build.js). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NATIVE_DIR = join(PACKAGE_ROOT, 'native');

/**
 * addon: N-API addon with a reader and a writer thread; addon-inline: the same addon doing its
 * system calls on Node's event loop thread; helper: a relay process over a pipe.
 */
export type TapBackendKind = 'addon' | 'addon-inline' | 'helper';

/** A build failure with the reason and what to install (shown to the user as is). */
export class TapBuildError extends Error {
  override name = 'TapBuildError';
}

function sourceHash(files: string[], extra: string): string {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(join(NATIVE_DIR, f)));
  h.update(extra);
  return h.digest('hex').slice(0, 16);
}

function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function buildDir(): string {
  const inPackage = join(PACKAGE_ROOT, 'build', 'tap');
  if (writableDir(inPackage)) return inPackage;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const fallback = join(tmpdir(), `wiretrail-tap-${uid}`);
  if (writableDir(fallback)) return fallback;
  throw new TapBuildError(
    `no writable directory to build the TAP bridge (tried ${inPackage}, ${fallback})`,
  );
}

/** Directories that may hold node_api.h (and uv.h), most specific first. */
export function nodeIncludeDirs(): string[] {
  const dirs: string[] = [];
  const nodedir = process.env.npm_config_nodedir;
  if (nodedir) dirs.push(join(nodedir, 'include', 'node'));
  dirs.push(resolve(process.execPath, '..', '..', 'include', 'node'));
  dirs.push('/usr/include/node', '/usr/local/include/node');
  return [...new Set(dirs)];
}

function compiler(): string {
  return process.env.CC || 'cc';
}

async function compile(args: string[], out: string, what: string): Promise<void> {
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await run(compiler(), [...args, '-o', tmp], { timeout: 120_000 });
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new TapBuildError(
        `the TAP bridge needs a C compiler to build ${what}, and "${compiler()}" was not found ` +
          '(Debian: apt-get install gcc; or set CC)',
      );
    }
    const firstLines = (err.stderr ?? String(e)).trim().split('\n').slice(0, 6).join('\n');
    throw new TapBuildError(`building ${what} failed:\n${firstLines}`);
  }
  renameSync(tmp, out); // atomic: concurrent builders race harmlessly
}

const building = new Map<string, Promise<string>>();

/** Path of the compiled helper executable, building it when needed. */
export function helperPath(): Promise<string> {
  const key = 'helper';
  let p = building.get(key);
  if (p === undefined) {
    p = (async () => {
      const hash = sourceHash(['tap_common.h', 'tap_helper.c'], `${process.arch}|${compiler()}`);
      const out = join(buildDir(), `tap-helper-${hash}`);
      if (!existsSync(out)) {
        await compile(
          ['-O2', '-Wall', join(NATIVE_DIR, 'tap_helper.c')],
          out,
          'native/tap_helper.c',
        );
      }
      return out;
    })();
    building.set(key, p);
    p.catch(() => building.delete(key));
  }
  return p;
}

/** Path of the compiled N-API addon, building it when needed. */
export function addonPath(): Promise<string> {
  const key = 'addon';
  let p = building.get(key);
  if (p === undefined) {
    p = (async () => {
      const include = nodeIncludeDirs().find((d) => existsSync(join(d, 'node_api.h')));
      if (include === undefined) {
        throw new TapBuildError(
          `the TAP addon needs Node's C headers (node_api.h), not found in ${nodeIncludeDirs().join(', ')} ` +
            '(install the headers matching this Node, or set npm_config_nodedir)',
        );
      }
      const hash = sourceHash(
        ['tap_common.h', 'tap_addon.c'],
        `${process.arch}|${compiler()}|${include}`,
      );
      const out = join(buildDir(), `tap-addon-${hash}.node`);
      if (!existsSync(out)) {
        const args = [
          '-O2',
          '-Wall',
          '-pthread',
          '-shared',
          '-fPIC',
          '-DNODE_GYP_MODULE_NAME=wiretrail_tap',
          `-I${include}`,
        ];
        if (!existsSync(join(include, 'uv.h'))) args.push('-I/usr/include/uv'); // Debian: uv.h from libuv1-dev
        await compile([...args, join(NATIVE_DIR, 'tap_addon.c')], out, 'native/tap_addon.c');
      }
      return out;
    })();
    building.set(key, p);
    p.catch(() => building.delete(key));
  }
  return p;
}
