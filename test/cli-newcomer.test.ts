// What a new user of the command line trips over, once fixed: the help that lists the commands
// (the main job first), usage errors that point at the command's own help, a `;` list that goes
// on after one mistyped command, and the DNS tools outside `run` being the very tools of `run`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { onPc, run, runBytes } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'wiretrail-cli-newcomer-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('wiretrail --help: visit first, the commands in the README order, fitting in 80 columns', async () => {
  const r = await run('--help');
  assert.equal(r.code, 0);
  const commands = r.out
    .split('\n')
    .filter((l) => /^ {2}[a-z]+\b/.test(l) && !l.includes('--'))
    .map((l) => l.trim().split(' ')[0]);
  assert.deepEqual(commands.slice(0, 11), [
    'visit',
    'run',
    'topology',
    'dig',
    'nslookup',
    'host',
    'dns',
    'decode',
    'tap',
    'web',
    'help',
  ]);
  assert.match(r.out, /Start here:\n {2}wiretrail visit http:\/\/www\.server\.com\//);
  // commander wraps to the terminal's width; without a terminal, to 80 columns
  if (process.stdout.columns === undefined)
    for (const l of r.out.split('\n')) assert.ok(l.length <= 80, `longer than 80 columns: ${l}`);
});

test('wiretrail help, help help, help --help: the list of commands, exit 0', async () => {
  for (const argv of [['help'], ['help', 'help'], ['help', '--help']]) {
    const r = await run(...argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.out, /^Usage: wiretrail \[options\] \[command\]/, argv.join(' '));
    assert.equal(r.err, '');
  }
  const nosuch = await run('help', 'nosuch');
  assert.equal(nosuch.code, 2);
  assert.equal(nosuch.err, "wiretrail: unknown command 'nosuch' (see wiretrail --help)\n");
});

test("a usage error points at the command's own help, where its options are", async () => {
  const visit = await run('visit', 'http://www.server.com/', '--detial', 'hop');
  assert.equal(visit.code, 2);
  assert.equal(
    visit.err,
    "wiretrail: unknown option '--detial' (Did you mean --detail?) (see wiretrail visit --help)\n",
  );
  const serve = await run('dns', 'serve', '--bogus');
  assert.equal(serve.code, 2);
  assert.equal(serve.err, "wiretrail: unknown option '--bogus' (see wiretrail dns serve --help)\n");
  const top = await run('--bogus');
  assert.equal(top.err, "wiretrail: unknown option '--bogus' (see wiretrail --help)\n");
});

test('run without the node\'s command says where it goes; "-- help" lists the tools', async () => {
  for (const argv of [
    ['run', 'internet', 'pc'],
    ['run', 'internet', 'pc', '--'],
  ]) {
    const r = await run(...argv);
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      'wiretrail: no command for pc: put it after --, e.g. wiretrail run internet pc -- ping -c 1 198.51.100.80 (-- help lists the commands)\n',
    );
  }
  const usage = await run('run', '--help');
  assert.equal(
    usage.out.split('\n')[0],
    "Usage: wiretrail run [options] <topology> <node> -- <command> [args...] [';' <command> ...]",
  );
  const help = await onPc('help');
  assert.equal(help.code, 0);
  assert.match(help.out, /^commands \(flags as the Linux tools/);
});

test('run: a mistyped command in a ";" list is one line; the commands after it still run, as in a shell', async () => {
  const r = await onPc('netstat', '-x', ';', 'hosts');
  assert.equal(r.code, 0, 'the status of the last command');
  assert.equal(r.err, "wiretrail: netstat: invalid option -- 'x'\n");
  assert.match(r.out, /^127\.0\.0\.1\tlocalhost\n/);
  const last = await onPc('hosts', ';', 'netstat', '-x');
  assert.equal(last.code, 2, 'the mistyped command was the last one');
  assert.match(last.out, /localhost/);
  assert.equal(last.err, "wiretrail: netstat: invalid option -- 'x'\n");
  const alone = await onPc('netstat', '-x');
  assert.equal(alone.code, 2);
  assert.equal(alone.err, "wiretrail: netstat: invalid option -- 'x'\n");
});

test('visit: nothing typed, a topology with problems, a --client that is no host', async () => {
  const empty = await run('visit', '');
  assert.equal(empty.code, 2);
  assert.equal(
    empty.err,
    'wiretrail: visit: type an address, for example http://www.server.com/\n',
  );

  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'nodes:\n  pc:\n    kind: host\n    interfaces:\n      eth0: 10.0.0.1/33\nlinks: []\n',
  );
  const topo = await run('visit', 'http://10.0.0.2/', '--topology', bad);
  assert.equal(topo.code, 2);
  // as run and topology say it: each problem as file:line:col, then one line
  assert.match(topo.err, /^bad\.yaml:5:13: nodes\.pc\.interfaces\.eth0: .*\n/);
  assert.match(topo.err, /\nwiretrail: .*bad\.yaml: 1 problem in the topology\n$/);
  const same = await run('topology', bad);
  assert.equal(same.err.split('\n')[0], topo.err.split('\n')[0]);

  const client = await run('visit', 'http://www.server.com/', '--client', 'sw-home');
  assert.equal(client.code, 2);
  assert.match(
    client.err,
    /^wiretrail: --client sw-home: no host or router named "sw-home" in internet \(hosts: pc, phone, .*web1, ns1\)\n$/,
  );
});

