/**
 * @module
 * "My access requests": the requests this doctor sent to patients, newest first, with their status
 * (pending, approved, declined); an approved one opens the chart.
 */
import { Anchor, Badge, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { shortId } from '../../lib/fhir-display.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { AccessRequest } from '../../../../src/api/contract/consent.ts';
import { AccessRequestsCard } from '../common/AccessRequestsCard.tsx';

const STATUS_COLOR: Record<AccessRequest['status'], string> = {
  pending: 'yellow',
  approved: 'green',
  declined: 'red',
};

function cells(r: AccessRequest): ReactNode {
  return (
    <>
      <Table.Td>
        {r.patientId ? (
          <Anchor href={`#/chart/${encodeURIComponent(r.patientId)}`} title={r.patientId} size="sm">
            {shortId(r.patientId)}
          </Anchor>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td tt="capitalize">{r.purpose}</Table.Td>
      <Table.Td>
        <Text size="sm" lineClamp={2}>
          {r.reason}
        </Text>
      </Table.Td>
      <Table.Td>{new Date(r.created).toLocaleString()}</Table.Td>
      <Table.Td>
        <Badge color={STATUS_COLOR[r.status]} variant="light" tt="none">
          {r.status}
        </Badge>
        {r.decided && (
          <Text size="xs" c="dimmed">
            {new Date(r.decided).toLocaleDateString()}
          </Text>
        )}
      </Table.Td>
    </>
  );
}

export function SentRequestsCard(): ReactNode {
  const reqs = useAsync((signal) => api.get<AccessRequest[]>('/access-requests', signal), []);
  return (
    <AccessRequestsCard
      header={
        <>
          <Title order={3} size="h4" mb={4}>
            My access requests
          </Title>
          <Text size="sm" c="dimmed" mb="sm">
            Requests you sent to patients whose chart you may not read. The patient approves or declines.
          </Text>
        </>
      }
      requests={reqs.data}
      loading={reqs.loading && !reqs.data}
      loadError={reqs.error?.message}
      empty="You have not asked any patient for access. When a chart is refused, you can ask the patient from there."
      head={
        <>
          <Table.Th>Patient</Table.Th>
          <Table.Th>Purpose</Table.Th>
          <Table.Th>Reason</Table.Th>
          <Table.Th>Sent</Table.Th>
          <Table.Th>Status</Table.Th>
        </>
      }
      cells={cells}
      minWidth={560}
      verticalSpacing="xs"
    />
  );
}
