/**
 * @module
 * "Access requests": doctors who asked to see the patient's records. Approving grants that doctor a
 * consent for the purpose asked, until a day the patient chooses; declining grants nothing.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import type { SyntheticEvent, ReactNode } from 'react';
import { api } from '../../api.ts';
import { AccessRequestsCard } from '../common/AccessRequestsCard.tsx';
import { ModalFooter } from '../common/ModalFooter.tsx';
import { PURPOSE_COLOR, PURPOSE_LABEL, formatDateTime } from './consent-view.ts';
import { endOfDay, futureDayError, isoDay } from './date-input.ts';
import type { AccessRequest } from '../../../../src/api/contract/consent.ts';
import type { Directory } from '../../../../src/api/contract/users.ts';
import { orgName } from './use-patient-context.ts';

const STATUS_COLOR = { pending: 'yellow', approved: 'green', declined: 'gray' } as const;

export function ReceivedRequestsCard({
  requests,
  directory,
  onChange,
}: {
  requests: readonly AccessRequest[];
  directory: Directory;
  onChange: (message: string) => void;
}): ReactNode {
  const [approving, setApproving] = useState<AccessRequest | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const pending = requests.filter((r) => r.status === 'pending');
  const decided = requests.filter((r) => r.status !== 'pending');

  async function decline(r: AccessRequest): Promise<void> {
    setBusy(r.id);
    setFailure(null);
    try {
      await api.post(`/access-requests/${encodeURIComponent(r.id)}/decline`);
      onChange(`You declined ${r.requester.name}'s request.`);
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <AccessRequestsCard
        header={
          <>
            <Group justify="space-between" mb="xs">
              <Title order={3} size="h4">
                Access requests
              </Title>
              {pending.length > 0 && <Badge color="yellow">{String(pending.length)} waiting for you</Badge>}
            </Group>
            {failure && (
              <Alert color="red" role="alert" mb="sm">
                {failure}
              </Alert>
            )}
          </>
        }
        requests={requests}
        empty="No requests. When a doctor asks to see your records, you decide here."
        rows={decided}
        head={
          <>
            <Table.Th>Doctor</Table.Th>
            <Table.Th>Purpose</Table.Th>
            <Table.Th>Asked</Table.Th>
            <Table.Th>Your answer</Table.Th>
          </>
        }
        cells={(r) => (
          <>
            <Table.Td>{r.requester.name}</Table.Td>
            <Table.Td>{PURPOSE_LABEL[r.purpose]}</Table.Td>
            <Table.Td>{formatDateTime(r.created)}</Table.Td>
            <Table.Td>
              <Badge color={STATUS_COLOR[r.status]} variant="light">
                {r.status}
              </Badge>
            </Table.Td>
          </>
        )}
        minWidth={520}
        verticalSpacing={4}
        caption="Earlier requests"
        tableMt="sm"
      >
        <Stack gap="sm">
          {pending.map((r) => (
            <Card key={r.id} withBorder padding="sm" bg="yellow.0">
              <Group justify="space-between" wrap="wrap" gap="sm">
                <div>
                  <Group gap="xs">
                    <Text fw={600}>{r.requester.name}</Text>
                    <Text size="sm" c="dimmed">
                      {orgName(directory, r.requester.org)}
                    </Text>
                    <Badge color={PURPOSE_COLOR[r.purpose]} variant="light">
                      {PURPOSE_LABEL[r.purpose]}
                    </Badge>
                  </Group>
                  <Text size="sm">“{r.reason}”</Text>
                  <Text size="xs" c="dimmed">
                    Asked {formatDateTime(r.created)}
                  </Text>
                </div>
                <Group gap="xs">
                  <Button
                    size="xs"
                    onClick={() => {
                      setApproving(r);
                    }}
                  >
                    Approve
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    loading={busy === r.id}
                    onClick={() => {
                      void decline(r);
                    }}
                  >
                    Decline
                  </Button>
                </Group>
              </Group>
            </Card>
          ))}
        </Stack>
      </AccessRequestsCard>
      <ApproveModal
        request={approving}
        onClose={() => {
          setApproving(null);
        }}
        onApproved={(m) => {
          setApproving(null);
          onChange(m);
        }}
      />
    </>
  );
}

function ApproveModal({
  request,
  onClose,
  onApproved,
}: {
  request: AccessRequest | null;
  onClose: () => void;
  onApproved: (message: string) => void;
}): ReactNode {
  const [day, setDay] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [minDay] = useState(() => isoDay(Date.now()));

  async function submit(e: SyntheticEvent): Promise<void> {
    e.preventDefault();
    if (!request) return;
    const err = futureDayError(day, Date.now());
    setError(err);
    setFailure(null);
    if (err) return;
    setBusy(true);
    try {
      await api.post(`/access-requests/${encodeURIComponent(request.id)}/approve`, {
        validTo: endOfDay(day),
      });
      setDay('');
      onApproved(
        `${request.requester.name} may see your records until ${new Date(endOfDay(day)).toLocaleDateString()}.`,
      );
    } catch (x) {
      setFailure(x instanceof Error ? x.message : String(x));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={request !== null} onClose={onClose} title="Approve access request" centered>
      {request && (
        <form
          noValidate
          onSubmit={(e) => {
            void submit(e);
          }}
        >
          <Stack gap="md">
            <Text size="sm">
              {request.requester.name} ({request.requester.org}) will be able to see all your records for{' '}
              {PURPOSE_LABEL[request.purpose].toLowerCase()} until the day you choose. You can revoke this at
              any time on this page.
            </Text>
            <TextInput
              type="date"
              label="Access valid until"
              min={minDay}
              value={day}
              onChange={(e) => {
                setDay(e.currentTarget.value);
              }}
              error={error}
              withAsterisk
              data-autofocus
            />
            <ModalFooter
              error={failure}
              onCancel={onClose}
              submitLabel="Approve access"
              busy={busy}
              cancelWhileBusy
              gap="md"
            />
          </Stack>
        </form>
      )}
    </Modal>
  );
}
