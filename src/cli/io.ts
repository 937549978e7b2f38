/**
 * What every command shares for its input and output beyond CliIo (src/cli/main.ts):
 *
 *  - standard output and standard error that end the process quietly when the reader goes
 *    away (`wiretrail visit … | head`: EPIPE), as a C tool dies of SIGPIPE without a word;
 *  - output files named on the command line (`--pcapng FILE`, `--json FILE`, `--trace-out
 *    FILE`), checked before anything runs so that a typo costs no simulation and prints one
 *    line, and written with one line on failure instead of a stack trace.
 */
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './main.js';
import type { CliIo } from './main.js';

let guarded = false;

/**
 * Ends the process when writing to standard output or standard error fails. A reader that went
 * away (EPIPE: `| head`) ends it quietly with `status()` — the status the command has reported
 * so far, 0 unless it already failed; another failure (ENOSPC: `> /dev/full`) is one line on
 * standard error and status 1, as coreutils' "write error". Installed once per process.
 */
export function endQuietlyOnClosedOutput(status: () => number): void {
  if (guarded) return;
  guarded = true;
  const onError =
    (stream: 'stdout' | 'stderr') =>
    (e: NodeJS.ErrnoException): void => {
      if (e.code === 'EPIPE') process.exit(status());
      if (stream === 'stdout') {
        try {
          process.stderr.write(
            `wiretrail: cannot write to standard output: ${e.code ?? e.message}\n`,
          );
        } catch {
          // standard error is gone too: nothing more to say
        }
      }
      process.exit(1);
    };
  process.stdout.on('error', onError('stdout'));
  process.stderr.on('error', onError('stderr'));
}

/**
 * Checks, before anything runs, that `path` (given with `flag`) can be written: its directory
 * exists and is writable, and it is not a directory. "-" (standard output) is the caller's to
 * handle. Throws a UsageError (one line, exit 2) otherwise.
 */
export function checkWritable(flag: string, path: string): void {
  if (path === '') throw new UsageError(`${flag}: the file name is empty`);
  const dir = dirname(path) || '.';
  let isDir = false;
  try {
    isDir = existsSync(path) && statSync(path).isDirectory();
  } catch {
    // cannot stat it: accessSync below says why
  }
  if (isDir) throw new UsageError(`${flag} ${path}: is a directory`);
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error(dir), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.W_OK);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write there (${why(e, dir)})`);
  }
}

/**
 * Writes an output file that checkWritable accepted. Should it fail all the same (the disk is
 * full, the directory went away), that is one line and status 1, not an internal error.
 */
export function writeOutputFile(flag: string, path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot write it (${why(e, dirname(path) || '.')})`, 1);
  }
}

function why(e: unknown, dir: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return `no directory ${dir}`;
    case 'ENOTDIR':
      return `${dir} is not a directory`;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return code ?? String(e);
  }
}

/** Writes bytes (a capture given as `--pcapng -`) on standard output. */
export function writeStdoutBytes(io: CliIo, bytes: Uint8Array): void {
  if (io.outBytes === undefined) throw new Error('this CliIo has no binary standard output');
  io.outBytes(bytes);
}
