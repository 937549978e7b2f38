/**
 * The HTTP server, client, browser and curl over the real stack: TcpLayer on hosts, Ethernet
 * through switches and routers (src/world/network.ts), ARP, IPv4 routing, TCP handshakes,
 * segmentation by MSS, FIN/ACK close. Same assertions as over the in-memory network.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MS, SECOND, US } from '../src/sim/time.js';
import { TraceRecorder } from '../src/sim/trace.js';
import { parseIpv4 } from '../src/wire/addr.js';
import { Network } from '../src/world/network.js';
import { TcpLayer } from '../src/stack/tcp/index.js';
import { Browser } from '../src/apps/browser/browser.js';
import { HttpServer } from '../src/apps/http/server.js';
import { curl, parseCurlArgs } from '../src/apps/tools/curl.js';
import { embeddedSite } from '../src/world/sites/index.js';

const SRV = parseIpv4('10.0.1.80')!;

function build() {
  const net = new Network({ seed: 7, tcp: (h) => new TcpLayer(h) });
  const pc = net.host(
    'pc',
    { eth0: { address: '192.168.3.10/24', mac: '02:00:00:00:00:0a' } },
    { default: '192.168.3.1' },
  );
  net.switch('sw1', 4);
  net.router('r1', { eth0: '192.168.3.1/24', eth1: '10.0.0.1/30' }, { default: '10.0.0.2' });
  net.router('r2', { eth0: '10.0.0.2/30', eth1: '10.0.1.1/24' }, { default: '10.0.0.1' });
  net.switch('sw2', 4);
  const web1 = net.host(
    'web1',
    { eth0: { address: '10.0.1.80/24', mac: '02:00:00:00:00:50' } },
    { default: '10.0.1.1' },
  );
  net.link('pc.eth0', 'sw1.port1', { bandwidth: 100e6, delay: 50 * US });
  net.link('r1.eth0', 'sw1.port2');
  net.link('r1.eth1', 'r2.eth0', { bandwidth: 10e6, delay: 5 * MS });
  net.link('r2.eth1', 'sw2.port1');
  net.link('web1.eth0', 'sw2.port2');
  const rec = new TraceRecorder(net.trace);
  const pcNet = pc.net!;
  const srvNet = web1.net!;
  const server = new HttpServer({
    net: srvNet,
    clock: net.clock,
    trace: net.trace,
    node: 'web1',
    site: embeddedSite('www.server.com')!,
  }).listen();
  return { net, rec, pcNet, server };
}

describe('HTTP over the real stack', () => {
  test('the browser loads www.server.com, then again from caches and the kept-alive connection', async () => {
    const { net, rec, pcNet, server } = build();
    const browser = new Browser({
      net: pcNet,
      resolve: async () => ({ addresses: [SRV], ttl: 300 }),
      clock: net.clock,
      trace: net.trace,
      node: 'pc',
    });
    const page = await net.runUntilSettled(browser.visit('www.server.com'));
    assert.equal(page.status, 200);
    assert.equal(page.title, 'What happens when you type a URL');
    assert.equal(page.resources.length, 4);
    assert.ok(page.resources.every((r) => r.status === 200));
    assert.ok(page.resources[0].connect > 10 * MS, 'a real handshake over a 5 ms link each way');
    assert.match(page.text, /\[image: logo\.png 294 B "wiretrail"\]/);
    assert.equal(server.stats.requests, 4);
    net.clock.runSync({ until: net.clock.now() + 5 * SECOND });
    const again = await net.runUntilSettled(browser.visit('http://www.server.com/'));
    assert.deepEqual(
      again.resources.map((r) => r.cache),
      ['revalidated', 'memory', 'memory', 'memory'],
    );
    assert.equal(again.resources[0].reused, true);
    // The browser closes its connections: FIN from the client, the server answers with its own.
    browser.closeConnections();
    await net.run({ until: net.clock.now() + 2 * SECOND });
    assert.ok(rec.ofKind('http.server-close').length >= 1);
    assert.equal(server.openConnections, 0);
  });

  test('the page tells what the browser does with its connections', async () => {
    const { net, pcNet } = build();
    const browser = new Browser({
      net: pcNet,
      resolve: async () => ({ addresses: [SRV], ttl: 300 }),
      clock: net.clock,
      trace: net.trace,
      node: 'pc',
    });
    const page = await net.runUntilSettled(browser.visit('www.server.com'));
    // What happened: the stylesheet on the document's kept-alive connection, the script and
    // the logo on two new ones (up to six per host).
    const [doc, css, js, img] = page.resources;
    assert.deepEqual(
      page.resources.map((r) => [r.resource, r.reused]),
      [
        ['document', false],
        ['stylesheet', true],
        ['script', false],
        ['image', false],
      ],
    );
    assert.equal(css.connectionId, doc.connectionId);
    assert.equal(new Set([doc, js, img].map((r) => r.connectionId)).size, 3);
    // What the page says.
    const said = page.text.replace(/\s+/g, ' ');
    assert.match(said, /the stylesheet goes over the connection it kept open/);
    assert.match(said, /the script and the logo over two new connections/);
  });

  test('curl -v over the stack', async () => {
    const { net, pcNet } = build();
    let err = '';
    let body = 0;
    const r = await net.runUntilSettled(
      curl(parseCurlArgs(['-v', 'http://www.server.com/']), {
        net: pcNet,
        resolve: async () => ({ addresses: [SRV] }),
        clock: net.clock,
        trace: net.trace,
        node: 'pc',
        out: (t) => void (body += t.length),
        err: (t) => void (err += t),
      }),
    );
    assert.equal(r.exitCode, 0);
    assert.match(err, /\* Connected to www\.server\.com \(10\.0\.1\.80\) port 80/);
    assert.match(err, /< HTTP\/1\.1 200 OK/);
    assert.equal(body, 1668);
  });
});
