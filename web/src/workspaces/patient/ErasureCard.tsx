/**
 * @module
 * Erasure (GDPR art. 17): the patient asks for all their records to be erased, after a confirmation
 * that says what erasure means on a ledger — once an administrator approves, the encrypted records and
 * their keys are deleted on every node, and the chain keeps only hashes that reveal nothing — and sees
 * where each request stands.
 */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  List,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import { ShortId } from '../common/format.tsx';
import { ModalFooter } from '../common/ModalFooter.tsx';
import type { ErasureRequest } from '../../../../src/api/contract/consent.ts';

const CONFIRM = 'ERASE';

export function ErasureCard(): ReactNode {
  const { data, error, loading, reload } = useAsync(
    (signal) => api.get<ErasureRequest[]>('/erasure-requests', signal),
    [],
  );
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const pending = data?.some((r) => r.status === 'pending') ?? false;

  const close = (): void => {
    setOpen(false);
    setTyped('');
    setFieldError(null);
    setFailure(null);
  };

  async function submit(): Promise<void> {
    if (typed.trim() !== CONFIRM) {
      setFieldError(`Type ${CONFIRM} to confirm`);
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      await api.post('/erasure-requests', { records: null });
      close();
      setNotice('Your request was sent. An administrator will review it; its status is shown below.');
      reload();
    } catch (err) {
      setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card withBorder padding="lg">
      <Title order={3} size="h4" mb={4}>
        Erase my records
      </Title>
      <Text size="sm" mb="md">
        You can ask for all your records to be erased. An administrator reviews the request, because some
        records may have to be kept by law; once approved, erasure cannot be undone.
      </Text>
      {notice && (
        <Alert color="green" mb="md">
          {notice}
        </Alert>
      )}
      {error && (
        <Alert color="red" role="alert" mb="md" title="Could not load your erasure requests">
          {error.message}
        </Alert>
      )}
      {data && data.length > 0 && (
        <Table.ScrollContainer minWidth={480} mb="md">
          <Table aria-label="My erasure requests" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Requested</Table.Th>
                <Table.Th>What</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Request</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...data].reverse().map((r) => (
                <Table.Tr key={r.tx}>
                  <Table.Td>{new Date(r.time).toLocaleString()}</Table.Td>
                  <Table.Td>
                    {r.records === null ? 'All my records' : `${String(r.records.length)} records`}
                  </Table.Td>
                  <Table.Td>
                    {r.status === 'pending' ? (
                      <Badge color="yellow" variant="light">
                        Waiting for an administrator
                      </Badge>
                    ) : (
                      <Badge color="gray">Erased</Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <ShortId id={r.tx} size="xs" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {data?.length === 0 && (
        <Text size="sm" c="dimmed" mb="md">
          You have not asked for erasure.
        </Text>
      )}
      <Group>
        <Button
          color="red"
          variant="outline"
          disabled={loading || pending}
          onClick={() => {
            setOpen(true);
          }}
        >
          Request erasure of all my records
        </Button>
        {pending && (
          <Text size="sm" c="dimmed">
            A request is already waiting for review.
          </Text>
        )}
      </Group>
      <Modal opened={open} onClose={close} title="Erase all your records?" centered size="lg">
        <Stack gap="md">
          <Alert color="red" variant="light" title="This cannot be undone once approved">
            Download a copy first if you may need your records later.
          </Alert>
          <List size="sm" spacing={6}>
            <List.Item>
              An administrator reviews your request. Some records may have to be kept by law; you will see the
              outcome on this page.
            </List.Item>
            <List.Item>
              Once approved, the encrypted content of every record and every key that could open it are
              deleted on every node of the network — no one, including you and your doctors, can read them
              again.
            </List.Item>
            <List.Item>
              The ledger keeps only hashes (fingerprints) and the fact that records existed and were erased;
              they reveal nothing about their content. The access log stays, so you can still see who accessed
              your data.
            </List.Item>
          </List>
          <TextInput
            label={`Type ${CONFIRM} to confirm`}
            value={typed}
            onChange={(e) => {
              setTyped(e.currentTarget.value);
              setFieldError(null);
            }}
            error={fieldError}
            autoComplete="off"
            data-autofocus
          />
          <ModalFooter
            error={failure}
            onCancel={close}
            submitLabel="Request erasure"
            submitColor="red"
            onSubmit={() => {
              void submit();
            }}
            busy={busy}
            cancelWhileBusy
            gap="md"
          />
        </Stack>
      </Modal>
    </Card>
  );
}
