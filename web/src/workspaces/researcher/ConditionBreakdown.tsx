/**
 * @module
 * One condition's persons by age band and by sex, chosen from the cohort's most common conditions;
 * the same suppression applies (a condition held by fewer than 5 persons shows no breakdown at all).
 */
import { Card, Group, Select, SimpleGrid, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { AGE_LABEL, SEX_LABEL, conditionLabel, shown } from './cells.ts';
import { CohortBarChart } from './CohortBarChart.tsx';
import type { ConditionStats } from '../../../../src/api/contract/research.ts';

export function ConditionBreakdown({
  conditions,
  min,
}: {
  conditions: readonly ConditionStats[];
  min: number;
}): ReactNode {
  const [code, setCode] = useState<string | null>(conditions[0]?.code ?? null);
  const c = conditions.find((x) => x.code === code) ?? conditions[0];
  if (!c) return null;
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" align="flex-end" mb="md" wrap="wrap">
        <Title order={3} size="h5">
          Condition breakdown
        </Title>
        <Select
          label="Condition"
          data={conditions.map((x) => ({ value: x.code, label: conditionLabel(x) }))}
          value={c.code}
          onChange={setCode}
          allowDeselect={false}
          searchable
          w={320}
        />
      </Group>
      <Text size="sm" mb="sm">
        <Text span fw={600}>
          {shown(c.persons, min)}
        </Text>{' '}
        persons with {conditionLabel(c)}{' '}
        <Text span c="dimmed" size="xs" ff="monospace">
          {c.code}
        </Text>
      </Text>
      {c.persons.suppressed ? (
        <Text size="sm" c="dimmed">
          Fewer than {String(min)} persons have this condition, so its breakdown is not shown.
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <div>
            <Text size="sm" fw={500} mb={4}>
              By age band
            </Text>
            <CohortBarChart
              h={230}
              cells={c.byAgeBand}
              min={min}
              label={AGE_LABEL}
              color="teal.6"
              title={`${conditionLabel(c)} by age band`}
            />
          </div>
          <div>
            <Text size="sm" fw={500} mb={4}>
              By sex
            </Text>
            <CohortBarChart
              h={230}
              cells={c.bySex}
              min={min}
              label={(k) => SEX_LABEL[k] ?? k}
              color="grape.5"
              title={`${conditionLabel(c)} by sex`}
            />
          </div>
        </SimpleGrid>
      )}
    </Card>
  );
}
