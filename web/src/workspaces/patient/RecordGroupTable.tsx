/**
 * @module
 * One group of the patient's records as a table: date, what, details, who recorded it, and an
 * "Amended" mark with the version for corrected records (the original stays on the chain).
 */
import { Badge, Group, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { RecordTable } from '../common/RecordTable.tsx';
import { formatClinicalDate, fullDate } from './record-summary.ts';
import type { RecordLine } from './record-summary.ts';
import { doctorOf, orgName } from './use-patient-context.ts';

export function RecordGroupTable({
  lines,
  directory,
  caption,
}: {
  lines: readonly RecordLine[];
  directory: Directory;
  caption: string;
}): ReactNode {
  const cells = (l: RecordLine): ReactNode => {
    const doctor = doctorOf(directory, l.view.author);
    return (
      <>
        <Table.Td>
          <Text size="sm" style={{ whiteSpace: 'nowrap' }} title={fullDate(l.date)}>
            {formatClinicalDate(l.date)}
          </Text>
        </Table.Td>
        <Table.Td>
          <Group gap={6} wrap="nowrap">
            <Text size="sm" fw={500} title={`Record ${l.view.id}`}>
              {l.what}
            </Text>
            {l.amended && (
              <Badge
                size="xs"
                color="orange"
                variant="light"
                title={`Corrected: version ${String(l.view.version)}; earlier versions stay on the ledger`}
              >
                Amended · v{String(l.view.version)}
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed" hiddenFrom="md">
            {orgName(directory, l.view.org)}
            {doctor ? ` · ${doctor.name}` : ''}
          </Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm" c="dimmed">
            {l.detail ?? '—'}
          </Text>
        </Table.Td>
        <Table.Td visibleFrom="md">
          <Text size="sm">{orgName(directory, l.view.org)}</Text>
          {doctor && (
            <Text size="xs" c="dimmed">
              {doctor.name}
            </Text>
          )}
        </Table.Td>
      </>
    );
  };
  return (
    <RecordTable
      rows={lines}
      rowKey={(l) => l.view.id}
      head={
        <>
          <Table.Th w={130}>Date</Table.Th>
          <Table.Th>What</Table.Th>
          <Table.Th>Details</Table.Th>
          <Table.Th visibleFrom="md">Recorded by</Table.Th>
        </>
      }
      cells={cells}
      minWidth={480}
      shortList="first"
      striped
      caption={caption}
    />
  );
}
