/**
 * Shared pieces of the interop battery (test/interop): every test makes its own network
 * namespaces with unique names and removes them in `finally`, so a failing test leaves nothing
 * behind and concurrent runs do not collide.
 *
 * The battery needs root and /dev/net/tun. Without them each test is skipped with the reason
 * (the only allowed skip); CI runs as root and must run them.
 */
import { tapUnavailableReason } from '../../src/tap/device.js';
import { createNetns, deleteNetns, nsExec, uniqueName } from '../../src/tap/netns.js';

/** false, or the reason the battery cannot run on this machine. */
export const SKIP: string | false = (() => {
  const why = tapUnavailableReason();
  return why === undefined ? false : `interop battery skipped: ${why}`;
})();

/** Runs `fn` with a fresh namespace, deleted afterwards whatever happens. */
export async function withNetns<T>(prefix: string, fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = uniqueName(prefix);
  await deleteNetns(ns);
  await createNetns(ns);
  try {
    return await fn(ns);
  } finally {
    await deleteNetns(ns);
  }
}

/** Runs `fn`, then every cleanup registered with `defer` in reverse order (errors ignored). */
export async function scoped<T>(
  fn: (defer: (cleanup: () => unknown) => void) => Promise<T>,
): Promise<T> {
  const cleanups: (() => unknown)[] = [];
  try {
    return await fn((c) => cleanups.push(c));
  } finally {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        /* best effort */
      }
    }
  }
}

/** `ip neigh` entries of a namespace: address → { mac, state }. */
export async function neighbours(
  ns: string,
  dev: string,
): Promise<Map<string, { mac: string; state: string[] }>> {
  const { stdout } = await nsExec(ns, ['ip', '-j', 'neigh', 'show', 'dev', dev]);
  const out = new Map<string, { mac: string; state: string[] }>();
  for (const e of JSON.parse(stdout || '[]') as {
    dst: string;
    lladdr?: string;
    state?: string[];
  }[]) {
    out.set(e.dst, { mac: e.lladdr ?? '', state: e.state ?? [] });
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
