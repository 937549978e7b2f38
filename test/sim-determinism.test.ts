// Same topology + seed → byte-identical pcapng (DESIGN.md principle 2), with faults drawing
// from the seeded streams; a different seed changes what the faults do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scenario } from './sim-scenario.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

test('same topology and seed give a byte-identical capture (no faults)', async () => {
  const a = await scenario(7, false);
  const b = await scenario(7, false);
  assert.ok(a.packets > 300, `expected a busy capture, got ${a.packets} packets`);
  assert.ok(sameBytes(a.pcapng, b.pcapng), 'captures differ');
  assert.deepEqual(a.lines, b.lines);
  assert.ok(a.lines.includes('tcp echo 12000 bytes'), a.lines.join('\n'));
});

test('same seed with loss, duplication, jitter and corruption: still byte-identical', async () => {
  const a = await scenario(11, true);
  const b = await scenario(11, true);
  assert.ok(sameBytes(a.pcapng, b.pcapng), 'captures differ');
  assert.deepEqual(a.lines, b.lines);
  const c = await scenario(12, true);
  assert.ok(!sameBytes(a.pcapng, c.pcapng), 'a different seed should change the faults');
});
