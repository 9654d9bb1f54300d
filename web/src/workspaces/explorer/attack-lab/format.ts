/**
 * @module
 * Number formats of the attack lab page.
 */
export const int = (n: number): string => Math.round(n).toLocaleString();

export function ms(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n < 1) return `${(n * 1000).toFixed(0)} µs`;
  if (n < 1000) return `${n.toFixed(n < 10 ? 2 : 0)} ms`;
  if (n < 120_000) return `${(n / 1000).toFixed(1)} s`;
  if (n < 7_200_000) return `${(n / 60_000).toFixed(1)} min`;
  if (n < 172_800_000) return `${(n / 3_600_000).toFixed(1)} h`;
  const days = n / 86_400_000;
  return days < 730 ? `${days.toFixed(0)} days` : `${(days / 365.25).toExponential(1)} years`;
}

export const where = (p: { height: number; tx?: number }): string =>
  `block ${String(p.height)}${p.tx === undefined ? '' : `, tx ${String(p.tx)}`}`;
