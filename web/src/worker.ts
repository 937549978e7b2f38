/**
 * The simulation worker: runs the network in the browser, off the UI thread, from the same
 * src/ code as the CLI (the visit of src/world/visit.ts; ping and traceroute of src/apps/tools
 * when the address bar holds a command), and posts back the recorded trace with what the page
 * derives from it.
 */
import { topologyFile } from '../../src/world/examples/index.js';
import { runTool } from './run.js';
import { runVisitData } from './visit-adapter.js';
import type { RunRequest, WorkerReply } from './types.js';

function topologyText(name: string): { text: string; file: string } | undefined {
  const f = topologyFile(name);
  return f === undefined ? undefined : { text: f.text, file: f.file };
}

const post = (m: WorkerReply): void => {
  const transfer: Transferable[] = [];
  (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(
    m,
    transfer,
  );
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
    // A URL runs the visit, whatever the topology: where it cannot go on (a client without a
    // resolver, as on the seeds' simple network, asked for a name), the visit's own error says
    // why and what to type instead ("type an IP address"), in the status line and the story.
    if (!isTool) {
      const run = await runVisitData(req, req.topology === 'default' ? undefined : topo, () =>
        performance.now(),
      );
      post({ type: 'done', id: req.id, run });
      return;
    }
    const run = await runTool(
      {
        input: req.input,
        yaml: topo.text,
        file: topo.file,
        seed: req.seed,
        faults: req.faults,
      },
      () => performance.now(),
    );
    post({ type: 'done', id: req.id, run });
  } catch (e) {
    post({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) });
  }
};

post({ type: 'ready', hasVisit: true });
