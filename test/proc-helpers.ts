// Cleanup for batteries that start real servers (nsd, wiretrail dns serve) in a temporary
// directory. A server told to stop with SIGTERM may still write its state files (nsd writes
// xfrd.state and its log on shutdown); removing the directory before it has exited races with
// those writes and fails with ENOTEMPTY. So: signal, wait for the exit, then remove.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** True once the child has exited (or never started). */
function exited(c: ChildProcess): boolean {
  return c.pid === undefined || c.exitCode !== null || c.signalCode !== null;
}

function waitExit(c: ChildProcess): Promise<void> {
  return exited(c) ? Promise.resolve() : new Promise((res) => c.once('exit', () => res()));
}

/**
 * Sends SIGTERM to every child still running and waits for each to exit; a child still
 * running after `graceMs` gets SIGKILL and is waited for too.
 */
export async function stopChildren(
  children: readonly ChildProcess[],
  graceMs = 5_000,
): Promise<void> {
  await Promise.all(
    children.map(async (c) => {
      if (exited(c)) return;
      const gone = waitExit(c);
      c.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((res) => (timer = setTimeout(() => res('late'), graceMs)));
      const first = await Promise.race([gone, late]);
      clearTimeout(timer);
      if (first === 'late' && !exited(c)) {
        c.kill('SIGKILL');
        await gone;
      }
    }),
  );
}

/** Removes a directory tree, retrying on ENOTEMPTY/EBUSY (a file appearing while it is removed). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
