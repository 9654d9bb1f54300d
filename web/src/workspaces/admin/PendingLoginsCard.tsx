/**
 * @module
 * Patient logins waiting for a second administrator (admin): who asked and when, with Approve (the
 * binding goes on chain naming both administrators and shows in the patient's access log) and
 * Decline (the account is deleted). The administrator who asked cannot approve; the node says so.
 */
import { Alert, Button, Card, Group, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api } from '../../api.ts';
import { useAsync } from '../../lib/use-async.ts';
import type { PendingLogin } from '../../../../src/api/contract/auth.ts';
import type { TxRef } from '../../../../src/api/contract/consent.ts';
import { ShortId, When } from '../common/format.tsx';
import { LoadError } from '../common/states.tsx';

export function PendingLoginsCard({ onDecided }: { onDecided: (message: string) => void }): ReactNode {
  const { data, error, reload } = useAsync((s) => api.get<PendingLogin[]>('/users/pending', s), []);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (!error && (!data || data.length === 0)) return null;

  const decide = (p: PendingLogin, approve: boolean): void => {
    setBusy(p.keyId);
    setFailure(null);
    const done = approve
      ? api
          .post<TxRef>(`/users/${p.keyId}/approve`)
          .then((r) => `Login approved in block ${String(r.height)}.`)
      : api.post(`/users/${p.keyId}/decline`).then(() => 'Login declined; the account was deleted.');
    done.then(
      (message) => {
        setBusy(null);
        onDecided(message);
        reload();
      },
      (err: unknown) => {
        setBusy(null);
        setFailure(err instanceof Error ? err.message : String(err));
      },
    );
  };

  return (
    <Card withBorder padding="md" aria-label="Patient logins awaiting approval">
      <Title order={3} size="h4" mb="xs">
        Patient logins awaiting approval
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        A login gives its holder a patient&apos;s records, so a second administrator approves it.
      </Text>
      {error && <LoadError error={error} retry={reload} />}
      {failure && (
        <Alert color="red" mb="sm" title="Not done">
          {failure}
        </Alert>
      )}
      {data && data.length > 0 && (
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Login</Table.Th>
                <Table.Th>Asked by</Table.Th>
                <Table.Th>Asked</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((p) => (
                <Table.Tr key={p.keyId}>
                  <Table.Td>
                    <ShortId id={p.keyId} />
                  </Table.Td>
                  <Table.Td>{p.requestedBy.name ?? <ShortId id={p.requestedBy.keyId} />}</Table.Td>
                  <Table.Td>
                    <When t={p.created} />
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end">
                      <Button
                        size="xs"
                        loading={busy === p.keyId}
                        onClick={() => {
                          decide(p, true);
                        }}
                      >
                        Approve
                      </Button>
                      <Button
                        size="xs"
                        variant="light"
                        color="red"
                        disabled={busy === p.keyId}
                        onClick={() => {
                          decide(p, false);
                        }}
                      >
                        Decline
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
