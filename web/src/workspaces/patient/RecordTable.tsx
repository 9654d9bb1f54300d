/**
 * @module
 * One group of the patient's records as a table: date, what, details, who recorded it, and an
 * "Amended" mark with the version for corrected records (the original stays on the chain).
 */
import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { formatClinicalDate, fullDate } from './record-summary.ts';
import type { RecordLine } from './record-summary.ts';
import { doctorOf, orgName } from './use-patient-context.ts';

const PAGE = 25;

export function RecordTable({
  lines,
  directory,
  caption,
}: {
  lines: readonly RecordLine[];
  directory: Directory;
  caption: string;
}): ReactNode {
  const [all, setAll] = useState(false);
  const shown = all ? lines : lines.slice(0, PAGE);
  return (
    <>
      <Table.ScrollContainer minWidth={480}>
        <Table striped highlightOnHover verticalSpacing="xs" aria-label={caption}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={130}>Date</Table.Th>
              <Table.Th>What</Table.Th>
              <Table.Th>Details</Table.Th>
              <Table.Th visibleFrom="md">Recorded by</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((l) => {
              const doctor = doctorOf(directory, l.view.author);
              return (
                <Table.Tr key={l.view.id}>
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
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {lines.length > PAGE && (
        <Group justify="center" mt="sm">
          <Button
            variant="subtle"
            onClick={() => {
              setAll(!all);
            }}
          >
            {all ? `Show the first ${String(PAGE)}` : `Show all ${String(lines.length)}`}
          </Button>
        </Group>
      )}
    </>
  );
}
