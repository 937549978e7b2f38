// The cleanup helpers of the batteries that run real servers (test/proc-helpers.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, stopChildren } from './proc-helpers.js';

/**
 * A node child running `code`; resolves once it printed "ready" (its handlers are installed).
 * It exits by itself after 10 s whatever happens, so a broken stopChildren cannot hang the run.
 */
async function child(code: string): Promise<ChildProcess> {
  const safety = 'setTimeout(() => process.exit(9), 10_000).unref();';
  const c = spawn(process.execPath, ['-e', safety + code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((res, rej) => {
    c.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && res());
    c.once('exit', (code) => rej(new Error(`child exited early with ${code}`)));
  });
  return c;
}

test('stopChildren waits until a server has written its files on SIGTERM and exited', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wiretrail-proc-'));
  mkdirSync(join(dir, 'tld'));
  const state = join(dir, 'tld', 'xfrd.state');
  // Like nsd: on SIGTERM it takes a moment, writes a state file, then exits.
  const c = await child(`
    process.on('SIGTERM', () => setTimeout(() => {
      require('node:fs').writeFileSync(${JSON.stringify(state)}, 'state');
      process.exit(0);
    }, 300));
    setInterval(() => {}, 1000);
    console.log('ready');
  `);
  await stopChildren([c]);
  assert.equal(c.exitCode, 0, 'the child has exited when stopChildren returns');
  assert.ok(existsSync(state), 'the child finished its shutdown writes before the removal');
  removeDir(dir);
  assert.equal(existsSync(dir), false);
});

test('stopChildren sends SIGKILL to a child that ignores SIGTERM past the grace period', async () => {
  const c = await child(`
    process.on('SIGTERM', () => {});
    setInterval(() => {}, 1000);
    console.log('ready');
  `);
  const t0 = Date.now();
  await stopChildren([c], 200);
  assert.equal(c.signalCode, 'SIGKILL');
  assert.ok(Date.now() - t0 < 5_000);
});

test('stopChildren returns at once for children already gone', async () => {
  const c = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => c.once('exit', r));
  await stopChildren([c]);
  assert.equal(c.exitCode, 0);
});
