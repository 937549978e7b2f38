/**
 * `wiretrail visit <url>`: the main job. Builds the default internet (or --topology), types the
 * URL into the client's browser, and tells the journey step by step from the trace, with a
 * hop table, a waterfall and the page; optionally writes the capture and the trace.
 *
 * Exit codes: 0 the server answered (any HTTP status, 404 included, as curl without -f), 1 it
 * did not (unknown host, refused, unreachable, timeout), 2 usage or topology error.
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { registerCommand, UsageError } from './main.js';
import type { CliIo } from './main.js';
import { formatIpv4 } from '../wire/addr.js';
import { BrowserError, parseAddress } from '../apps/browser/address.js';
import { buildStory, captureFromTrace, errorSummary, stepComments, tell } from '../story/index.js';
import type { Detail, Lang, VisitStory } from '../story/index.js';
import { runVisit } from '../world/visit.js';
import type { VisitFaults, VisitResult } from '../world/visit.js';
import { formatIssue, parseTopology, TopologyError } from '../world/topology.js';
import type { Topology } from '../world/topology.js';
import { topologyFile } from '../world/examples/index.js';
import { checkWritable, writeOutputFile, writeStdoutBytes } from './io.js';
import { checkCapturePoints, readTopologyArg } from './run.js';
import { parseDuration, parseProbability } from '../world/units.js';

interface VisitFlags {
  lang: string;
  detail: string;
  pcapng?: string;
  capture: string;
  json?: string;
  topology?: string;
  client?: string;
  seed: string;
  loss?: string;
  delay?: string;
  mtu?: string;
  faultLink?: string;
  repeat: string;
  page: boolean;
  color?: boolean;
}

registerCommand((program: Command, io: CliIo) => {
  program
    .command('visit')
    .description('type a URL into the simulated browser and tell what happens, packet by packet')
    .argument('<url>', 'what you would type in the address bar, e.g. http://www.server.com/')
    .option('--lang <lang>', 'language of the story: en or zh', 'en')
    .option(
      '--detail <level>',
      'summary, hop (every hop of every packet) or packet (headers field by field)',
      'summary',
    )
    .option(
      '--pcapng <file>',
      'write a capture (Wireshark opens it; "-" for stdout, the story then goes to stderr); packets carry a comment naming their step',
    )
    .option(
      '--capture <points>',
      'capture points: "client" (the client NIC), "links" (every link) or node.port,…',
      'client',
    )
    .option(
      '--json <file>',
      'write the trace as JSON ("-" for stdout; the story then goes to stderr)',
    )
    .option(
      '--topology <name|file>',
      'a shipped topology (internet, simple) or a topology YAML file (default: internet)',
    )
    .option('--client <node>', 'the host whose browser is used', 'pc')
    .option('--seed <n>', 'seed of every random stream (same seed, same run, byte for byte)', '1')
    .option('--loss <p>', 'frame loss on the fault link, e.g. 5% or 0.05')
    .option('--delay <d>', 'extra one-way delay on the fault link, e.g. 50ms')
    .option('--mtu <bytes>', 'MTU of the fault link, e.g. 1400')
    .option(
      '--fault-link <node.port>',
      "where --loss/--delay/--mtu apply (default: r-home.eth1, the default internet's access line)",
    )
    .option(
      '--repeat <n>',
      'visit the URL n times in one run (the second visit shows the caches)',
      '1',
    )
    .option('--no-page', 'do not print the rendered page')
    .action(async (url: string, flags: VisitFlags, cmd: Command) => {
      // --capture has a default (client), so only its source says whether it was typed.
      if (cmd.getOptionValueSource('capture') === 'cli' && flags.pcapng === undefined)
        throw new UsageError(
          '--capture needs --pcapng FILE (it chooses what the capture file records)',
        );
      io.exitCode = await visitCommand(url, flags, io);
    });
});

async function visitCommand(url: string, flags: VisitFlags, io: CliIo): Promise<number> {
  // "zh", "ZH", "zh-CN", "zh_CN.UTF-8" (as $LANG spells it) are all Chinese; "en-US" English.
  const lang = (/^(en|zh)(?:[-_.].*)?$/i.exec(flags.lang)?.[1].toLowerCase() ?? '') as Lang;
  if (lang !== 'en' && lang !== 'zh')
    throw new UsageError(
      `--lang must be en or zh (got "${flags.lang}"${/^(cn|chinese|中文)$/i.test(flags.lang) ? '; Chinese is zh' : ''})`,
    );
  const detail = flags.detail as Detail;
  if (!['summary', 'hop', 'packet'].includes(detail))
    throw new UsageError(`--detail must be summary, hop or packet (got "${flags.detail}")`);
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new UsageError(`--seed must be an integer from 0 to 4294967295 (got "${flags.seed}")`);
  const repeat = Number(flags.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 10)
    throw new UsageError(`--repeat must be 1 to 10 (got "${flags.repeat}")`);
  if (flags.pcapng === '-' && flags.json === '-')
    throw new UsageError('--pcapng - and --json - cannot both go to standard output');
  const faults = readFaults(flags);
  for (const [flag, path] of [
    ['--pcapng', flags.pcapng],
    ['--json', flags.json],
  ] as const) {
    if (path !== undefined && path !== '-') checkWritable(flag, path);
  }
  // What the user typed is checked before any network is built: a bad URL is a usage error.
  try {
    parseAddress(url);
  } catch (e) {
    if (e instanceof BrowserError)
      throw new UsageError(url.trim() === '' ? `visit: ${e.message}` : `${url}: ${e.message}`);
    throw e;
  }

  // A shipped topology by name ("internet", "simple") or a YAML file, as `run` takes it.
  const topology = flags.topology !== undefined ? readTopologyArg(flags.topology) : undefined;
  // A capture point that names no port is a usage error before the visit runs, not after.
  if (flags.capture !== 'client' && flags.capture !== 'links')
    checkPortsInTopology(topology, flags.capture.split(','));

  let result: VisitResult;
  try {
    result = await runVisit({ url, topology, client: flags.client, seed, faults, repeat });
  } catch (e) {
    // As run and topology say it: each problem as file:line:col, then one line.
    if (e instanceof TopologyError) {
      io.err(`${e.message}\n`);
      const n = e.issues.length;
      throw new UsageError(
        `${flags.topology ?? 'internet'}: ${n} problem${n === 1 ? '' : 's'} in the topology`,
      );
    }
    // --client names no host: say which nodes could be the client.
    if (e instanceof Error && /^no host or router named/.test(e.message)) {
      const t = parseTopology(
        (topology ?? { text: topologyFile('internet')!.text }).text,
        topology?.file ?? 'internet.yaml',
      );
      const hosts = t.nodes.filter((n) => n.kind === 'host').map((n) => n.name);
      throw new UsageError(
        `--client ${flags.client}: ${e.message} in ${flags.topology ?? 'internet'} (hosts: ${hosts.join(', ')})`,
      );
    }
    // --loss/--delay/--mtu on another topology without --fault-link: the default is the
    // default internet's access line, which that topology may not have.
    if (e instanceof Error && /^fault link/.test(e.message)) {
      const shown = flags.topology ?? 'internet';
      throw new UsageError(
        flags.faultLink === undefined
          ? `${e.message} in ${shown} (r-home.eth1 is the default internet's access line: give --fault-link node.port, one end of a link that wiretrail topology ${shown} shows)`
          : `${e.message} in ${shown} (give one end of a link that wiretrail topology ${shown} shows)`,
      );
    }
    if (e instanceof Error && /^(no host|.* has no resolver|.*: no TCP layer)/.test(e.message))
      throw new UsageError(e.message);
    throw e;
  }

  // Likely mistakes that still built (a gateway nobody has, ...): said on stderr, not fatal.
  for (const w of result.topology.warnings) io.err(`${formatIssue(w)}\n`);
  const story = buildStory(result.events, result.client);
  const client = result.net.hostNamed(result.client);
  const points =
    flags.capture === 'client'
      ? client.portNames().map((p) => `${result.client}.${p}`)
      : flags.capture.split(',');
  checkCapturePoints(
    result.net,
    points.filter((p) => p !== 'links'),
    'client, links, or node.port such as pc.eth0',
  );
  const text = tell(result.events, story, {
    lang,
    detail,
    url,
    networkName:
      result.topology.name === 'internet'
        ? lang === 'zh'
          ? '默认互联网'
          : 'default internet'
        : (result.topology.name ?? result.topology.file),
    seed,
    clientAddress:
      client
        .localAddresses()
        .filter((a) => a >>> 24 !== 127)
        .map(formatIpv4)[0] ?? '',
    capture: flags.pcapng
      ? `${flags.pcapng === '-' ? (lang === 'zh' ? '标准输出' : 'standard output') : flags.pcapng} (${flags.capture})`
      : lang === 'zh'
        ? '关闭（--pcapng 文件名）'
        : 'off (--pcapng FILE)',
    page: flags.page,
  });
  // With the trace or the capture on stdout (--json -, --pcapng -), the story goes to stderr so
  // that stdout holds only the JSON or the pcapng (`--pcapng - | tshark -r -`).
  (flags.json === '-' || flags.pcapng === '-' ? io.err : io.out)(text);

  if (flags.pcapng !== undefined) {
    const cap = captureFromTrace(result.events, {
      points,
      comments: stepComments(story, result.events, lang),
      comment: `wiretrail visit ${url} (seed ${seed})`,
    });
    if (flags.pcapng === '-') writeStdoutBytes(io, cap.bytes);
    else writeOutputFile('--pcapng', flags.pcapng, cap.bytes);
    io.err(
      `wrote ${cap.packets} packets to ${flags.pcapng === '-' ? 'standard output' : flags.pcapng}\n`,
    );
  }
  if (flags.json !== undefined) {
    const json = traceJson(result);
    if (flags.json === '-') io.out(json);
    else writeOutputFile('--json', flags.json, json);
  }

  const failed = story.visits.find((v) => !v.ok);
  if (failed) {
    io.err(explainFailure(failed, url, lang));
    return 1;
  }
  return 0;
}

/**
 * Checks --capture's node.port points against the topology file, before anything is built
 * (checkCapturePoints says the same after the run, from the network itself). A topology that
 * does not parse is left to runVisit, which lists its problems.
 */
