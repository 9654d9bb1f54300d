/**
 * @module
 * Persons by sex as a donut with a legend that lists every category, suppressed ones as "<5" (their
 * segment is not drawn: a guessed size would be a disclosure risk or a lie).
 */
import { DonutChart } from '@mantine/charts';
import { Badge, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { SEX_LABEL, shown } from './cells.ts';
import type { Cell } from '../../../../src/api/contract/research.ts';

const COLORS: Readonly<Record<string, string>> = { female: 'grape.5', male: 'blue.5', other: 'gray.5' };

export function SexDonut({
  cells,
  min,
  total,
}: {
  cells: readonly Cell[];
  min: number;
  total: string;
}): ReactNode {
  const drawn = cells
    .filter((c) => !c.suppressed && (c.count ?? 0) > 0)
    .map((c) => ({ name: SEX_LABEL[c.key] ?? c.key, value: c.count ?? 0, color: COLORS[c.key] ?? 'gray.5' }));
  return (
    <Group justify="center" gap="xl" wrap="wrap" mih={drawn.length > 0 ? 240 : undefined} py="md">
      {drawn.length > 0 ? (
        <DonutChart
          data={drawn}
          size={180}
          thickness={28}
          chartLabel={total}
          withTooltip
          aria-label="Persons by sex"
        />
      ) : (
        <Text size="sm" c="dimmed" maw={200}>
          Every count is suppressed: nothing to draw.
        </Text>
      )}
      <Stack gap={6}>
        {cells.map((c) => (
          <Group key={c.key} gap="xs" wrap="nowrap">
            <Badge color={COLORS[c.key] ?? 'gray.5'} size="xs" circle aria-hidden>
              {' '}
            </Badge>
            <Text size="sm" w={120}>
              {SEX_LABEL[c.key] ?? c.key}
            </Text>
            <Text size="sm" fw={600}>
              {shown(c, min)}
            </Text>
          </Group>
        ))}
      </Stack>
    </Group>
  );
}
