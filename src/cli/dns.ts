/**
 * `wiretrail dns ...`: the DNS engines outside the simulator.
 *
 *   wiretrail dns serve [--listen 127.0.0.1:5300] [--zone FILE[=ORIGIN] ...] [-v]
 *       the authoritative engine (src/apps/dns/authoritative.ts) behind real UDP and TCP
 *       sockets (node:dgram, node:net; RFC 1035 § 4.2, RFC 7766 § 6: several queries per
 *       connection, idle connections closed), serving the shipped hierarchy's zones or the
 *       given files. Query it with `dig @127.0.0.1 -p 5300 www.server.com`.
 *   wiretrail dns check FILE[=ORIGIN] ...    validate zone files (errors name file and line)
 *   wiretrail dns servers                    which server serves which zone at which address
 *
 * Also the Node adapters of the shared socket contracts (DgramApi, NetApi, Clock over real
 * time) that `wiretrail dig --real` uses. Node-only code lives here, never under src/apps.
 */
import * as dgram from 'node:dgram';
import * as nodeNet from 'node:net';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { AuthoritativeEngine } from '../apps/dns/authoritative.js';
import { defaultServers, defaultZones, serversForZones } from '../apps/dns/hierarchy.js';
import { formatZoneError, parseZone, type Zone } from '../apps/dns/zone.js';
import type { Clock, TimerHandle } from '../sim/clock.js';
import { Emitter } from '../sim/emitter.js';
import {
  SocketError,
  type ConnectOptions,
  type DgramApi,
  type DgramSocket,
  type DgramSocketEvents,
  type NetApi,
  type NetServer,
  type NetSocket,
  type NetSocketEvents,
} from '../stack/api.js';
import { formatIpv4, parseIpv4 } from '../wire/addr.js';
import { rcodeName, typeName } from '../wire/dns.js';

// ───────────────────────────────────────── zone files ────────────────────────────────────

/** "file.zone=origin", or the first $ORIGIN of the file, or the file name ("root.zone" is "."). */
export function loadZoneFiles(specs: readonly string[], io: CliIo): Zone[] {
  const zones: Zone[] = [];
  let failed = 0;
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    const path = eq > 0 ? spec.slice(0, eq) : spec;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new UsageError(
        `cannot read zone file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
    let origin = eq > 0 ? spec.slice(eq + 1) : undefined;
    if (origin === undefined) {
      const m = /^\$ORIGIN\s+(\S+)/im.exec(text);
      if (m) origin = m[1];
    }
    if (origin === undefined) {
      const b = basename(path).replace(/\.(zone|db)$/, '');
      origin = b === 'root' ? '.' : b;
    }
    const r = parseZone(text, { origin, file: path });
    for (const w of r.warnings) io.err(`warning: ${formatZoneError(w)}\n`);
    if (!r.ok) {
      for (const e of r.errors) io.err(`${formatZoneError(e)}\n`);
      failed++;
      continue;
    }
    zones.push(r.zone);
  }
  if (failed > 0)
    throw new UsageError(`${failed} zone file${failed === 1 ? '' : 's'} with errors (see above)`);
  return zones;
}

function parseListen(text: string): { address: string; port: number } {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(text) ?? /^:?(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--listen wants ADDRESS:PORT like 127.0.0.1:5300, got "${text}"`);
  if (m.length === 2) return { address: '127.0.0.1', port: Number(m[1]) };
  if (parseIpv4(m[1]) === undefined)
    throw new UsageError(`--listen: "${m[1]}" is not an IPv4 address`);
  const port = m[2] === undefined ? 53 : Number(m[2]);
  if (!(port > 0 && port < 65536))
    throw new UsageError(`--listen: port ${m[2]} is not in 1..65535`);
  return { address: m[1], port };
}

// ─────────────────────────────────────────── serve ───────────────────────────────────────

export interface RunningServer {
  address: string;
  port: number;
  engine: AuthoritativeEngine;
  close(): Promise<void>;
}