function checkPortsInTopology(
  topology: { text: string; file: string } | undefined,
  points: readonly string[],
): void {
  let t: Topology;
  try {
    t = parseTopology(
      (topology ?? { text: topologyFile('internet')!.text }).text,
      topology?.file ?? 'internet.yaml',
    );
  } catch (e) {
    if (e instanceof TopologyError) return;
    throw e;
  }
  for (const p of points) {
    if (p === 'links') continue;
    const dot = p.indexOf('.');
    const node = t.nodes.find((n) => n.name === p.slice(0, dot));
    const port = p.slice(dot + 1);
    if (
      dot > 0 &&
      node !== undefined &&
      (node.ports.includes(port) || node.interfaces.some((i) => i.name === port))
    )
      continue;
    throw new UsageError(
      `--capture: no port "${p}" (use client, links, or node.port such as pc.eth0)`,
    );
  }
}

function readFaults(flags: VisitFlags): VisitFaults | undefined {
  if (flags.loss === undefined && flags.delay === undefined && flags.mtu === undefined) {
    if (flags.faultLink !== undefined)
      throw new UsageError('--fault-link needs --loss, --delay or --mtu');
    return undefined;
  }
  const faults: VisitFaults = { link: flags.faultLink };
  if (flags.loss !== undefined) {
    const r = parseProbability(flags.loss);
    if (!r.ok) throw new UsageError(`--loss: ${r.message}`);
    faults.loss = r.value;
  }
  if (flags.delay !== undefined) {
    const r = parseDuration(flags.delay);
    if (!r.ok) throw new UsageError(`--delay: ${r.message}`);
    faults.delay = r.value;
  }
  if (flags.mtu !== undefined) {
    const m = Number(flags.mtu);
    if (!Number.isInteger(m) || m < 68 || m > 9000)
      throw new UsageError(`--mtu must be 68 to 9000 bytes (got "${flags.mtu}")`);
    faults.mtu = m;
  }
  return faults;
}

