/**
 * @module
 * Units and statistics of the attack lab: medians, rates, and durations in human units (from
 * microseconds to years, and powers of ten of years beyond any meaningful horizon). A Julian year
 * (365.25 days, IAU) is the year used throughout.
 */

export const SECONDS_PER_YEAR = 365.25 * 86_400;
/** Age of the universe (Planck 2018: 13.787 ± 0.020 Gyr), the yardstick for "never". */
export const UNIVERSE_AGE_YEARS = 1.3787e10;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Events per second from a count and a duration in milliseconds. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count / ms) * 1000 : Infinity;
}

/** A duration with the seconds, the years and a human reading, as every report row carries it. */
export interface Duration {
  readonly seconds: number;
  readonly years: number;
  readonly human: string;
}

export function duration(seconds: number): Duration {
  return { seconds, years: seconds / SECONDS_PER_YEAR, human: humanDuration(seconds) };
}

/** "850 µs", "12.3 ms", "4.2 s", "3.5 min", "7.1 h", "12 days", "3.4 years", "1.1e+27 years". */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return seconds > 0 ? 'forever' : 'n/a';
  if (seconds < 1e-3) return `${sig(seconds * 1e6)} µs`;
  if (seconds < 1) return `${sig(seconds * 1e3)} ms`;
  if (seconds < 60) return `${sig(seconds)} s`;
  if (seconds < 3600) return `${sig(seconds / 60)} min`;
  if (seconds < 86_400) return `${sig(seconds / 3600)} h`;
  const years = seconds / SECONDS_PER_YEAR;
  if (years < 1) return `${sig(seconds / 86_400)} days`;
  if (years < 1e6) return `${sig(years)} years`;
  return `${years.toExponential(1)} years`;
}

/** A count or rate for tables: grouped digits below 10^9, scientific notation above. */
export function humanCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1e9) return n.toExponential(2);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return sig(n);
}

/** Three significant digits without trailing zeros. */
function sig(x: number): string {
  return String(Number(x.toPrecision(3)));
}