test('wiretrail host/nslookup/dig take what run takes, with its messages and statuses', async () => {
  const badType = await run('host', '-t', 'BOGUS', 'server.com');
  assert.equal(badType.code, 2);
  assert.equal(badType.err, 'wiretrail: host: invalid type: BOGUS\n');
  const badPort = await run('host', '-p', 'abc', 'www.server.com');
  assert.equal(badPort.code, 2);
  assert.match(badPort.err, /^wiretrail: host: invalid argument to -p: 'abc'/);
  // a server that names nothing: host's own line and status 1, not an internal error
  const noServer = await run('host', 'www.server.com', 'nosuchserver');
  assert.equal(noServer.code, 1, noServer.err);
  assert.equal(noServer.out, "host: couldn't get address for 'nosuchserver': not found\n");
  const query = await run('nslookup', '-query=MX', 'server.com');
  assert.equal(query.code, 0, query.err);
  assert.match(query.out, /server\.com\tmail exchanger = 10 mail\.server\.com\./);
  const inRun = await onPc('nslookup', '-query=MX', 'server.com');
  assert.equal(query.out, inRun.out);
  // dig @name: any name the node's resolver finds, as in run
  const atName = await run('dig', '@nosuch', 'www.server.com');
  assert.equal(atName.code, 10);
  assert.equal(atName.err, "dig: couldn't get address for 'nosuch': not found\n");
  // BIND's dig -h prints the usage and exits 0
  const help = await run('dig', '-h');
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: wiretrail dig/);
});

test('decode --fcs does not call an FCS valid that it did not check', async () => {
  // an ARP request with four zero bytes where --fcs says the FCS is
  const frame =
    'ff:ff:ff:ff:ff:ff:02:00:00:00:00:0a:08:06:00:01:08:00:06:04:00:01:02:00:00:00:00:0a:' +
    'c0:a8:03:0a:00:00:00:00:00:00:c0:a8:03:01:00:00:00:00';
  const r = await run('decode', '--fcs', frame);
  assert.match(r.out, /^Frame 1: 46 bytes \(368 bits\), ending with an FCS \(--fcs\)\n/);
  assert.match(r.out, /Frame check sequence: 0x00000000 \[incorrect, should be 0x[0-9a-f]{8}\]/);
  const short = await run('decode', '--fcs', 'ffffffffffff');
  assert.doesNotMatch(short.out, /valid FCS/);
});

test('visit: a refused or unreachable server is one line that names it once, and a hint', async () => {
  const refused = await run('visit', 'http://www.server.com:8080/', '--no-page');
  assert.equal(refused.code, 1);
  assert.equal(
    refused.err,
    'wiretrail: cannot connect to www.server.com (198.51.100.80) port 8080: connection refused (nothing listens there)\n' +
      "  nothing listens on that port: check the URL's port, or the server's services in the topology\n",
  );
  const unreachable = await run('visit', 'http://10.9.9.9/', '--no-page');
  assert.equal(unreachable.code, 1);
  assert.match(
    unreachable.err,
    /^wiretrail: cannot reach 10\.9\.9\.9 .*network unreachable\n {2}a router/,
  );
  assert.match(unreachable.out, /the SYN got no further than r-core/);
});

test('a shipped topology typed as a file name or in capitals: its name is suggested', async () => {
  const file = await run('topology', 'simple.yaml');
  assert.equal(file.code, 2);
  assert.equal(
    file.err,
    'wiretrail: cannot read topology simple.yaml: no such file (the shipped one is "simple")\n',
  );
  const caps = await run('run', 'Internet', 'pc', '--', 'help');
  assert.equal(caps.code, 2);
  assert.equal(
    caps.err,
    'wiretrail: no topology "Internet": not a file, nor a shipped topology (did you mean internet?)\n',
  );
  const none = await run('topology', 'nosuch');
  assert.equal(
    none.err,
    'wiretrail: no topology "nosuch": not a file, nor a shipped topology (internet, simple)\n',
  );
});

