/**
 * @module
 * The Observations tab: trend charts of every coded numeric observation measured at least twice
 * (vital signs first), then every observation in a table, filterable by category.
 */
import { SegmentedControl, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { CodeableConcept } from '@medplum/fhirtypes';
import type { RecordView } from '../../lib/fhir-display.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { trends } from './trends.ts';
import { ChartTable } from './ChartTable.tsx';
import { TrendChart } from './TrendChart.tsx';

export interface ObservationsPanelProps {
  readonly rows: readonly RecordView[];
  readonly dir: Directory | undefined;
  readonly onHistory: (v: RecordView) => void;
}

function categoryOf(v: RecordView): string {
  const cats = (v.resource.category as CodeableConcept[] | undefined) ?? [];
  return cats[0]?.coding?.[0]?.code ?? 'other';
}

const FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'vital-signs', label: 'Vital signs' },
  { value: 'laboratory', label: 'Laboratory' },
];

export function ObservationsPanel(p: ObservationsPanelProps): ReactNode {
  const [filter, setFilter] = useState('all');
  const series = useMemo(() => trends(p.rows), [p.rows]);
  const rows = filter === 'all' ? p.rows : p.rows.filter((v) => categoryOf(v) === filter);
  return (
    <Stack gap="md" py="xs">
      <Title order={3} size="h5">
        Trends
      </Title>
      {series.length === 0 ? (
        <Text c="dimmed" size="sm">
          A trend appears once an observation with a LOINC code has two numeric values.
        </Text>
      ) : (
        <SimpleGrid type="container" cols={{ base: 1, '520px': 2, '860px': 3 }} spacing="sm">
          {series.map((t) => (
            <TrendChart key={t.key} trend={t} />
          ))}
        </SimpleGrid>
      )}
      <Title order={3} size="h5" mt="sm">
        All observations
      </Title>
      <SegmentedControl
        data={FILTERS}
        value={filter}
        onChange={setFilter}
        aria-label="Observation category"
        style={{ alignSelf: 'flex-start' }}
      />
      <ChartTable
        rows={rows}
        dir={p.dir}
        onHistory={p.onHistory}
        itemLabel="Observation"
        pageSize={12}
        empty="No observations in this category. Use “Add observation” above to record a vital sign."
      />
    </Stack>
  );
}
