/**
 * @module
 * One observation trend (a LOINC code with two or more numeric values) as a small line chart,
 * with its latest value; blood pressure draws systolic and diastolic together.
 */
import { LineChart } from '@mantine/charts';
import { Card, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Trend } from './trends.ts';

const COLORS = ['indigo.6', 'teal.6', 'orange.6', 'grape.6'];

export function TrendChart({ trend }: { readonly trend: Trend }): ReactNode {
  return (
    <Card withBorder padding="sm" component="figure" m={0} aria-label={`${trend.title} trend`}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" mb={6} gap="xs">
        <Text size="sm" fw={600} lineClamp={2} component="figcaption">
          {trend.title}
        </Text>
        <Text size="sm" fw={700} style={{ whiteSpace: 'nowrap' }} title="Latest value">
          {trend.latest}
        </Text>
      </Group>
      <LineChart
        h={trend.series.length > 1 ? 178 : 150}
        data={[...trend.points]}
        dataKey="date"
        series={trend.series.map((name, i) => ({ name, color: COLORS[i % COLORS.length]! }))}
        curveType="monotone"
        withLegend={trend.series.length > 1}
        legendProps={{ verticalAlign: 'top', height: 28 }}
        yAxisProps={{ width: 48, domain: ['auto', 'auto'] }}
        xAxisProps={{ minTickGap: 24 }}
        tickLine="none"
        gridAxis="y"
        strokeWidth={2}
        dotProps={{ r: 3 }}
      />
      <Text size="xs" c="dimmed" mt={4}>
        {trend.unit ? `${trend.unit} · ` : ''}
        {trend.points.length} values · LOINC {trend.key}
      </Text>
    </Card>
  );
}
