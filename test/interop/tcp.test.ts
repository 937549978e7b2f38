/**
 * TCP between Linux and wiretrail, both directions, on the default internet:
 * - Linux curl to http://www.server.com/ (name resolved by the simulated resolver through
 *   /etc/netns/<ns>/resolv.conf, four simulated routers on the way): the body is the site's
 *   index.html byte for byte;
 * - wiretrail's curl (on the simulated pc) to nginx in the namespace;
 * - Linux's counters show no checksum, header or abort errors.
 * Bulk transfers with loss and reordering are in tcp-bulk.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { curl, parseCurlArgs } from '../../src/apps/tools/curl.js';
import { nsExec } from '../../src/tap/netns.js';
import { embeddedSite } from '../../src/world/sites/index.js';
import { SKIP, counterErrors, inSim, nstat, startNginx, withSession } from './harness.js';

const dec = new TextDecoder();

describe('interop: TCP on the default internet', { skip: SKIP, timeout: 120_000 }, () => {
  test('Linux curl → simulated www.server.com; wiretrail curl → nginx in the namespace', async () => {
    await withSession('wttcp', {}, async (s) => {
      const ns = s.linux.netns;
      const index = embeddedSite('www.server.com')!.files.get('/index.html')!.body;

      // Linux → wiretrail: DNS through the simulated resolver, then HTTP through 4 routers.
      const r = await nsExec(ns, ['curl', '-sS', '-i', '-m', '20', 'http://www.server.com/'], {
        timeoutMs: 30_000,
      });
      const split = r.stdout.indexOf('\r\n\r\n');
      const head = r.stdout.slice(0, split);
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /\r\nServer: wiretrail\r\n/i);
      assert.equal(r.stdout.slice(split + 4), dec.decode(index));
      assert.ok(
        s.apps.accessLog.some((l) => l.node === 'web1' && l.line.includes('"GET / HTTP/1.1" 200')),
      );

      // wiretrail → Linux: the simulated pc's curl fetches a page from nginx.
      const www = mkdtempSync(join(tmpdir(), 'wt-www-'));
      const page = `<!doctype html><title>Linux</title><p>served by nginx in ${ns}</p>\n`.repeat(
        200,
      );
      writeFileSync(join(www, 'index.html'), page);
      const nginx = await startNginx(ns, www, '192.168.3.100:8080');
      try {
        const pc = s.net.hostNamed('pc');
        const out: Uint8Array[] = [];
        const err: string[] = [];
        const res = await inSim(s, () =>
          curl(parseCurlArgs(['-v', 'http://192.168.3.100:8080/index.html']), {
            net: pc.net!,
            resolve: async () => ({ addresses: [] }),
            clock: s.net.clock,
            trace: s.net.trace,
            node: 'pc',
            out: (t) => out.push(typeof t === 'string' ? new TextEncoder().encode(t) : t),
            err: (t) => err.push(t),
          }),
        );
        assert.equal(res.exitCode, 0, err.join(''));
        assert.equal(res.status, 200);
        assert.match(err.join(''), /< Server: nginx/);
        assert.equal(dec.decode(Buffer.concat(out)), page);
      } finally {
        await nginx.stop();
        rmSync(www, { recursive: true, force: true });
      }
      assert.deepEqual(counterErrors(await nstat(ns)), []);
    });
  });
});
