/**
 * `wiretrail tap --netns NAME [--node NODE] [--iface PORT] [--address A.B.C.D/N] ...`: attaches
 * a simulated node of a topology (the default internet unless --topology) to a TAP device inside
 * a Linux network namespace, configures the Linux side (address, default route through the
 * simulated gateway, resolv.conf naming the simulated resolver) and runs the simulation in real
 * time until SIGINT/SIGTERM (or --duration). See docs/tap.md.
 *
 *   sudo wiretrail tap --netns wt                     # sw-home's free port, 192.168.3.100/24
 *   sudo ip netns exec wt curl http://www.server.com/ # through the simulated routers
 */
import type { Command } from 'commander';
import { checkWritable, writeOutputFile } from './io.js';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { TapBuildError } from '../tap/build.js';
import type { TapBackendKind } from '../tap/build.js';
import { TapOpenError, tapUnavailableReason } from '../tap/device.js';
import { startTapSession, TapSessionError } from '../tap/session.js';
import type { TapSession } from '../tap/session.js';
import { TopologyError } from '../world/topology.js';
import { readTopologyArg } from './run.js';

interface TapCliOptions {
  netns: string;
  node?: string;
  iface?: string;
  dev?: string;
  address?: string;
  gateway?: string | false;
  topology?: string;
  pcapng?: string;
  seed?: string;
  backend?: string;
  replace?: boolean;
  resolvConf?: boolean;
  duration?: string;
}

export async function tapCommand(o: TapCliOptions, io: CliIo): Promise<void> {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(o.netns))
    throw new UsageError(`--netns "${o.netns}" is not a namespace name`);
  if (o.dev !== undefined && !/^[A-Za-z0-9_.-]{1,15}$/.test(o.dev)) {
    throw new UsageError(
      `--dev "${o.dev}" is not a Linux interface name (1-15 letters, digits, _ . -)`,
    );
  }
  let seed: number | undefined;
  if (o.seed !== undefined) {
    seed = Number(o.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new UsageError(`--seed must be a whole number in 0..4294967295, got "${o.seed}"`);
    }
  }
  let duration: number | undefined;
  if (o.duration !== undefined) {
    duration = Number(o.duration);
    if (!(duration > 0))
      throw new UsageError(`--duration must be a positive number of seconds, got "${o.duration}"`);
  }
  if (o.backend !== undefined && !['addon', 'addon-inline', 'helper'].includes(o.backend)) {
    throw new UsageError(`--backend must be addon, addon-inline or helper, got "${o.backend}"`);
  }
  // The capture is written when the session ends: a path that cannot be written would lose it.
  // Standard output carries tap's own messages, so the capture needs a file.
  if (o.pcapng === '-')
    throw new UsageError('--pcapng -: tap writes its capture to a file (stdout has its messages)');
  if (o.pcapng !== undefined) checkWritable('--pcapng', o.pcapng);
  // A shipped topology by name or a YAML file (a file at that path wins), as every command.
  const topology = o.topology !== undefined ? readTopologyArg(o.topology) : undefined;
  const why = tapUnavailableReason();
  if (why !== undefined) {
    io.err(`wiretrail tap: ${why}\n`);
    io.exitCode = 1;
    return;
  }
  let session: TapSession;
  try {
    session = await startTapSession({
      netns: o.netns,
      node: o.node,
      iface: o.iface,
      dev: o.dev,
      address: o.address,
      gateway: o.gateway === false ? null : o.gateway,
      topology,
      seed,
      backend: o.backend as TapBackendKind | undefined,
      capture: o.pcapng !== undefined,
      replaceLink: o.replace,
      resolvConf: o.resolvConf,
    });
  } catch (e) {
    if (e instanceof TopologyError) {
      io.err(`${e.message}\n`);
      throw new UsageError(`${o.topology}: problems in the topology`);
    }
    if (e instanceof TapSessionError) throw new UsageError(e.message);
    if (e instanceof TapOpenError || e instanceof TapBuildError) {
      io.err(`wiretrail tap: ${e.message}\n`);
      io.exitCode = 1;
      return;
    }
    throw e;
  }
  const l = session.linux;
  for (const n of session.notes) io.err(`wiretrail tap: ${n}\n`);
  io.out(
    `attached ${session.port} to ${l.netns}/${l.dev} (${session.tap.backend}): Linux ${l.address}` +
      `${l.gateway ? ` via ${l.gateway}` : ''}${l.nameserver ? `, nameserver ${l.nameserver}` : ''}, MAC ${l.mac}\n`,
  );
  io.out(`ready; try: ip netns exec ${l.netns} curl http://www.server.com/   (Ctrl-C to stop)\n`);

  let timer: ReturnType<typeof setTimeout> | undefined;
  let stop: () => void = () => {};
  await new Promise<void>((resolve) => {
    stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (duration !== undefined) timer = setTimeout(stop, duration * 1000);
    session.driver.done().then(stop, (e) => {
      io.err(
        `wiretrail tap: the simulation stopped: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      io.exitCode = 1;
      stop();
    });
  });
  clearTimeout(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await session.close();
  const s = session.link.stats;
  io.out(
    `stopped: ${s.fromLinux} frames (${s.fromLinuxBytes} bytes) from Linux, ${s.toLinux} frames (${s.toLinuxBytes} bytes) to Linux\n`,
  );
  if (o.pcapng !== undefined && session.capture !== undefined) {
    writeOutputFile('--pcapng', o.pcapng, session.capture.bytes());
    io.out(`wrote ${session.capture.packets} frames to ${o.pcapng}\n`);
  }
}

registerCommand((program: Command, io: CliIo) => {
  program
    .command('tap')
    .description(
      'attach a simulated node to a TAP device in a Linux network namespace, in real time (root)',
    )
    .requiredOption(
      '--netns <name>',
      'Linux network namespace (created if missing, then removed on exit)',
    )
    .option('--node <node>', 'simulated node to plug into (default internet: sw-home)')
    .option('--iface <port>', "the node's port or interface (default: its first free one)")
    .option('--dev <name>', 'TAP device name inside the namespace', 'wt0')
    .option(
      '--address <cidr>',
      'Linux side address (default: .100 of the LAN, e.g. 192.168.3.100/24)',
    )
    .option('--gateway <addr>', "Linux default route (default: the LAN's simulated router)")
    .option('--no-gateway', 'do not add a default route')
    .option(
      '--topology <name|file>',
      'a shipped topology (internet, simple) or a YAML file (default: internet)',
    )
    .option('--pcapng <file>', 'write a capture of the TAP side on exit')
    .option('--seed <n>', "override the topology's seed")
    .option(
      '--backend <kind>',
      'TAP backend: addon (default), addon-inline or helper (docs/tap.md)',
    )
    .option('--replace', 'unplug whatever is connected to --iface first')
    .option('--no-resolv-conf', 'do not write /etc/netns/<netns>/resolv.conf')
    .option('--duration <seconds>', 'stop after this many seconds instead of waiting for Ctrl-C')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  sudo wiretrail tap --netns wt &\n' +
        '  sudo ip netns exec wt curl http://www.server.com/\n' +
        '  sudo ip netns exec wt traceroute -n 198.51.100.80\n' +
        '  sudo wiretrail tap --netns lab --topology simple --node sw-client --address 192.168.3.50/24\n',
    )
    .action(async (opts: TapCliOptions) => {
      await tapCommand(opts, io);
    });
});
