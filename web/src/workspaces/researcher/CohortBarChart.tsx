/**
 * @module
 * A bar chart of suppressed counts: published counts as bars with their value, small ones as a grey bar
 * at the most they can be labelled "<5", hidden ones not drawn (their axis label says so).
 */
import { BarChart } from '@mantine/charts';
import type { ReactNode } from 'react';
import { chartRows, chartSeries } from './cells.ts';
import type { ChartRow } from './cells.ts';
import type { Cell } from '../../../../src/api/contract/research.ts';

export function CohortBarChart({
  cells,
  min,
  label,
  color,
  title,
  h,
  horizontal = false,
}: {
  cells: readonly Cell[];
  min: number;
  label: (key: string) => string;
  color: string;
  title: string;
  h: number;
  horizontal?: boolean;
}): ReactNode {
  const rows = chartRows(cells, min, label);
  const series = chartSeries(rows, color, min);
  return (
    <BarChart
      h={h}
      data={rows}
      dataKey="label"
      type="stacked"
      series={series}
      orientation={horizontal ? 'vertical' : 'horizontal'}
      withBarValueLabel
      valueLabelProps={(s) => ({
        position: horizontal ? 'right' : 'top',
        // Stacking turns the other series' null into 0: label from the row itself, not the value.
        valueAccessor: (entry: { payload?: unknown }) => {
          const row = entry.payload as ChartRow | undefined;
          if (s.name === 'Small') return row?.Small == null ? '' : `<${String(min)}`;
          return row?.Persons == null ? '' : row.Persons.toLocaleString();
        },
        formatter: (v: unknown) => (typeof v === 'string' ? v : ''),
      })}
      barChartProps={{ margin: { top: 20, right: horizontal ? 30 : 10 } }}
      withLegend={series.length > 1}
      legendProps={{ verticalAlign: 'bottom', height: 36 }}
      gridAxis={horizontal ? 'x' : 'y'}
      tickLine={horizontal ? 'x' : 'y'}
      xAxisProps={horizontal ? { allowDecimals: false } : { interval: 0, fontSize: 11 }}
      yAxisProps={horizontal ? { width: 230, interval: 0, fontSize: 12 } : { allowDecimals: false }}
      aria-label={title}
    />
  );
}