/** Starts the engine on real sockets; resolves once both UDP and TCP are listening. */
export async function serveZones(
  zones: Zone[],
  listen: { address: string; port: number },
  log?: (line: string) => void,
  tcpIdleMs = 10_000,
): Promise<RunningServer> {
  const engine = new AuthoritativeEngine(zones);
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const r = engine.respond(new Uint8Array(msg.buffer, msg.byteOffset, msg.length), 'udp');
    if (!r) return;
    udp.send(r.bytes, rinfo.port, rinfo.address);
    if (log) logLine(log, rinfo.address, rinfo.port, 'udp', r);
  });
  const conns = new Set<nodeNet.Socket>();
  const tcp = nodeNet.createServer((c) => {
    conns.add(c);
    c.setTimeout(tcpIdleMs, () => c.end());
    let buf = Buffer.alloc(0);
    c.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const q = new Uint8Array(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        const r = engine.respond(q, 'tcp');
        if (!r) continue;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(r.bytes.length, 0);
        c.write(Buffer.concat([head, r.bytes]));
        if (log) logLine(log, c.remoteAddress ?? '?', c.remotePort ?? 0, 'tcp', r);
      }
    });
    c.on('error', () => c.destroy());
    c.on('close', () => conns.delete(c));
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(listen.port, listen.address, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, listen.address, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  return {
    address: listen.address,
    port,
    engine,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        udp.close();
        tcp.close(() => resolve());
      }),
  };
}

function logLine(
  log: (line: string) => void,
  addr: string,
  port: number,
  transport: string,
  r: NonNullable<ReturnType<AuthoritativeEngine['respond']>>,
): void {
  const q = r.response.questions[0];
  const h = r.response.header;
  const flags = ['qr', h.aa && 'aa', h.tc && 'tc', h.rd && 'rd'].filter(Boolean).join(' ');
  log(
    `${addr}#${port} ${transport} ${q ? `${q.name} ${typeName(q.type)}` : '(no question)'} → ${rcodeName(h.rcode)} [${flags}] ${r.response.answers.length}/${r.response.authorities.length}/${r.response.additionals.length} ${r.info.kind}${r.info.zone ? ` (${r.info.zone})` : ''}`,
  );
}

// ──────────────────────────────── Node adapters of the contracts ─────────────────────────

/** Real time as a Clock (ns since the adapter was made). */
export function nodeClock(): Clock {
  const t0 = process.hrtime.bigint();
  return {
    now: () => Number(process.hrtime.bigint() - t0),
    schedule(delay: number, fn: () => void): TimerHandle {
      let pending = true;
      const t = setTimeout(
        () => {
          pending = false;
          fn();
        },
        Math.max(0, delay / 1e6),
      );
      return {
        cancel() {
          pending = false;
          clearTimeout(t);
        },
        get pending() {
          return pending;
        },
      };
    },
    noteWake() {},
  };
}

class NodeDgramSocket extends Emitter<DgramSocketEvents> implements DgramSocket {
  private readonly s = dgram.createSocket('udp4');
  private port = 0;
  constructor() {
    super();
    this.s.on('message', (msg, rinfo) => {
      const a = parseIpv4(rinfo.address) ?? 0;
      this.emit('message', new Uint8Array(msg), { address: a, port: rinfo.port, size: msg.length });
    });
    this.s.on('error', (e) => this.emit('error', new SocketError('EINVAL', e.message)));
    this.s.on('close', () => this.emit('close'));
  }
  bind(port = 0, address = 0): void {
    this.port = port;
    this.s.bind(port, address === 0 ? undefined : formatIpv4(address));
  }
  address(): { address: number; port: number } {
    try {
      const a = this.s.address();
      return { address: parseIpv4(a.address) ?? 0, port: a.port };
    } catch {
      return { address: 0, port: this.port };
    }
  }
  send(data: Uint8Array, port: number, address: number): void {
    this.s.send(data, port, formatIpv4(address));
  }
  close(): void {
    try {
      this.s.close();
    } catch {
      // already closed
    }
  }
}

/** node:dgram as a DgramApi. */
export function nodeDgram(): DgramApi {
  return { createSocket: () => new NodeDgramSocket() };
}

class NodeNetSocket extends Emitter<NetSocketEvents> implements NetSocket {
  constructor(private readonly s: nodeNet.Socket) {
    super();
    s.on('connect', () => this.emit('connect'));
    s.on('data', (d) => this.emit('data', new Uint8Array(d)));
    s.on('end', () => this.emit('end'));
    s.on('close', (hadError) => this.emit('close', hadError));
    s.on('error', (e: NodeJS.ErrnoException) =>
      this.emit(
        'error',
        new SocketError(e.code === 'ECONNREFUSED' ? 'ECONNREFUSED' : 'ECONNRESET', e.message),
      ),
    );
    s.on('drain', () => this.emit('drain'));
  }
  get localAddress(): number {
    return parseIpv4(this.s.localAddress ?? '') ?? 0;
  }
  get localPort(): number {
    return this.s.localPort ?? 0;
  }
  get remoteAddress(): number {
    return parseIpv4(this.s.remoteAddress ?? '') ?? 0;
  }
  get remotePort(): number {
    return this.s.remotePort ?? 0;
  }
  get state(): string {
    return this.s.readyState === 'open' ? 'ESTABLISHED' : this.s.readyState.toUpperCase();
  }
  write(data: Uint8Array): boolean {
    return this.s.write(data);
  }
  end(data?: Uint8Array): void {
    if (data) this.s.end(data);
    else this.s.end();
  }
  destroy(): void {
    this.s.destroy();
  }
  setNoDelay(noDelay = true): void {
    this.s.setNoDelay(noDelay);
  }
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const it = this.s[Symbol.asyncIterator]();
    return { next: async () => it.next() as Promise<IteratorResult<Uint8Array>> };
  }
}

