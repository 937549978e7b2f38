// Imports every subcommand module so it registers itself with src/cli/main.ts.
// One line per subcommand; keep sorted.
import './decode.js';
import './dig.js';
import './dns.js';
import './run.js';
import './tap.js';
import './topology.js';
import './visit.js';
import './web.js';
export {};
