/**
 * @module
 * Suppressed counts as the researcher reads them: a number, "<5" for a count from 1 to 4, or "hidden"
 * for a complementary suppression; and chart rows that draw a small count as a grey bar at its upper
 * bound (4) labelled "<5", and never draw a hidden count.
 */
import type { BarChartSeries } from '@mantine/charts';
import type { Cell, ConditionStats } from '../../../../src/api/contract/research.ts';

export const SEX_LABEL: Readonly<Record<string, string>> = {
  female: 'Female',
  male: 'Male',
  other: 'Other / unknown',
};

export const AGE_LABEL = (key: string): string => (key === 'unknown' ? 'Unknown' : key);

export const HIDDEN = 'hidden';

export function shown(c: Cell, min: number): string {
  if (!c.suppressed) return (c.count ?? 0).toLocaleString();
  return c.suppression === 'small' ? `<${String(min)}` : HIDDEN;
}

export interface ChartRow {
  readonly label: string;
  readonly Persons: number | null;
  readonly Small: number | null;
}

/** Bar-chart rows; a hidden cell's label says so, as it has no bar. */
export function chartRows(cells: readonly Cell[], min: number, label: (key: string) => string): ChartRow[] {
  return cells.map((c) => ({
    label: c.suppressed && c.suppression !== 'small' ? `${label(c.key)} (${HIDDEN})` : label(c.key),
    Persons: c.suppressed ? null : c.count,
    Small: c.suppression === 'small' ? min - 1 : null,
  }));
}

/** The series of {@link chartRows}: the grey "<5" one only when some cell is small. */
export function chartSeries(rows: readonly ChartRow[], color: string, min: number): BarChartSeries[] {
  return [
    { name: 'Persons', color },
    ...(rows.some((r) => r.Small !== null)
      ? [{ name: 'Small', label: `Fewer than ${String(min)} (suppressed)`, color: 'gray.4' }]
      : []),
  ];
}

export const conditionLabel = (c: ConditionStats): string => c.name ?? c.code.replace('|', ' ');
