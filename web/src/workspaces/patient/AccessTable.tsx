/**
 * @module
 * The access-log table: when, who (name, role, organization), what, purpose, allowed or refused and
 * on what grounds, how many records; break-glass rows in red with their badge (and the stated reason
 * when the node returns one).
 */
import { Badge, Group, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { AccessEvent } from '../../../../src/api/contract/consent.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { actionLabel, isBreakGlass, purposeLabel, reasonLabel } from './access-view.ts';
import { orgName } from './use-patient-context.ts';

const ROLE: Readonly<Record<string, string>> = {
  doctor: 'Doctor',
  patient: 'Patient',
  researcher: 'Researcher',
  admin: 'Administrator',
  auditor: 'Auditor',
  node: 'System',
};

export function AccessTable({
  events,
  directory,
  me,
}: {
  events: readonly AccessEvent[];
  directory: Directory;
  me: string;
}): ReactNode {
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table verticalSpacing="xs" aria-label="Access log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Who</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Outcome</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((e) => {
            const glass = isBreakGlass(e);
            const r = e.requester;
            const mine = r.keyId === me;
            return (
              <Table.Tr
                key={e.tx}
                bg={glass ? 'red.0' : undefined}
                style={glass ? { boxShadow: 'inset 4px 0 0 var(--mantine-color-red-6)' } : undefined}
                data-break-glass={glass ? 'true' : undefined}
              >
                <Table.Td>
                  <Text size="sm" title={`${new Date(e.time).toLocaleString()} · transaction ${e.tx}`}>
                    {new Date(e.time).toLocaleDateString(undefined, { dateStyle: 'medium' })}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {new Date(e.time).toLocaleTimeString(undefined, { timeStyle: 'short' })}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {mine ? 'You' : (r.name ?? `${ROLE[r.role] ?? r.role} ${r.keyId.slice(0, 8)}`)}
                  </Text>
                  {!mine && (
                    <Text size="xs" c="dimmed">
                      {[ROLE[r.role] ?? r.role, r.org && orgName(directory, r.org)]
                        .filter(Boolean)
                        .join(' · ')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Group gap={6}>
                    <Text size="sm">{actionLabel(e.action)}</Text>
                    {glass && (
                      <Badge color="red" variant="filled" size="sm">
                        Break-glass
                      </Badge>
                    )}
                    {(e.binding ?? e.viaBoundLogin) && (
                      <Badge color="grape" variant="light" size="sm" data-admin-bound="true">
                        {e.binding ? 'New login' : 'Login set up by administrators'}
                      </Badge>
                    )}
                  </Group>
                  <Text size="xs" c={glass ? 'red.8' : 'dimmed'}>
                    {glass
                      ? 'Emergency access without your consent'
                      : `For ${purposeLabel(e.purpose).toLowerCase()}`}
                    {` · ${String(e.records.length)} ${e.records.length === 1 ? 'record' : 'records'}`}
                  </Text>
                  {e.breakGlassReason && (
                    <Text size="xs" c="red.8" data-break-glass-reason="true">
                      Reason given: “{e.breakGlassReason}”
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge color={e.outcome === 'allow' ? 'green' : 'orange'} variant="light">
                    {e.outcome === 'allow' ? 'Allowed' : 'Refused'}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {reasonLabel(e.reason)}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
