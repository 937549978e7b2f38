#!/usr/bin/env node
// The wiretrail command. Runs the compiled CLI from dist/ (built by `npm install` / `npm run build`).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`wiretrail: internal error: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 70;
  },
);
