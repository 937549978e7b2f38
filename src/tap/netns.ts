/**
 * Linux network namespaces and links through iproute2 (Node only): what the `wiretrail tap`
 * command, the interop battery (test/interop) and bench/tap use to build the Linux side.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    readonly argv: string[],
    readonly code: number | string | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      `${argv.join(' ')} failed (${code}): ${(stderr || stdout).trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command and returns its output; throws CommandError on a non-zero exit. */
export async function sh(
  argv: string[],
  options: { timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  try {
    const p = execFileP(argv[0], argv.slice(1), {
      timeout: options.timeoutMs ?? 30_000,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    if (options.input !== undefined) p.child.stdin?.end(options.input);
    const { stdout, stderr } = await p;
    return { stdout, stderr };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & {
      stdout?: string;
      stderr?: string;
      code?: number | string;
    };
    throw new CommandError(argv, err.code ?? null, err.stdout ?? '', err.stderr ?? err.message);
  }
}

/** Runs a command inside a namespace (`ip netns exec NAME ...`). */
export function nsExec(
  ns: string,
  argv: string[],
  options: { timeoutMs?: number; input?: string } = {},
) {
  return sh(['ip', 'netns', 'exec', ns, ...argv], options);
}

/** Starts a long-running command inside a namespace (a server); kill it with stopProcess. */
export function nsSpawn(ns: string, argv: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
}

/** Terminates a process we started (by its pid) and waits for it, SIGKILL after 2 s. */
export async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(t);
}

export async function createNetns(name: string): Promise<void> {
  await sh(['ip', 'netns', 'add', name]);
  await sh(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
}

/** Deletes a namespace (ignores one that does not exist). Processes inside keep it alive. */
export async function deleteNetns(name: string): Promise<void> {
  try {
    await sh(['ip', 'netns', 'del', name]);
  } catch {
    /* already gone */
  }
}

export async function netnsExists(name: string): Promise<boolean> {
  const { stdout } = await sh(['ip', 'netns', 'list']);
  return stdout.split('\n').some((l) => l.split(' ')[0] === name);
}

/** Brings a link up and optionally sets its address (CIDR) and MTU, inside a namespace. */
export async function configureLink(
  ns: string | undefined,
  dev: string,
  opts: { address?: string; mtu?: number; mac?: string } = {},
): Promise<void> {
  const ip = ns ? ['ip', '-n', ns] : ['ip'];
  if (opts.mtu !== undefined) await sh([...ip, 'link', 'set', dev, 'mtu', String(opts.mtu)]);
  if (opts.mac !== undefined) await sh([...ip, 'link', 'set', dev, 'address', opts.mac]);
  if (opts.address !== undefined) await sh([...ip, 'addr', 'add', opts.address, 'dev', dev]);
  await sh([...ip, 'link', 'set', dev, 'up']);
}

export async function addRoute(
  ns: string | undefined,
  prefix: string,
  via: string,
  dev?: string,
): Promise<void> {
  const ip = ns ? ['ip', '-n', ns] : ['ip'];
  await sh([...ip, 'route', 'replace', prefix, 'via', via, ...(dev ? ['dev', dev] : [])]);
}

/** The link's MAC address as Linux reports it ("aa:bb:cc:dd:ee:ff"). */
export async function linkMac(ns: string | undefined, dev: string): Promise<string> {
  const ip = ns ? ['ip', '-n', ns] : ['ip'];
  const { stdout } = await sh([...ip, '-j', 'link', 'show', dev]);
  return (JSON.parse(stdout) as { address: string }[])[0].address;
}

/** A namespace name unlikely to collide with a concurrent run: prefix + pid + counter. */
let counter = 0;
export function uniqueName(prefix: string): string {
  counter++;
  const name = `${prefix}${process.pid.toString(36)}${counter.toString(36)}`;
  return name.slice(0, 15);
}

/** nginx serving `root` on `listen` ("192.168.3.100:8080") inside a namespace. */
export async function startNginx(
  ns: string,
  root: string,
  listen: string,
): Promise<{ stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'wt-nginx-'));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'daemon off;',
      'master_process off;',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 64; }',
      'http {',
      '  access_log off;',
      '  sendfile on;',
      '  default_type application/octet-stream;',
      `  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`,
      `  server { listen ${listen}; root ${root}; }`,
      '}',
      '',
    ].join('\n'),
  );
  const p = nsSpawn(ns, ['nginx', '-c', conf, '-p', dir, '-e', `${dir}/error.log`]);
  let stderr = '';
  p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const port = listen.split(':')[1];
  for (let i = 0; ; i++) {
    const { stdout } = await nsExec(ns, ['ss', '-Hltn', `sport = :${port}`]);
    if (stdout.trim() !== '') break;
    if (p.exitCode !== null || i > 100) {
      await stopProcess(p);
      throw new Error(`nginx did not start in ${ns}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    async stop() {
      await stopProcess(p);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
