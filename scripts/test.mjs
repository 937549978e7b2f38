#!/usr/bin/env node
// Runs every test with Node's test runner (TypeScript loaded through tsx) and prints a final
// "N passed, N failed" line. Usage: node scripts/test.mjs [--unit] [path-substring ...]
//   --unit   only the unit tests beside the code (src/), not the external batteries (test/)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function walk(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

let files = walk('src', []);
if (!unitOnly) files = files.concat(walk('test', []), walk('web/test', []));
if (filters.length > 0) files = files.filter((f) => filters.some((s) => f.includes(s)));
files.sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let pass = 0;
let fail = 0;
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const p = /ℹ pass (\d+)/.exec(tail);
  const f = /ℹ fail (\d+)/.exec(tail);
  pass = p ? Number(p[1]) : 0;
  fail = f ? Number(f[1]) : 0;
  console.log(`\n${pass} passed, ${fail} failed`);
  process.exit(code === 0 && fail === 0 ? 0 : 1);
});
