/**
 * The story tells only what the packets show, on the paths a first-time user tries after the
 * happy one: an address nobody answers (ICMP host unreachable from the last router, or silence),
 * localhost (the loopback: no ARP, no wire), an on-link destination (why 0.0.0.0/0 lost), a
 * small MTU on the path (MSS and data per segment), errors in Chinese, and the close's title.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { buildStory, renderSteps, renderStory } from '../src/story/index.js';
import type { Lang, Step, VisitStory } from '../src/story/index.js';
import type { CloseStep } from '../src/story/steps.js';
import { runVisit } from '../src/world/visit.js';
import type { VisitOptions } from '../src/world/visit.js';

function stepsOf<K extends Step['kind']>(v: VisitStory, kind: K): Extract<Step, { kind: K }>[] {
  return v.steps.filter((s): s is Extract<Step, { kind: K }> => s.kind === kind);
}
function one<K extends Step['kind']>(v: VisitStory, kind: K): Extract<Step, { kind: K }> {
  const s = stepsOf(v, kind);
  assert.ok(s.length > 0, `the story has a "${kind}" step`);
  return s[0];
}

async function visit(o: VisitOptions): Promise<{ v: VisitStory; text: Record<Lang, string> }> {
  const r = await runVisit({ close: false, ...o });
  const story = buildStory(r.events, r.client);
  const text = (lang: Lang) =>
    renderStory(story, o.url, { lang, detail: 'summary', networkName: 'test', seed: 1, clientAddress: '', capture: 'off', page: false });
  return { v: story.visits[0], text: { en: text('en'), zh: text('zh') } };
}

/** The lines of the step of a kind, in a language. */
function lines(v: VisitStory, kind: Step['kind'], lang: Lang): string[] {
  return renderSteps(v, lang)
    .filter((s) => s.kind === kind)
    .flatMap((s) => [s.title, ...s.lines]);
}

const count = (text: string, what: string): number => text.split(what).length - 1;

describe('the close, titled by its segments', () => {
  test('three segments (FIN, FIN+ACK, ACK) are not titled four-way in Chinese', async () => {
    const r = await runVisit({ url: 'http://www.server.com/' });
    const v = buildStory(r.events, r.client).visits[0];
    const close = one(v, 'close');
    assert.deepEqual(close.sequence, ['FIN', 'FIN+ACK', 'ACK']);
    const zh = renderSteps(v, 'zh').find((s) => s.kind === 'close')!;
    assert.equal(zh.title, 'TCP 三次挥手');
    assert.match(zh.lines[1], /^只有 3 个段，而不是课本上“TCP 四次挥手”的 4 个/);
    assert.equal(renderSteps(v, 'en').find((s) => s.kind === 'close')!.title, 'Close');
  });

  test('four segments are the four-way close; anything else is a plain close', () => {
    const title = (sequence: string[]) => {
      const close: CloseStep = {
        kind: 'close',
        t: 0,
        events: [],
        connections: 1,
        firstFin: 'client',
        timeWaitNode: 'pc',
        timeWait: 60e9,
        fins: 2,
        sequence,
        senders: sequence.map((_, i) => (i % 2 === 0 ? 'client' : 'server')),
      };
      const v: VisitStory = { index: 0, input: '', ok: true, startedAt: 0, finishedAt: 0, steps: [close], hops: [], waterfall: [] };
      return renderSteps(v, 'zh')[0].title;
    };
    assert.equal(title(['FIN', 'ACK', 'FIN', 'ACK']), 'TCP 四次挥手');
    assert.equal(title(['FIN', 'FIN+ACK', 'ACK']), 'TCP 三次挥手');
    assert.equal(title(['FIN', 'RST']), 'TCP 断开连接');
  });
});
