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
import { startTapSession } from '../../src/tap/session.js';
import type { TapSession, TapSessionOptions } from '../../src/tap/session.js';

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

// ───────────────────────────── sessions ─────────────────────────────

/**
 * Runs `fn` with a simulated topology attached to a fresh namespace (the default internet
 * unless `opts.topology`); everything is torn down afterwards, also on failure.
 */
export async function withSession<T>(
  prefix: string,
  opts: Omit<TapSessionOptions, 'netns'>,
  fn: (s: TapSession) => Promise<T>,
): Promise<T> {
  const ns = uniqueName(prefix);
  await deleteNetns(ns);
  let s: TapSession | undefined;
  try {
    s = await startTapSession({ ...opts, netns: ns });
    return await fn(s);
  } finally {
    await s?.close();
    await deleteNetns(ns);
  }
}

/** Starts an async application inside the simulation's real-time loop and awaits it. */
export function inSim<T>(s: TapSession, fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    s.driver.inject(() => {
      fn().then(resolve, reject);
    });
  });
}

/** Absolute SNMP/netstat counters of a namespace (`nstat -asz`). */
export async function nstat(ns: string): Promise<Map<string, number>> {
  const { stdout } = await nsExec(ns, ['nstat', '-asz', '--json']);
  const parsed = JSON.parse(stdout) as { kernel: Record<string, number> };
  return new Map(Object.entries(parsed.kernel));
}

/** Counters that must stay at zero when nothing we send is malformed. */
export const ERROR_COUNTERS = [
  'IpInHdrErrors',
  'IpInAddrErrors',
  'IpExtInCsumErrors',
  'IcmpInCsumErrors',
  'IcmpInErrors',
  'UdpInCsumErrors',
  'UdpInErrors',
  'TcpInCsumErrors',
  'TcpInErrs',
];

/** Non-zero error counters, plus every TcpExtTCPAbortOn* that is non-zero. */
export function counterErrors(c: Map<string, number>): string[] {
  const bad: string[] = [];
  for (const k of ERROR_COUNTERS) if ((c.get(k) ?? 0) !== 0) bad.push(`${k}=${c.get(k)}`);
  for (const [k, v] of c) if (k.startsWith('TcpExtTCPAbortOn') && v !== 0) bad.push(`${k}=${v}`);
  return bad;
}

/** A one-host topology whose interface is free, for transfers straight over the TAP link. */
export const LAB_TOPOLOGY = {
  file: 'lab.yaml',
  text: `name: lab
description: one host with a free interface, for the interop battery
nodes:
  srv:
    kind: host
    interfaces:
      eth0: { address: 10.80.0.2/24, mac: 02:00:00:00:80:02 }
links: []
`,
};

export { startNginx } from '../../src/tap/netns.js';
