/**
 * Runs packetdrill scripts and prints one line per script:
 *   node --import tsx test/packetdrill/cli.ts <file.pkt | folder> [...]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runScript } from './run.js';

function walk(p: string, out: string[]): void {
  if (statSync(p).isDirectory()) {
    for (const e of readdirSync(p).sort()) walk(join(p, e), out);
  } else if (p.endsWith('.pkt')) out.push(p);
}

const files: string[] = [];
for (const a of process.argv.slice(2)) walk(a, files);
let pass = 0;
for (const f of files) {
  const r = runScript(readFileSync(f, 'utf8'));
  if (r.ok) pass++;
  console.log(
    `${r.ok ? 'PASS' : 'FAIL'} ${f}${r.ok ? '' : ` (line ${r.line ?? '?'}): ${r.error}`}`,
  );
}
console.log(`${pass}/${files.length} passed`);
