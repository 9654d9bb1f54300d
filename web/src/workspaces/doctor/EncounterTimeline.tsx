/**
 * @module
 * The patient's encounters as a timeline, newest first: the kind of visit, when and how long, why,
 * with whom and where (FHIR R4 Encounter, https://hl7.org/fhir/R4/encounter.html).
 */
import { Badge, Group, Text, Timeline } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Coding, EncounterParticipant, Period, Reference } from '@medplum/fhirtypes';
import { formatDateTime } from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { describe } from './chart-model.ts';
import { RecordActions } from './RecordActions.tsx';
import { orgName } from './source.ts';
import { StatusBadge, VersionBadge } from './StatusBadge.tsx';

/** How long a visit lasted: ` · 35 min`, ` · 7 h 25 min`, ` · 3 days`. */
function duration(p: Period | undefined): string {
  if (!p?.start || !p.end) return '';
  const m = Math.round((new Date(p.end).getTime() - new Date(p.start).getTime()) / 60_000);
  if (!(m > 0)) return '';
  if (m < 60) return ` · ${String(m)} min`;
  if (m < 24 * 60) return ` · ${String(Math.floor(m / 60))} h${m % 60 ? ` ${String(m % 60)} min` : ''}`;
  const d = Math.round(m / (24 * 60));
  return ` · ${String(d)} day${d === 1 ? '' : 's'}`;
}

export interface EncounterTimelineProps {
  readonly rows: readonly RecordView[];
  readonly dir: Directory | undefined;
  readonly onHistory: (v: RecordView) => void;
}

export function EncounterTimeline(p: EncounterTimelineProps): ReactNode {
  if (p.rows.length === 0)
    return (
      <Text c="dimmed" py="md">
        No encounters on this chart.
      </Text>
    );
  return (
    <Timeline bulletSize={14} lineWidth={2} active={p.rows.length - 1} color="indigo" py="sm">
      {p.rows.map((v) => {
        const line = describe(v);
        const r = v.resource;
        const period = r.period as Period | undefined;
        const cls = r.class as Coding | undefined;
        const where = (r.serviceProvider as Reference | undefined)?.display;
        const who = ((r.participant as EncounterParticipant[] | undefined) ?? [])
          .map((x) => x.individual?.display)
          .filter(Boolean)
          .join(', ');
        return (
          <Timeline.Item
            key={v.id}
            title={
              <Group gap={6} justify="space-between" wrap="nowrap" align="flex-start">
                <Group gap={6}>
                  <Text fw={600} size="sm">
                    {line.title}
                  </Text>
                  {cls?.display && (
                    <Badge size="sm" variant="default" tt="none">
                      {cls.display}
                    </Badge>
                  )}
                  <StatusBadge status={line.status} />
                  <VersionBadge version={v.version} />
                </Group>
                <RecordActions view={v} title={line.title} onHistory={p.onHistory} />
              </Group>
            }
          >
            <Text size="sm" c="dimmed">
              {formatDateTime(period?.start ?? line.date)}
              {duration(period)}
            </Text>
            {line.detail && <Text size="sm">Reason: {line.detail}</Text>}
            <Text size="xs" c="dimmed">
              {[who, where].filter(Boolean).join(' · ') || orgName(p.dir, v.org)}
              {` · recorded by ${orgName(p.dir, v.org)}`}
            </Text>
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
