// Topology files: the shipped example builds and works; every mistake is reported with file,
// line, column and field; segments, hubs, defaults and MTUs are honoured.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ping } from '../src/apps/tools/ping.js';
import { MS } from '../src/sim/time.js';
import { formatIssue, parseTopology, loadNetwork, TopologyError } from '../src/world/topology.js';

const SIMPLE = readFileSync('src/world/examples/simple.yaml', 'utf8');

function issues(text: string): string[] {
  try {
    parseTopology(text, 't.yaml');
  } catch (e) {
    if (e instanceof TopologyError) return e.message.split('\n');
    throw e;
  }
  return [];
}

test("the seeds' simple network model builds and answers a ping end to end", async () => {
  const net = loadNetwork(SIMPLE, 'simple.yaml');
  assert.deepEqual(
    [...net.nodes.keys()],
    ['pc', 'sw-client', 'r-client', 'r-server', 'sw-server', 'server'],
  );
  assert.deepEqual(
    net.media.map((m) => m.name),
    [
      'pc.eth0-sw-client.port1',
      'r-client.eth0-sw-client.port2',
      'r-client.eth1-r-server.eth0',
      'r-server.eth1-sw-server.port1',
      'server.eth0-sw-server.port2',
    ],
  );
  assert.equal(net.media[2].props.delay, 2 * MS);
  assert.equal(net.media[2].props.bandwidth, 100e6);
  assert.equal(net.media[0].props.bandwidth, 1e9, 'from defaults.link');
  const r = await net.runUntilSettled(
    ping(net.hostNamed('pc'), { target: '198.51.100.80', count: 1 }),
  );
  assert.equal(r.received, 1);
  assert.equal(net.seed, 1);
  assert.equal(loadNetwork(SIMPLE, 'simple.yaml', { seed: 9 }).seed, 9);
});

test('problems are listed in file order, one per mistake', () => {
  // The link check runs after the node checks, but its line comes first in this file; the bad
  // gateway is one problem, not also "a route needs via or dev".
  const text = [
    'links:',
    '  - [a.eth0, c.eth0]',
    'nodes:',
    '  a:',
    '    kind: host',
    '    interfaces:',
    '      eth0: 10.0.0.1/24',
    '    routes:',
    '      - { to: default, via: 10.0.0.1.5 }',
    '  b:',
    '    kind: hostt',
  ].join('\n');
  assert.deepEqual(issues(text), [
    't.yaml:2:14: links[0]: no node named "c"',
    't.yaml:9:29: nodes.a.routes[0].via: "10.0.0.1.5" is not an IPv4 address',
    't.yaml:11:11: nodes.b.kind: "hostt" is not a kind (host, router, switch or hub)',
  ]);
});