/** UX.md "Errors": what went wrong, where, and what to try. */
function explainFailure(v: VisitStory, url: string, lang: Lang): string {
  const err = v.steps.find((s) => s.kind === 'error');
  const host = v.steps.find((s) => s.kind === 'url');
  const name = host && host.kind === 'url' ? host.host : url;
  const lines: string[] = [];
  if (err && err.kind === 'error') {
    const code = err.code ?? '';
    if (code === 'ENOTFOUND' || err.nxdomainFrom) {
      lines.push(
        lang === 'zh'
          ? `wiretrail：无法访问 ${name} —— 域名不存在`
          : `wiretrail: cannot reach ${name} — the name does not exist`,
      );
      if (err.nxdomainFrom)
        lines.push(
          lang === 'zh'
            ? `  ${errorSummary(err, 'zh')[1] ?? ''}`
            : `  ${errorSummary(err, 'en')[1] ?? ''}`,
        );
      lines.push(
        lang === 'zh'
          ? '  试试：wiretrail visit http://www.server.com/   或者把这个名字加进 src/world/zones/'
          : `  try: wiretrail visit http://www.server.com/   or add the name to src/world/zones/`,
      );
    } else {
      // The name leads the line unless the message names it already ("cannot connect to
      // www.server.com (198.51.100.80) port 8080: …" needs no "www.server.com: " before it).
      const summary = lang === 'zh' ? errorSummary(err, 'zh')[0] : err.message;
      const lead =
        summary.includes(name) || name === url
          ? ''
          : lang === 'zh'
            ? `${pc.bold(name)}：`
            : `${pc.bold(name)}: `;
      lines.push(
        lang === 'zh'
          ? `wiretrail：${lead}${summary}（${err.message}）`
          : `wiretrail: ${lead}${summary}`,
      );
      if (/refused/i.test(err.message))
        lines.push(
          lang === 'zh'
            ? '  那个端口上没有程序在监听：检查 URL 的端口，或者拓扑里服务器提供的服务'
            : "  nothing listens on that port: check the URL's port, or the server's services in the topology",
        );
      if (/unreachable/i.test(err.message))
        lines.push(
          lang === 'zh'
            ? '  途中的路由器无法送达：上面的逐跳表写着 SYN 停在了哪里'
            : '  a router on the way could not deliver it: the hop table above says where the SYN stopped',
        );
      if (/timed? ?out|ETIMEDOUT/i.test(err.message))
        lines.push(
          lang === 'zh'
            ? '  没有及时得到回答：丢包，或者主机不可达（试试 --detail hop）'
            : '  no answer in time: lost packets or an unreachable host (try --detail hop)',
        );
    }
  } else {
    lines.push(
      lang === 'zh'
        ? `wiretrail：访问 ${url} 没有完成`
        : `wiretrail: the visit of ${url} did not finish`,
    );
  }
  return lines.join('\n') + '\n';
}

/** The trace as JSON: byte arrays as hex, so that other tools can read it. */
export function traceJson(result: VisitResult): string {
  return (
    JSON.stringify(
      {
        url: result.visits[0]?.input,
        client: result.client,
        topology: result.topology.name ?? result.topology.file,
        seed: result.net.seed,
        events: result.events,
      },
      (_k, v) =>
        v instanceof Uint8Array
          ? Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('')
          : v,
    ) + '\n'
  );
}
