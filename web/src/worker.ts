/**
 * The simulation worker: runs the network in the browser, off the UI thread, from the same
 * src/ code as the CLI, and posts back the recorded trace with what the page derives from it.
 *
 * The visit (src/world/visit.ts), the shipped topologies (src/world/examples) and the story
 * (src/story) are picked up when they exist in the tree, through import.meta.glob, so this
 * file builds either way; without them the address bar runs the tools (ping, traceroute).
 */
import { runTool } from './run.js';
import { runVisitData } from './visit-adapter.js';
import type { VisitModule, StoryModule } from './visit-adapter.js';
import type { RunRequest, WorkerReply } from './types.js';

const visitMods = import.meta.glob<VisitModule>('../../src/world/visit.ts', { eager: true });
const storyMods = import.meta.glob<StoryModule>('../../src/story/index.ts', { eager: true });
const yamlTexts = import.meta.glob<string>('../../src/world/examples/*.yaml', { eager: true, query: '?raw', import: 'default' });

const visit = Object.values(visitMods)[0] as VisitModule | undefined;
const story = Object.values(storyMods)[0] as StoryModule | undefined;

function topologyText(name: string): { text: string; file: string } | undefined {
  for (const [path, text] of Object.entries(yamlTexts)) {
    const file = path.slice(path.lastIndexOf('/') + 1);
    if (file === `${name}.yaml`) return { text, file };
  }
  return undefined;
}

const post = (m: WorkerReply): void => {
  const transfer: Transferable[] = [];
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(m, transfer);
};

self.onmessage = async (ev: MessageEvent<RunRequest>) => {
  const req = ev.data;
  try {
    const isTool = /^\s*(ping|traceroute|tracert)\b/i.test(req.input);
    const topo =
      req.topology === 'custom'
        ? { text: req.yaml ?? '', file: 'uploaded.yaml' }
        : req.topology === 'simple'
          ? topologyText('simple')
          : (topologyText('internet') ?? topologyText('simple'));
    if (topo === undefined) throw new Error('no topology file is embedded in this build');
    if (!isTool && visit !== undefined) {
      const run = await runVisitData(visit, story, req, req.topology === 'default' ? undefined : topo, () => performance.now());
      post({ type: 'done', id: req.id, run });
      return;
    }
    const run = await runTool({ input: req.input, yaml: topo.text, file: topo.file, seed: req.seed, faults: req.faults }, () => performance.now());
    post({ type: 'done', id: req.id, run });
  } catch (e) {
    post({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) });
  }
};

post({ type: 'ready', hasVisit: visit !== undefined });
