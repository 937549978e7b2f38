/**
 * `wiretrail tap` end to end, in-process: the command creates the namespace, plugs it into the
 * default internet's home switch, writes resolv.conf; Linux curl reaches www.server.com by name;
 * on exit the namespace and /etc/netns/<ns> are gone and the --pcapng file reads in tshark.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tapCommand } from '../../src/cli/tap.js';
import type { CliIo } from '../../src/cli/main.js';
import { deleteNetns, netnsExists, nsExec, sh, uniqueName } from '../../src/tap/netns.js';
import { SKIP, sleep } from './harness.js';

describe('interop: wiretrail tap', { skip: SKIP, timeout: 120_000 }, () => {
  test('the command attaches, serves curl by name, cleans up and writes a capture', async () => {
    const ns = uniqueName('wtcli');
    const dir = mkdtempSync(join(tmpdir(), 'wt-cli-'));
    const pcap = join(dir, 'tap.pcapng');
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), exitCode: 0 };
    try {
      const run = tapCommand({ netns: ns, pcapng: pcap, duration: '6' }, io);
      for (let i = 0; !out.join('').includes('ready;'); i++) {
        if (i > 200) throw new Error(`no "ready" line: ${out.join('')} ${err.join('')}`);
        await sleep(50);
      }
      assert.match(
        out[0],
        /^attached sw-home\.port4 to .*\/wt0 \(addon\): Linux 192\.168\.3\.100\/24 via 192\.168\.3\.1, nameserver 203\.0\.113\.53, MAC /,
      );
      assert.ok(existsSync(`/etc/netns/${ns}/resolv.conf`));
      const r = await nsExec(
        ns,
        [
          'curl',
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code} %{remote_ip}',
          'http://www.server.com/',
        ],
        {
          timeoutMs: 20_000,
        },
      );
      assert.equal(r.stdout, '200 198.51.100.80');
      await run;
      assert.equal(io.exitCode, 0, err.join(''));
      assert.match(out.join(''), /stopped: \d+ frames \(\d+ bytes\) from Linux/);
      assert.match(out.join(''), /wrote \d+ frames to /);
      assert.equal(await netnsExists(ns), false, 'the namespace the command created is gone');
      assert.equal(existsSync(`/etc/netns/${ns}`), false, 'resolv.conf is gone');
      const { stdout } = await sh(['tshark', '-n', '-r', pcap, '-Y', 'http.response.code == 200']);
      assert.match(stdout, /HTTP\/1\.1 200 OK/);
    } finally {
      await deleteNetns(ns);
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage errors name the problem', async () => {
    const io: CliIo = { out: () => {}, err: () => {}, exitCode: 0 };
    const x = uniqueName('wtusage');
    await assert.rejects(
      tapCommand({ netns: x, node: 'nosuch' }, io),
      /no node "nosuch" in internet\.yaml/,
    );
    await assert.rejects(
      tapCommand({ netns: x, node: 'r-home', iface: 'eth0' }, io),
      /r-home\.eth0 is connected to .*--replace/,
    );
    await assert.rejects(
      tapCommand({ netns: x, address: '10.0.0.300/24' }, io),
      /not an IPv4 address with a prefix/,
    );
    await assert.rejects(
      tapCommand({ netns: x, address: '192.168.3.10/24' }, io),
      /already used by pc\.eth0/,
    );
    assert.equal(await netnsExists(x), false, 'nothing was created');
  });
});
