/**
 * FCS offload (FRAME_FCS_LATER, src/sim/link.ts): while nobody watches, NICs leave the FCS to
 * be computed when observed. These tests show that nothing a user can see depends on it: the
 * same transfer over routers and faulty links gives the same bytes, counters and event count
 * with every FCS computed and checked (setEagerFcs) as with offload, and corrupted frames are
 * still caught by the receivers' FCS check.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { setEagerFcs } from '../stack/nic.js';
import { TcpLayer } from '../stack/tcp/layer.js';
import type { TcpSocket } from '../stack/tcp/socket.js';
import { parseIpv4 } from '../wire/addr.js';
import { Network } from '../world/network.js';
import { MS } from './time.js';

interface Outcome {
  digest: string;
  events: number;
  nics: string;
  crcErrors: number;
  tcp: string;
}

/** a – r1 – r2 – b; the middle link corrupts and loses frames; 2 MB from a to b, untraced. */
function transfer(eager: boolean): Outcome {
  setEagerFcs(eager);
  try {
    const layers: TcpLayer[] = [];
    const netw = new Network({
      seed: 3,
      tcp: (h) => {
        const l = new TcpLayer(h, { congestion: 'newreno' });
        layers.push(l);
        return l;
      },
    });
    netw.host('a', { eth0: '10.0.1.10/24' }, { default: '10.0.1.1' });
    netw.router('r1', { eth0: '10.0.1.1/24', eth1: '10.0.0.1/30' }, { default: '10.0.0.2' });
    netw.router('r2', { eth0: '10.0.0.2/30', eth1: '10.0.2.1/24' }, { default: '10.0.0.1' });
    netw.host('b', { eth0: '10.0.2.20/24' }, { default: '10.0.2.1' });
    const clean = { bandwidth: 1e8, delay: 1 * MS };
    netw.link('a.eth0', 'r1.eth0', clean);
    netw.link('r1.eth1', 'r2.eth0', { ...clean, corrupt: 0.02, loss: 0.01, duplicate: 0.01 });
    netw.link('r2.eth1', 'b.eth0', clean);
    const hash = createHash('sha256');
    let received = 0;
    netw
      .hostNamed('b')
      .net!.createServer((s) =>
        s.on('data', (d) => {
          hash.update(d);
          received += d.length;
        }),
      )
      .listen(5001);
    const c = netw
      .hostNamed('a')
      .net!.connect({ host: parseIpv4('10.0.2.20')!, port: 5001 }) as TcpSocket;
    const data = new Uint8Array(2_000_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131) & 0xff;
    c.on('connect', () => c.end(data));
    netw.clock.runSync();
    assert.equal(received, data.length);
    const nics: string[] = [];
    let crcErrors = 0;
    for (const name of ['a', 'r1', 'r2', 'b']) {
      for (const i of netw.hostNamed(name).interfaces.values()) {
        nics.push(`${name}.${i.name} ${JSON.stringify(i.counters)}`);
        crcErrors += i.counters.rxCrcErrors;
      }
    }
    return {
      digest: hash.digest('hex'),
      events: netw.clock.processed,
      nics: nics.join('\n'),
      crcErrors,
      tcp: JSON.stringify(layers.map((l) => l.stats)),
    };
  } finally {
    setEagerFcs(false);
  }
}

test('FCS offload changes nothing observable: same bytes, counters and events as eager FCS', () => {
  const eager = transfer(true);
  const offload = transfer(false);
  assert.ok(eager.crcErrors > 0, 'the corrupting link produced frames with a bad FCS');
  assert.equal(offload.crcErrors, eager.crcErrors, 'and offload catches exactly those');
  assert.equal(offload.digest, eager.digest);
  assert.equal(offload.events, eager.events);
  assert.equal(offload.nics, eager.nics);
  assert.equal(offload.tcp, eager.tcp);
});