test('syntax errors and unknown fields point at the line and column', () => {
  assert.deepEqual(issues('nodes:\n  a: [\n'), [
    't.yaml:3:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
  const colour = issues('nodes:\n  a:\n    kind: host\n    colour: red\n');
  assert.equal(colour.length, 1);
  assert.match(
    colour[0],
    /^t\.yaml:4:5: nodes\.a: unknown field "colour" \(expected one of: kind, interfaces, routes, /,
  );
  assert.deepEqual(issues('nodse: {}\n'), [
    't.yaml:1:1: unknown field "nodse" (expected one of: name, description, seed, defaults, nodes, links)',
    't.yaml:1:1: missing "nodes"',
  ]);
  assert.deepEqual(issues('nodes:\n  a: { kind: swtich }\n'), [
    't.yaml:2:14: nodes.a.kind: "swtich" is not a kind (host, router, switch or hub)',
  ]);
});

test('values are checked: addresses, MACs, units, probabilities, routes', () => {
  const base = (iface: string, extra = ''): string =>
    `nodes:\n  a:\n    kind: host\n    interfaces:\n      eth0: ${iface}\n${extra}`;
  assert.deepEqual(issues(base('192.168.3.300/24')), [
    't.yaml:5:13: nodes.a.interfaces.eth0: "192.168.3.300/24" is not an IPv4 address with a prefix length (like 192.168.3.10/24)',
  ]);
  assert.deepEqual(issues(base('10.0.0.0/24')), [
    't.yaml:5:13: nodes.a.interfaces.eth0: 10.0.0.0/24 is the network address of 10.0.0.0/24; use a host address',
  ]);
  assert.deepEqual(issues(base('{ address: 10.0.0.1/24, mac: 03:00:00:00:00:01 }')), [
    't.yaml:5:42: nodes.a.interfaces.eth0.mac: 03:00:00:00:00:01 is a group (multicast) address; a NIC needs a unicast MAC (first octet even)',
  ]);
  assert.deepEqual(
    issues(base('10.0.0.1/24', '    routes:\n      - { to: default, via: 10.0.1.1 }\n')),
    [
      't.yaml:7:9: nodes.a.routes[0].via: gateway 10.0.1.1 is not on a connected subnet of a (10.0.0.0/24 on eth0)',
    ],
  );
  assert.deepEqual(
    issues(base('10.0.0.1/24', '    routes:\n      - { to: 10.1.0.1/16, via: 10.0.0.2 }\n')),
    [
      't.yaml:7:15: nodes.a.routes[0].to: 10.1.0.1/16 has host bits set; the network is 10.1.0.0/16',
    ],
  );
  const links = (props: string): string[] =>
    issues(
      `nodes:\n  a: { kind: host, interfaces: { eth0: 10.0.0.1/24 } }\n  b: { kind: host, interfaces: { eth0: 10.0.0.2/24 } }\nlinks:\n  - { between: [a.eth0, b.eth0], ${props} }\n`,
    );
  assert.deepEqual(links('delay: 5'), [
    't.yaml:5:41: links[0].delay: a duration needs a unit, like "5ms", "100us" or "1s" (got the bare number 5)',
  ]);
  assert.deepEqual(links('bandwidth: fast'), [
    't.yaml:5:45: links[0].bandwidth: "fast" is not a bandwidth (like "100Mbit", "1Gbit", "10kbps")',
  ]);
  assert.deepEqual(links('loss: 150%'), [
    't.yaml:5:40: links[0].loss: probability 150% is outside [0, 1] (0% to 100%)',
  ]);
  assert.deepEqual(links('loss: 1%, jitter: 1ms, mtu: 1400'), []);
});

test('links: unknown nodes and ports, ports used twice, interface MTU above the link MTU', () => {
  const t = `nodes:
  a: { kind: host, interfaces: { eth0: 10.0.0.1/24 } }
  b: { kind: host, interfaces: { eth0: { address: 10.0.0.2/24, mtu: 9000 } } }
  s: { kind: switch, ports: 2 }
links:
  - [a.eth0, s.port1]
  - [a.eth0, s.port2]
  - [c.eth0, s.port3]
  - { between: [b.eth0, s.port2], mtu: 1500 }
`;
  assert.deepEqual(issues(t), [
    't.yaml:7:6: links[1]: a.eth0 is already connected by links[0]',
    't.yaml:8:6: links[2]: no node named "c"',
    't.yaml:8:14: links[2]: s has no port "port3" (it has: port1, port2)',
    "t.yaml:9:17: links[3]: b.eth0 has MTU 9000, larger than this link's MTU 1500: its big frames would be dropped",
    't.yaml:9:25: links[3]: s.port2 is already connected by links[1]',
  ]);
});

test('one mistake, one problem: no echoes of a bad field in gateways and links', () => {
  const node = (ifaces: string) => `nodes:
  a:
    kind: host
    ${ifaces}
    routes:
      - { to: default, via: 10.0.0.254 }
  b: { kind: host, interfaces: { eth0: 10.0.0.2/24 } }
links:
  - [a.eth0, b.eth0]
`;
  // A bad address: not also "gateway not on a connected subnet".
  assert.deepEqual(issues(node('interfaces: { eth0: 10.0.0.300/24 }')), [
    't.yaml:4:25: nodes.a.interfaces.eth0: "10.0.0.300/24" is not an IPv4 address with a prefix length (like 192.168.3.10/24)',
  ]);
  // A misspelt field: not also the gateway and "a has no interface eth0".
  assert.deepEqual(issues(node('interface: { eth0: 10.0.0.1/24 }')), [
    't.yaml:4:5: nodes.a: unknown field "interface" (expected one of: kind, interfaces, routes, forwarding, description, services, resolver, hosts)',
  ]);
  // A port linked to itself: not also "already connected by" the same link.
  assert.deepEqual(
    issues(
      'nodes:\n  a: { kind: host, interfaces: { eth0: 10.0.0.1/24 } }\nlinks:\n  - [a.eth0, a.eth0]\n',
    ),
    ['t.yaml:4:5: links[0]: a link cannot connect a port to itself'],
  );
});

test('likely mistakes that still build are warnings: a gateway nobody has, a link across subnets', () => {
  const t = parseTopology(
    `nodes:
  a:
    kind: host
    interfaces: { eth0: 10.0.0.1/24 }
    routes:
      - { to: default, via: 10.0.0.254 }
  b: { kind: host, interfaces: { eth0: 10.0.1.2/24 } }
links:
  - [a.eth0, b.eth0]
`,
    't.yaml',
  );
  assert.deepEqual(t.warnings.map(formatIssue), [
    "t.yaml:6:9: nodes.a.routes[0].via: warning: no node has 10.0.0.254: nothing will answer a's ARP for this gateway",
    't.yaml:9:5: links[0]: warning: a.eth0 (10.0.0.0/24) and b.eth0 (10.0.1.0/24) are on different subnets: they will not reach each other directly',
  ]);
  // The shipped topologies have none.
  assert.deepEqual(parseTopology(SIMPLE, 'simple.yaml').warnings, []);
});

test('segments and hubs; a link MTU sets the interfaces it joins', async () => {
  const net = loadNetwork(
    `nodes:
  a: { kind: host, interfaces: { eth0: 10.0.0.1/24 } }
  b: { kind: host, interfaces: { eth0: 10.0.0.2/24 } }
  c: { kind: host, interfaces: { eth0: 10.0.0.3/24 } }
  d: { kind: host, interfaces: { eth0: 10.0.0.4/24 } }
  h: { kind: hub, ports: [p1, p2] }
links:
  - segment: [a.eth0, b.eth0, h.p1]
    bandwidth: 10Mbit
    mtu: 1000
  - [h.p2, c.eth0]
`,
    'seg.yaml',
  );
  assert.equal(net.hostNamed('a').iface('eth0')!.mtu, 1000);
  assert.equal(net.hostNamed('c').iface('eth0')!.mtu, 1500);
  const r = await net.runUntilSettled(ping(net.hostNamed('a'), { target: '10.0.0.3', count: 1 }));
  assert.equal(r.received, 1, 'through the bus and the hub');
  assert.equal(net.nodes.has('d'), true);
});
