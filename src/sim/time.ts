/**
 * Simulated time. An Instant is an integer number of nanoseconds since the start of the
 * simulation (exact up to 2^53 ns ≈ 104 days). Durations use the same unit.
 */
export type Instant = number;
export type Duration = number;

export const NS = 1;
export const US = 1_000;
export const MS = 1_000_000;
export const SECOND = 1_000_000_000;

/** "12.345 ms", "1.200 s", "850 µs" */
export function formatDuration(d: Duration): string {
  if (d >= SECOND) return `${(d / SECOND).toFixed(3)} s`;
  if (d >= MS) return `${(d / MS).toFixed(3)} ms`;
  if (d >= US) return `${(d / US).toFixed(1)} µs`;
  return `${d} ns`;
}

/** Seconds with 6 decimals, as tshark's time column prints them. */
export function formatSeconds(t: Instant): string {
  return (t / SECOND).toFixed(6);
}
