/** Number formats of the page. */

/** Simulated time as seconds with 6 decimals, like tshark's time column. */
export function fmtTime(ns: number): string {
  return (ns / 1e9).toFixed(6);
}

/** "12.3 ms", "850 µs", "1.20 s" */
export function fmtDur(ns: number): string {
  const a = Math.abs(ns);
  if (a >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (a >= 1e6) return `${(ns / 1e6).toFixed(a >= 1e8 ? 0 : 1)} ms`;
  if (a >= 1e3) return `${(ns / 1e3).toFixed(0)} µs`;
  return `${ns} ns`;
}
