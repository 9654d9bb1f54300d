/**
 * @module
 * Patient logins waiting for a second administrator (admin): who asked and when, with Approve (the
 * binding goes on chain naming both administrators and shows in the patient's access log) and
 * Decline (the account is deleted). The administrator who asked cannot approve; the node says so.
 */
import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
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
      <Stack gap="xs">
        {data?.map((p) => (
          <Group key={p.keyId} justify="space-between" wrap="nowrap">
            <Text size="sm">
              Login <ShortId id={p.keyId} /> asked by{' '}
              {p.requestedBy.name ?? <ShortId id={p.requestedBy.keyId} />} <When t={p.created} />
            </Text>
            <Group gap="xs" wrap="nowrap">
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
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
