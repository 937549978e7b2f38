// Imports every subcommand module so it registers itself with src/cli/main.ts.
// One line per subcommand; keep sorted.
import './decode.js';
import './run.js';
export {};
