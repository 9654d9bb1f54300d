/**
 * @module
 * The organizations on the chain (any signed-in user may list them) and, for an admin, creating a
 * new organization hosted by this node (an org.join transaction).
 */
import { Badge, Button, Card, Group, Modal, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode, SubmitEvent } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { Organization } from '../../../../src/api/contract/users.ts';
import { ModalFooter } from '../common/ModalFooter.tsx';
import { LoadError, LoadingRows } from '../common/states.tsx';

const ORG_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function OrganizationsCard(): ReactNode {
  const { data, error, loading, reload } = useAsync((s) => api.get<Organization[]>('/organizations', s), []);
  const [adding, setAdding] = useState(false);
  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4">
          Organizations
        </Title>
        <Button
          size="xs"
          variant="light"
          onClick={() => {
            setAdding(true);
          }}
        >
          New organization
        </Button>
      </Group>
      {error && <LoadError error={error} retry={reload} />}
      {loading && !data && <LoadingRows rows={2} />}
      {data && (
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Id</Table.Th>
                <Table.Th>Node</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((o) => (
                <Table.Tr key={o.id}>
                  <Table.Td>{o.name}</Table.Td>
                  <Table.Td>
                    <Text span ff="monospace" size="sm">
                      {o.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {o.hostedHere ? (
                      <Badge miw="max-content" variant="light" color="indigo">
                        Hosted here
                      </Badge>
                    ) : (
                      <Text span size="sm" c="dimmed">
                        Another node
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {adding && (
        <NewOrganizationModal
          onClose={() => {
            setAdding(false);
          }}
          onCreated={() => {
            setAdding(false);
            reload();
          }}
        />
      )}
    </Card>
  );
}

function NewOrganizationModal({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: () => void;
}): ReactNode {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<{ id?: string; name?: string }>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: SubmitEvent): void => {
    e.preventDefault();
    const next: typeof errors = {};
    if (!ORG_ID.test(id)) next.id = '2–63 lowercase letters, digits or “-”, starting with a letter or digit';
    if (!name.trim()) next.name = 'Enter the organization’s name';
    setErrors(next);
    if (next.id || next.name) return;
    setBusy(true);
    setError(null);
    api.post('/organizations', { id, name: name.trim() }).then(
      () => {
        setBusy(false);
        onCreated();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof Error ? err.message : String(err));
      },
    );
  };
  return (
    <Modal
      opened
      closeButtonProps={{ 'aria-label': 'Close' }}
      onClose={onClose}
      title="New organization"
      closeOnClickOutside={!busy}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <TextInput
            label="Name"
            required
            placeholder="e.g. Northside Clinic"
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
            }}
            error={errors.name}
            maxLength={200}
            data-autofocus
          />
          <TextInput
            label="Id"
            required
            description="Permanent short name on the chain, e.g. northside"
            value={id}
            onChange={(e) => {
              setId(e.currentTarget.value);
            }}
            error={errors.id}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          />
          <ModalFooter
            error={error}
            errorTitle="The node did not create the organization"
            onCancel={onClose}
            submitLabel="Create organization"
            busy={busy}
          />
        </Stack>
      </form>
    </Modal>
  );
}
