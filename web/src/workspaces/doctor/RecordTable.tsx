/**
 * @module
 * A tab of the chart as a table: date and status, what (with its key detail and who wrote it), and
 * the item's actions. Long lists show the newest rows first and the rest on request.
 */
import { Badge, Button, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { formatDate, resourceTypeLabel } from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { describe } from './chart-model.ts';
import { RecordActions } from './RecordActions.tsx';
import { authorName, orgName } from './source.ts';
import { StatusBadge, VersionBadge } from './StatusBadge.tsx';

export interface RecordTableProps {
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

export function RecordTable(p: RecordTableProps): ReactNode {
  const [all, setAll] = useState(false);
  const page = p.pageSize ?? 25;
  if (p.rows.length === 0)
    return (
      <Text c="dimmed" py="md">
        {p.empty}
      </Text>
    );
  const shown = all ? p.rows : p.rows.slice(0, page);
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={420}>
        <Table verticalSpacing="xs" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={120}>Date</Table.Th>
              <Table.Th>{p.itemLabel}</Table.Th>
              <Table.Th w={1}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((v) => {
              const line = describe(v);
              const author = authorName(p.dir, v.author);
              return (
                <Table.Tr key={v.id}>
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
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {p.rows.length > page && (
        <Group justify="center">
          <Button
            variant="subtle"
            size="xs"
            onClick={() => {
              setAll((a) => !a);
            }}
          >
            {all ? `Show the newest ${String(page)}` : `Show all ${String(p.rows.length)}`}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
