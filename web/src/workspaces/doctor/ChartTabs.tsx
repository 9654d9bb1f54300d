/**
 * @module
 * The chart's records in tabs: encounters (timeline), conditions, medications, observations (trends
 * and table), notes, and everything else (allergies, immunizations, procedures, diagnostic reports).
 */
import { Badge, Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import type { RecordView } from '../../lib/fhir-display.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { TAB_LABELS, TABS } from './chart-model.ts';
import type { Chart, ChartTab } from './chart-model.ts';
import { EncounterTimeline } from './EncounterTimeline.tsx';
import { NotesList } from './NotesList.tsx';
import { ObservationsPanel } from './ObservationsPanel.tsx';
import { ChartTable } from './ChartTable.tsx';

export interface ChartTabsProps {
  readonly chart: Chart;
  readonly dir: Directory | undefined;
  readonly tab: ChartTab;
  readonly onTab: (t: ChartTab) => void;
  readonly onHistory: (v: RecordView) => void;
  readonly onAmend: (v: RecordView) => void;
}

export function ChartTabs(p: ChartTabsProps): ReactNode {
  const { tabs } = p.chart;
  const common = { dir: p.dir, onHistory: p.onHistory };
  return (
    <Tabs
      value={p.tab}
      onChange={(v) => {
        if (v) p.onTab(v as ChartTab);
      }}
      keepMounted={false}
    >
      <Tabs.List>
        {TABS.map((t) => (
          <Tabs.Tab
            key={t}
            value={t}
            rightSection={
              <Badge size="xs" variant="light" color="gray" circle={tabs[t].length < 10}>
                {tabs[t].length}
              </Badge>
            }
          >
            {TAB_LABELS[t]}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      <Tabs.Panel value="encounters" pt="sm">
        <EncounterTimeline rows={tabs.encounters} {...common} />
      </Tabs.Panel>
      <Tabs.Panel value="conditions" pt="sm">
        <ChartTable
          rows={tabs.conditions}
          {...common}
          onAmend={p.onAmend}
          itemLabel="Condition"
          empty="No conditions on the problem list. Use “Add condition” above."
        />
      </Tabs.Panel>
      <Tabs.Panel value="medications" pt="sm">
        <ChartTable
          rows={tabs.medications}
          {...common}
          itemLabel="Medication and dosage"
          empty="No medications. Use “Add medication” above."
        />
      </Tabs.Panel>
      <Tabs.Panel value="observations" pt="sm">
        <ObservationsPanel rows={tabs.observations} {...common} />
      </Tabs.Panel>
      <Tabs.Panel value="notes" pt="sm">
        <NotesList rows={tabs.notes} {...common} onAmend={p.onAmend} />
      </Tabs.Panel>
      <Tabs.Panel value="other" pt="sm">
        <ChartTable
          rows={tabs.other}
          {...common}
          withType
          itemLabel="Record"
          empty="No allergies, immunizations, procedures or diagnostic reports."
        />
      </Tabs.Panel>
    </Tabs>
  );
}
