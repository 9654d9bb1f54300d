/**
 * @module
 * A tab of the chart as a table: date and status, what (with its key detail and who wrote it), and
 * the item's actions. Long lists show the newest rows first and the rest on request.
 */
import { Badge, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { formatDate, resourceTypeLabel } from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { RecordTable } from '../common/RecordTable.tsx';
import { describe } from './chart-model.ts';
import { RecordActions } from './RecordActions.tsx';
import { authorName, orgName } from './source.ts';
import { StatusBadge, VersionBadge } from './StatusBadge.tsx';

export interface ChartTableProps {
  readonly rows: readonly RecordView[];
  readonly dir: Directory | undefined;
  readonly onHistory: (v: RecordView) => void;
  readonly onAmend?: ((v: RecordView) => void) | undefined;
  /** Show the kind of record (for the "Other" tab, which mixes several). */
  readonly withType?: boolean;
  readonly itemLabel: string;
  readonly empty: ReactNode;
  /** How many rows show before "Show all" (25 unless told). */
  readonly pageSize?: number;
}

export function ChartTable(p: ChartTableProps): ReactNode {
  const cells = (v: RecordView): ReactNode => {
    const line = describe(v);
    const author = authorName(p.dir, v.author);
    return (
      <>
        <Table.Td valign="top">
          <Text size="sm">{formatDate(line.date) || '—'}</Text>
          <StatusBadge status={line.status} />
        </Table.Td>
        <Table.Td valign="top">
          <Group gap={6} wrap="wrap">
            {p.withType && (
              <Badge size="sm" variant="default" tt="none">
                {resourceTypeLabel(v.resource.resourceType)}
              </Badge>
            )}
            <Text size="sm" fw={500}>
              {line.title}
            </Text>
            <VersionBadge version={v.version} />
          </Group>
          {line.detail && <Text size="sm">{line.detail}</Text>}
          <Text size="xs" c="dimmed">
            {orgName(p.dir, v.org)}
            {author ? ` · ${author}` : ''}
          </Text>
        </Table.Td>
        <Table.Td valign="top">
          <RecordActions view={v} title={line.title} onHistory={p.onHistory} onAmend={p.onAmend} />
        </Table.Td>
      </>
    );
  };
  return (
    <RecordTable
      rows={p.rows}
      rowKey={(v) => v.id}
      head={
        <>
          <Table.Th w={120}>Date</Table.Th>
          <Table.Th>{p.itemLabel}</Table.Th>
          <Table.Th w={1}>
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </>
      }
      cells={cells}
      minWidth={420}
      pageSize={p.pageSize}
      shortList="newest"
      empty={p.empty}
      compact
    />
  );
}
