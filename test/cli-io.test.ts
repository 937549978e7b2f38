// The CLI's standard output as a user's shell sees it: a reader that goes away (`| head`) ends
// the command quietly, whatever the command; help texts say each default once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { run } from './cli-helpers.js';

const MAIN = pathToFileURL(fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))).href;
// What bin/wiretrail.js does, on the sources (tsx) rather than on dist/.
const ENTRY =
  `import(${JSON.stringify(MAIN)}).then((m) => m.main(process.argv.slice(1))).then(` +
  '(c) => { process.exitCode = c; },' +
  " (e) => { console.error('wiretrail: internal error: ' + (e && e.stack)); process.exitCode = 70; });";

/**
 * Runs wiretrail in a child process and closes its standard output after the first `bytes`
 * bytes, as `wiretrail … | head -c bytes` does.
 */
function headC(
  bytes: number,
  ...argv: string[]
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', '-e', ENTRY, '--', ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('latin1');
      if (out.length >= bytes) c.stdout.destroy();
    });
    c.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    c.on('close', (code, signal) => resolve({ code, signal, out: out.slice(0, bytes), err }));
  });
}

test('a closed standard output (| head -c 100) ends the command quietly: no stack trace', async () => {
  for (const argv of [
    ['visit', 'http://www.server.com/', '--no-page', '--json', '-'],
    ['run', 'internet', 'pc', '--trace-out', '-', '--', 'ping', '-c', '1', '-q', '198.51.100.80'],
    ['topology', 'internet', '--json'],
  ]) {
    const r = await headC(100, ...argv);
    const what = argv.slice(0, 2).join(' ');
    assert.equal(r.out.length, 100, what);
    assert.doesNotMatch(r.err, /EPIPE|Unhandled|internal error|^\s+at /m, `${what}: ${r.err}`);
    assert.equal(r.signal, null, what);
    assert.equal(r.code, 0, `${what}: ${r.err}`);
  }
});

test('help texts show each default once (web --port said it twice)', async () => {
  const web = await run('web', '--help');
  assert.equal(web.code, 0);
  assert.match(web.out, /--port <n> +TCP port \(default: a free one\)\n/);
  for (const cmd of [
    ['visit'],
    ['run'],
    ['topology'],
    ['decode'],
    ['tap'],
    ['web'],
    ['dns', 'serve'],
    ['dns', 'check'],
    ['dns', 'servers'],
  ]) {
    const r = await run(...cmd, '--help');
    assert.equal(r.code, 0, cmd.join(' '));
    // an option's text without line breaks: commander wraps long descriptions
    const text = r.out.replace(/\n {10,}/g, ' ');
    assert.doesNotMatch(text, /\(default: [^)]*\)[^\n]*\(default: /, `${cmd.join(' ')}:\n${r.out}`);
  }
});

test('tap checks its --pcapng path before it plugs anything in (the capture is written at exit)', async () => {
  // (--duration: were the check missing, a root run would not wait for Ctrl-C)
  const r = await run(
    'tap',
    '--netns',
    'wtcheck',
    '--duration',
    '1',
    '--pcapng',
    '/nonexistent/tap.pcapng',
  );
  assert.equal(r.code, 2);
  assert.equal(
    r.err,
    'wiretrail: --pcapng /nonexistent/tap.pcapng: cannot write there (no directory /nonexistent)\n',
  );
  assert.equal(r.out, '');
});