/** node:net as a NetApi (client side; enough for DNS over TCP). */
export function nodeNetApi(): NetApi {
  return {
    connect(o: ConnectOptions): NetSocket {
      return new NodeNetSocket(nodeNet.connect({ host: formatIpv4(o.host), port: o.port }));
    },
    createServer(): NetServer {
      throw new Error('nodeNetApi: createServer is not needed by the DNS tools');
    },
  };
}

// ────────────────────────────────────────── commands ─────────────────────────────────────

/** A repeatable option's values. No default value ([]): commander would print it in --help. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

registerCommand((program: Command, io: CliIo) => {
  const dns = program
    .command('dns')
    .description('DNS servers and zone files outside the simulator');

  dns
    .command('serve')
    .description('serve zones (default: the shipped hierarchy) over real UDP and TCP sockets')
    .option('--listen <address:port>', 'where to listen', '127.0.0.1:5300')
    .option(
      '--zone <file[=origin]>',
      'a zone file to serve, repeatable (default: the shipped src/world/zones/*.zone)',
      collect,
    )
    .option('-v, --verbose', 'one line per query on stderr')
    .option('--tcp-idle <seconds>', 'close idle TCP connections after this long', '10')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wiretrail dns serve --listen 127.0.0.1:5300\n' +
        '  dig @127.0.0.1 -p 5300 www.server.com\n' +
        '  wiretrail dns serve --zone my.zone=example.test. --listen 127.0.0.1:5353 -v\n',
    )
    .action(
      async (opts: { listen: string; zone?: string[]; verbose?: boolean; tcpIdle: string }) => {
        const listen = parseListen(opts.listen);
        const zones =
          opts.zone && opts.zone.length > 0 ? loadZoneFiles(opts.zone, io) : defaultZones();
        const idle = Number(opts.tcpIdle);
        if (!(idle > 0)) throw new UsageError(`--tcp-idle wants seconds, got "${opts.tcpIdle}"`);
        let srv: RunningServer;
        try {
          srv = await serveZones(
            zones,
            listen,
            opts.verbose ? (l) => io.err(`${l}\n`) : undefined,
            idle * 1000,
          );
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new UsageError(
            `cannot listen on ${listen.address}:${listen.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied (ports below 1024 need root)' : (e as Error).message}`,
          );
        }
        io.out(
          `wiretrail dns: serving ${zones.length} zone${zones.length === 1 ? '' : 's'} (${zones.map((z) => z.origin).join(' ')}) on ${srv.address}:${srv.port} udp+tcp\n`,
        );
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            void srv.close().then(resolve);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        const s = srv.engine.stats;
        io.out(
          `wiretrail dns: stopped after ${s.queries} ${s.queries === 1 ? 'query' : 'queries'} (${s.tcpQueries} over TCP, ${s.truncated} truncated)\n`,
        );
      },
    );

  dns
    .command('check')
    .description('check zone files: errors and warnings name the file and the line')
    .argument('<file[=origin]...>', 'zone files')
    .action((files: string[]) => {
      const zones = loadZoneFiles(files, io);
      for (const z of zones)
        io.out(
          `${z.file}: zone ${z.origin} is ok (${z.records().length} records, serial ${z.soaData.serial})\n`,
        );
    });

  dns
    .command('servers')
    .description('which name server serves which zone at which address (from the zone files)')
    .option(
      '--zone <file[=origin]>',
      'a zone file, repeatable (default: the shipped hierarchy)',
      collect,
    )
    .action((opts: { zone?: string[] }) => {
      const specs =
        opts.zone && opts.zone.length > 0
          ? serversForZones(loadZoneFiles(opts.zone, io))
          : defaultServers();
      const rows = specs.map((s) => [s.name, formatIpv4(s.address), s.zones.join(' ')]);
      const w0 = Math.max(6, ...rows.map((r) => r[0].length));
      const w1 = Math.max(7, ...rows.map((r) => r[1].length));
      io.out(`${'server'.padEnd(w0)}  ${'address'.padEnd(w1)}  zones\n`);
      for (const r of rows) io.out(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}\n`);
    });
});
