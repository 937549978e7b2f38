/**
 * The data the page works on: one run of the simulation, as the worker hands it over. Every
 * field comes from the recorded trace (DESIGN.md principle 4: the trace is the only input of
 * the web UI) plus the static description of the network it ran on.
 */
import type { TraceEvent } from '../../src/sim/trace.js';
import type {} from './trace-kinds.js';

export type Lang = 'en' | 'zh';

/** Text in both languages of the UI. */
export interface Text2 {
  en: string;
  zh: string;
}

export type NodeRole = 'client' | 'host' | 'router' | 'switch' | 'hub' | 'dns' | 'web';

export interface IfaceInfo {
  name: string;
  mac?: string;
  /** "192.168.3.10/24" */
  addrs: string[];
  mtu?: number;
}

export interface RouteRow {
  dst: string;
  prefix: number;
  gateway: string;
  iface: string;
  metric: number;
  proto: string;
}

export interface NodeInfo {
  name: string;
  kind: string;
  role: NodeRole;
  description?: string;
  ifaces: IfaceInfo[];
  /** Switch and hub ports. */
  ports: string[];
  /** The routing table as configured (routes do not change during a run). */
  routes: RouteRow[];
}

export interface LinkInfo {
  name: string;
  kind: 'link' | 'segment';
  /** "node.port" of each end. */
  ends: string[];
  bandwidth?: number;
  delay?: number;
  loss?: number;
  mtu?: number;
}

/**
 * One frame crossing one medium to one receiver: a `link.tx` (first bit leaves) paired with the
 * `link.rx` (last bit arrives) or `link.drop` that ended it.
 */
export interface Hop {
  /** Index of the link.tx event. */
  tx: number;
  /** Index of the link.rx or link.drop event. */
  end: number;
  dropped: boolean;
  link: string;
  fromNode: string;
  fromPort: string;
  /** Empty when a drop happened before the frame reached anyone. */
  toNode: string;
  toPort: string;
  t0: number;
  t1: number;
  /** Index into RunData.frames. */
  frame: number;
}

/** The summary of one distinct frame (decoded once in the worker). */
export interface FrameSummary {
  /** eth / arp / icmp / udp / tcp / dns / http / data */
  proto: string;
  info: string;
  len: number;
  /** IP endpoints (or MACs for ARP) */
  src: string;
  dst: string;
  /** A key for the "connection" this frame belongs to (sorted endpoints + protocol). */
  flow: string;
}

/** One row of the event list: a frame arriving at a device, or lost on the way. */
export interface Row {
  /** The link.rx / link.drop event index. */
  ev: number;
  hop: number;
  t: number;
  at: string;
  from: string;
  dropped: boolean;
  /** Indexes of the events the device produced while handling the frame. */
  actions: number[];
}

/** One narrated step of the story. */
export interface Step {
  title: Text2;
  lines: { en: string[]; zh: string[] };
  /** Trace event indexes this step narrates (the first one is where "jump" goes). */
  events: number[];
  t: number;
}

/** A row of the waterfall (a resource, or a phase of a tool run). */
export interface WaterfallRow {
  label: string;
  start: number;
  end: number;
  phases: { name: string; start: number; end: number }[];
  status?: string;
  size?: number;
}

export interface RunData {
  input: string;
  title: Text2;
  /** What ran: "visit" through the lead's runVisit, or a tool ("ping", "traceroute"). */
  mode: string;
  topologyName: string;
  nodes: NodeInfo[];
  links: LinkInfo[];
  events: TraceEvent[];
  frames: FrameSummary[];
  /** Raw bytes of each distinct frame (parallel to `frames`). */
  frameBytes: Uint8Array[];
  hops: Hop[];
  rows: Row[];
  story: Step[];
  waterfall: WaterfallRow[];
  /** Tool output or page text, shown under the story. */
  output: string[];
  pcapng: Uint8Array;
  endT: number;
  error?: string;
  /** Milliseconds the worker spent (simulation, analysis). */
  timing: { simulate: number; analyse: number };
}

export interface Faults {
  /** Loss probability on every link, 0..1. */
  loss?: number;
  /** Extra one-way delay on the wide-area links, like "20ms". */
  delay?: string;
  /** MTU of the wide-area links. */
  mtu?: number;
}

export type TopologyChoice = 'default' | 'simple' | 'custom';

export interface RunRequest {
  id: number;
  input: string;
  topology: TopologyChoice;
  yaml?: string;
  seed?: number;
  faults: Faults;
  lang: Lang;
  /** Visits of the same URL in one run (the second one shows the caches at work). */
  repeat?: number;
}

export type WorkerReply =
  | { type: 'ready'; hasVisit: boolean }
  | { type: 'progress'; id: number; text: string }
  | { type: 'done'; id: number; run: RunData }
  | { type: 'error'; id: number; message: string };
