// Shared builders for the sim-*.test.ts batteries.
import { MS, US } from '../src/sim/time.js';
import { Network } from '../src/world/network.js';

/**
 * pc ── sw1 ── r1 ══ r2 ══ r3 ── sw2 ── srv   (three routers)
 *   192.168.3.0/24   10.0.0.0/30  10.0.0.4/30  10.0.1.0/24
 */
export function threeRouters(seed = 1): Network {
  const net = new Network({ seed });
  net.host(
    'pc',
    { eth0: { address: '192.168.3.10/24', mac: '02:00:00:00:00:0a' } },
    { default: '192.168.3.1' },
  );
  net.switch('sw1', 4);
  net.router('r1', { eth0: '192.168.3.1/24', eth1: '10.0.0.1/30' }, { default: '10.0.0.2' });
  net.router(
    'r2',
    { eth0: '10.0.0.2/30', eth1: '10.0.0.5/30' },
    { '192.168.3.0/24': '10.0.0.1', default: '10.0.0.6' },
  );
  net.router('r3', { eth0: '10.0.0.6/30', eth1: '10.0.1.1/24' }, { default: '10.0.0.5' });
  net.switch('sw2', 4);
  net.host(
    'srv',
    { eth0: { address: '10.0.1.80/24', mac: '02:00:00:00:00:50' } },
    { default: '10.0.1.1' },
  );
  net.link('pc.eth0', 'sw1.port1', { bandwidth: 100e6, delay: 50 * US });
  net.link('r1.eth0', 'sw1.port2');
  net.link('r1.eth1', 'r2.eth0', { bandwidth: 10e6, delay: 2 * MS });
  net.link('r2.eth1', 'r3.eth0', { delay: 3 * MS });
  net.link('r3.eth1', 'sw2.port1');
  net.link('srv.eth0', 'sw2.port2');
  return net;
}

/** Two hosts on one switch. */
export function lan(seed = 1): Network {
  const net = new Network({ seed });
  net.host('a', { eth0: { address: '10.0.0.1/24', mac: '02:00:00:00:00:01' } });
  net.host('b', { eth0: { address: '10.0.0.2/24', mac: '02:00:00:00:00:02' } });
  net.host('c', { eth0: { address: '10.0.0.3/24', mac: '02:00:00:00:00:03' } });
  net.switch('sw', 4);
  net.link('a.eth0', 'sw.port1');
  net.link('b.eth0', 'sw.port2');
  net.link('c.eth0', 'sw.port3');
  return net;
}
