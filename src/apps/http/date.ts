/**
 * HTTP dates (RFC 9110 § 5.6.7) and the wall clock of a simulation.
 *
 * Read first: RFC 9110 § 5.6.7: senders generate IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT");
 * recipients also accept the obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime
 * ("Sun Nov  6 08:49:37 1994") forms; a two-digit year more than 50 years in the future is in
 * the past century. Invalid dates are undefined (RFC 9111 § 5.3: an invalid Expires means
 * "already expired").
 *
 * Simulated time (an Instant in ns since the start of the run) is mapped to wall-clock time by
 * adding a fixed epoch, so Date, Last-Modified and access-log timestamps are deterministic. The
 * wall clock is never read: the epoch is configuration.
 */
import type { Instant } from '../../sim/time.js';

/** 2025-01-01T00:00:00Z, the default wall-clock time at the start of a simulation. */
export const DEFAULT_EPOCH_MS = 1_735_689_600_000;

/** Wall-clock milliseconds at a simulated instant. */
export function wallMs(t: Instant, epochMs = DEFAULT_EPOCH_MS): number {
  return epochMs + Math.floor(t / 1_000_000);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Civil {
  y: number;
  m: number; // 1..12
  d: number;
  hh: number;
  mm: number;
  ss: number;
  wd: number; // 0 = Sunday
}

// Days ↔ civil date (H. Hinnant's algorithms), exact for the proleptic Gregorian calendar.
function civilFromDays(z: number): { y: number; m: number; d: number } {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return { y, m, d };
}

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civil(ms: number): Civil {
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86400);
  const rem = secs - days * 86400;
  const { y, m, d } = civilFromDays(days);
  return {
    y,
    m,
    d,
    hh: Math.floor(rem / 3600),
    mm: Math.floor((rem % 3600) / 60),
    ss: rem % 60,
    wd: (((days + 4) % 7) + 7) % 7,
  };
}

const p2 = (n: number): string => String(n).padStart(2, '0');

/** IMF-fixdate: "Wed, 01 Jan 2025 00:00:00 GMT". */
export function formatHttpDate(ms: number): string {
  const c = civil(ms);
  return `${DAYS[c.wd]}, ${p2(c.d)} ${MONTHS[c.m - 1]} ${c.y} ${p2(c.hh)}:${p2(c.mm)}:${p2(c.ss)} GMT`;
}

/** nginx's $time_local with UTC: "01/Jan/2025:00:00:00 +0000". */
export function formatLogDate(ms: number): string {
  const c = civil(ms);
  return `${p2(c.d)}/${MONTHS[c.m - 1]}/${c.y}:${p2(c.hh)}:${p2(c.mm)}:${p2(c.ss)} +0000`;
}

function build(
  y: number,
  mon: string,
  d: number,
  hh: number,
  mm: number,
  ss: number,
): number | undefined {
  const m = MONTHS.indexOf(mon) + 1;
  if (m === 0 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  const days = daysFromCivil(y, m, d);
  if (civilFromDays(days).d !== d) return undefined; // e.g. 31 Feb
  return (days * 86400 + hh * 3600 + mm * 60 + Math.min(ss, 59)) * 1000;
}

/** Parses the three HTTP date formats; undefined when invalid. `nowMs` resolves RFC 850 years. */
export function parseHttpDate(text: string, nowMs = DEFAULT_EPOCH_MS): number | undefined {
  const s = text.trim();
  let m =
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(
      s,
    );
  if (m) return build(Number(m[4]), m[3], Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  m = /^([A-Z][a-z]+), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(s);
  if (m && LONG_DAYS.includes(m[1])) {
    // RFC 9110 § 5.6.7: a two-digit year that appears more than 50 years in the future is in the past.
    const nowYear = civil(nowMs).y;
    let y = Math.floor(nowYear / 100) * 100 + Number(m[4]);
    if (y > nowYear + 50) y -= 100;
    return build(y, m[3], Number(m[2]), Number(m[5]), Number(m[6]), Number(m[7]));
  }
  m =
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(
      s,
    );
  if (m)
    return build(Number(m[7]), m[2], Number(m[3].trim()), Number(m[4]), Number(m[5]), Number(m[6]));
  return undefined;
}