test('visit --capture: a point that names no port is a usage error before the visit runs', async () => {
  const file = join(dir, 'never.pcapng');
  const r = await run('visit', 'http://www.server.com/', '--capture', 'pc.eth9', '--pcapng', file);
  assert.equal(r.code, 2);
  assert.equal(r.out, '');
  assert.equal(
    r.err,
    'wiretrail: --capture: no port "pc.eth9" (use client, links, or node.port such as pc.eth0)\n',
  );
  const ok = await run(
    'visit',
    'http://www.server.com/',
    '--capture',
    'pc.eth0,sw-dc.port2',
    '--pcapng',
    file,
    '--no-page',
  );
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.err, /^wrote \d+ packets to /);
});

test('--pcapng -: the capture on standard output (the text on stderr), not a file named "-"', async () => {
  const pcapngMagic = '0a0d0d0a';
  const visit = await runBytes('visit', 'http://www.server.com/', '--pcapng', '-', '--no-page');
  assert.equal(visit.code, 0, visit.err);
  assert.equal(visit.out, '');
  assert.equal(visit.bytes.subarray(0, 4).toString('hex'), pcapngMagic);
  assert.match(visit.err, /capture: standard output \(client\)/);
  assert.match(visit.err, /wrote \d+ packets to standard output\n$/);
  const ping = await runBytes(
    'run',
    'internet',
    'pc',
    '--pcapng',
    '-',
    '--',
    'ping',
    '-c',
    '1',
    '198.51.100.80',
  );
  assert.equal(ping.code, 0, ping.err);
  assert.equal(ping.out, '');
  assert.equal(ping.bytes.subarray(0, 4).toString('hex'), pcapngMagic);
  assert.match(ping.err, /^PING 198\.51\.100\.80/);
  assert.ok(!existsSync('-'), 'no file named "-"');
  const both = await run('visit', 'http://www.server.com/', '--pcapng', '-', '--json', '-');
  assert.equal(both.code, 2);
  assert.equal(both.err, 'wiretrail: --pcapng - and --json - cannot both go to standard output\n');
  const tap = await run('tap', '--netns', 'wt-never', '--pcapng', '-');
  assert.equal(tap.code, 2);
  assert.equal(
    tap.err,
    'wiretrail: --pcapng -: tap writes its capture to a file (stdout has its messages)\n',
  );
  const both2 = await run(
    'run',
    'internet',
    'pc',
    '--pcapng',
    '-',
    '--trace-out',
    '-',
    '--',
    'help',
  );
  assert.equal(both2.code, 2);
  assert.equal(
    both2.err,
    'wiretrail: --pcapng - and --trace-out - cannot both go to standard output\n',
  );
});

test('visit --loss on another topology: the default fault link is the internet one, so say so', async () => {
  const r = await run('visit', 'http://198.51.100.80/', '--topology', 'simple', '--loss', '5%');
  assert.equal(r.code, 2);
  assert.equal(
    r.err,
    `wiretrail: fault link "r-home.eth1": no link is attached to that port in simple (r-home.eth1 is the default internet's access line: give --fault-link node.port, one end of a link that wiretrail topology simple shows)\n`,
  );
  const ok = await run(
    'visit',
    'http://198.51.100.80/',
    '--topology',
    'simple',
    '--loss',
    '5%',
    '--fault-link',
    'r-client.eth1',
    '--no-page',
  );
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /loss 5\.0% on link r-client\.eth1-r-server\.eth0/);
});

test('visit --lang: ZH, zh-CN and zh_CN.UTF-8 are Chinese; cn gets a hint', async () => {
  for (const l of ['ZH', 'zh-CN', 'zh_CN.UTF-8']) {
    const r = await run('visit', 'http://www.server.com/', '--lang', l, '--no-page');
    assert.equal(r.code, 0, r.err);
    assert.match(
      r.out,
      /^wiretrail · 输入 http:\/\/www\.server\.com\/ 按下回车之后发生了什么\n/,
      l,
    );
  }
  const cn = await run('visit', 'http://www.server.com/', '--lang', 'cn');
  assert.equal(cn.code, 2);
  assert.equal(cn.err, 'wiretrail: --lang must be en or zh (got "cn"; Chinese is zh)\n');
});

test('run: the commands as one quoted string, as ssh takes them, split as a shell would', async () => {
  const r = await onPc(
    `curl -s -o /dev/null -w '%{http_code} %{remote_ip}\\n' "http://www.server.com/"; hosts`,
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^200 198\.51\.100\.80\n127\.0\.0\.1\tlocalhost\n/);
  const unmatched = await onPc("ping 'x");
  assert.equal(unmatched.code, 2);
  assert.equal(unmatched.err, "wiretrail: unmatched ' in the command: ping 'x\n");
  const pipe = await onPc('curl -s http://www.server.com/ > /dev/null');
  assert.equal(pipe.code, 2);
  assert.match(pipe.err, /^wiretrail: ">" in the command: run starts the tools, not a shell/);
  // a word with a space among several words stays one word (curl -H "Name: value")
  const header = await onPc('curl', '-sI', '-H', 'X-A: b', 'http://www.server.com/');
  assert.equal(header.code, 0, header.err);
});
