/**
 * Brings every module that declares trace event kinds into the type checker's view, so that
 * TraceEvent covers them all (the declarations augment TraceEventMap). Type-only: nothing of
 * these modules is bundled into the page by this file.
 */
export type * as linkEvents from '../../src/sim/link.js';
export type * as nicEvents from '../../src/stack/nic.js';
export type * as netEvents from '../../src/stack/netstack.js';
export type * as neighEvents from '../../src/stack/neighbor.js';
export type * as icmpEvents from '../../src/stack/icmp.js';
export type * as udpEvents from '../../src/stack/udp.js';
export type * as tcpEvents from '../../src/stack/tcp/events.js';
export type * as switchEvents from '../../src/devices/switch.js';
export type * as hubEvents from '../../src/devices/hub.js';
export type * as dnsEvents from '../../src/apps/dns/events.js';
export type * as httpServerEvents from '../../src/apps/http/server.js';
export type * as httpClientEvents from '../../src/apps/http/client.js';
export type * as browserEvents from '../../src/apps/browser/browser.js';
