/**
 * TCP for wiretrail (RFC 9293 first; see docs/tcp.md for the list of RFCs and what is and is not
 * implemented). A node constructs `new TcpLayer(host)` and registers it with its IPv4 layer;
 * applications use `layer.net` (connect / createServer).
 */
export { TcpLayer } from './layer.js';
export type { TcpConnectOptions, OpenOptions } from './layer.js';
export { TcpSocket, TcpServer } from './socket.js';
export { DEFAULT_TCP_CONFIG } from './config.js';
export type { TcpConfig, CongestionName } from './config.js';
export type { TcpStats } from './stats.js';
export { Tcb, STATE_NAMES, LINUX_STATE_NAMES } from './tcb.js';
export { Listener } from './listener.js';
export type { TcpConnRef } from './events.js';
